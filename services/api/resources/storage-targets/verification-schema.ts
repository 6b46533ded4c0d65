import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { VERIFICATION_STATUSES, VERIFICATION_TRIGGERS } from '../../../../lib/common/enums.js';
import { Id, Nullable, StringEnum } from '../../../../lib/domain/schema-kit.js';
import { VerificationModeSchema, VerificationSamplePercent } from '../../../../lib/domain/storage-verification.js';

/** A requested verification reads as the target's settings say unless the request says otherwise. */
export const VerifyRequest = Type.Object(
  {
    mode: Type.Optional(VerificationModeSchema),
    samplePercent: Type.Optional(VerificationSamplePercent),
  },
  { additionalProperties: false, default: {} },
);
export type VerifyRequest = Static<typeof VerifyRequest>;

const Finding = Type.Object({
  objectKey: Type.String({ description: 'The object at fault, as stored under the target (a pack, index or snapshot object).' }),
  message: Type.String(),
  snapshotId: Type.Optional(Type.String({ description: 'The repository snapshot that cannot be restored whole because of it.' })),
  path: Type.Optional(Type.String({ description: 'The file in the volume that needs the damaged chunk.' })),
  chunkId: Type.Optional(Type.String()),
});

const Figures = Type.Object({
  snapshots: Type.Integer(),
  packs: Type.Integer(),
  packsRead: Type.Integer({ description: 'Packs read in full and every chunk in them proven.' }),
  bytesRead: Type.Integer(),
  chunksRead: Type.Integer(),
  referencedChunks: Type.Integer(),
  damagedSnapshots: Type.Integer(),
});

export const StorageVerification = Type.Object({
  id: Id,
  storageTargetId: Id,
  status: StringEnum(VERIFICATION_STATUSES, { description: 'RUNNING, then PASSED (nothing found bad) or FAILED (objects found bad, or the repository could not be read: see message).' }),
  trigger: StringEnum(VERIFICATION_TRIGGERS),
  mode: VerificationModeSchema,
  samplePercent: Type.Integer(),
  message: Type.String(),
  figures: Nullable(Figures),
  findings: Type.Array(Finding, { description: 'The objects found bad (at most 200; findingCount counts all).' }),
  findingCount: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type StorageVerification = Static<typeof StorageVerification>;
