import { describe, expect, it } from 'vitest';
import { moverPod, credentialsSecret, MOVER_TOKEN_SECRET_KEY } from '../../activities/cluster/mover-pods/mover-pod-spec.js';
import type { MoverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { kubeletVolumeDir } from '../../activities/cluster/mover-pods/kubelet-volume-dir.js';
import { HostVolumeUnavailableError } from '../../activities/cluster/mover-pods/mover-pod-failures.js';
import { snapshotClaim, temporaryClaimName } from '../../activities/cluster/mover-pods/temporary-claim.js';
import { MOVER_LABELS, moverTaskQueue, type StartMoverPodRequest } from '../../proto/mover/index.js';

const settings: MoverPodSettings = { image: 'haven/haven:1.2.3', gateway: { address: 'gateway.haven:7243', namespace: 'haven', tls: {} } };
const token = 'hmv1.p1.eyJqb2IiOiJ4In0.bW92ZXItdG9rZW4tc2lnbmF0dXJl';
const jobId = '5b0f7c1e-2f7a-4a43-9c55-0d7d7bb1a001';
const request: StartMoverPodRequest = {
  version: 2,
  jobId,
  namespace: 'shop',
  claim: 'haven-copy-data',
  readOnly: true,
  volumeMode: 'Filesystem',
  taskQueue: moverTaskQueue('c1', jobId, 3),
  token,
  memoryLimitMiB: 768,
  purpose: 'backup',
};

describe('a data mover pod spec', () => {
  const pod = moverPod(request, settings);
  const container = pod.spec!.containers[0]!;

  it('mounts the claim read-only at /data, limits memory, polls its own queue and is labelled with the job', () => {
    expect(pod.metadata?.name).toBe(`haven-mover-${jobId}-3`);
    expect(pod.metadata?.labels?.[MOVER_LABELS.job]).toBe(jobId);
    expect(pod.spec?.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'haven-copy-data', readOnly: true } }]);
    expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
    expect(container.resources?.limits).toEqual({ memory: '768Mi' });
    expect(container.args).toEqual(['--memory-limit-mb', '768']);
    expect(container.env).toContainEqual({ name: 'HAVEN_MOVER_TASK_QUEUE', value: `mover.c1.${jobId}.3` });
    expect(pod.spec?.restartPolicy).toBe('OnFailure');
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(moverPod(request, settings, { nodeName: 'node-2' }).spec?.nodeName).toBe('node-2');
  });

  it('reaches the gateway with its own mover token, referenced from its own Secret, and holds no payload key', () => {
    expect(JSON.stringify(pod)).not.toContain(token);
    expect(JSON.stringify(pod)).not.toContain('HAVEN_PAYLOAD_KEY');
    expect(container.env).toContainEqual({ name: 'HAVEN_MOVER_TOKEN', valueFrom: { secretKeyRef: { name: `haven-mover-${jobId}-3`, key: MOVER_TOKEN_SECRET_KEY } } });
    expect(container.env).toContainEqual({ name: 'HAVEN_GATEWAY_ADDRESS', value: 'gateway.haven:7243' });
    expect(container.env).toContainEqual({ name: 'HAVEN_GATEWAY_TLS', value: 'true' });
    const secret = credentialsSecret(request);
    expect(secret.metadata?.name).toBe(`haven-mover-${jobId}-3`);
    expect(secret.metadata?.labels?.[MOVER_LABELS.job]).toBe(jobId);
    expect(secret.stringData).toEqual({ [MOVER_TOKEN_SECRET_KEY]: token });
  });

  it('runs as root with only what its purpose needs: backups read any file, restores put owners and modes back', () => {
    const common = { runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true };
    expect(container.securityContext).toEqual({ ...common, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } });
    const restore = moverPod({ ...request, purpose: 'restore', readOnly: false }, settings).spec!.containers[0]!;
    expect(restore.securityContext).toEqual({ ...common, capabilities: { drop: ['ALL'], add: ['CHOWN', 'FOWNER', 'DAC_OVERRIDE', 'FSETID', 'SETFCAP'] } });
    // No fsGroup: the kubelet would chgrp the whole volume, losing the groups a backup must record.
    expect(pod.spec?.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('hands a Block claim over as a device', () => {
    const block = moverPod({ ...request, volumeMode: 'Block', readOnly: false }, settings).spec!.containers[0]!;
    expect(block.volumeDevices).toEqual([{ name: 'data', devicePath: '/dev/haven-data' }]);
    expect(block.volumeMounts).toBeUndefined();
    expect(block.env).toContainEqual({ name: 'HAVEN_MOVER_DATA', value: '/dev/haven-data' });
  });
});

