// Server-sent events over fetch(): EventSource cannot send an Authorization header, so the stream is
// read from a fetch response and split into events here, following the text/event-stream rules.
import { ApiError, apiFetch } from "./api";

export interface ServerEvent {
  /** The last `id:` seen on the stream so far (what Last-Event-ID resumes from). */
  id: string | null;
  type: string;
  data: string;
}

export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let id: string | null = null;
  let type = "";
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
        if (end < 0 || (end === buffer.length - 1 && buffer[end] === "\r")) break;
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith("\r\n", end) ? 2 : 1));
        if (line === "") {
          if (data.length) yield { id, type: type || "message", data: data.join("\n") };
          type = "";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue; // a comment (keep-alive)
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const fieldValue = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(fieldValue);
        else if (field === "event") type = fieldValue;
        else if (field === "id" && !fieldValue.includes("\0")) id = fieldValue;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export interface FollowOptions {
  signal: AbortSignal;
  /** True once the job's final status has arrived: the server then ends the stream for good. */
  finished: () => boolean;
  onEvent: (event: ServerEvent) => void;
  /** The stream broke (it reconnects from the last event id) or was refused for good (it stops). */
  onError: (err: unknown, willRetry: boolean) => void;
}

/** Follows a job's event stream to its end, reconnecting with Last-Event-ID after a break. */
export async function followJobEvents(jobId: string, opts: FollowOptions): Promise<void> {
  let lastId: string | null = null;
  let delay = 1000;
  while (!opts.signal.aborted) {
    try {
      const res = await apiFetch(`/v1/jobs/${encodeURIComponent(jobId)}/events`, {
        signal: opts.signal,
        cache: "no-store",
        headers: lastId ? { "last-event-id": lastId } : {},
      });
      for await (const event of readEvents(res.body!)) {
        lastId = event.id ?? lastId;
        delay = 1000;
        opts.onEvent(event);
      }
      if (opts.finished()) return;
    } catch (err) {
      if (opts.signal.aborted) return;
      const refused = err instanceof ApiError && err.status < 500;
      opts.onError(err, !refused);
      if (refused) return;
    }
    await sleep(delay, opts.signal);
    delay = Math.min(delay * 2, 15_000);
  }
}
