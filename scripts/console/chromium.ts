import { existsSync } from 'node:fs';
import { aptInstall } from '../stack/toolchain.js';

/** Debian's Chromium, which the console's browser tests drive through playwright-core. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Installs the `chromium` package when it is missing (root, like the stack's other Debian packages). */
export async function ensureChromium(): Promise<string> {
  if (!existsSync(CHROMIUM_PATH)) await aptInstall('chromium', ['chromium']);
  return CHROMIUM_PATH;
}
