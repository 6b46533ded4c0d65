/** One Server-Sent Event frame as a client sees it. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  contentType: string | null;
  /** Every event frame until the server closes the stream (comment lines are not events). */
  events(): AsyncGenerator<ServerSentEvent>;
  /** Goes away as a client does: the connection is dropped. */
  close(): void;
}

/** Opens `url` as a browser's EventSource would (one GET, `Accept: text/event-stream`), over a real connection. */
export async function openEventStream(url: string, key: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal: abort.signal });
  async function* events(): AsyncGenerator<ServerSentEvent> {
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const fields = frame.split('\n').filter((line) => !line.startsWith(':'));
          if (fields.length === 0) continue;
          const field = (name: string) => fields.filter((line) => line.startsWith(`${name}:`)).map((line) => line.slice(name.length + 1).trimStart());
          yield { event: field('event')[0] ?? 'message', data: field('data').join('\n') };
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events, close: () => abort.abort() };
}
