import { AuthorizationV1Api, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../../services/api/resources/clusters/agent-manifest.js';
import { uniqueName } from '../../support/stack-env.js';

type RbacDocument = KubernetesObject & { subjects?: { namespace?: string }[]; roleRef?: { name: string } };

export interface RelocatedInstall {
  /** The namespace this install puts the agent in, in place of `haven-system`. */
  namespace: string;
  /** The agent's service account as the API server names the user. */
  serviceAccountUser: string;
  /** What a cluster-scoped object of the manifest (a ClusterRole, a ClusterRoleBinding) is called here. */
  clusterScopedName(name: string): string;
  /** The manifest's documents as this install applies them. */
  documents: KubernetesObject[];
  /**
   * Server-side apply, in manifest order as `kubectl apply --server-side -f` does (the namespace first);
   * only the documents `select` picks, when given (the restore permissions after a backup, say).
   */
  apply(select?: (document: KubernetesObject) => boolean): Promise<void>;
  /** Deletes what `apply` created, in reverse order. */
  remove(): Promise<void>;
  /**
   * A kubeconfig for the agent's service account with a token from the TokenRequest API, as the pod
   * of an installed agent has: the API server authorizes its calls by the install's bindings alone.
   */
  agentKubeConfig(): Promise<KubeConfig>;
  /** Asks the API server, with a SubjectAccessReview, whether the agent's service account may do this. */
  agentMay(attributes: { verb: string; resource: string; group?: string; subresource?: string; namespace?: string; name?: string }): Promise<boolean>;
}

/**
 * The install manifest names a fixed namespace, ClusterRoles and ClusterRoleBindings. Applied as they
 * are, a rerun (while the last run's namespace is still terminating) or another run on the same API
 * server would share them, so each install gets a namespace and cluster-scoped names of its own, with
 * the bindings' references following, and deletes only those. `keep` picks the documents to apply (a
 * backup-only install leaves the restore permissions out).
 */
export function relocatedInstall(
  kubeConfig: KubeConfig,
  manifest: string,
  options: { manager: string; keep?: (document: KubernetesObject) => boolean },
): RelocatedInstall {
  const namespace = uniqueName(AGENT_NAMESPACE);
  const suffix = namespace.slice(AGENT_NAMESPACE.length);
  const clusterScopedName = (name: string) => `${name}${suffix}`;
  const declared = parseAllDocuments(manifest).map((document) => document.toJS() as KubernetesObject);
  // A binding keeps pointing at a role of the cluster's own (cluster-admin): only the manifest's are renamed.
  const declaredRoles = new Set(declared.filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata?.name));
  const relocated = (document: KubernetesObject): KubernetesObject => {
    const copy = structuredClone(document) as RbacDocument;
    const metadata = (copy.metadata ??= {});
    if (copy.kind === 'Namespace' && metadata.name === AGENT_NAMESPACE) metadata.name = namespace;
    else if (metadata.namespace === AGENT_NAMESPACE) metadata.namespace = namespace;
    else if (copy.kind === 'ClusterRole' || copy.kind === 'ClusterRoleBinding') metadata.name = clusterScopedName(metadata.name!);
    if (copy.kind === 'ClusterRoleBinding' && copy.roleRef && declaredRoles.has(copy.roleRef.name)) copy.roleRef.name = clusterScopedName(copy.roleRef.name);
    for (const subject of copy.subjects ?? []) if (subject.namespace === AGENT_NAMESPACE) subject.namespace = namespace;
    return copy;
  };
  const documents = declared.filter(options.keep ?? (() => true)).map(relocated);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  const serviceAccountUser = `system:serviceaccount:${namespace}:${AGENT_NAME}`;
  return {
    namespace,
    serviceAccountUser,
    clusterScopedName,
    documents,
    async apply(select = () => true) {
      for (const document of documents.filter(select)) await objects.patch(document, undefined, undefined, options.manager, true, PatchStrategy.ServerSideApply);
    },
    async remove() {
      for (const document of [...documents].reverse()) await objects.delete(document).catch(() => undefined);
    },
    async agentKubeConfig() {
      const requested = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
        namespace,
        name: AGENT_NAME,
        body: { spec: { audiences: [], expirationSeconds: 3600 } },
      });
      const cluster = kubeConfig.getCurrentCluster();
      if (!cluster || !requested.status?.token) throw new Error('no cluster in the kubeconfig, or no token from the TokenRequest');
      const agent = new KubeConfig();
      agent.loadFromOptions({
        clusters: [cluster],
        users: [{ name: AGENT_NAME, token: requested.status.token }],
        contexts: [{ name: AGENT_NAME, cluster: cluster.name, user: AGENT_NAME }],
        currentContext: AGENT_NAME,
      });
      return agent;
    },
    async agentMay(attributes) {
      const review = await authorization.createSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: serviceAccountUser,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
            resourceAttributes: { group: attributes.group ?? '', ...attributes },
          },
        },
      });
      return review.status?.allowed === true;
    },
  };
}
