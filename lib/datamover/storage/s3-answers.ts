/**
 * Reading S3's answers without the SDK: the few fields used are found by tag (no XML parser), and error
 * answers become errors shaped like the SDK's, so retries and not-found handling work on both clients.
 */

/** An S3 error answer, shaped like the SDK's service exceptions. */
class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number, code: string | undefined, message: string) {
    super(message);
    this.name = code ?? (status === 404 ? 'NotFound' : status === 412 ? 'PreconditionFailed' : `Http${status}`);
    this.$metadata = { httpStatusCode: status };
  }
}

export function responseError(method: string, status: number, body: string): S3ResponseError {
  const code = xmlValue(body, 'Code');
  const message = xmlValue(body, 'Message');
  return new S3ResponseError(status, code, `S3 ${method} answered ${status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`);
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

/** The text of the first `<tag>` element (S3's answers never nest an element in one of the same name). */
export function xmlValue(xml: string, tag: string): string | undefined {
  const start = xml.indexOf(`<${tag}>`);
  if (start < 0) return undefined;
  const end = xml.indexOf(`</${tag}>`, start);
  return end < 0 ? undefined : decodeXml(xml.slice(start + tag.length + 2, end));
}

/** The raw inner XML of every `<tag>` element, in order. */
export function xmlElements(xml: string, tag: string): string[] {
  const found: string[] = [];
  for (let start = xml.indexOf(`<${tag}>`); start >= 0; start = xml.indexOf(`<${tag}>`, start)) {
    const end = xml.indexOf(`</${tag}>`, start);
    if (end < 0) break;
    found.push(xml.slice(start + tag.length + 2, end));
    start = end;
  }
  return found;
}
