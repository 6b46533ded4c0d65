import { checkAccount, type AccountCheck } from '../../../lib/aws/permissions.js';
import type { AccountAccess } from '../../../lib/aws/credentials.js';

/** Checks an account before it is saved: who the credentials are, and which of Haven's permissions they lack. */
export type CloudAccountChecker = (access: AccountAccess) => Promise<AccountCheck>;

export const awsCloudAccountChecker: CloudAccountChecker = checkAccount;
