// Riding out a database outage inside a worker: calls that fail because the database is unreachable
// are retried with backoff (0.25 s doubling to 5 s) until the outage has lasted `toleranceMs`; then
// the error goes up and the job goes back to the queue to resume from its last checkpoint. Any
// other error is not retried.
import { setTimeout as sleep } from "node:timers/promises";
import { isDatabaseUnavailable } from "../store/unavailable.js";

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

export class OutageRetry {
  private since: number | null = null;
  private delay = 0;

  /** `onRecovered` hears how long each outage lasted, once it is over. */
  constructor(private readonly toleranceMs: number, private readonly onRecovered: (outageMs: number) => void = () => undefined) {}

  /** The database answered: the outage, if any, is over. */
  recovered(): void {
    const since = this.since;
    this.since = null;
    this.delay = 0;
    if (since !== null) this.onRecovered(Date.now() - since);
  }

  /** A call failed: rethrows unless it is an outage still within its tolerance; returns how long to wait before the next try. */
  failed(err: unknown): number {
    if (!isDatabaseUnavailable(err)) throw err;
    this.since ??= Date.now();
    if (Date.now() - this.since >= this.toleranceMs) throw err;
    this.delay = Math.min(Math.max(this.delay * 2, FIRST_DELAY_MS), MAX_DELAY_MS);
    return this.delay;
  }

  get outage(): boolean {
    return this.since !== null;
  }

  /** Runs `fn` until it succeeds, waiting out an outage within the tolerance. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        const value = await fn();
        this.recovered();
        return value;
      } catch (err) {
        await sleep(this.failed(err));
      }
    }
  }
}