describe('a host-volume mover pod', () => {
  const csiPv = { metadata: { name: 'pvc-123' }, spec: { csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: 'h-1' } } };

  it('runs on the node of the pod that mounts the claim and mounts only that volume\'s own directory, read-only', () => {
    const hostDir = kubeletVolumeDir('/var/lib/k0s/kubelet/pods', 'uid-1', csiPv);
    const pod = moverPod(request, { ...settings, kubeletPodsDir: '/var/lib/k0s/kubelet/pods' }, { nodeName: 'node-3', hostVolume: { volumeName: 'pvc-123', hostDir } });
    expect(pod.spec?.nodeName).toBe('node-3');
    expect(pod.spec?.volumes).toEqual([{ name: 'host-volume', hostPath: { path: '/var/lib/k0s/kubelet/pods/uid-1/volumes/kubernetes.io~csi/pvc-123/mount', type: 'Directory' } }]);
    expect(pod.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'host-volume', mountPath: '/host-volume', readOnly: true }]);
    expect(pod.spec?.containers[0]?.env).toEqual(
      expect.arrayContaining([
        { name: 'HAVEN_MOVER_DATA', value: '/host-volume' },
        { name: 'HAVEN_MOVER_HOST_VOLUME', value: 'pvc-123' },
      ]),
    );
  });

  it('finds in-tree volumes under their plugin\'s directory, and refuses a PV no plugin directory holds', () => {
    expect(kubeletVolumeDir('/var/lib/kubelet/pods/', 'uid-2', { metadata: { name: 'pv-nfs' }, spec: { nfs: { server: 'nfs', path: '/export' } } })).toBe('/var/lib/kubelet/pods/uid-2/volumes/kubernetes.io~nfs/pv-nfs');
    expect(kubeletVolumeDir('/var/lib/kubelet/pods', 'uid-2', { metadata: { name: 'pv-local' }, spec: { local: { path: '/mnt/disk' } } })).toBe('/var/lib/kubelet/pods/uid-2/volumes/kubernetes.io~local-volume/pv-local');
    expect(() => kubeletVolumeDir('/var/lib/kubelet/pods', 'uid-2', { metadata: { name: 'pv-host' }, spec: { hostPath: { path: '/srv' } } })).toThrow(HostVolumeUnavailableError);
  });
});

describe('a temporary claim from a snapshot', () => {
  it('restores the snapshot with the mapped storage class, at least the snapshot\'s size, labelled with the job', () => {
    const claim = snapshotClaim({ version: 1, jobId, namespace: 'shop', sourceClaim: 'data', snapshotName: 'snap', storageClass: 'fast-1-replica', sizeBytes: 1000, volumeMode: 'Block' });
    expect(claim.metadata?.name).toBe(temporaryClaimName(jobId, 'data'));
    expect(claim.spec).toMatchObject({
      storageClassName: 'fast-1-replica',
      volumeMode: 'Block',
      resources: { requests: { storage: '1000' } },
      dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap' },
    });
    expect(claim.metadata?.labels?.[MOVER_LABELS.job]).toBe(jobId);
  });
});
