import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { CLOUD_ACCOUNT_AUTH_KINDS } from '../../../../lib/common/enums.js';
import { Name, Nullable, RecordMeta, StringEnum, TaggedUnion, Timestamp } from '../../../../lib/domain/schema-kit.js';

/** Most AWS accounts have fewer than 30 regions enabled. */
export const MAX_CLOUD_ACCOUNT_REGIONS = 32;

export const AwsRegion = Type.String({ minLength: 5, maxLength: 32, pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]+$', description: 'An AWS region, e.g. eu-west-1.' });

const AccessKeysAuth = Type.Object(
  {
    kind: Type.Literal('ACCESS_KEYS'),
    accessKeyId: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Z0-9]+$' }),
    secretAccessKey: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false, description: 'An IAM user\'s keys. Write-only: stored encrypted, never returned.' },
);

const AssumeRoleAuth = Type.Object(
  {
    kind: Type.Literal('ASSUME_ROLE'),
    roleArn: Type.String({ maxLength: 2048, pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]+$', description: 'The cross-account role Haven assumes.' }),
  },
  {
    additionalProperties: false,
    description: 'A role whose trust policy lets Haven\'s own AWS identity assume it with the external id `haven-<organization id>` (the account\'s `externalId`).',
  },
);

export const CloudAccountCreate = Type.Object(
  {
    name: Name,
    regions: Type.Array(AwsRegion, { minItems: 1, maxItems: MAX_CLOUD_ACCOUNT_REGIONS, uniqueItems: true, description: 'Regions whose RDS databases the inventory lists.' }),
    auth: TaggedUnion('kind', [AccessKeysAuth, AssumeRoleAuth]),
  },
  { additionalProperties: false },
);
export type CloudAccountCreate = Static<typeof CloudAccountCreate>;

export const CloudAccount = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  authKind: StringEnum(CLOUD_ACCOUNT_AUTH_KINDS),
  roleArn: Nullable(Type.String()),
  externalId: Type.String({ description: 'The external id Haven passes when assuming the role: put it in the role\'s trust policy.' }),
  hasCredentials: Type.Boolean({ description: 'ACCESS_KEYS: keys are stored (never returned).' }),
  awsAccountId: Type.String({ description: 'The account the credentials belong to, as AWS answered when the account was checked.' }),
  regions: Type.Array(Type.String()),
  lastInventoryAt: Nullable(Timestamp),
  lastInventoryError: Nullable(Type.String(), { description: 'Why the last inventory failed; null after a successful one.' }),
});
export type CloudAccount = Static<typeof CloudAccount>;

export const InventoryRun = Type.Object({
  found: Type.Integer({ minimum: 0, description: 'Databases AWS lists in the account\'s regions.' }),
  markedDeleted: Type.Integer({ minimum: 0, description: 'Databases no longer listed, now marked deleted (kept, not dropped).' }),
  error: Type.Optional(Type.String()),
});
