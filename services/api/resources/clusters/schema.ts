import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CLUSTER_STATUSES } from '../../../../lib/common/enums.js';
import { Description, Id, Name, Nullable, RecordMeta, StringEnum, Tags, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const DEFAULT_KUBELET_PODS_DIR = '/var/lib/kubelet/pods';

export const ClusterInput = Type.Object(
  {
    name: Name,
    description: Description,
    tags: Tags,
    kubeletPodsDir: Type.String({
      minLength: 2,
      maxLength: 4096,
      // \x00 rather than \0: the same in every regex dialect a client may check it with (Python's, Go's).
      pattern: '^/[^\\x00]*$',
      default: DEFAULT_KUBELET_PODS_DIR,
      description:
        'Base directory of pod volumes on the nodes, read by the "host volume" backup method as ' +
        '<dir>/<pod-uid>/volumes/*/<pvc-id>/mount.',
    }),
    defaultStorageTargetId: Nullable(Id, {
      default: null,
      description: 'Default backup destination for this cluster; overrides the organization default, is overridden by a definition.',
    }),
  },
  { additionalProperties: false },
);
export type ClusterInput = Static<typeof ClusterInput>;

export const Cluster = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  description: Type.String(),
  tags: Type.Record(Type.String(), Type.String()),
  kubeletPodsDir: Type.String(),
  defaultStorageTargetId: Nullable(Id),
  status: StringEnum(CLUSTER_STATUSES, {
    description: 'PENDING: no agent has connected yet; ACTIVE: its agent is connected; INACTIVE: its agent stopped polling.',
  }),
  agentLastSeenAt: Nullable(Timestamp),
});
export type Cluster = Static<typeof Cluster>;

export const AgentRegistration = Type.Object({
  agentToken: Type.String({ description: 'The agent credential. Shown only in this response; it is inside agentManifest too.' }),
  agentManifest: Type.String({
    description:
      "Kubernetes YAML that installs the agent: kubectl apply --server-side -f it on the cluster. Its last two documents (label haven.io/agent-permissions=restore) let restores and replications write to the cluster; leave them out for a backup-only cluster (-l 'haven.io/agent-permissions!=restore').",
  }),
});

export const RegisteredCluster = Type.Object({ ...Cluster.properties, ...AgentRegistration.properties });
