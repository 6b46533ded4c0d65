import type { KubeObject } from '../export/kube-object.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import type { Listed } from './existing-objects.js';
import type { ResourceOutcomeKind } from './outcomes.js';
import type { ExistingResourcePolicy } from './restore-options.js';

export interface ApplyRequest {
  collectionPath: string;
  object: KubeObject;
  policy: ExistingResourcePolicy;
  /** The target's copy wins whatever the policy (a namespace's `default` service account). */
  keepExisting: boolean;
  /** What a list of the collection said about the object before the restore wrote anything; unset, it is probed. */
  listed?: Listed;
}

export interface ApplyResult {
  outcome: ResourceOutcomeKind;
  reason?: string;
  /** The object's uid on the target, when this restore wrote it: owner references are re-linked to it. */
  uid?: string;
}

const HTTP_CONFLICT = 409;
const HTTP_NOT_FOUND = 404;

const isStatus = (error: unknown, status: number) => error instanceof KubeApiError && error.status === status;

function failure(error: unknown): ApplyResult {
  if (error instanceof KubeApiError) return { outcome: 'FAILED', reason: `HTTP ${error.status}: ${error.message.replace(`${error.path}: HTTP ${error.status}: `, '')}` };
  return { outcome: 'FAILED', reason: (error as Error).message };
}

async function replace(client: KubeRestClient, objectPath: string, object: KubeObject, resourceVersion?: string): Promise<ApplyResult> {
  // The live resourceVersion makes the replace conditional: a change made meanwhile fails it with 409
  // rather than being silently overwritten.
  const version = resourceVersion ?? (await client.get<KubeObject>(objectPath)).metadata.resourceVersion;
  const written = await client.put<KubeObject>(objectPath, { ...object, metadata: { ...object.metadata, resourceVersion: version } });
  return { outcome: 'UPDATED', ...(written.metadata.uid ? { uid: written.metadata.uid } : {}) };
}

/** The outcome for an object that exists on the target, by policy. */
async function existing(client: KubeRestClient, request: ApplyRequest, objectPath: string, listedVersion?: string): Promise<ApplyResult> {
  if (request.keepExisting) return { outcome: 'SKIPPED', reason: 'the target cluster keeps its own' };
  if (request.policy === 'SKIP') return { outcome: 'SKIPPED', reason: 'already exists on the target' };
  try {
    return await replace(client, objectPath, request.object, listedVersion);
  } catch (error) {
    // Changed since the list: replaced against its live version, as a probed object is.
    if (listedVersion !== undefined && isStatus(error, HTTP_CONFLICT)) return existing(client, request, objectPath);
    return failure(error);
  }
}

/**
 * Creates one object; if it exists, leaves it (SKIP) or replaces it with the backed-up state (UPDATE).
 * Never throws: every API error becomes a FAILED result with the server's message, so one bad object
 * cannot stop the rest of the restore.
 */
export async function applyObject(client: KubeRestClient, request: ApplyRequest): Promise<ApplyResult> {
  const objectPath = `${request.collectionPath}/${encodeURIComponent(request.object.metadata.name)}`;
  if (request.listed?.exists) {
    const result = await existing(client, request, objectPath, request.listed.resourceVersion);
    // Deleted since the list: created like any absent object.
    if (!(result.outcome === 'FAILED' && result.reason?.startsWith(`HTTP ${HTTP_NOT_FOUND}:`))) return result;
  }
  try {
    const created = await client.post<KubeObject>(request.collectionPath, request.object);
    return { outcome: 'CREATED', ...(created.metadata.uid ? { uid: created.metadata.uid } : {}) };
  } catch (error) {
    if (!isStatus(error, HTTP_CONFLICT)) return failure(error);
  }
  return existing(client, request, objectPath);
}
