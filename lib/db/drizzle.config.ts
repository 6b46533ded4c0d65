import { defineConfig } from 'drizzle-kit';

// Run from the repository root: npx drizzle-kit generate --config lib/db/drizzle.config.ts
export default defineConfig({
  dialect: 'postgresql',
  schema: './lib/db/schema/index.ts',
  out: './lib/db/migrations',
});
