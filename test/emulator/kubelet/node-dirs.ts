import { isAbsolute, join, relative } from 'node:path';

/**
 * The directories of one emulated node, laid out like a real node's: `kubelet/pods/<uid>/volumes/...`
 * under `/var/lib/kubelet`, container logs under `/var/log/pods`. hostPath volumes resolve into this
 * tree, so a node-level pod that mounts `/var/lib/kubelet/pods` sees the pods' volumes.
 */
export class NodeDirs {
  constructor(
    readonly root: string,
    readonly nodeName: string,
  ) {}

  get kubeletDir(): string {
    return join(this.root, 'var', 'lib', 'kubelet');
  }

  get podsDir(): string {
    return join(this.kubeletDir, 'pods');
  }

  podDir(uid: string): string {
    return join(this.podsDir, uid);
  }

  containerLogFile(namespace: string, pod: string, uid: string, container: string): string {
    return join(this.root, 'var', 'log', 'pods', `${namespace}_${pod}_${uid}`, container, '0.log');
  }

  /** A path on the emulated host (for hostPath volumes): everything lives under the node's root. */
  hostPath(path: string): string {
    if (!isAbsolute(path)) throw new Error(`hostPath must be absolute: ${path}`);
    const inside = relative('/', path);
    if (inside.startsWith('..')) throw new Error(`hostPath escapes the node root: ${path}`);
    return join(this.root, inside);
  }
}
