import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyTypeProvider, RawServerDefault } from 'fastify';

/**
 * Fastify type provider for @sinclair/typebox 0.34, the schema library this project declares.
 * (@fastify/type-provider-typebox 6 is built for the renamed `typebox` 1.x package, whose Static
 * does not understand 0.34 schemas.) Request parts and replies are typed from the route schema.
 */
export interface TypeBoxProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

export type RoutePlugin = FastifyPluginAsync<Record<never, never>, RawServerDefault, TypeBoxProvider>;
