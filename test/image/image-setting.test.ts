import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moverPodSettings } from '../../activities/cluster/mover-pods/mover-settings.js';
import { DEFAULT_HAVEN_IMAGE, havenImage, imageReferenceParts } from '../../lib/common/haven-image.js';
import { generateKeyEntry } from '../../lib/common/secrets.js';
import { readConfig } from '../../services/api/config.js';
import { inputsHash } from '../../scripts/image/inputs.js';
import { DEFAULT_HAVEN_IMAGE_PATTERN } from '../emulator/options.js';

const gateway = { address: 'gateway.haven:7243', namespace: 'default' };
const apiEnv = { DATABASE_URL: 'postgres://h@127.0.0.1/h', HAVEN_SECRET_KEY: generateKeyEntry('k1') };

describe('the one setting that names the image', () => {
  it('gives agent manifests and mover pods the same default, which the node emulator runs as Haven’s', () => {
    expect(readConfig(apiEnv).agent.image).toBe(DEFAULT_HAVEN_IMAGE);
    expect(moverPodSettings({}, gateway).image).toBe(DEFAULT_HAVEN_IMAGE);
    expect(DEFAULT_HAVEN_IMAGE_PATTERN.test(DEFAULT_HAVEN_IMAGE)).toBe(true);
  });

  it('is HAVEN_IMAGE for both, the older per-process names still read after it', () => {
    expect(readConfig({ ...apiEnv, HAVEN_IMAGE: 'r.example/haven:1' }).agent.image).toBe('r.example/haven:1');
    expect(moverPodSettings({ HAVEN_IMAGE: 'r.example/haven:1' }, gateway).image).toBe('r.example/haven:1');
    expect(readConfig({ ...apiEnv, HAVEN_AGENT_IMAGE: 'old/agent:2' }).agent.image).toBe('old/agent:2');
    expect(moverPodSettings({ HAVEN_MOVER_IMAGE: 'old/mover:2' }, gateway).image).toBe('old/mover:2');
    expect(havenImage({ HAVEN_IMAGE: 'new:3', HAVEN_MOVER_IMAGE: 'old:2' }, 'HAVEN_MOVER_IMAGE')).toBe('new:3');
  });

  it('splits a reference into repository and tag (registry ports and digests included)', () => {
    expect(imageReferenceParts('ghcr.io/haven-backup/haven:latest')).toEqual({ repository: 'ghcr.io/haven-backup/haven', tag: 'latest' });
    expect(imageReferenceParts('registry:5000/haven')).toEqual({ repository: 'registry:5000/haven', tag: 'latest' });
    expect(imageReferenceParts('haven@sha256:abc')).toEqual({ repository: 'haven', tag: 'sha256:abc' });
  });
});

describe("the image build's cache key", () => {
  it('changes when a source file or the image name changes, and only then', async () => {
    const root = await mkdtemp(join(tmpdir(), 'haven-inputs-'));
    try {
      await mkdir(join(root, 'services'));
      await writeFile(join(root, 'services', 'main.ts'), 'one');
      const first = inputsHash(root, ['services'], ['a:1']);
      expect(inputsHash(root, ['services'], ['a:1'])).toBe(first);
      await writeFile(join(root, 'services', 'main.ts'), 'two');
      const changed = inputsHash(root, ['services'], ['a:1']);
      expect(changed).not.toBe(first);
      expect(inputsHash(root, ['services'], ['a:2'])).not.toBe(changed);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
