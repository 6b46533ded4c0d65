import { definitions } from '../../../../lib/db/schema/index.js';
import type { TenantScope } from '../../../../lib/db/tenant-scope.js';
import type { NotificationPreferences } from '../../../../lib/domain/definitions/options.js';
import type { HookSlot } from './hook-slots.js';
import { saveHookSlots } from './hook-slots.js';

export type { DefinitionRow } from '../../../../lib/db/schema/definitions.js';
import type { DefinitionRow } from '../../../../lib/db/schema/definitions.js';

/** What a definition kind stores: the referencing columns, its other options as `spec`, and its hooks. */
export interface PreparedDefinition {
  columns: {
    name: string;
    /** Null for RDS backups. */
    clusterId: string | null;
    destinationClusterId: string | null;
    policyId: string | null;
    storageTargetId: string | null;
    recoveryPointId: string | null;
    spec: Record<string, unknown>;
    tags: Record<string, string>;
    notifications: NotificationPreferences;
  };
  hooks: HookSlot[];
}

type DefinitionColumns = PreparedDefinition['columns'];
type OptionalReference = 'destinationClusterId' | 'policyId' | 'storageTargetId' | 'recoveryPointId';

/**
 * The row columns of one definition kind: each kind names only the references it has (the others are
 * null) and hands its typed options over as the stored `spec`.
 */
export function definitionColumns(
  columns: Omit<DefinitionColumns, OptionalReference | 'spec'> & Partial<Pick<DefinitionColumns, OptionalReference>> & { spec: object },
): DefinitionColumns {
  return {
    destinationClusterId: null,
    policyId: null,
    storageTargetId: null,
    recoveryPointId: null,
    ...columns,
    spec: columns.spec as Record<string, unknown>,
  };
}

export async function insertDefinition(scope: TenantScope, kind: DefinitionRow['kind'], prepared: PreparedDefinition): Promise<DefinitionRow> {
  const row = await scope.insert(definitions, { kind, ...prepared.columns });
  await saveHookSlots(scope, row.id, prepared.hooks);
  return row;
}

export async function updateDefinition(
  scope: TenantScope,
  id: string,
  version: number,
  prepared: PreparedDefinition,
  what: string,
): Promise<DefinitionRow> {
  const row = await scope.update(definitions, id, version, prepared.columns, what);
  await saveHookSlots(scope, row.id, prepared.hooks);
  return row;
}
