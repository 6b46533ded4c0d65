import { Type } from '@sinclair/typebox';

/** `deployments.apps`, `configmaps`, `widgets.example.com`: plural resource name with optional API group. */
export const ResourceType = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
});
