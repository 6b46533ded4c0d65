import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';

/**
 * The most telling reason a pod has not started: a container stuck waiting (image pull, config), an
 * unschedulable condition, or the latest warning event (FailedMount, ProvisioningFailed on its claim).
 */
export async function whyNotStarted(core: CoreV1Api, pod: V1Pod): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? '';
  const waiting = (pod.status?.containerStatuses ?? []).map((c) => c.state?.waiting).find((w) => w?.reason);
  if (waiting) return `container ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  const unscheduled = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `not scheduled: ${unscheduled.message ?? unscheduled.reason ?? 'no node fits'}`;
  const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pod.metadata?.name ?? ''}` }).catch(() => undefined);
  const warning = (events?.items ?? [])
    .filter((e) => e.type === 'Warning')
    .sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')))
    .at(-1);
  if (warning) return `${warning.reason ?? 'Warning'}: ${warning.message ?? ''}`.trim();
  const claim = pod.spec?.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
  if (claim) {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ namespace, name: claim }).catch(() => undefined);
    if (!pvc) return `its claim ${namespace}/${claim} does not exist`;
    if (pvc.status?.phase !== 'Bound') return `its claim ${namespace}/${claim} is ${pvc.status?.phase ?? 'not bound'}`;
  }
  return undefined;
}
