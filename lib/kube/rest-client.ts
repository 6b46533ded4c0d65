import { Agent, request, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Connections kept open to the API server. Without a kept-alive pool every request paid a TLS handshake
 * (the kubeconfig's own agent is new on every call), which held a restore to about 250 objects/s; the
 * cap is above the largest concurrency a caller runs at (restore's apply concurrency, export's listing).
 */
export const KUBE_MAX_SOCKETS = 32;
/** Expired continuations in a row a listing goes on from (see `list`) before the 410 stands. */
const MAX_EXPIRED_CONTINUATIONS = 3;
/** A request may wait this long for its answer (a large list page on a loaded server included). */
const REQUEST_TIMEOUT_MS = 60_000;

/** The TLS material of the current kubeconfig user and cluster: the pool is reused while it is the same. */
function tlsIdentity(options: RequestOptions): string {
  const part = (value: unknown) => (value === undefined ? '' : Buffer.isBuffer(value) ? value.toString('base64') : String(value));
  return [options.ca, options.cert, options.key, options.pfx, options.passphrase, options.rejectUnauthorized, options.servername].map(part).join('|');
}

/** A request written to a kept-alive socket the server had just closed never reached it: sending it again is safe. */
function staleSocket(error: unknown): boolean {
  return (error as { reusedSocket?: boolean }).reusedSocket === true && (error as NodeJS.ErrnoException).code === 'ECONNRESET';
}

/** An error answer from the API server, with its HTTP status and the server's message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    message: string,
    /** With a 410 for an expired list continuation: where to go on from, at the latest version. */
    readonly continueToken?: string,
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
 * A small JSON client for the generic parts of the Kubernetes API (discovery, listing, creating and
 * replacing objects of any resource type). The typed clients of @kubernetes/client-node cover one group
 * each; backup must read, and restore must write, every group the cluster serves, including custom
 * resources it has never heard of.
 */
export class KubeRestClient {
  private pool: { identity: string; agent: Agent } | undefined;

  constructor(private readonly kubeConfig: KubeConfig) {}

  /** The kept-alive agent for these TLS settings; a rotated certificate or CA gets a fresh pool. */
  private agentFor(options: RequestOptions): Agent {
    const identity = tlsIdentity(options);
    if (this.pool?.identity === identity) return this.pool.agent;
    this.pool?.agent.destroy();
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = options;
    const agent = new Agent({ keepAlive: true, maxSockets: KUBE_MAX_SOCKETS, ca, cert, key, pfx, passphrase, servername, ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }) });
    this.pool = { identity, agent };
    return agent;
  }

  /** Closes the kept-alive connections (they would otherwise hold a process that is done open until they idle out). */
  close(): void {
    this.pool?.agent.destroy();
    this.pool = undefined;
  }

  async get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  /** Creates an object in a collection; a conflict is a `KubeApiError` with status 409. */
  async post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body, 'application/json');
  }

  /** Replaces an object; the body carries the live `resourceVersion`, so a concurrent change fails with 409. */
  async put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body, 'application/json');
  }

  /** Deletes an object; one already gone is not an error (idempotent). */
  async delete(path: string): Promise<void> {
    try {
      await this.send<unknown>('DELETE', path);
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
  }

  /** A JSON merge patch (RFC 7386): lists in it replace the stored lists whole. */
  async mergePatch<T>(path: string, patch: unknown): Promise<T> {
    return this.send<T>('PATCH', path, patch, 'application/merge-patch+json');
  }

  private async send<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const server = new URL(cluster.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const options: RequestOptions = {
      method,
      host: server.hostname,
      port: server.port || 443,
      path: `${server.pathname.replace(/\/$/, '')}${path}`,
      headers: {
        Accept: 'application/json',
        ...(payload && contentType ? { 'Content-Type': contentType, 'Content-Length': String(payload.length) } : {}),
      },
      timeout: REQUEST_TIMEOUT_MS,
    };
    // Read at every request: the user's token may be refreshed (exec plugins, projected service account tokens).
    await this.kubeConfig.applyToHTTPSOptions(options);
    options.agent = this.agentFor(options);
    try {
      return await this.exchange<T>(options, path, payload);
    } catch (error) {
      if (!staleSocket(error)) throw error;
      return this.exchange<T>(options, path, payload);
    }
  }

  private exchange<T>(options: RequestOptions, path: string, payload: Buffer | undefined): Promise<T> {
    return new Promise<T>((resolveSend, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            resolveSend(JSON.parse(text) as T);
            return;
          }
          let message = text.slice(0, 500);
          let continueToken: string | undefined;
          try {
            const answer = JSON.parse(text) as { message?: string; metadata?: { continue?: string } };
            message = answer.message ?? message;
            continueToken = answer.metadata?.continue || undefined;
          } catch {
            // keep the raw body
          }
          reject(new KubeApiError(status, path, message, continueToken));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${path}: request timed out`)));
      req.on('error', (error) => reject(Object.assign(error, { reusedSocket: req.reusedSocket })));
      req.end(payload);
    });
  }

  /**
   * Lists a collection page by page, so a cluster with many objects never needs one huge response.
   *
   * A continuation names the version of the first page, and once etcd has compacted that version (every
   * 5 minutes by default) the server answers 410 with a token that goes on after the last object given, at
   * the latest version. That token is taken: the items already yielded cannot be taken back, so starting
   * over would give them twice, and a backup of a big collection would otherwise fail for good whenever
   * its listing outlived a compaction. Objects changed meanwhile come at their newer version, as they
   * would from any later page.
   */
  async *list<T>(collectionPath: string, query: Record<string, string> = {}, pageSize = 500): AsyncGenerator<T> {
    let next: string | undefined;
    let expiredInARow = 0;
    do {
      const params = new URLSearchParams({ ...query, limit: String(pageSize), ...(next ? { continue: next } : {}) });
      let page: KubeList<T>;
      try {
        page = await this.get<KubeList<T>>(`${collectionPath}?${params.toString()}`);
      } catch (error) {
        // A fresh token is at the latest version: one that expires again at once is a server going nowhere.
        if (!(next && error instanceof KubeApiError && error.status === 410 && error.continueToken && expiredInARow < MAX_EXPIRED_CONTINUATIONS)) throw error;
        expiredInARow++;
        next = error.continueToken;
        continue;
      }
      expiredInARow = 0;
      yield* page.items;
      next = page.metadata?.continue || undefined;
    } while (next);
  }
}
