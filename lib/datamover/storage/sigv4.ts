import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 for the plain-HTTP S3 client: the few requests it sends (no presigning, no
 * chunked payloads, payload unsigned). Written here rather than taken from @smithy/signature-v4, whose
 * modules cost tens of milliseconds to load at every mover start, for a page of arithmetic.
 */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface RequestToSign {
  method: string;
  /** The path exactly as sent, already escaped (S3 signs it as is). */
  path: string;
  query: Readonly<Record<string, string>>;
  /** Lower-case names; every one is signed. `host` must be among them. */
  headers: Readonly<Record<string, string>>;
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 escaping, as SigV4 canonicalises query parameters (and S3 key segments). */
export function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string in canonical order, as it must also be sent. */
export function canonicalQuery(query: Readonly<Record<string, string>>): string {
  return Object.keys(query)
    .map((name) => [escapeUri(name), escapeUri(query[name]!)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export class SigV4Signer {
  private signingKey: { date: string; key: Buffer } | undefined;

  constructor(
    private readonly region: string,
    private readonly credentials: SigningCredentials,
    private readonly service = 's3',
  ) {}

  /** The request's headers plus x-amz-date, x-amz-content-sha256 (unsigned payload), the token if any, and authorization. */
  sign(request: RequestToSign, now = new Date()): Record<string, string> {
    const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...request.headers, 'x-amz-date': amzDate };
    headers['x-amz-content-sha256'] ??= UNSIGNED_PAYLOAD;
    if (this.credentials.sessionToken) headers['x-amz-security-token'] = this.credentials.sessionToken;
    const names = Object.keys(headers).sort();
    const canonicalHeaders = names.map((name) => `${name}:${headers[name]!.trim().replace(/\s+/g, ' ')}\n`).join('');
    const signedHeaders = names.join(';');
    const canonicalRequest = [request.method, request.path, canonicalQuery(request.query), canonicalHeaders, signedHeaders, headers['x-amz-content-sha256']].join('\n');
    const scope = `${date}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const signature = createHmac('sha256', this.keyFor(date)).update(stringToSign).digest('hex');
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
  }

  /** Derived once per day, as the scope changes. */
  private keyFor(date: string): Buffer {
    if (this.signingKey?.date !== date) {
      const dated = hmac(`AWS4${this.credentials.secretAccessKey}`, date);
      this.signingKey = { date, key: hmac(hmac(hmac(dated, this.region), this.service), 'aws4_request') };
    }
    return this.signingKey.key;
  }
}
