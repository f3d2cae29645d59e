// A server-sent events reader (the text/event-stream format): `event`, `data` (several lines join
// with "\n"), `id`; comment lines (": keep-alive") and unknown fields are skipped; a blank line ends
// a message. Lines may end in \n, \r\n or \r, and may be split anywhere across chunks.
export interface SseMessage {
  event: string;
  data: string;
  /** The last id the stream has set, this message's or an earlier one's (for Last-Event-ID). */
  id: string | undefined;
}

export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private lastId: string | undefined;

  /** Feeds a chunk of the stream; answers the messages it completed. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (end < 0 || (this.buffer[end] === "\r" && end === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith("\r\n", end) ? 2 : 1));
      const message = this.line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === "") {
      const message = this.data.length ? { event: this.event || "message", data: this.data.join("\n"), id: this.lastId } : undefined;
      this.event = "";
      this.data = [];
      return message;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
    if (field === "event") this.event = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    return undefined;
  }
}

/** The messages of a response body, as they arrive; `onChunk` hears every chunk (keep-alives too). */
export async function* readSse(body: ReadableStream<Uint8Array>, onChunk: () => void = () => {}): AsyncGenerator<SseMessage> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    onChunk();
    for (const message of parser.push(decoder.decode(chunk, { stream: true }))) yield message;
  }
}
