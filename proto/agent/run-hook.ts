import { Type, type Static } from '@sinclair/typebox';
import { versionDecoder, versionedCodec } from './codec.js';

/** An app hook as the control plane resolved it from the definition's hook ids (API defaults applied). */
export const HookDefinitionV1 = Type.Object({
  name: Type.String(),
  type: Type.Union([Type.Literal('PRE_BACKUP'), Type.Literal('POST_BACKUP'), Type.Literal('POST_RESTORE')]),
  command: Type.Array(Type.String(), { minItems: 1 }),
  /** The product's label syntax: `key:value key2:v1,v2`. */
  podSelector: Type.String(),
  /** Empty: every namespace the run selects (`runNamespaces`); otherwise those of them the run selects too. */
  namespaces: Type.Array(Type.String()),
  /** null: the first container of each pod. */
  container: Type.Union([Type.String(), Type.Null()]),
  timeoutSeconds: Type.Integer({ minimum: 1 }),
  onError: Type.Union([Type.Literal('FAIL'), Type.Literal('CONTINUE')]),
});
export type HookDefinitionMessage = Static<typeof HookDefinitionV1>;

/** Control plane -> agent: run one hook in the pods it selects. */
export const RunHookRequestV1 = Type.Object({
  version: Type.Literal(1),
  jobId: Type.String(),
  hook: HookDefinitionV1,
  /** The run's selected namespaces, resolved by the agent's scope scan: the only ones the hook may run in. */
  runNamespaces: Type.Array(Type.String()),
});
export type RunHookRequest = Static<typeof RunHookRequestV1>;

const HookPodOutcomeV1 = Type.Object({
  namespace: Type.String(),
  pod: Type.String(),
  container: Type.String(),
  status: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED'), Type.Literal('SKIPPED')]),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  stdoutTail: Type.String(),
  stderrTail: Type.String(),
  durationMs: Type.Number({ minimum: 0 }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
});

export const HookReportV1 = Type.Object({
  hook: Type.String(),
  type: HookDefinitionV1.properties.type,
  onError: HookDefinitionV1.properties.onError,
  namespaces: Type.Array(Type.String()),
  /** Namespaces the hook names that the run did not select: not looked in. Added within v1 (optional), so older reports still decode. */
  notSelected: Type.Optional(Type.Array(Type.String())),
  verdict: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('NO_MATCHING_PODS'), Type.Literal('FAILED_CONTINUED'), Type.Literal('FAILED')]),
  outcomes: Type.Array(HookPodOutcomeV1),
});
export type HookReportMessage = Static<typeof HookReportV1>;

/** Agent -> control plane: every pod's outcome. A FAIL hook that failed is an ApplicationFailure instead (HOOK_FAILED, the report in its details). */
export const RunHookResultV1 = Type.Object({
  version: Type.Literal(1),
  report: HookReportV1,
});
export type RunHookResult = Static<typeof RunHookResultV1>;

export const runHookRequestCodec = versionedCodec<RunHookRequest>('run-hook request', {
  1: versionDecoder(RunHookRequestV1, (value) => value),
});

export const runHookResultCodec = versionedCodec<RunHookResult>('run-hook result', {
  1: versionDecoder(RunHookResultV1, (value) => value),
});
