import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { withHeartbeat } from '../stack/progress.js';
import { buildLog, runLogged } from '../stack/toolchain.js';
import { IMAGE_CMD, IMAGE_ENTRYPOINT, IMAGE_ENV, IMAGE_LABELS, IMAGE_USER, IMAGE_WORKDIR } from './spec.js';

const COMPONENT = 'image';

/**
 * The layer tars: sorted, numeric owners, one fixed mtime-free ordering, so the same root filesystem
 * gives the same layers. /app is a layer of its own: a source change leaves the Debian-and-Node layer
 * (and its digest, so a registry push skips it) as it was.
 */
function tarArgs(rootfs: string, tar: string, what: 'base' | 'app'): string[] {
  return ['--sort=name', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', rootfs, '-cf', tar, ...(what === 'base' ? ['--exclude=./app', '.'] : ['./app'])];
}

/** A layout holding only the base layer (Debian and Node), tagged `base`: the start of every image. */
export async function baseLayout(rootfs: string, layout: string, scratch: string, key: string): Promise<void> {
  const log = buildLog(`image-base-oci-${key}`);
  const image = `${layout}:base`;
  await withHeartbeat(COMPONENT, 'umoci: base layer (Debian and Node, compressed once)', (async () => {
    await runLogged(COMPONENT, log, 'umoci', ['init', '--layout', layout]);
    await runLogged(COMPONENT, log, 'umoci', ['new', '--image', image]);
    await addLayer(rootfs, image, 'base', scratch, log);
  })());
}

async function addLayer(rootfs: string, image: string, what: 'base' | 'app', scratch: string, log: string): Promise<void> {
  const tar = join(scratch, `${what}.tar`);
  await runLogged(COMPONENT, log, 'tar', tarArgs(rootfs, tar, what));
  await runLogged(COMPONENT, log, 'umoci', ['raw', 'add-layer', '--image', image, '--history.created_by', `haven scripts/image: ${what === 'base' ? 'Debian minbase and Node' : '/app'}`, tar]);
  await rm(tar, { force: true });
}

/**
 * Finishes the image in `layout` (a copy of the base layout): adds the /app layer and the image config
 * (user, environment, working directory, command, labels), tags it `tag` and drops the `base` tag.
 */
export async function finishLayout(rootfs: string, layout: string, tag: string, scratch: string, key: string): Promise<void> {
  const log = buildLog(`image-oci-${key}`);
  const umoci = (args: string[]) => runLogged(COMPONENT, log, 'umoci', args);
  await withHeartbeat(COMPONENT, 'umoci: /app layer and image config', (async () => {
    await addLayer(rootfs, `${layout}:base`, 'app', scratch, log);
    await umoci([
      'config',
      '--image',
      `${layout}:base`,
      '--tag',
      tag,
      '--clear=config.entrypoint',
      ...IMAGE_ENTRYPOINT.flatMap((arg) => ['--config.entrypoint', arg]),
      '--clear=config.cmd',
      ...IMAGE_CMD.flatMap((arg) => ['--config.cmd', arg]),
      '--clear=config.env',
      ...Object.entries(IMAGE_ENV).flatMap(([name, value]) => ['--config.env', `${name}=${value}`]),
      '--config.user',
      `${IMAGE_USER.uid}:${IMAGE_USER.gid}`,
      '--config.workingdir',
      IMAGE_WORKDIR,
      ...Object.entries(IMAGE_LABELS).flatMap(([name, value]) => ['--config.label', `${name}=${value}`]),
      '--history.created_by',
      'haven scripts/image: config',
    ]);
    if (tag !== 'base') await umoci(['rm', '--image', `${layout}:base`]);
    await umoci(['gc', '--layout', layout]);
  })());
}
