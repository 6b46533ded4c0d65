import { Type } from '@sinclair/typebox';
import type { TObject } from '@sinclair/typebox';
import { errorResponses } from '../../http/problem-schema.js';
import { Id, IdParams, StringEnum } from '../../../../lib/domain/schema-kit.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { lookUpDestination } from '../../../../lib/run-start/destination-lookup.js';
import { getDefinition } from './kind.js';
import type { DefinitionKindSpec } from './kind.js';

const ResolvedDestination = Type.Object({
  storageTargetId: Type.Union([Id, Type.Null()], { description: 'null when no level names a destination: runs would be refused.' }),
  inheritedFrom: Type.Union([StringEnum(['definition', 'cluster', 'organization'] as const), Type.Null()]),
});

/** Shows where a definition's next run would write, after job > cluster > account precedence. */
export function destinationRoutes<I extends TObject, O extends TObject>(spec: DefinitionKindSpec<I, O>): RoutePlugin {
  return async (app) => {
    app.get(
      `${spec.path}/:id/destination`,
      {
        schema: {
          tags: [spec.tag],
          summary: `Where the ${spec.what}'s data would go now (definition, else cluster, else organization default)`,
          params: IdParams,
          response: { 200: ResolvedDestination, ...errorResponses('not-found') },
        },
      },
      async (request) => {
        const row = await getDefinition(request.tenant, spec.kind, request.params.id, spec.what);
        const destination = await lookUpDestination(request.tenant, row);
        return destination ?? { storageTargetId: null, inheritedFrom: null };
      },
    );
  };
}
