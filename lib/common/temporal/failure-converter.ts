import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (DataConverter.failureConverterPath) so workflow code, which runs in the worker's
 * sandbox, uses it too: failure messages and stack traces travel as an encoded attribute, sealed by the
 * payload codec like any payload.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
