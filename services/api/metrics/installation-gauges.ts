import { and, count, eq, lt, max, min } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../../lib/common/clock.js';
import { longestCronGapMinutes } from '../../../lib/common/cron.js';
import type { Database } from '../../../lib/db/client.js';
import { clusters, definitions, jobs, policies, recoveryPoints } from '../../../lib/db/schema/index.js';
import { clusterStatus } from '../../../lib/domain/cluster-status.js';
import type { AgentLiveness } from '../seams/agent-liveness.js';

export interface GaugeSources {
  db: Database;
  liveness: AgentLiveness;
  clock: Clock;
}

const seconds = (date: Date) => date.getTime() / 1000;

/**
 * Installation-wide state read from the database (and Temporal, for agents) when Prometheus scrapes: what
 * the alerts of deploy/helm/haven judge. Read at scrape rather than counted, so every API replica answers
 * the same and a restart loses nothing. Labels name organizations, definitions and clusters by id (names
 * change; ids do not) with the name beside it for dashboards.
 */
export function installationGauges(registry: Registry, sources: GaugeSources): void {
  const { db, liveness, clock } = sources;

  new Gauge({
    name: 'haven_definition_last_success_timestamp_seconds',
    help: 'When each definition\'s last COMPLETED run ended (Unix time); absent before its first success.',
    labelNames: ['organization', 'definition', 'name', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .select({ orgId: definitions.orgId, id: definitions.id, name: definitions.name, kind: definitions.kind, last: max(jobs.endedAt) })
        .from(definitions)
        .innerJoin(jobs, and(eq(jobs.definitionId, definitions.id), eq(jobs.status, 'COMPLETED')))
        .groupBy(definitions.orgId, definitions.id, definitions.name, definitions.kind);
      for (const row of rows) if (row.last) this.set({ organization: row.orgId, definition: row.id, name: row.name, kind: row.kind }, seconds(new Date(row.last)));
    },
  });

  // Without this a definition that never succeeded has no success to be late against and never alerts.
  new Gauge({
    name: 'haven_definition_created_timestamp_seconds',
    help: 'When each definition was created (Unix time): what its overdue alert measures from until its first success.',
    labelNames: ['organization', 'definition', 'name', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.select({ orgId: definitions.orgId, id: definitions.id, name: definitions.name, kind: definitions.kind, createdAt: definitions.createdAt }).from(definitions);
      for (const row of rows) this.set({ organization: row.orgId, definition: row.id, name: row.name, kind: row.kind }, seconds(row.createdAt));
    },
  });

  new Gauge({
    name: 'haven_definition_schedule_interval_seconds',
    help: 'The longest gap between two scheduled runs of each unpaused scheduled definition, in its policy\'s time zone: a success (or, before the first, the definition\'s creation) older than twice this is overdue.',
    labelNames: ['organization', 'definition', 'name', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db
        .select({ orgId: definitions.orgId, id: definitions.id, name: definitions.name, kind: definitions.kind, schedules: policies.schedules, timeZone: policies.timeZone })
        .from(definitions)
        .innerJoin(policies, and(eq(policies.orgId, definitions.orgId), eq(policies.id, definitions.policyId)))
        .where(eq(definitions.paused, false));
      for (const row of rows) {
        // The policy's zone: its schedules fire at wall-clock times there, so daylight saving lengthens a gap.
        const gap = longestCronGapMinutes(row.schedules.map((schedule) => schedule.cron), row.timeZone);
        if (gap !== undefined) this.set({ organization: row.orgId, definition: row.id, name: row.name, kind: row.kind }, gap * 60);
      }
    },
  });

  new Gauge({
    name: 'haven_cluster_agent_active',
    help: 'Whether each cluster\'s agent polls now (1), has gone quiet (0); clusters whose agent never connected are absent.',
    labelNames: ['organization', 'cluster', 'name'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.select({ orgId: clusters.orgId, id: clusters.id, name: clusters.name }).from(clusters);
      const lastPolls = await liveness.lastPollTimes(rows.map((row) => row.id));
      const now = clock.now();
      for (const row of rows) {
        const status = clusterStatus(lastPolls.get(row.id), now);
        if (status !== 'PENDING') this.set({ organization: row.orgId, cluster: row.id, name: row.name }, status === 'ACTIVE' ? 1 : 0);
      }
    },
  });

  new Gauge({
    name: 'haven_jobs_running',
    help: 'Jobs running now, by kind.',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db.select({ kind: jobs.kind, running: count() }).from(jobs).where(eq(jobs.status, 'RUNNING')).groupBy(jobs.kind);
      for (const row of rows) this.set({ kind: row.kind }, row.running);
    },
  });

  const overdue = () => lt(recoveryPoints.expiresAt, clock.now());
  new Gauge({
    name: 'haven_recovery_points_expiry_backlog',
    help: 'Recovery points past their expiry and not yet deleted (SafeLocked or waiting for the next expiry pass).',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ backlog: count() }).from(recoveryPoints).where(overdue());
      this.set(row?.backlog ?? 0);
    },
  });

  new Gauge({
    name: 'haven_recovery_points_oldest_overdue_seconds',
    help: 'How long the longest-expired recovery point still stored has been past its expiry (0 when none): expiry is stuck when this grows.',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ oldest: min(recoveryPoints.expiresAt) }).from(recoveryPoints).where(overdue());
      this.set(row?.oldest ? Math.max(0, seconds(clock.now()) - seconds(new Date(row.oldest))) : 0);
    },
  });
}
