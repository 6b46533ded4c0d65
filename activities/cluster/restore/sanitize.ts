import type { KubeObject } from '../export/kube-object.js';
import { clearAllocatedServiceFields } from './service-fields.js';

/** Metadata the API server assigns; sent back it is rejected (resourceVersion on create) or meaningless. */
const GENERATED_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];
/** Annotations recording a claim's binding in the source cluster; they would stop the binder rebinding it. */
const BINDING_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller', 'volume.kubernetes.io/selected-node'];
/** Labels the Job controller derives from the Job's uid; a new Job with the old uid's selector is invalid. */
const JOB_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

export interface SanitizeContext {
  /** Names of the PVs this restore creates: a claim keeps its `volumeName` only when its PV comes too. */
  restoredVolumes: ReadonlySet<string>;
  preserveNodePorts: boolean;
}

function withoutKeys(record: Record<string, unknown> | undefined, keys: string[]): void {
  if (record) for (const key of keys) delete record[key];
}

function sanitizeJob(object: KubeObject): void {
  const spec = object.spec;
  if (!spec || spec.manualSelector === true) return;
  delete spec.selector;
  const template = spec.template as { metadata?: { labels?: Record<string, unknown> } } | undefined;
  withoutKeys(template?.metadata?.labels, JOB_UID_LABELS);
}

/**
 * Removes, in place, what the source cluster generated for an object, so the target accepts it and
 * generates its own: server metadata, owner references (uids of the source; re-linked by the caller),
 * status, and the per-type fields listed below.
 */
export function sanitize(typeId: string, object: KubeObject, context: SanitizeContext): void {
  withoutKeys(object.metadata, [...GENERATED_METADATA, 'ownerReferences']);
  delete object.status;
  switch (typeId) {
    case 'services':
      clearAllocatedServiceFields(object, context.preserveNodePorts);
      break;
    case 'persistentvolumes': {
      const claimRef = object.spec?.claimRef as Record<string, unknown> | undefined;
      withoutKeys(claimRef, ['uid', 'resourceVersion']);
      break;
    }
    case 'persistentvolumeclaims': {
      const volumeName = object.spec?.volumeName;
      if (typeof volumeName === 'string' && !context.restoredVolumes.has(volumeName)) {
        delete object.spec!.volumeName;
        withoutKeys(object.metadata.annotations as Record<string, unknown> | undefined, BINDING_ANNOTATIONS);
      }
      break;
    }
    case 'pods':
      // The node belongs to the source cluster; the target's scheduler places the pod.
      if (object.spec) delete object.spec.nodeName;
      break;
    case 'jobs.batch':
      sanitizeJob(object);
      break;
    default:
      break;
  }
}
