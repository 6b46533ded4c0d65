import type { LightMyRequestResponse } from 'fastify';
import type { Client } from '../../api/helpers/test-api.js';

/**
 * The API tests' client over real HTTP, for an API that runs as its own process (an installed chart's):
 * the same fixtures (createCluster, expectStatus…) then drive it. Only what they read of a response is
 * there: status, headers, body and json().
 */
export function httpClient(baseUrl: string, key: string): Client {
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: text,
      payload: text,
      json: () => JSON.parse(text) as unknown,
    };
    return answer as unknown as LightMyRequestResponse;
  };
  return {
    get: (path, headers) => send('GET', path, undefined, headers),
    post: (path, body, headers) => send('POST', path, body ?? {}, headers),
    put: (path, body, headers) => send('PUT', path, body, headers),
    delete: (path, headers) => send('DELETE', path, undefined, headers),
  };
}
