import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Id, Name, Nullable, RecordMeta } from '../../../../lib/domain/schema-kit.js';

export const OrganizationPreferences = Type.Object(
  {
    defaultStorageTargetId: Nullable(Id, {
      default: null,
      description: 'The account default backup destination: used when neither the definition nor its cluster names one.',
    }),
  },
  { additionalProperties: false },
);

export const OrganizationInput = Type.Object(
  {
    name: Name,
    preferences: Type.Optional(OrganizationPreferences),
  },
  { additionalProperties: false },
);
export type OrganizationInput = Static<typeof OrganizationInput>;

export const Organization = Type.Object({
  ...RecordMeta,
  name: Type.String(),
  preferences: Type.Object({ defaultStorageTargetId: Nullable(Id) }),
});
export type Organization = Static<typeof Organization>;
