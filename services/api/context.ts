import type { Database } from '../../lib/db/client.js';
import type { SecretKeyring } from '../../lib/common/secrets.js';
import type { OrganizationPayloadKeys } from '../../lib/db/organization-payload-keys.js';
import type { AgentSettings, TemporalLinks } from './config.js';
import type { Clock } from '../../lib/common/clock.js';
import type { StorageAccessPolicy } from '../../lib/common/storage-access/policy.js';
import type { AgentLiveness } from './seams/agent-liveness.js';
import type { BackupPreviewer } from './seams/backup-preview.js';
import type { ClusterInventoryReader } from './seams/cluster-inventory.js';
import type { RunProgressReader } from './seams/run-progress.js';
import type { StorageProbe } from './seams/storage-probe.js';
import type { CloudAccountChecker } from './seams/cloud-account-check.js';
import type { WorkflowLauncher } from './seams/workflow-launcher.js';
import type { EndpointNetworks } from '../../lib/common/storage-access/endpoints.js';

/** What route plugins receive: the injected collaborators, never globals. */
export interface ApiContext {
  db: Database;
  keyring: SecretKeyring;
  /** Organizations' payload keys, when Temporal is configured: the codec endpoint opens the caller's with them. */
  payloadKeys: OrganizationPayloadKeys | null;
  launcher: WorkflowLauncher;
  liveness: AgentLiveness;
  previewer: BackupPreviewer;
  /** A cluster's namespaces, storage and resource types, read by its agent. */
  inventory: ClusterInventoryReader;
  /** Live progress of running jobs (a query and a describe of the run, never stored). */
  runProgress: RunProgressReader;
  storageProbe: StorageProbe;
  /** Checks a cloud account's credentials and permissions before it is saved. */
  cloudAccountCheck: CloudAccountChecker;
  /** HAVEN_FILESYSTEM_TARGETS_ROOT: filesystem targets live under it, one directory per organization. */
  filesystemRoot: string | undefined;
  /** How the API may reach tenants' storage when it reads a recovery point's repository (browsing, downloads). */
  storageAccess: StorageAccessPolicy;
  clock: Clock;
  /** HAVEN_INSTALLATION_ADMIN_KEY: administers organizations; unset turns installation administration off. */
  installationAdminKey?: string | undefined;
  agent: AgentSettings;
  temporal: TemporalLinks;
  /** Where webhook URLs and SMTP hosts may be (HAVEN_NOTIFICATION_PRIVATE_NETWORKS), checked when a channel is saved. */
  notificationNetworks: EndpointNetworks;
}
