// A job's server-sent events over fetch(): EventSource cannot send an Authorization header, so the
// stream is read from a fetch response (split into events by event-stream.ts) and reconnected here.
import { ApiError, apiFetch } from "./api";
import { readEvents, type ServerEvent } from "./event-stream";

export type { ServerEvent };

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export interface FollowOptions {
  signal: AbortSignal;
  /** Where to start, as a Last-Event-ID (default: the stream's beginning). */
  lastEventId?: string;
  /** True once the job's final status has arrived: the server then ends the stream for good. */
  finished: () => boolean;
  onEvent: (event: ServerEvent) => void;
  /** The stream broke (it reconnects from the last event id) or was refused for good (it stops). */
  onError: (err: unknown, willRetry: boolean) => void;
}

/** Follows a job's event stream to its end, reconnecting with Last-Event-ID after a break. */
export async function followJobEvents(jobId: string, opts: FollowOptions): Promise<void> {
  let lastId: string | null = opts.lastEventId ?? null;
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
