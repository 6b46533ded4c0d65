/**
 * The demo talks to Haven only as any client would: HTTP on /api/v1 with an API key. Errors carry the
 * problem document's detail and fields, so a refused request reads as the API explained it.
 */
export class HavenApi {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ body: T; etag: string | null }> {
    const response = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /api/v1${path}: ${response.status} ${problemText(text)}`);
    return { body: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('etag') };
  }

  async get<T>(path: string): Promise<T> {
    return (await this.call<T>('GET', path)).body;
  }

  async post<T>(path: string, body: unknown = {}): Promise<T> {
    return (await this.call<T>('POST', path, body)).body;
  }

  /** The record with exactly this name, if there is one (the list's `name` filter matches substrings). */
  async findByName<T extends { name: string }>(collection: string, name: string): Promise<T | undefined> {
    const page = await this.get<{ items: T[] }>(`/${collection}?name=${encodeURIComponent(name)}&limit=200`);
    return page.items.find((item) => item.name === name);
  }
}

function problemText(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string; errors?: { field: string; reason: string }[] };
    const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`).join('; ');
    return [problem.detail ?? problem.title, fields].filter(Boolean).join(' — ');
  } catch {
    return text;
  }
}

/** Whether the API answers yet. */
export async function apiHealthy(baseUrl: string): Promise<boolean> {
  return fetch(`${baseUrl}/healthz`).then(
    (response) => response.ok,
    () => false,
  );
}
