/**
 * The tenant matrix: for every operation of the API, how organization B attacks organization A's
 * records with it, and what it must get back. test/api/tenant-matrix.test.ts fails when an operation
 * of /openapi.json has no row here, or a row names an operation that no longer exists: a new route
 * cannot ship without saying how it keeps tenants apart. Every query parameter the document declares as
 * an id must be tried with A's ids by its operation's row; every list is also paged with A's cursor, and
 * every attack is sent again by B's operator and viewer keys (the test derives both from the document).
 */

/** Organization A's records, which B knows the ids of (ids leak: logs, screenshots, guessing). */
export interface VictimRecords {
  orgId: string;
  storageTarget: string;
  cluster: string;
  policy: string;
  preBackupHook: string;
  postBackupHook: string;
  postRestoreHook: string;
  backup: string;
  replication: string;
  restore: string;
  drill: string;
  recoveryPoint: string;
  cloudAccount: string;
  rdsBackup: string;
  rdsDatabase: string;
  /** An awsrds recovery point (an RDS snapshot of A's account). */
  rdsPoint: string;
  job: string;
  user: string;
  userEmail: string;
  apiKey: string;
  notificationChannel: string;
  /** A Temporal payload sealed with A's organization key, as the codec endpoint serves it. */
  payload: unknown;
  /** Names B must not learn; B may send them itself (names repeat across organizations). */
  names: string[];
  /** A's other records' ids (a replica cluster, the second of each listed record): B must not read them either. */
  others: string[];
}

/** B's own records, so B's requests are valid in everything but the foreign id they carry. */
export interface AttackerRecords {
  cluster: string;
  /** Where B's replications go: never their source cluster. */
  replicaCluster: string;
  clusterVersion: string;
  backup: string;
  backupVersion: string;
  replication: string;
  replicationVersion: string;
  restore: string;
  restoreVersion: string;
  drill: string;
  drillVersion: string;
  recoveryPoint: string;
  /** A valid S3 target body with a name B does not use yet. */
  storageTargetBody: Record<string, unknown>;
  cloudAccount: string;
  /** A valid cloud account body (keys AWS accepts) with a name B does not use yet. */
  cloudAccountBody: Record<string, unknown>;
  rdsBackup: string;
  rdsBackupVersion: string;
}

/** A webhook on a documentation address (TEST-NET-3): public, so the SSRF check passes without DNS. */
export function webhookChannelBody(name: string): Record<string, unknown> {
  return { kind: 'WEBHOOK', name, url: 'https://203.0.113.10/haven', secret: 'matrix-webhook-secret' };
}

/**
 * What B must get: `404` not-found for a foreign id in the path; `422` invalid-reference naming `field`
 * for a foreign id in the body; `2xx` for an operation that only ever touches B's own data (the response
 * must then hold nothing of A's, and `empty` lists nothing at all); `403` where the API's convention for
 * the operation is to refuse (the codec endpoint, installation administration).
 */
export type Expectation = { status: 404 } | { status: 422; field: string } | { status: 200 | 201 | 202 | 204; empty?: boolean } | { status: 403 };

export interface Attempt {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under /api/v1. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  expect: Expectation;
}

type Row = (a: VictimRecords, b: AttackerRecords) => Attempt[];

const ifMatch = (version: string) => ({ 'if-match': version });
const anyVersion = ifMatch('"1"');
const notFound = { status: 404 } as const;
const reference = (field: string) => ({ status: 422, field }) as const;
const own = { status: 200 } as const;
const ownEmpty = { status: 200, empty: true } as const;

const policyBody = { name: 'b-policy', schedules: [{ cron: '30 2 * * *', retentionDays: 7 }] };
const hookBody = { name: 'b-hook', type: 'PRE_BACKUP', command: ['sh', '-c', 'sync'], podSelector: 'app:db' };
const userBody = (email: string) => ({ email, displayName: 'B', role: 'operator', disabled: false });
const replicationBody = (b: AttackerRecords, extra: Record<string, unknown> = {}) => ({
  name: 'b-replication',
  sourceClusterId: b.cluster,
  destination: { clusterId: b.replicaCluster, namespaces: ['shop'] },
  runNow: false,
  ...extra,
});
const restoreBody = (b: AttackerRecords, extra: Record<string, unknown> = {}) => ({ name: 'b-restore', recoveryPointId: b.recoveryPoint, targetClusterId: b.cluster, ...extra });

