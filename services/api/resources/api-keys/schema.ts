import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ROLES } from '../../../common/enums.js';
import { Description, Id, Name, Nullable, StringEnum, Timestamp } from '../../http/schema-kit.js';

export const Role = StringEnum(ROLES, {
  description: 'admin: everything, including keys, storage and preferences; operator: definitions and actions; viewer: read only.',
});

export const ApiKeyInput = Type.Object(
  { name: Name, description: Description, role: Role },
  { additionalProperties: false },
);
export type ApiKeyInput = Static<typeof ApiKeyInput>;

export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  role: Role,
  keyHint: Type.String({ description: 'The last four characters of the key.' }),
  createdAt: Timestamp,
  lastUsedAt: Nullable(Timestamp),
});
export type ApiKey = Static<typeof ApiKey>;

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }),
});
