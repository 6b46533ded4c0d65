import { mapConcurrent } from '../../../lib/common/map-concurrent.js';
import type { ExportedResource } from '../export/export-resources.js';
import type { KubeObject } from '../export/kube-object.js';
import type { KubeRestClient } from '../../../lib/kube/rest-client.js';
import { applyObject } from './apply-object.js';
import { inApplyOrder } from './apply-order.js';
import { keepsTargetCopy, notRestoredReason } from './cluster-generated.js';
import { awaitCrdEstablished } from './crd-established.js';
import { DEFAULT_LIST_EXISTING_FROM, ExistingObjects } from './existing-objects.js';
import { NamespaceMapping } from '../../../lib/domain/namespace-mapping.js';
import { summarize, type ResourceOutcome, type ResourceRestoreProgress, type ResourceRestoreReport } from './outcomes.js';
import { OwnerLinks, type OwnerReference } from './owner-links.js';
import type { TreeEntry } from './read-resource-tree.js';
import { DEFAULT_APPLY_CONCURRENCY, DEFAULT_CRD_ESTABLISHED_TIMEOUT_MS, type ResourceRestoreOptions } from './restore-options.js';
import { selectForRestore } from './restore-selection.js';
import { sanitize } from './sanitize.js';
import { TargetTypes } from './target-types.js';
import { applyTransforms } from './transforms.js';
import { isProtectedNamespace, PROTECTED_NAMESPACES_RULE } from '../../../lib/domain/protected-namespaces.js';

const CRD_TYPE = 'customresourcedefinitions.apiextensions.k8s.io';

export interface ResourceRestoreHooks {
  /** Called after every object's outcome is known: a heartbeat hook for the activity. */
  onProgress?: (progress: ResourceRestoreProgress) => void;
  crdEstablishedTimeoutMs?: number;
  concurrency?: number;
  /** Collections receiving this many objects of a rank are listed before it is written (DEFAULT_LIST_EXISTING_FROM). */
  listExistingFrom?: number;
  /** Claims whose data comes from elsewhere (snapshots): they rewrite claims and replace their PVs. */
  claimSources?: ClaimSources;
}

/**
 * How claims whose data comes from elsewhere are restored (`SnapshotSources`, `CopySources`): the PVs
 * they replace, the claims themselves, and objects that depend on them (workloads held back).
 */
export interface ClaimSources {
  notRestoredReason(resource: ExportedResource): string | undefined;
  /** Called for every transformed, sanitized object before it is written. */
  prepareObject(resource: ExportedResource, object: KubeObject): void;
  beforeWrite(resource: ExportedResource, object: KubeObject): Promise<void>;
  written(resource: ExportedResource, object: KubeObject): void;
}

/** A selected object ready to send: transformed and sanitized, with what it had in the source. */
interface Prepared {
  source: ExportedResource;
  object: KubeObject;
}

function outcomeOf(resource: Pick<ExportedResource, 'typeId' | 'kind' | 'namespace' | 'name'>, target: KubeObject | undefined, result: Pick<ResourceOutcome, 'outcome' | 'reason'>): ResourceOutcome {
  const targetNamespace = target?.metadata.namespace;
  return {
    typeId: resource.typeId,
    kind: resource.kind,
    ...(resource.namespace ? { namespace: resource.namespace } : {}),
    name: resource.name,
    ...(targetNamespace && targetNamespace !== resource.namespace ? { targetNamespace } : {}),
    outcome: result.outcome,
    ...(result.reason ? { reason: result.reason } : {}),
  };
}

function prepare(selected: ExportedResource[], options: ResourceRestoreOptions, claimSources?: ClaimSources): Prepared[] {
  const restoredNamespaces = new Set(selected.flatMap((r) => (r.namespace ? [r.namespace] : r.typeId === 'namespaces' ? [r.name] : [])));
  const namespaces = new NamespaceMapping(options.transforms, restoredNamespaces);
  const restoredVolumes = new Set(selected.filter((r) => r.typeId === 'persistentvolumes').map((r) => r.name));
  return selected.map((source) => {
    const object = structuredClone(source.object);
    applyTransforms(source.typeId, object, namespaces, options.transforms);
    sanitize(source.typeId, object, { restoredVolumes, preserveNodePorts: options.transforms.preserveNodePorts });
    claimSources?.prepareObject(source, object);
    return { source, object };
  });
}

/**
 * Restores the objects of a resource tree into the target cluster: selects them, drops what the target
 * generates itself, applies transforms, and writes them rank by rank in dependency order (`apply-order`),
 * waiting for restored CRDs to be served before their custom resources. Every object gets an outcome;
 * a failure never stops the others, and makes the restore PARTIAL.
 */
