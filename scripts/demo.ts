import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './stack/paths.js';
import { up } from './stack/stack.js';

// Haven targets Node 20; the SDK's notice about its own future Node 22 floor is tracked in docs, not
// repeated on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run demo`: starts the local stack (one cluster) and the Haven API against it, then prints
 * where everything is. The stack keeps running after Ctrl-C; `npm run stack -- down` stops it.
 */
async function main(): Promise<void> {
  const env = await up(Number(process.env.HAVEN_STACK_CLUSTERS ?? 1));
  const port = process.env.PORT ?? '8080';
  const apiKey = process.env.HAVEN_BOOTSTRAP_API_KEY ?? 'haven-demo-admin-key-for-local-use-only';
  const apiEntry = join(repoRoot, 'services', 'api', 'main.ts');
  const lines = [
    '',
    'Haven demo',
    `  Temporal UI      ${env.TEMPORAL_UI_URL}`,
    `  Temporal         ${env.TEMPORAL_ADDRESS}`,
    `  Postgres         ${env.DATABASE_URL}`,
    `  S3 (Object Lock) ${env.S3_ENDPOINT}  bucket ${env.S3_BUCKET}`,
    `  Kubernetes       KUBECONFIG=${env.KUBECONFIG}`,
    `  RDS (moto)       ${env.AWS_ENDPOINT_URL_RDS}`,
    `  all variables    ${join(env.HAVEN_RUN_DIR ?? '', 'env')}`,
  ];
  if (existsSync(apiEntry)) {
    lines.push(`  API              http://127.0.0.1:${port}  (docs: /docs, OpenAPI: /openapi.json)`, `  API key          ${apiKey}`);
  }
  lines.push('', 'Stop the stack with: npm run stack -- down', '');
  process.stdout.write(lines.join('\n'));
  if (!existsSync(apiEntry)) return;
  const api = spawn(process.execPath, ['--import', 'tsx', apiEntry], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...env,
      PORT: port,
      HAVEN_BOOTSTRAP_API_KEY: apiKey,
      // A fixed demo key; real installations set their own (see README).
      HAVEN_SECRET_KEY: process.env.HAVEN_SECRET_KEY ?? `demo:${Buffer.alloc(32, 7).toString('base64')}`,
    },
  });
  await new Promise((resolveExit) => api.on('exit', resolveExit));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
