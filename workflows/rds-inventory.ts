import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import { CONTROL, RDS_CALL } from './activity-profiles.js';
import type { RdsInventoryInput, RdsInventoryOutcome } from '../lib/domain/rds/inventory.js';

/**
 * One inventory pass: the accounts asked for (run inventory), or every account when the installation's
 * Schedule fires. Each account is refreshed on its own: one account AWS refuses records its error and
 * the others are still refreshed.
 */
export async function rdsInventoryWorkflow(input: RdsInventoryInput = {}): Promise<RdsInventoryOutcome> {
  const control = proxyActivities<ControlActivities>(CONTROL);
  const aws = proxyActivities<ControlActivities>({ ...RDS_CALL, startToCloseTimeout: '10m' });
  const accounts = input.accounts ?? (await control.listRdsInventoryAccounts());
  const outcome: RdsInventoryOutcome = { accounts: [] };
  for (const account of accounts) {
    outcome.accounts.push({ cloudAccountId: account.cloudAccountId, ...(await aws.refreshRdsInventory(account)) });
  }
  return outcome;
}
