import { Type } from '@sinclair/typebox';
import { eq } from 'drizzle-orm';
import { storageTargets, storageVerifications } from '../../../../lib/db/schema/index.js';
import { VERIFICATION_STATUSES } from '../../../../lib/common/enums.js';
import { requestedVerificationWorkflowId } from '../../../../lib/domain/runs/storage-verification.js';
import { IdParams, StringEnum } from '../../../../lib/domain/schema-kit.js';
import type { ApiContext } from '../../context.js';
import { Page, PageQuery } from '../../http/pagination.js';
import { errorResponses } from '../../http/problem-schema.js';
import type { RoutePlugin } from '../../http/type-provider.js';
import { StorageVerification, VerifyRequest } from './verification-schema.js';
import { verificationToApi } from './verification-store.js';

const tags = ['storage-targets'];
const what = 'storage target';

/** Verifying a target's repository on request, and the results of every verification (requested or scheduled). */
export function storageVerificationRoutes(context: ApiContext): RoutePlugin {
  return async (app) => {
    app.post(
      '/storage-targets/:id/actions/verify',
      {
        schema: {
          tags,
          summary: "Verify the target's repository now",
          description:
            'Checks every index, snapshot and manifest, and reads packs in full (a sample, or all with mode FULL) proving every chunk. ' +
            'Answers 202 with the RUNNING verification; its status and the objects found bad are read from GET .../verifications.',
          params: IdParams,
          body: VerifyRequest,
          response: { 202: StorageVerification, ...errorResponses('not-found', 'workflows-unavailable', 'engine-unavailable') },
        },
      },
      async (request, reply) => {
        const row = await request.tenant.transaction(async (scope) => {
          const target = await scope.get(storageTargets, request.params.id, what);
          const startedAt = context.clock.now();
          const workflowId = requestedVerificationWorkflowId(scope.orgId, target.id, startedAt);
          const inserted = await scope.insert(storageVerifications, {
            storageTargetId: target.id,
            status: 'RUNNING',
            trigger: 'REQUESTED',
            mode: request.body.mode ?? target.verification.mode,
            samplePercent: request.body.samplePercent ?? target.verification.samplePercent,
            startedAt,
            workflowId,
          });
          // In the transaction: if the engine refuses, no RUNNING record is left behind.
          await context.launcher.verifyStorageTarget({ orgId: scope.orgId, storageTargetId: target.id, verificationId: inserted.id, workflowId });
          return inserted;
        });
        return reply.code(202).send(verificationToApi(row));
      },
    );

    app.get(
      '/storage-targets/:id/verifications',
      {
        schema: {
          tags,
          summary: "List the target's verifications, newest first",
          params: IdParams,
          querystring: Type.Object({ ...PageQuery, status: Type.Optional(StringEnum(VERIFICATION_STATUSES)) }, { additionalProperties: false }),
          response: { 200: Page(StorageVerification), ...errorResponses('not-found', 'unprocessable') },
        },
      },
      async (request) => {
        const target = await request.tenant.get(storageTargets, request.params.id, what);
        const { limit, cursor, status } = request.query;
        const page = await request.tenant.list(storageVerifications, {
          limit,
          cursor,
          sort: { column: storageVerifications.startedAt, field: 'startedAt' },
          filters: [eq(storageVerifications.storageTargetId, target.id), status ? eq(storageVerifications.status, status) : undefined],
        });
        return { items: page.rows.map(verificationToApi), nextCursor: page.nextCursor };
      },
    );
  };
}
