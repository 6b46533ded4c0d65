import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { STORAGE_TARGET_KINDS } from '../../../../lib/common/enums.js';
import { Name, RecordMeta, StringEnum, TaggedUnion } from '../../../../lib/domain/schema-kit.js';
import { VerificationSettings } from '../../../../lib/domain/storage-verification.js';

/** S3 bucket naming rules (lower case, 3-63 characters, no leading/trailing dot or dash). */
const Bucket = Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$' });

const S3Settings = {
  name: Name,
  verification: VerificationSettings,
  kind: Type.Literal('S3'),
  endpoint: Type.String({
    format: 'uri',
    pattern: '^https?://',
    maxLength: 2048,
    description: 'S3 API endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:9000.',
  }),
  region: Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$', default: 'us-east-1' }),
  bucket: Bucket,
  prefix: Type.String({
    maxLength: 512,
    // Explicit ranges rather than `.`, which stops at \\r in JavaScript but not in Python (see SINGLE_LINE_TRIMMED).
    pattern: '^(?:[^/\\x00-\\x1f\\x7f][^\\x00-\\x1f\\x7f]*)?$',
    default: '',
    description: 'Key prefix inside the bucket under which Haven writes; no leading slash, no control characters.',
  }),
  pathStyle: Type.Boolean({ default: false, description: 'Address the bucket as endpoint/bucket (MinIO and most S3-compatible servers) instead of bucket.endpoint.' }),
  skipTlsVerify: Type.Boolean({ default: false, description: 'Disable TLS certificate validation (self-signed endpoints only).' }),
  objectLockCapable: Type.Boolean({
    default: false,
    description:
      'Require S3 Object Lock: the target is refused (422) unless its bucket has an Object Lock configuration. Whatever is sent, the stored value is what the probe of the bucket found; SafeLock recovery points can only be written to such a target.',
  }),
};

const S3Credentials = Type.Object(
  {
    accessKeyId: Type.String({ minLength: 1, maxLength: 256 }),
    secretAccessKey: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false, description: 'Write-only: stored encrypted, never returned.' },
);

const FilesystemSettings = {
  name: Name,
  verification: VerificationSettings,
  kind: Type.Literal('FILESYSTEM'),
  path: Type.String({
    minLength: 2,
    maxLength: 4096,
    pattern: '^/',
    description: 'Absolute directory for a single-machine installation; must be reachable by every data mover.',
  }),
};

const FilesystemInput = Type.Object(FilesystemSettings, { additionalProperties: false });

export const StorageTargetCreate = TaggedUnion('kind', [
  Type.Object({ ...S3Settings, credentials: S3Credentials }, { additionalProperties: false }),
  FilesystemInput,
]);
export type StorageTargetCreate = Static<typeof StorageTargetCreate>;

/** On update, credentials may be left out to keep the stored ones. */
export const StorageTargetUpdate = TaggedUnion('kind', [
  Type.Object({ ...S3Settings, credentials: Type.Optional(S3Credentials) }, { additionalProperties: false }),
  FilesystemInput,
]);
export type StorageTargetUpdate = Static<typeof StorageTargetUpdate>;

export const StorageTarget = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  kind: StringEnum(STORAGE_TARGET_KINDS),
  objectLockCapable: Type.Boolean(),
  endpoint: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  bucket: Type.Optional(Type.String()),
  prefix: Type.Optional(Type.String()),
  pathStyle: Type.Optional(Type.Boolean()),
  skipTlsVerify: Type.Optional(Type.Boolean()),
  hasCredentials: Type.Optional(Type.Boolean({ description: 'Credentials are stored (they are never returned).' })),
  path: Type.Optional(Type.String()),
  verification: VerificationSettings,
});
export type StorageTarget = Static<typeof StorageTarget>;
