import { useEffect, useState } from 'react';
import { answer, type HavenClient } from '../../../lib/client/client.js';

/** What a page loaded: the data, or why it could not (the API's problem, said in one line). */
export type Loaded<T> = { state: 'loading' } | { state: 'ready'; data: T } | { state: 'failed'; message: string };

/**
 * Loads with the typed client and, with `pollMs`, loads again on that period while the page is open:
 * the jobs pages follow live progress this way. `deps` restart it (another record, another filter).
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: number): Loaded<T> {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const data = await load();
        if (live) setLoaded({ state: 'ready', data });
      } catch (error) {
        if (live) setLoaded({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
      if (live && pollMs) timer = setTimeout(() => void tick(), pollMs);
    };
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, deps);
  return loaded;
}

export { answer };
export type { HavenClient };

type Answer = { data?: unknown; error?: unknown; response: Response };
type Init = { params?: { path?: Record<string, string>; query?: Record<string, unknown> }; body?: unknown; headers?: Record<string, string> };

/**
 * The same client, reached by a path chosen at run time: the definition kinds (backup, replication,
 * restore drill, RDS backup) share their routes' shapes, so one page serves them all by collection path.
 * Bodies are checked against the operation's schema from the API's document before they are sent.
 */
export interface PathClient {
  GET(path: string, init?: Init): Promise<Answer>;
  POST(path: string, init?: Init): Promise<Answer>;
  PUT(path: string, init?: Init): Promise<Answer>;
  DELETE(path: string, init?: Init): Promise<Answer>;
}

export const byPath = (client: HavenClient): PathClient => client as unknown as PathClient;
