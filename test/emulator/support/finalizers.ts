interface Finalizable {
  metadata?: { finalizers?: string[]; resourceVersion?: string };
}

/**
 * The merge patch that adds or removes one finalizer. It carries the resourceVersion it was computed
 * from, so the API server rejects it (409) if another controller changed the list meanwhile; the work
 * queue then retries with fresh state.
 */
export function finalizerPatch(object: Finalizable, finalizer: string, present: boolean): object | undefined {
  const current = object.metadata?.finalizers ?? [];
  if (current.includes(finalizer) === present) return undefined;
  const finalizers = present ? [...current, finalizer] : current.filter((f) => f !== finalizer);
  return { metadata: { finalizers, resourceVersion: object.metadata?.resourceVersion } };
}

export function hasFinalizer(object: Finalizable, finalizer: string): boolean {
  return object.metadata?.finalizers?.includes(finalizer) ?? false;
}
