/**
 * Temporal ApplicationFailure types an agent activity may fail with. They cross the boundary like
 * messages do (workflows' retry policies name them), so members are only ever added. The datamover's
 * own codes (lib/datamover/errors.ts) pass through unchanged.
 */
export const AGENT_FAILURE_TYPES = {
  /** The message does not decode (version skew beyond what the codecs bridge). */
  messageInvalid: 'AGENT_MESSAGE_INVALID',
  /** The storage endpoint refused the credentials or the bucket policy denies access. */
  storageAccessDenied: 'STORAGE_ACCESS_DENIED',
  /** The bucket does not exist at that endpoint. */
  storageBucketMissing: 'STORAGE_BUCKET_NOT_FOUND',
  /** The agent's service account may not read what the selection needs. */
  kubeAccessDenied: 'KUBE_ACCESS_DENIED',
  /** A hook with onError FAIL failed in a pod; the failure's details hold the hook report. */
  hookFailed: 'HOOK_FAILED',
  /** A hook that cannot run (its pod selector does not parse or is empty). */
  hookInvalid: 'HOOK_INVALID',
  /** A recovery point's resource tree has no readable index, or one newer than the agent reads. */
  resourceTreeUnreadable: 'RESOURCE_TREE_UNREADABLE',
} as const;

/** Retrying these cannot help: the same input meets the same refusal. */
export const NON_RETRYABLE_AGENT_FAILURES: readonly string[] = [
  ...Object.values(AGENT_FAILURE_TYPES),
  'REPOSITORY_KEY_WRONG',
  'REPOSITORY_OBJECT_CORRUPT',
  'INVALID_ARGUMENT',
];
