import { request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** An error answer from the API server, with its HTTP status and the server's message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    message: string,
  ) {
    super(`${path}: HTTP ${status}: ${message}`);
    this.name = 'KubeApiError';
  }
}

export interface KubeList<T> {
  items: T[];
  metadata?: { continue?: string; resourceVersion?: string };
}

/**
 * A small JSON client for the generic parts of the Kubernetes API (discovery, listing any resource
 * type). The typed clients of @kubernetes/client-node cover one group each; backup must read every
 * group the cluster serves, including custom resources it has never heard of.
 */
export class KubeRestClient {
  constructor(private readonly kubeConfig: KubeConfig) {}

  async get<T>(path: string): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const server = new URL(cluster.server);
    const options: RequestOptions = {
      method: 'GET',
      host: server.hostname,
      port: server.port || 443,
      path: `${server.pathname.replace(/\/$/, '')}${path}`,
      headers: { Accept: 'application/json' },
      timeout: 60_000,
    };
    await this.kubeConfig.applyToHTTPSOptions(options);
    return new Promise<T>((resolveGet, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolveGet(JSON.parse(body) as T);
            return;
          }
          let message = body.slice(0, 500);
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? message;
          } catch {
            // keep the raw body
          }
          reject(new KubeApiError(status, path, message));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${path}: request timed out`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Lists a collection page by page, so a cluster with many objects never needs one huge response. */
  async *list<T>(collectionPath: string, query: Record<string, string> = {}, pageSize = 500): AsyncGenerator<T> {
    let next: string | undefined;
    do {
      const params = new URLSearchParams({ ...query, limit: String(pageSize), ...(next ? { continue: next } : {}) });
      const page = await this.get<KubeList<T>>(`${collectionPath}?${params.toString()}`);
      yield* page.items;
      next = page.metadata?.continue || undefined;
    } while (next);
  }
}
