import type { SecretKeyring } from '../../../lib/common/secrets.js';

/** The image every Haven process runs; mover pods use the agent's own, so both speak the same contracts. */
export const DEFAULT_MOVER_IMAGE = 'haven/haven:latest';

/** Where kubelets keep pod volumes unless the cluster's registration says otherwise. */
export const DEFAULT_KUBELET_PODS_DIR = '/var/lib/kubelet/pods';

/** What a mover pod needs to reach Temporal like the agent does, and where host volumes are. */
export interface MoverPodSettings {
  image: string;
  /** The kubelet's pods directory on the nodes (HAVEN_KUBELET_PODS_DIR): host-volume reads mount it. */
  kubeletPodsDir?: string;
  temporalAddress: string;
  temporalNamespace: string;
  /** The agent's payload keys: mover pods decrypt activity inputs (repository access) with them. */
  payloadKeyring: SecretKeyring;
}

/** The keyring back in HAVEN_PAYLOAD_KEY's format, to hand to a mover pod through a Secret. */
export function payloadKeySpec(keyring: SecretKeyring): string {
  const current = keyring.currentKeyId;
  const ids = [current, ...[...keyring.keys.keys()].filter((id) => id !== current)];
  return ids.map((id) => `${id}:${(keyring.keys.get(id) as Buffer).toString('base64')}`).join(',');
}

/** HAVEN_MOVER_IMAGE and HAVEN_KUBELET_PODS_DIR, else the defaults; the rest is the agent's own Temporal configuration. */
export function moverPodSettings(env: NodeJS.ProcessEnv, agent: { temporalAddress: string; temporalNamespace: string; payloadKeyring: SecretKeyring }): MoverPodSettings {
  return { image: env.HAVEN_MOVER_IMAGE || DEFAULT_MOVER_IMAGE, kubeletPodsDir: env.HAVEN_KUBELET_PODS_DIR || DEFAULT_KUBELET_PODS_DIR, ...agent };
}
