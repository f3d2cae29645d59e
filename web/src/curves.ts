// A job's curves: metric rows appended as they arrive (in step order, each step once), kept as the
// column arrays the charts draw.
import type { MetricRow } from "./types";

export class Curves {
  readonly steps: number[] = [];
  readonly trainLoss: number[] = [];
  readonly epochs: number[] = [];
  readonly valLoss: (number | null)[] = [];
  readonly valAccuracy: (number | null)[] = [];
  last: MetricRow | null = null;
  test: { loss?: number; accuracy?: number } = {};

  /** False for a step already added (a row seen twice across the history and the stream). */
  add(row: MetricRow): boolean {
    if (this.last && row.step <= this.last.step) return false;
    this.last = row;
    this.steps.push(row.step);
    this.trainLoss.push(row.train_loss);
    if (row.val_loss !== undefined || row.val_accuracy !== undefined) {
      this.epochs.push(row.epoch);
      this.valLoss.push(row.val_loss ?? null);
      this.valAccuracy.push(row.val_accuracy ?? null);
    }
    if (row.test_loss !== undefined) this.test = { loss: row.test_loss, accuracy: row.test_accuracy };
    return true;
  }
}
