import { Type, type Static } from '@sinclair/typebox';
import type { Payload } from '@temporalio/common';

/** A payload as the Temporal remote codec protocol carries it: metadata values and data in base64. */
export const JsonPayload = Type.Object(
  {
    metadata: Type.Optional(Type.Record(Type.String(), Type.String({ contentEncoding: 'base64' }))),
    data: Type.Optional(Type.String({ contentEncoding: 'base64' })),
  },
  { additionalProperties: false },
);
export type JsonPayload = Static<typeof JsonPayload>;

export const CodecBody = Type.Object(
  { payloads: Type.Array(JsonPayload, { maxItems: 1000 }) },
  { additionalProperties: false, description: 'Temporal remote codec request and response: `{"payloads": [{"metadata": {...}, "data": "..."}]}`.' },
);
export type CodecBody = Static<typeof CodecBody>;

export function fromJson(payload: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

export function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}
