import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { DEFAULT_HAVEN_IMAGE, imageReferenceParts } from '../../lib/common/haven-image.js';
import { IMAGE_CMD } from '../../scripts/image/spec.js';
import type { ImageUser } from './kubelet/container-security.js';

/** How long a snapshot takes to become ready by default: at once, like csi-hostpath. */
export const DEFAULT_SNAPSHOT_READY_DELAY_MS = 0;
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/**
 * Images that run as real local processes: Haven's own, by the repository of the one image setting
 * (lib/common/haven-image.ts) with any tag or digest, and `[registry/]haven/haven` as tests name it.
 */
export const DEFAULT_HAVEN_IMAGE_PATTERN = new RegExp(
  `^(?:${escaped(imageReferenceParts(DEFAULT_HAVEN_IMAGE).repository)}|(?:[^/]+/)?haven/haven)(?:[:@].*)?$`,
);
/** The image's Cmd (scripts/image/spec.ts). */
export const DEFAULT_HAVEN_COMMAND: readonly string[] = IMAGE_CMD;
/** The checkout this file belongs to plays the image's /app. */
export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface NodeEmulatorOptions {
  /** Path of a kubeconfig file, or a loaded KubeConfig. */
  kubeconfig: string | KubeConfig;
  /** Volumes, snapshots and node directories live here. */
  dataDir: string;
  /** Prefix of the node names: `<clusterName>-node-1`… */
  clusterName: string;
  nodeCount?: number;
  snapshotReadyDelayMs?: number;
  havenImagePattern?: RegExp;
  havenImageWorkdir?: string;
  havenImageCommand?: readonly string[];
  /** The image's user; default: the one scripts/image builds it with (scripts/image/spec.ts). */
  havenImageUser?: ImageUser;
  /**
   * The unpacked root filesystem of Haven's image (`buildImage().rootfs`, scripts/image). Given, Haven-image
   * containers run chrooted into it in their own mount, PID and UTS namespaces, each volume bind-mounted at
   * its mountPath, the root read-only under readOnlyRootFilesystem. Absent, they run as local processes
   * from the checkout (the default).
   */
  imageRootfs?: string;
  /**
   * The namespaces this emulator acts in. Several test files share one API server, each with its own
   * emulator; each must touch only its own PVCs, pods and snapshots. Default: all namespaces.
   */
  inScope?: (namespace: string) => boolean;
  log?: (message: string) => void;
}
