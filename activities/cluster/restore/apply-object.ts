import type { KubeObject } from '../export/kube-object.js';
import { KubeApiError, type KubeRestClient } from '../../../lib/kube/rest-client.js';
import type { ResourceOutcomeKind } from './outcomes.js';
import type { ExistingResourcePolicy } from './restore-options.js';

export interface ApplyRequest {
  collectionPath: string;
  object: KubeObject;
  policy: ExistingResourcePolicy;
  /** The target's copy wins whatever the policy (a namespace's `default` service account). */
  keepExisting: boolean;
}

export interface ApplyResult {
  outcome: ResourceOutcomeKind;
  reason?: string;
  /** The object's uid on the target, when this restore wrote it: owner references are re-linked to it. */
  uid?: string;
}

const HTTP_CONFLICT = 409;

function failure(error: unknown): ApplyResult {
  if (error instanceof KubeApiError) return { outcome: 'FAILED', reason: `HTTP ${error.status}: ${error.message.replace(`${error.path}: HTTP ${error.status}: `, '')}` };
  return { outcome: 'FAILED', reason: (error as Error).message };
}

async function replace(client: KubeRestClient, objectPath: string, object: KubeObject): Promise<ApplyResult> {
  const live = await client.get<KubeObject>(objectPath);
  // The live resourceVersion makes the replace conditional: a change made meanwhile fails it with 409
  // rather than being silently overwritten.
  const body = { ...object, metadata: { ...object.metadata, resourceVersion: live.metadata.resourceVersion } };
  const written = await client.put<KubeObject>(objectPath, body);
  return { outcome: 'UPDATED', ...(written.metadata.uid ? { uid: written.metadata.uid } : {}) };
}

/**
 * Creates one object; if it exists, leaves it (SKIP) or replaces it with the backed-up state (UPDATE).
 * Never throws: every API error becomes a FAILED result with the server's message, so one bad object
 * cannot stop the rest of the restore.
 */
export async function applyObject(client: KubeRestClient, request: ApplyRequest): Promise<ApplyResult> {
  const objectPath = `${request.collectionPath}/${encodeURIComponent(request.object.metadata.name)}`;
  try {
    const created = await client.post<KubeObject>(request.collectionPath, request.object);
    return { outcome: 'CREATED', ...(created.metadata.uid ? { uid: created.metadata.uid } : {}) };
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== HTTP_CONFLICT) return failure(error);
  }
  if (request.keepExisting) return { outcome: 'SKIPPED', reason: 'the target cluster keeps its own' };
  if (request.policy === 'SKIP') return { outcome: 'SKIPPED', reason: 'already exists on the target' };
  try {
    return await replace(client, objectPath, request.object);
  } catch (error) {
    return failure(error);
  }
}
