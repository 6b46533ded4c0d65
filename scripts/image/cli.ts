import { StackComponentError } from '../stack/progress.js';
import { buildImage } from './build.js';

// `npm run image`: builds Haven's image (or finds it cached) and prints where it is and what it weighs.
const started = Date.now();
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
try {
  const image = await buildImage();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    [
      `image      ${image.reference} (inputs ${image.hash})`,
      `rootfs     ${image.rootfs} (${mb(image.rootfsBytes)})`,
      `oci layout ${image.oci}:${image.tag} (${mb(image.ociBytes)})`,
      `built in   ${seconds}s`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`${err instanceof StackComponentError ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
