/** One Server-Sent Event: its `event:` name (default "message") and its `data:` lines joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Server-Sent Events from text chunks, as the HTML standard frames them: events end at a blank line,
 * `:` lines are comments (the keep-alive pings), several `data:` lines join with newlines.
 */
export async function* serverSentEvents(chunks: AsyncIterable<string>): AsyncGenerator<ServerSentEvent> {
  let buffered = '';
  let event = '';
  let data: string[] = [];
  for await (const chunk of chunks) {
    buffered += chunk;
    let end: number;
    while ((end = buffered.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + (buffered.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        // `event: end` may come without data; a named event is dispatched even so.
        if (data.length > 0 || event) yield { event: event || 'message', data: data.join('\n') };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
}