export async function restoreResources(
  client: KubeRestClient,
  entries: TreeEntry[],
  options: ResourceRestoreOptions,
  hooks: ResourceRestoreHooks = {},
): Promise<ResourceRestoreReport> {
  const outcomes: ResourceOutcome[] = [];
  const readable = entries.flatMap((e) => (e.ok ? [e.resource] : []));
  const selected = selectForRestore(readable, options.selection);
  const skipReason = (r: ExportedResource) => notRestoredReason(r) ?? hooks.claimSources?.notRestoredReason(r);
  const toApply = selected.filter((r) => !skipReason(r));
  const total = entries.length - readable.length + selected.length;
  const record = (outcome: ResourceOutcome): void => {
    outcomes.push(outcome);
    hooks.onProgress?.({ done: outcomes.length, total, last: outcome });
  };

  // An unreadable file cannot be matched against labels; it is reported rather than silently dropped.
  for (const e of entries) if (!e.ok) record(outcomeOf(e.entry, undefined, { outcome: 'FAILED', reason: e.reason }));
  for (const r of selected) {
    const reason = skipReason(r);
    if (reason) record(outcomeOf(r, undefined, { outcome: 'SKIPPED', reason }));
  }

  const links = new OwnerLinks();
  const pathOf = new Map<string, ResourceOutcome>();
  let types = await TargetTypes.discover(client);
  for (const group of inApplyOrder(prepare(toApply, options, hooks.claimSources).map((p) => ({ ...p, typeId: p.source.typeId })))) {
    const written: string[] = [];
    const paths = group.flatMap(({ source, object }) => {
      const collection = types.collection(source.apiVersion, source.kind, object.metadata.namespace);
      return 'error' in collection ? [] : [collection.path];
    });
    const existing = await ExistingObjects.list(client, paths, hooks.listExistingFrom ?? DEFAULT_LIST_EXISTING_FROM);
    await mapConcurrent(group, hooks.concurrency ?? DEFAULT_APPLY_CONCURRENCY, async ({ source, object }) => {
      // After the transforms: a mapping or prefix may aim an application's objects at a protected namespace.
      const landsIn = object.metadata.namespace ?? (source.typeId === 'namespaces' ? object.metadata.name : undefined);
      if (landsIn !== undefined && isProtectedNamespace(landsIn)) {
        record(outcomeOf(source, object, { outcome: 'SKIPPED', reason: PROTECTED_NAMESPACES_RULE }));
        return;
      }
      const collection = types.collection(source.apiVersion, source.kind, object.metadata.namespace);
      if ('error' in collection) {
        record(outcomeOf(source, object, { outcome: 'FAILED', reason: collection.error }));
        return;
      }
      try {
        await hooks.claimSources?.beforeWrite(source, object);
      } catch (error) {
        record(outcomeOf(source, object, { outcome: 'FAILED', reason: `its data source could not be prepared: ${error instanceof Error ? error.message : String(error)}` }));
        return;
      }
      const listed = existing.lookup(collection.path, object.metadata.name);
      const result = await applyObject(client, { collectionPath: collection.path, object, policy: options.existingResources, keepExisting: keepsTargetCopy(source), ...(listed ? { listed } : {}) });
      const outcome = outcomeOf(source, object, result);
      if (result.outcome === 'CREATED') hooks.claimSources?.written(source, object);
      if (result.uid) {
        const objectPath = `${collection.path}/${encodeURIComponent(object.metadata.name)}`;
        links.noteWritten(source.object.metadata.uid, result.uid);
        links.noteDependent(objectPath, source.object.metadata.ownerReferences as OwnerReference[] | undefined);
        pathOf.set(objectPath, outcome);
        written.push(object.metadata.name);
      }
      record(outcome);
    });
    if (group[0]?.typeId === CRD_TYPE && written.length > 0) {
      const timeoutMs = hooks.crdEstablishedTimeoutMs ?? DEFAULT_CRD_ESTABLISHED_TIMEOUT_MS;
      for (const name of written) {
        const problem = await awaitCrdEstablished(client, name, { timeoutMs });
        const outcome = outcomes.find((o) => o.typeId === CRD_TYPE && o.name === name);
        if (problem && outcome) Object.assign(outcome, { outcome: 'FAILED', reason: problem });
      }
      // Custom resource types appear in discovery only once their CRDs are established.
      types = await TargetTypes.discover(client);
    }
  }

  for (const { objectPath, reason } of await links.relink(client)) {
    const outcome = pathOf.get(objectPath);
    if (outcome) Object.assign(outcome, { outcome: 'FAILED', reason: `written, but its owner references could not be restored: ${reason}` });
  }
  return summarize(outcomes);
}
