import type { V1Pod, V1Volume } from '@kubernetes/client-node';

/** The PVC a pod volume uses: its own claim, or the one the ephemeral-volume controller names `<pod>-<volume>`. */
export function claimNameOf(pod: V1Pod, volume: V1Volume): string | undefined {
  if (volume.persistentVolumeClaim) return volume.persistentVolumeClaim.claimName;
  if (volume.ephemeral) return `${pod.metadata?.name}-${volume.name}`;
  return undefined;
}

export function claimNamesOf(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? []).map((v) => claimNameOf(pod, v)).filter((n): n is string => n !== undefined);
}
