/**
 * The agent's permissions in its cluster, as data: the install manifest (agent-manifest.ts) renders them,
 * and the haven-agent Helm chart renders deploy/helm/haven-agent/files/rbac-rules.yaml, generated from
 * these rules by `npm run helm:rbac` (test/helm/agent-chart.test.ts fails when it is stale). Two ClusterRoles, each with its own binding:
 * backups need only the first; the second adds what restores and replication resets write, and a
 * backup-only cluster leaves it out. Neither grants `bind`, `escalate` or `impersonate`, nor any write
 * to RBAC objects outside a restore, so the agent cannot raise its own rights through the RBAC API.
 *
 * Every rule is here because some call of the agent needs it (activities/cluster/*); a call that is
 * not covered fails in test/agent/least-privilege-run.test.ts, which runs a backup and a restore with a
 * token bound by exactly these rules.
 */

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What a set of rules is for; the label `haven.io/agent-permissions` on its ClusterRole and binding. */
export const AGENT_PERMISSIONS = ['backup', 'restore'] as const;
export type AgentPermissions = (typeof AGENT_PERMISSIONS)[number];
export const AGENT_PERMISSIONS_LABEL = 'haven.io/agent-permissions';

const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

export const AGENT_RULES: Record<AgentPermissions, readonly PolicyRule[]> = {
  backup: [
    // Exports read every kind the cluster serves, custom resources included, so the kinds are unknown at
    // install time and only a wildcard covers them. Secrets are among them: a backup without its
    // Secrets could not bring the application back. `watch` is never called; a restore needs to hold it
    // to re-create the applications' own Roles that grant it (the API server refuses granting more
    // than one holds).
    { apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] },
    // Data-mover pods, the Secret holding each one's mover token, and the temporary claims restored from
    // snapshots: a pod mounts only claims of its own namespace, so they live in whatever namespace the
    // copied claim is in. Created and deleted, never updated: the agent cannot rewrite a Secret it did
    // not make, though RBAC cannot limit deletes to Haven's labelled objects.
    { apiGroups: [''], resources: ['pods', 'persistentvolumeclaims', 'secrets'], verbs: ['create', 'delete'] },
    // Hooks run commands in the application's pods. The exec WebSocket opens with a GET, and the API
    // server also checks `create` on the upgrade (as it always does for SPDY exec).
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['get', 'create'] },
    { apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshots'], verbs: ['create', 'delete'] },
    // A kept snapshot's content is switched to Retain so it outlives its namespace, and switched back
    // (then deleted) when that recovery point expires.
    { apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshotcontents'], verbs: ['patch', 'delete'] },
  ],
  restore: [
    // Restores write every kind a backup holds (CRDs, namespaces, PVs, RBAC, workloads, custom
    // resources), replace existing objects under UPDATE, re-link owner references and release held
    // workloads by patch, and pre-provision snapshot contents. Delete is for replication resets, which
    // delete and re-create the destination's namespaces, and for the restored applications' own Roles
    // that grant it. Restored RBAC that grants what the agent does not hold (impersonate, bind,
    // escalate, …) is refused by the API server as an escalation, object by object.
    { apiGroups: ['*'], resources: ['*'], verbs: ['create', 'update', 'patch', 'delete'] },
  ],
};

/** `haven-agent-backup`, `haven-agent-restore`: the ClusterRole and the ClusterRoleBinding share the name. */
export function agentRoleName(agentName: string, permissions: AgentPermissions): string {
  return `${agentName}-${permissions}`;
}

/** The ClusterRole with these permissions and its binding to the agent's service account. */
export function agentRbacDocuments(permissions: AgentPermissions, agent: { name: string; namespace: string; labels: Record<string, string> }) {
  const name = agentRoleName(agent.name, permissions);
  const labels = { ...agent.labels, [AGENT_PERMISSIONS_LABEL]: permissions };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules: AGENT_RULES[permissions].map((rule) => ({ ...rule })) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name: agent.name, namespace: agent.namespace }],
    },
  ];
}