/** Foreign ids in a definition body, each alone (the first bad reference ends the check). */
function backupReferences(a: VictimRecords, b: AttackerRecords, method: 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Attempt[] {
  const body = (extra: Record<string, unknown>) => ({ name: 'b-backup', clusterId: b.cluster, ...extra });
  return [
    { method, url, headers, body: body({ clusterId: a.cluster }), expect: reference('body.clusterId') },
    { method, url, headers, body: body({ policyId: a.policy }), expect: reference('body.policyId') },
    { method, url, headers, body: body({ hooks: { preBackup: [a.preBackupHook] } }), expect: reference('body.hooks.preBackup.0') },
    { method, url, headers, body: body({ hooks: { postBackup: [a.postBackupHook] } }), expect: reference('body.hooks.postBackup.0') },
    { method, url, headers, body: body({ advanced: { destinationStorageTargetId: a.storageTarget } }), expect: reference('body.advanced.destinationStorageTargetId') },
  ];
}

const drillBody = (b: AttackerRecords, extra: Record<string, unknown> = {}) => ({ name: 'b-drill', backupDefinitionId: b.backup, ...extra });

function drillReferences(a: VictimRecords, b: AttackerRecords, method: 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Attempt[] {
  const attempt = (extra: Record<string, unknown>, field: string): Attempt => ({ method, url, headers, body: drillBody(b, extra), expect: reference(field) });
  return [
    attempt({ backupDefinitionId: a.backup }, 'body.backupDefinitionId'),
    attempt({ recoveryPointId: a.recoveryPoint }, 'body.recoveryPointId'),
    attempt({ targetClusterId: a.cluster }, 'body.targetClusterId'),
    attempt({ policyId: a.policy }, 'body.policyId'),
  ];
}

function replicationReferences(a: VictimRecords, b: AttackerRecords, method: 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Attempt[] {
  const attempt = (extra: Record<string, unknown>, field: string): Attempt => ({ method, url, headers, body: replicationBody(b, extra), expect: reference(field) });
  return [
    attempt({ sourceClusterId: a.cluster }, 'body.sourceClusterId'),
    attempt({ destination: { clusterId: a.cluster, namespaces: ['shop'] } }, 'body.destination.clusterId'),
    attempt({ policyId: a.policy }, 'body.policyId'),
    attempt({ hooks: { sourcePreBackup: [a.preBackupHook] } }, 'body.hooks.sourcePreBackup.0'),
    attempt({ hooks: { sourcePostBackup: [a.postBackupHook] } }, 'body.hooks.sourcePostBackup.0'),
    attempt({ hooks: { destinationPostRestore: [a.postRestoreHook] } }, 'body.hooks.destinationPostRestore.0'),
    attempt({ advanced: { destinationStorageTargetId: a.storageTarget } }, 'body.advanced.destinationStorageTargetId'),
  ];
}

function restoreReferences(a: VictimRecords, b: AttackerRecords, method: 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Attempt[] {
  const attempt = (extra: Record<string, unknown>, field: string): Attempt => ({ method, url, headers, body: restoreBody(b, extra), expect: reference(field) });
  return [
    attempt({ recoveryPointId: a.recoveryPoint }, 'body.recoveryPointId'),
    attempt({ targetClusterId: a.cluster }, 'body.targetClusterId'),
    attempt({ hooks: { postRestore: [a.postRestoreHook] } }, 'body.hooks.postRestore.0'),
  ];
}

const rdsBody = (b: AttackerRecords, extra: Record<string, unknown> = {}) => ({ name: 'b-rds', cloudAccountId: b.cloudAccount, region: 'us-east-1', databaseType: 'INSTANCE', databaseIdentifier: 'b-db', ...extra });

function rdsReferences(a: VictimRecords, b: AttackerRecords, method: 'POST' | 'PUT', url: string, headers: Record<string, string> = {}): Attempt[] {
  const attempt = (extra: Record<string, unknown>, field: string): Attempt => ({ method, url, headers, body: rdsBody(b, extra), expect: reference(field) });
  return [
    attempt({ cloudAccountId: a.cloudAccount }, 'body.cloudAccountId'),
    attempt({ policyId: a.policy }, 'body.policyId'),
    attempt({ copy: { region: 'eu-west-1', policyId: a.policy } }, 'body.copy.policyId'),
  ];
}

export const TENANT_MATRIX: Record<string, Row> = {
  'GET /api/v1/organization': () => [{ method: 'GET', url: '/organization', expect: own }],
  'PUT /api/v1/organization': (a) => [
    { method: 'PUT', url: '/organization', headers: anyVersion, body: { name: 'b', preferences: { defaultStorageTargetId: a.storageTarget } }, expect: reference('body.preferences.defaultStorageTargetId') },
  ],
  'POST /api/v1/organization/payload-keys/rotate': () => [{ method: 'POST', url: '/organization/payload-keys/rotate', expect: own }],

  'GET /api/v1/users': (a) => [{ method: 'GET', url: `/users?email=${encodeURIComponent(a.userEmail)}`, expect: ownEmpty }],
  'POST /api/v1/users': (a) => [{ method: 'POST', url: '/users', body: userBody(a.userEmail), expect: { status: 201 } }],
  'GET /api/v1/users/me': () => [{ method: 'GET', url: '/users/me', expect: own }],
  'GET /api/v1/users/{id}': (a) => [{ method: 'GET', url: `/users/${a.user}`, expect: notFound }],
  'PUT /api/v1/users/{id}': (a) => [{ method: 'PUT', url: `/users/${a.user}`, headers: anyVersion, body: userBody('b-user@example.com'), expect: notFound }],
  'DELETE /api/v1/users/{id}': (a) => [{ method: 'DELETE', url: `/users/${a.user}`, expect: notFound }],

  'GET /api/v1/api-keys': (a) => [{ method: 'GET', url: `/api-keys?userId=${a.user}`, expect: ownEmpty }],
  'POST /api/v1/api-keys': (a) => [{ method: 'POST', url: '/api-keys', body: { name: 'b-key', role: 'viewer', userId: a.user }, expect: reference('body.userId') }],
  'DELETE /api/v1/api-keys/{id}': (a) => [{ method: 'DELETE', url: `/api-keys/${a.apiKey}`, expect: notFound }],

  'GET /api/v1/storage-targets': () => [{ method: 'GET', url: '/storage-targets', expect: own }],
  'POST /api/v1/storage-targets': (_a, b) => [{ method: 'POST', url: '/storage-targets', body: b.storageTargetBody, expect: { status: 201 } }],
  'GET /api/v1/storage-targets/{id}': (a) => [{ method: 'GET', url: `/storage-targets/${a.storageTarget}`, expect: notFound }],
  'PUT /api/v1/storage-targets/{id}': (a, b) => [{ method: 'PUT', url: `/storage-targets/${a.storageTarget}`, headers: anyVersion, body: b.storageTargetBody, expect: notFound }],
  'DELETE /api/v1/storage-targets/{id}': (a) => [{ method: 'DELETE', url: `/storage-targets/${a.storageTarget}`, expect: notFound }],
  'POST /api/v1/storage-targets/{id}/actions/verify': (a) => [{ method: 'POST', url: `/storage-targets/${a.storageTarget}/actions/verify`, body: {}, expect: notFound }],
  'GET /api/v1/storage-targets/{id}/verifications': (a) => [{ method: 'GET', url: `/storage-targets/${a.storageTarget}/verifications`, expect: notFound }],

  'GET /api/v1/clusters': () => [{ method: 'GET', url: '/clusters', expect: own }],
  'POST /api/v1/clusters': (a) => [{ method: 'POST', url: '/clusters', body: { name: 'b-cluster', defaultStorageTargetId: a.storageTarget }, expect: reference('body.defaultStorageTargetId') }],
  'GET /api/v1/clusters/{id}': (a) => [{ method: 'GET', url: `/clusters/${a.cluster}`, expect: notFound }],
  'PUT /api/v1/clusters/{id}': (a, b) => [
    { method: 'PUT', url: `/clusters/${a.cluster}`, headers: anyVersion, body: { name: 'b-cluster' }, expect: notFound },
    { method: 'PUT', url: `/clusters/${b.cluster}`, headers: ifMatch(b.clusterVersion), body: { name: 'b-cluster', defaultStorageTargetId: a.storageTarget }, expect: reference('body.defaultStorageTargetId') },
  ],
  'DELETE /api/v1/clusters/{id}': (a) => [{ method: 'DELETE', url: `/clusters/${a.cluster}`, expect: notFound }],
  'POST /api/v1/clusters/{id}/agent-token': (a) => [{ method: 'POST', url: `/clusters/${a.cluster}/agent-token`, expect: notFound }],
  'GET /api/v1/clusters/{id}/inventory': (a) => [{ method: 'GET', url: `/clusters/${a.cluster}/inventory`, expect: notFound }],

  'GET /api/v1/policies': () => [{ method: 'GET', url: '/policies', expect: own }],
  'POST /api/v1/policies': () => [{ method: 'POST', url: '/policies', body: policyBody, expect: { status: 201 } }],
  'GET /api/v1/policies/{id}': (a) => [{ method: 'GET', url: `/policies/${a.policy}`, expect: notFound }],
  'PUT /api/v1/policies/{id}': (a) => [{ method: 'PUT', url: `/policies/${a.policy}`, headers: anyVersion, body: policyBody, expect: notFound }],
  'DELETE /api/v1/policies/{id}': (a) => [{ method: 'DELETE', url: `/policies/${a.policy}`, expect: notFound }],

  'GET /api/v1/notification-channels': () => [{ method: 'GET', url: '/notification-channels', expect: own }],
  'POST /api/v1/notification-channels': () => [{ method: 'POST', url: '/notification-channels', body: webhookChannelBody('b-channel'), expect: { status: 201 } }],
  'GET /api/v1/notification-channels/{id}': (a) => [{ method: 'GET', url: `/notification-channels/${a.notificationChannel}`, expect: notFound }],
  'PUT /api/v1/notification-channels/{id}': (a) => [
    { method: 'PUT', url: `/notification-channels/${a.notificationChannel}`, headers: anyVersion, body: webhookChannelBody('b-channel-2'), expect: notFound },
  ],
  'DELETE /api/v1/notification-channels/{id}': (a) => [{ method: 'DELETE', url: `/notification-channels/${a.notificationChannel}`, expect: notFound }],
  'GET /api/v1/notification-channels/{id}/deliveries': (a) => [{ method: 'GET', url: `/notification-channels/${a.notificationChannel}/deliveries`, expect: notFound }],
  'GET /api/v1/app-hooks': () => [{ method: 'GET', url: '/app-hooks', expect: own }],
  'POST /api/v1/app-hooks': () => [{ method: 'POST', url: '/app-hooks', body: hookBody, expect: { status: 201 } }],
  'GET /api/v1/app-hooks/{id}': (a) => [{ method: 'GET', url: `/app-hooks/${a.preBackupHook}`, expect: notFound }],
  'PUT /api/v1/app-hooks/{id}': (a) => [{ method: 'PUT', url: `/app-hooks/${a.preBackupHook}`, headers: anyVersion, body: hookBody, expect: notFound }],
  'DELETE /api/v1/app-hooks/{id}': (a) => [{ method: 'DELETE', url: `/app-hooks/${a.preBackupHook}`, expect: notFound }],

  'GET /api/v1/backup-definitions': (a) => [
    { method: 'GET', url: `/backup-definitions?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/backup-definitions?policyId=${a.policy}`, expect: ownEmpty },
  ],
  'POST /api/v1/backup-definitions': (a, b) => backupReferences(a, b, 'POST', '/backup-definitions'),
  'GET /api/v1/backup-definitions/{id}': (a) => [{ method: 'GET', url: `/backup-definitions/${a.backup}`, expect: notFound }],
  'PUT /api/v1/backup-definitions/{id}': (a, b) => [
    { method: 'PUT', url: `/backup-definitions/${a.backup}`, headers: anyVersion, body: { name: 'b-backup', clusterId: b.cluster }, expect: notFound },
    ...backupReferences(a, b, 'PUT', `/backup-definitions/${b.backup}`, ifMatch(b.backupVersion)),
  ],
  'DELETE /api/v1/backup-definitions/{id}': (a) => [{ method: 'DELETE', url: `/backup-definitions/${a.backup}`, expect: notFound }],
  'POST /api/v1/backup-definitions/{id}/actions/run': (a) => [{ method: 'POST', url: `/backup-definitions/${a.backup}/actions/run`, body: { retentionDays: 1 }, expect: notFound }],
  'POST /api/v1/backup-definitions/{id}/actions/pause': (a) => [{ method: 'POST', url: `/backup-definitions/${a.backup}/actions/pause`, expect: notFound }],
  'POST /api/v1/backup-definitions/{id}/actions/resume': (a) => [{ method: 'POST', url: `/backup-definitions/${a.backup}/actions/resume`, expect: notFound }],
  'POST /api/v1/backup-definitions/{id}/preview': (a) => [{ method: 'POST', url: `/backup-definitions/${a.backup}/preview`, expect: notFound }],
  'GET /api/v1/backup-definitions/{id}/destination': (a) => [{ method: 'GET', url: `/backup-definitions/${a.backup}/destination`, expect: notFound }],

  'GET /api/v1/replication-definitions': (a) => [
    { method: 'GET', url: `/replication-definitions?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/replication-definitions?policyId=${a.policy}`, expect: ownEmpty },
  ],
  'POST /api/v1/replication-definitions': (a, b) => replicationReferences(a, b, 'POST', '/replication-definitions'),
  'GET /api/v1/replication-definitions/{id}': (a) => [{ method: 'GET', url: `/replication-definitions/${a.replication}`, expect: notFound }],
  'PUT /api/v1/replication-definitions/{id}': (a, b) => [
    { method: 'PUT', url: `/replication-definitions/${a.replication}`, headers: anyVersion, body: replicationBody(b), expect: notFound },
    ...replicationReferences(a, b, 'PUT', `/replication-definitions/${b.replication}`, ifMatch(b.replicationVersion)),
  ],
  'DELETE /api/v1/replication-definitions/{id}': (a) => [{ method: 'DELETE', url: `/replication-definitions/${a.replication}`, expect: notFound }],
  'POST /api/v1/replication-definitions/{id}/actions/run': (a) => [{ method: 'POST', url: `/replication-definitions/${a.replication}/actions/run`, expect: notFound }],
  'POST /api/v1/replication-definitions/{id}/actions/pause': (a) => [{ method: 'POST', url: `/replication-definitions/${a.replication}/actions/pause`, expect: notFound }],
  'POST /api/v1/replication-definitions/{id}/actions/resume': (a) => [{ method: 'POST', url: `/replication-definitions/${a.replication}/actions/resume`, expect: notFound }],
  'GET /api/v1/replication-definitions/{id}/destination': (a) => [{ method: 'GET', url: `/replication-definitions/${a.replication}/destination`, expect: notFound }],

  'GET /api/v1/restores': (a) => [
    { method: 'GET', url: `/restores?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/restores?policyId=${a.policy}`, expect: ownEmpty },
  ],
  'POST /api/v1/restores': (a, b) => restoreReferences(a, b, 'POST', '/restores'),
  'GET /api/v1/restores/{id}': (a) => [{ method: 'GET', url: `/restores/${a.restore}`, expect: notFound }],
  'PUT /api/v1/restores/{id}': (a, b) => [
    { method: 'PUT', url: `/restores/${a.restore}`, headers: anyVersion, body: restoreBody(b), expect: notFound },
    ...restoreReferences(a, b, 'PUT', `/restores/${b.restore}`, ifMatch(b.restoreVersion)),
  ],
  'DELETE /api/v1/restores/{id}': (a) => [{ method: 'DELETE', url: `/restores/${a.restore}`, expect: notFound }],
  'POST /api/v1/restores/{id}/actions/run': (a) => [{ method: 'POST', url: `/restores/${a.restore}/actions/run`, expect: notFound }],

  'GET /api/v1/restore-drills': (a) => [
    { method: 'GET', url: `/restore-drills?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/restore-drills?policyId=${a.policy}`, expect: ownEmpty },
  ],
  'POST /api/v1/restore-drills': (a, b) => drillReferences(a, b, 'POST', '/restore-drills'),
  'GET /api/v1/restore-drills/{id}': (a) => [{ method: 'GET', url: `/restore-drills/${a.drill}`, expect: notFound }],
  'PUT /api/v1/restore-drills/{id}': (a, b) => [
    { method: 'PUT', url: `/restore-drills/${a.drill}`, headers: anyVersion, body: drillBody(b), expect: notFound },
    ...drillReferences(a, b, 'PUT', `/restore-drills/${b.drill}`, ifMatch(b.drillVersion)),
  ],
  'DELETE /api/v1/restore-drills/{id}': (a) => [{ method: 'DELETE', url: `/restore-drills/${a.drill}`, expect: notFound }],
  'POST /api/v1/restore-drills/{id}/actions/run': (a) => [{ method: 'POST', url: `/restore-drills/${a.drill}/actions/run`, expect: notFound }],
  'POST /api/v1/restore-drills/{id}/actions/pause': (a) => [{ method: 'POST', url: `/restore-drills/${a.drill}/actions/pause`, expect: notFound }],
  'POST /api/v1/restore-drills/{id}/actions/resume': (a) => [{ method: 'POST', url: `/restore-drills/${a.drill}/actions/resume`, expect: notFound }],

  'GET /api/v1/jobs': (a) => [
    { method: 'GET', url: `/jobs?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/jobs?definitionId=${a.backup}`, expect: ownEmpty },
  ],
  'GET /api/v1/jobs/{id}': (a) => [{ method: 'GET', url: `/jobs/${a.job}`, expect: notFound }],
  'GET /api/v1/jobs/{id}/events': (a) => [{ method: 'GET', url: `/jobs/${a.job}/events`, expect: notFound }],
  'POST /api/v1/jobs/{id}/actions/cancel': (a) => [{ method: 'POST', url: `/jobs/${a.job}/actions/cancel`, expect: notFound }],

  'GET /api/v1/recovery-points': (a) => [
    { method: 'GET', url: `/recovery-points?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/recovery-points?definitionId=${a.backup}`, expect: ownEmpty },
  ],
  'GET /api/v1/recovery-points/{id}': (a) => [{ method: 'GET', url: `/recovery-points/${a.recoveryPoint}`, expect: notFound }],
  'DELETE /api/v1/recovery-points/{id}': (a) => [{ method: 'DELETE', url: `/recovery-points/${a.recoveryPoint}`, expect: notFound }],
  'POST /api/v1/recovery-points/{id}/actions/release': (a) => [{ method: 'POST', url: `/recovery-points/${a.recoveryPoint}/actions/release`, expect: notFound }],
  'GET /api/v1/recovery-points/{id}/resources': (a) => [{ method: 'GET', url: `/recovery-points/${a.recoveryPoint}/resources`, expect: notFound }],
  'GET /api/v1/recovery-points/{id}/resources/{type}/{name}': (a) => [{ method: 'GET', url: `/recovery-points/${a.recoveryPoint}/resources/configmaps/settings?namespace=shop`, expect: notFound }],
  'GET /api/v1/recovery-points/{id}/volumes/{namespace}/{claim}/files': (a) => [{ method: 'GET', url: `/recovery-points/${a.recoveryPoint}/volumes/shop/data/files`, expect: notFound }],
  'POST /api/v1/recovery-points/{id}/volumes/{namespace}/{claim}/archive': (a) => [
    { method: 'POST', url: `/recovery-points/${a.recoveryPoint}/volumes/shop/data/archive`, body: { paths: ['.'] }, expect: notFound },
  ],

  'GET /api/v1/cloud-accounts': () => [{ method: 'GET', url: '/cloud-accounts', expect: own }],
  'POST /api/v1/cloud-accounts': (_a, b) => [{ method: 'POST', url: '/cloud-accounts', body: b.cloudAccountBody, expect: { status: 201 } }],
  'GET /api/v1/cloud-accounts/{id}': (a) => [{ method: 'GET', url: `/cloud-accounts/${a.cloudAccount}`, expect: notFound }],
  'DELETE /api/v1/cloud-accounts/{id}': (a) => [{ method: 'DELETE', url: `/cloud-accounts/${a.cloudAccount}`, expect: notFound }],
  'POST /api/v1/cloud-accounts/{id}/actions/run-inventory': (a) => [{ method: 'POST', url: `/cloud-accounts/${a.cloudAccount}/actions/run-inventory`, expect: notFound }],

  'GET /api/v1/rds-databases': (a) => [{ method: 'GET', url: `/rds-databases?cloudAccountId=${a.cloudAccount}`, expect: ownEmpty }],
  'GET /api/v1/rds-databases/{id}': (a) => [{ method: 'GET', url: `/rds-databases/${a.rdsDatabase}`, expect: notFound }],

  'GET /api/v1/rds-backup-definitions': (a) => [
    { method: 'GET', url: `/rds-backup-definitions?clusterId=${a.cluster}`, expect: ownEmpty },
    { method: 'GET', url: `/rds-backup-definitions?policyId=${a.policy}`, expect: ownEmpty },
  ],
  'POST /api/v1/rds-backup-definitions': (a, b) => rdsReferences(a, b, 'POST', '/rds-backup-definitions'),
  'GET /api/v1/rds-backup-definitions/{id}': (a) => [{ method: 'GET', url: `/rds-backup-definitions/${a.rdsBackup}`, expect: notFound }],
  'PUT /api/v1/rds-backup-definitions/{id}': (a, b) => [
    { method: 'PUT', url: `/rds-backup-definitions/${a.rdsBackup}`, headers: anyVersion, body: rdsBody(b), expect: notFound },
    ...rdsReferences(a, b, 'PUT', `/rds-backup-definitions/${b.rdsBackup}`, ifMatch(b.rdsBackupVersion)),
  ],
  'DELETE /api/v1/rds-backup-definitions/{id}': (a) => [{ method: 'DELETE', url: `/rds-backup-definitions/${a.rdsBackup}`, expect: notFound }],
  'POST /api/v1/rds-backup-definitions/{id}/actions/run': (a) => [{ method: 'POST', url: `/rds-backup-definitions/${a.rdsBackup}/actions/run`, body: { retentionDays: 1 }, expect: notFound }],
  'POST /api/v1/rds-backup-definitions/{id}/actions/pause': (a) => [{ method: 'POST', url: `/rds-backup-definitions/${a.rdsBackup}/actions/pause`, expect: notFound }],
  'POST /api/v1/rds-backup-definitions/{id}/actions/resume': (a) => [{ method: 'POST', url: `/rds-backup-definitions/${a.rdsBackup}/actions/resume`, expect: notFound }],

  'POST /api/v1/rds-restores': (a) => [
    { method: 'POST', url: '/rds-restores', body: { source: { kind: 'RECOVERY_POINT', recoveryPointId: a.rdsPoint }, target: { identifier: 'b-restored' } }, expect: reference('body.source.recoveryPointId') },
    { method: 'POST', url: '/rds-restores', body: { source: { kind: 'POINT_IN_TIME', databaseId: a.rdsDatabase, restoreTime: null }, target: { identifier: 'b-restored' } }, expect: reference('body.source.databaseId') },
  ],

  // Installation administration is no organization's: an organization's admin key is refused outright.
  'GET /api/v1/installation/organizations': () => [{ method: 'GET', url: '/installation/organizations', expect: { status: 403 } }],
  'POST /api/v1/installation/organizations': (a) => [
    { method: 'POST', url: '/installation/organizations', body: { name: 'b-made', admin: { email: a.userEmail, displayName: 'B' } }, expect: { status: 403 } },
  ],

  // The codec's convention (codec/routes.ts): a payload sealed with another organization's key is a 403 with no content.
  'POST /api/v1/codec/decode': (a) => [{ method: 'POST', url: '/codec/decode', body: { payloads: [a.payload] }, expect: { status: 403 } }],
  'POST /api/v1/codec/encode': () => [{ method: 'POST', url: '/codec/encode', body: { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{}').toString('base64') }] }, expect: own }],
};
