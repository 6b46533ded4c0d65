/** What the mover pod gives its activities: where the volume is and its memory budget. */
export interface MoverContext {
  /** The claim as this process sees it: a directory, or the block device (HAVEN_MOVER_DATA). */
  dataPath: string;
  /** The pod's memory limit (`--memory-limit-mb`); a request may ask for less, never more. */
  memoryLimitMiB: number;
  /** Host-volume reads: the PV to find under `dataPath` (a pod's kubelet volume directory). */
  hostVolume?: string;
}
