import { Type, type Static } from '@sinclair/typebox';

/**
 * Where a storage target's repository lives and how to open it. It holds credentials and the
 * repository secret, so it only ever travels inside encrypted Temporal payloads
 * (lib/common/temporal/payload-codec.ts) and is never logged.
 */
export const RepositoryAccessV1 = Type.Object({
  storageTargetId: Type.String(),
  /** A directory (filesystem targets) or `s3://bucket/prefix`. */
  location: Type.String({ minLength: 1 }),
  s3: Type.Optional(
    Type.Object({
      endpoint: Type.String(),
      region: Type.String(),
      pathStyle: Type.Boolean(),
      accessKeyId: Type.String(),
      secretAccessKey: Type.String(),
    }),
  ),
  /** The secret the repository keys are wrapped with (random, per storage target). */
  secret: Type.String({ minLength: 16 }),
  /** SafeLock: objects written get S3 Object Lock retention for this many days. */
  retentionDays: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type RepositoryAccess = Static<typeof RepositoryAccessV1>;
