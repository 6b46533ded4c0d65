import type { GatewaySettings } from '../../../lib/cluster-access/gateway-connection.js';
import { havenImage } from '../../../lib/common/haven-image.js';

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

/**
 * Mover pods run the agent's own image (HAVEN_IMAGE, which the install manifest sets to it), so both
 * speak the same contracts; HAVEN_KUBELET_PODS_DIR, else the default; the gateway is the agent's own.
 */
export function moverPodSettings(env: NodeJS.ProcessEnv, gateway: GatewaySettings): MoverPodSettings {
  return { image: havenImage(env, 'HAVEN_MOVER_IMAGE'), kubeletPodsDir: env.HAVEN_KUBELET_PODS_DIR || DEFAULT_KUBELET_PODS_DIR, gateway };
}
