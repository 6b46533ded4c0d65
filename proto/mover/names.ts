/**
 * Names and labels shared by the workflow (which sends work to a mover pod's queue), the agent (which
 * creates the pod) and the mover (which polls). Node-free: workflows import it.
 */

/** One mover pod's own task queue: nothing but that pod polls it, so "the queue has a poller" means "the pod started". */
export function moverTaskQueue(clusterId: string, jobId: string, moverIndex: number): string {
  return `mover.${clusterId}.${jobId}.${moverIndex}`;
}

/**
 * Labels on everything the data-mover steps create in a cluster (pods, temporary claims, the pod
 * credentials Secret), so a job's leftovers can be found and removed after a cancel or an agent crash.
 */
export const MOVER_LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  component: 'app.kubernetes.io/component',
  /** The job (backup or restore run) the object belongs to. */
  job: 'haven.io/job',
} as const;

/** The value of `app.kubernetes.io/managed-by` on everything Haven creates in a cluster. */
export const HAVEN_MANAGER = 'haven';

export const MOVER_COMPONENTS = {
  pod: 'data-mover',
  temporaryClaim: 'snapshot-claim',
  credentials: 'data-mover-credentials',
} as const;

/** Where a mover pod mounts the volume it copies or restores (Filesystem claims). */
export const MOVER_DATA_PATH = '/data';
/** Where a host-volume mover pod sees the one volume directory it reads (`<pods>/<uid>/volumes/<plugin>/<pv>`, CSI: its `mount/`). */
export const MOVER_HOST_VOLUME_PATH = '/host-volume';
/** Where a mover pod sees the volume it copies or restores (Block claims). */
export const MOVER_DEVICE_PATH = '/dev/haven-data';
