import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { ROLES } from '../../../../lib/common/enums.js';
import { RecordMeta, SINGLE_LINE_TRIMMED, StringEnum } from '../../../../lib/domain/schema-kit.js';

export const UserRole = StringEnum(ROLES, {
  description:
    "admin: everything, including users, keys, storage and preferences; operator: definitions and actions; viewer: read only. " +
    "Caps the role of every API key of the user.",
});

export const Email = Type.String({
  format: 'email',
  minLength: 3,
  maxLength: 254,
  description: 'Unique in the organization, compared case-insensitively; stored as entered.',
});

export const DisplayName = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: SINGLE_LINE_TRIMMED,
  description: 'How the user is shown; no control characters, no leading or trailing spaces.',
});

export const UserInput = Type.Object(
  {
    email: Email,
    displayName: DisplayName,
    role: UserRole,
    disabled: Type.Boolean({
      default: false,
      description: "A disabled user's API keys stop authenticating (401) at once; enabling the user again restores them.",
    }),
  },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

export const User = Type.Object({
  ...RecordMeta,
  email: Type.String(),
  displayName: Type.String(),
  role: UserRole,
  disabled: Type.Boolean(),
});
export type User = Static<typeof User>;

export const UserQuery = {
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Case-insensitive substring of the email.' })),
  role: Type.Optional(UserRole),
  disabled: Type.Optional(Type.Boolean({ description: 'Only disabled (true) or only enabled (false) users.' })),
};
