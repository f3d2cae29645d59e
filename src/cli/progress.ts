// Live progress of a training job: one cli-progress bar per epoch (steps of that epoch, step rate,
// ETA, current loss). A finished epoch's bar stays on screen, completed; the next one starts below it.
import cliProgress from "cli-progress";
import { formatNumber } from "./format.js";
import type { Job } from "./types.js";

const FORMAT = "epoch {epoch} [{bar}] {value}/{total} | {rate} steps/s | ETA {eta_formatted} | loss {loss}";

export class EpochBars {
  private readonly multibar = new cliProgress.MultiBar(
    { format: FORMAT, barsize: 24, hideCursor: true, clearOnComplete: false, stopOnComplete: false, etaBuffer: 20, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  private bars = new Map<number, cliProgress.SingleBar>();
  private lastSample: { step: number; at: number } | null = null;
  private rate = 0;

  /** Moves the bars to the job's current step. */
  update(job: Job): void {
    const { step, total_steps } = job.progress;
    const epochs = Math.max(1, job.spec.epochs);
    const perEpoch = Math.max(1, Math.ceil(total_steps / epochs));
    this.updateRate(step);
    const payload = { loss: formatNumber(job.latest_metrics?.train_loss), rate: this.rate.toFixed(1) };
    // Every epoch up to the current one gets a bar; earlier ones are full.
    const current = Math.min(epochs, Math.floor(Math.max(0, step - 1) / perEpoch) + 1);
    for (let epoch = 1; epoch <= current; epoch++) {
      const inEpoch = Math.min(perEpoch, Math.max(0, step - (epoch - 1) * perEpoch));
      const bar = this.bars.get(epoch) ?? this.addBar(epoch, perEpoch, payload);
      // A finished epoch's bar keeps the rate and loss it ended with.
      if (bar.getProgress() < 1) bar.update(inEpoch, { ...payload, epoch });
    }
  }

  stop(): void {
    this.multibar.stop();
  }

  private addBar(epoch: number, perEpoch: number, payload: object): cliProgress.SingleBar {
    const bar = this.multibar.create(perEpoch, 0, { ...payload, epoch });
    this.bars.set(epoch, bar);
    return bar;
  }

  /** Steps per second, smoothed over the polls. */
  private updateRate(step: number): void {
    const now = Date.now();
    if (this.lastSample && now > this.lastSample.at && step >= this.lastSample.step) {
      const instant = ((step - this.lastSample.step) * 1000) / (now - this.lastSample.at);
      this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
    }
    this.lastSample = { step, at: now };
  }
}
