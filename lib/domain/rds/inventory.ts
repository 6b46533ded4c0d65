import { organizationWorkflowId } from '../../common/temporal/names.js';

/** How often the inventory Schedule refreshes every cloud account (HAVEN_RDS_INVENTORY_INTERVAL_MINUTES; 0 turns it off). */
export const DEFAULT_RDS_INVENTORY_INTERVAL_MINUTES = 12 * 60;

/** One inventory pass: the accounts named, or every account of every organization when none are. */
export interface RdsInventoryInput {
  accounts?: { orgId: string; cloudAccountId: string }[];
}

export interface RdsInventoryOutcome {
  accounts: { cloudAccountId: string; found: number; markedDeleted: number; error?: string }[];
}

/** One refresh per account at a time: an on-demand refresh joins one already running. */
export function rdsInventoryWorkflowId(orgId: string, cloudAccountId: string): string {
  return organizationWorkflowId(orgId, `rds-inventory-${cloudAccountId}`);
}
