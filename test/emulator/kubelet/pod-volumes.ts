import { chmod, mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { V1Pod, V1PersistentVolume, V1Volume } from '@kubernetes/client-node';
import type { EmulatorContext } from '../support/context.js';
import { readOptional } from '../support/kube-api.js';
import { volumeHandleOf } from '../storage/volume-store.js';
import { VolumeNotReady } from './errors.js';
import type { NodeDirs } from './node-dirs.js';
import { applyFsGroup } from './fs-group.js';
import { claimNameOf } from './pod-claims.js';
import { writeProjectedFiles } from './projected-files.js';

/** A pod volume as the containers see it: a directory, or a block device (one file). */
export interface MountedVolume {
  hostPath: string;
  block: boolean;
  /** The pod's claim volume says `readOnly`: every container's mount of it is read-only. */
  readOnly?: boolean;
}


/**
 * Sets up a pod's volumes under `<pods-dir>/<uid>` with the kubelet's plugin layout. PV-backed volumes
 * are symlinks to the backing directory or file, so the pod sees writes as they happen and every other
 * pod of the same PV sees the same data.
 */
export async function mountPodVolumes(ctx: EmulatorContext, dirs: NodeDirs, pod: V1Pod): Promise<Map<string, MountedVolume>> {
  const podDir = dirs.podDir(pod.metadata?.uid ?? '');
  const mounted = new Map<string, MountedVolume>();
  for (const volume of pod.spec?.volumes ?? []) {
    mounted.set(volume.name, await mountVolume(ctx, dirs, podDir, pod, volume));
  }
  return mounted;
}

export async function unmountPodVolumes(dirs: NodeDirs, uid: string): Promise<void> {
  // rm never follows symlinks, so the PVs' backing data is untouched.
  await rm(dirs.podDir(uid), { recursive: true, force: true });
}

async function mountVolume(ctx: EmulatorContext, dirs: NodeDirs, podDir: string, pod: V1Pod, volume: V1Volume): Promise<MountedVolume> {
  const claimName = claimNameOf(pod, volume);
  if (claimName) {
    const claim = await mountClaim(ctx, podDir, pod.metadata?.namespace ?? '', claimName);
    const readOnly = volume.persistentVolumeClaim?.readOnly === true;
    // The emulated drivers declare fsGroupPolicy File; NFS volumes keep the server's ownership.
    if (!claim.block && !readOnly && claim.fsGroupSupported) await applyFsGroup(pod, claim.hostPath);
    return { hostPath: claim.hostPath, block: claim.block, readOnly };
  }
  if (volume.hostPath) {
    const hostPath = dirs.hostPath(volume.hostPath.path);
    if (volume.hostPath.type !== 'File' && volume.hostPath.type !== 'FileOrCreate') await mkdir(hostPath, { recursive: true });
    return { hostPath, block: false };
  }
  const pluginDir = volume.emptyDir
    ? 'kubernetes.io~empty-dir'
    : volume.configMap
      ? 'kubernetes.io~configmap'
      : volume.secret
        ? 'kubernetes.io~secret'
        : volume.projected
          ? 'kubernetes.io~projected'
          : volume.downwardAPI
            ? 'kubernetes.io~downward-api'
            : undefined;
  if (!pluginDir) throw new VolumeNotReady(`volume "${volume.name}" has a type the node emulator does not support`);
  const target = join(podDir, 'volumes', pluginDir, volume.name);
  await mkdir(target, { recursive: true });
  if (!volume.emptyDir) await writeProjectedFiles(ctx, pod, volume, target);
  else {
    // The kubelet creates an emptyDir 0777, so a container of any uid can write it (mkdir's umask would not).
    await chmod(target, 0o777);
    await applyFsGroup(pod, target);
  }
  return { hostPath: target, block: false };
}

async function mountClaim(ctx: EmulatorContext, podDir: string, namespace: string, claimName: string): Promise<MountedVolume & { fsGroupSupported: boolean }> {
  const pvc = await readOptional(() => ctx.api.core.readNamespacedPersistentVolumeClaim({ namespace, name: claimName }));
  if (!pvc) throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" not found`);
  if (!pvc.spec?.volumeName || pvc.status?.phase !== 'Bound') throw new VolumeNotReady(`persistentvolumeclaim "${claimName}" is not bound`);
  const pv = await ctx.api.core.readPersistentVolume({ name: pvc.spec.volumeName });
  const handle = volumeHandleOf(pv);
  if (!handle || !(await ctx.store.hasVolume(handle))) {
    throw new VolumeNotReady(`MountVolume.SetUp failed for volume "${pv.metadata?.name}" : volume ${handle ?? '(no handle)'} does not exist on this node`);
  }
  const backing = await realpath(ctx.store.volumePath(handle));
  const block = pv.spec?.volumeMode === 'Block';
  const link = kubeletPath(podDir, pv, block);
  await mkdir(dirname(link), { recursive: true });
  await rm(link, { force: true });
  await symlink(backing, link);
  if (pv.spec?.csi && !block) {
    const volData = { driverName: pv.spec.csi.driver, volumeHandle: handle, specVolID: pv.metadata?.name, volumeLifecycleMode: 'Persistent' };
    await writeFile(join(dirname(link), 'vol_data.json'), JSON.stringify(volData));
  }
  return { hostPath: backing, block, fsGroupSupported: !pv.spec?.nfs };
}

/** Where the kubelet puts a PV for a pod, per volume plugin. */
export function kubeletPath(podDir: string, pv: V1PersistentVolume, block: boolean): string {
  const name = pv.metadata?.name ?? '';
  const plugin = pv.spec?.csi ? 'kubernetes.io~csi' : pv.spec?.nfs ? 'kubernetes.io~nfs' : 'kubernetes.io~local-volume';
  if (block) return join(podDir, 'volumeDevices', plugin, name);
  return pv.spec?.csi ? join(podDir, 'volumes', plugin, name, 'mount') : join(podDir, 'volumes', plugin, name);
}
