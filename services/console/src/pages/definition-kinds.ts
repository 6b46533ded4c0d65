/**
 * The kinds of definition the console lists and edits. They share the API's route shapes (list, read,
 * create, replace with If-Match, delete, pause, resume, run now under `/api/v1/<collection>`), so one set
 * of pages serves them all; what differs is only what people read.
 */
export interface DefinitionKind {
  /** The API's collection, also the console's route: `#/<collection>`. */
  collection: 'backup-definitions' | 'replication-definitions' | 'restore-drills' | 'rds-backup-definitions';
  title: string;
  noun: string;
  runLabel: string;
  /** Where a created definition leads: the dashboard for backups (what it protects shows there), else the list. */
  home: string;
  /** What a definition covers, in a few words, with record names resolved. */
  covers(definition: StoredDefinition, names: ReadonlyMap<string, string>): string;
}

/** What every definition answers with (definitionMeta on the API side), and the fields `covers` reads. */
export interface StoredDefinition {
  id: string;
  name: string;
  version: number;
  paused: boolean;
  policyId: string | null;
  clusterId?: string;
  sourceClusterId?: string;
  destination?: { clusterId: string; namespaces: string[] };
  backupDefinitionId?: string;
  databaseIdentifier?: string;
  region?: string;
}

const named = (names: ReadonlyMap<string, string>, id: string | undefined) => (id ? (names.get(id) ?? id) : '—');

export const DEFINITION_KINDS: readonly DefinitionKind[] = [
  {
    collection: 'backup-definitions',
    title: 'Backup definitions',
    noun: 'backup definition',
    runLabel: 'Start the backup',
    home: '#/',
    covers: (d, names) => `cluster ${named(names, d.clusterId)}`,
  },
  {
    collection: 'replication-definitions',
    title: 'Replication definitions',
    noun: 'replication definition',
    runLabel: 'Start the replication',
    home: '#/replication-definitions',
    covers: (d, names) => `${named(names, d.sourceClusterId)} → ${named(names, d.destination?.clusterId)} (${(d.destination?.namespaces ?? []).join(', ')})`,
  },
  {
    collection: 'restore-drills',
    title: 'Restore drills',
    noun: 'restore drill',
    runLabel: 'Start the drill',
    home: '#/restore-drills',
    covers: (d, names) => `points of ${named(names, d.backupDefinitionId)}`,
  },
  {
    collection: 'rds-backup-definitions',
    title: 'RDS backup definitions',
    noun: 'RDS backup definition',
    runLabel: 'Start the RDS backup',
    home: '#/rds-backup-definitions',
    covers: (d) => `${d.databaseIdentifier ?? '—'} in ${d.region ?? '—'}`,
  },
];

export function definitionKind(collection: string | undefined): DefinitionKind | undefined {
  return DEFINITION_KINDS.find((kind) => kind.collection === collection);
}
