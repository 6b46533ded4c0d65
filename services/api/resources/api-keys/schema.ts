import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ROLES } from '../../../../lib/common/enums.js';
import { Description, Id, Name, Nullable, StringEnum, Timestamp } from '../../../../lib/domain/schema-kit.js';

export const Role = StringEnum(ROLES, {
  description: 'admin: everything, including keys, storage and preferences; operator: definitions and actions; viewer: read only.',
});

export const ApiKeyInput = Type.Object(
  {
    name: Name,
    description: Description,
    role: Role,
    userId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: "The user the key acts for; defaults to the calling key's user. The role may not exceed the user's.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ApiKeyInput = Static<typeof ApiKeyInput>;

export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  role: Role,
  userId: Nullable(Type.String({ format: 'uuid' }), {
    description:
      "The key's user. The key acts with its own role capped by the user's and stops working when the user is disabled " +
      'or deleted. Null only for keys made before users existed: those act with their own role.',
  }),
  keyHint: Type.String({ description: 'The last four characters of the key.' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }),
});
