import type { GatewaySettings } from '../../../lib/cluster-access/gateway-connection.js';

/** The image every Haven process runs; mover pods use the agent's own, so both speak the same contracts. */
export const DEFAULT_MOVER_IMAGE = 'haven/haven:latest';

/** Where kubelets keep pod volumes unless the cluster's registration says otherwise. */
export const DEFAULT_KUBELET_PODS_DIR = '/var/lib/kubelet/pods';

/** What a mover pod needs to reach the gateway like the agent does, and where host volumes are. */
export interface MoverPodSettings {
  image: string;
  /** The kubelet's pods directory on the nodes (HAVEN_KUBELET_PODS_DIR): host-volume reads mount it. */
  kubeletPodsDir?: string;
  /** The agent's own gateway settings; each pod brings its own token (a mover token for its queue). */
  gateway: GatewaySettings;
}

/** HAVEN_MOVER_IMAGE and HAVEN_KUBELET_PODS_DIR, else the defaults; the gateway is the agent's own. */
export function moverPodSettings(env: NodeJS.ProcessEnv, gateway: GatewaySettings): MoverPodSettings {
  return { image: env.HAVEN_MOVER_IMAGE || DEFAULT_MOVER_IMAGE, kubeletPodsDir: env.HAVEN_KUBELET_PODS_DIR || DEFAULT_KUBELET_PODS_DIR, gateway };
}
