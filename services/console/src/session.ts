import { havenClient, type HavenClient } from '../../../lib/client/client.js';

/** The API key lives in sessionStorage: it ends with the tab, and no other site can read it. */
const API_KEY_ITEM = 'haven.apiKey';

export function storedApiKey(): string | null {
  return sessionStorage.getItem(API_KEY_ITEM);
}

export function storeApiKey(apiKey: string): void {
  sessionStorage.setItem(API_KEY_ITEM, apiKey);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(API_KEY_ITEM);
}

/** The console is served by the API it talks to: same origin, so no CORS and no server setting. */
export function clientFor(apiKey: string): HavenClient {
  return havenClient({ server: window.location.origin, apiKey });
}
