import { Type, type Static } from '@sinclair/typebox';
import { Id, Name } from '../../../lib/domain/schema-kit.js';
import { Email } from '../resources/users/schema.js';

export const NewOrganization = Type.Object(
  {
    name: Name,
    admin: Type.Object(
      {
        email: Email,
        displayName: Type.String({ minLength: 1, maxLength: 200, description: 'How the first admin is shown to people.' }),
      },
      { additionalProperties: false, description: 'The organization\'s first user, an admin; an API key is made for it.' },
    ),
  },
  { additionalProperties: false },
);
export type NewOrganization = Static<typeof NewOrganization>;

export const InstallationOrganization = Type.Object({ id: Id, name: Type.String(), createdAt: Type.String({ format: 'date-time' }) });
export type InstallationOrganization = Static<typeof InstallationOrganization>;

export const CreatedOrganization = Type.Object({
  ...InstallationOrganization.properties,
  admin: Type.Object({
    userId: Id,
    email: Type.String(),
    displayName: Type.String(),
    apiKeyId: Id,
    apiKey: Type.String({ description: 'The first admin\'s API key. Shown once: only its hash is kept.' }),
  }),
});
export type CreatedOrganization = Static<typeof CreatedOrganization>;

export const OrganizationList = Type.Object({ items: Type.Array(InstallationOrganization) });
