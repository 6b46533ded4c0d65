import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { HOOK_ERROR_MODES, HOOK_TYPES } from '../../../../lib/common/enums.js';
import { Description, Name, NamespaceList, Nullable, RecordMeta, StringEnum } from '../../../../lib/domain/schema-kit.js';

export const DEFAULT_HOOK_TIMEOUT_SECONDS = 30;
export const MAX_HOOK_TIMEOUT_SECONDS = 3600;

export const HookType = StringEnum(HOOK_TYPES, {
  description: 'PRE_BACKUP runs before snapshots, POST_BACKUP once snapshots exist (or after live reads), POST_RESTORE after a restore.',
});

export const AppHookInput = Type.Object(
  {
    name: Name,
    description: Description,
    type: HookType,
    command: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
      minItems: 1,
      maxItems: 64,
      description: 'The program and its arguments, run in the container without a shell (use ["sh","-c","..."] for one).',
      examples: [['sh', '-c', 'pg_ctl stop -m fast']],
    }),
    podSelector: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'Pods to run in, in the label syntax `key:value key2:v1,v2` (all keys must match; commas are alternatives).',
    }),
    namespaces: { ...NamespaceList, description: 'Namespaces to look for pods in; empty means every namespace the run selects.' },
    container: Nullable(
      Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
      { default: null, description: 'Container to run in; null runs in the first container of each pod.' },
    ),
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: MAX_HOOK_TIMEOUT_SECONDS, default: DEFAULT_HOOK_TIMEOUT_SECONDS }),
    onError: StringEnum(HOOK_ERROR_MODES, {
      default: 'FAIL',
      description: 'FAIL stops the run at this hook; CONTINUE records the error (the run ends PARTIAL) and goes on.',
    }),
  },
  { additionalProperties: false },
);
export type AppHookInput = Static<typeof AppHookInput>;

export const AppHook = Type.Object({ ...RecordMeta, ...AppHookInput.properties, description: Type.String() });
export type AppHook = Static<typeof AppHook>;
