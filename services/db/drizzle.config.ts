import { defineConfig } from 'drizzle-kit';

// Run from the repository root: npx drizzle-kit generate --config services/db/drizzle.config.ts
export default defineConfig({
  dialect: 'postgresql',
  schema: './services/db/schema/index.ts',
  out: './services/db/migrations',
});
