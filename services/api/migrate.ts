import { connectDatabase } from '../../lib/db/client.js';
import { runMigrations } from '../../lib/db/migrate.js';

// `tsx services/api/migrate.ts`: applies pending migrations to DATABASE_URL and exits. The Helm chart runs
// it as an init container of every control-plane pod, so no worker or gateway of a new release starts on
// the old schema; the advisory lock in runMigrations lets several pods start together.
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (the Postgres database to migrate)');
  process.exit(2);
}
const database = connectDatabase(url, { max: 1 });
try {
  await runMigrations(database.pool);
  console.log('database schema is up to date');
} finally {
  await database.close();
}
