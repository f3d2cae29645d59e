// npm run load -- --jobs 1000 --clients 50 --workers 3 --pollers 200 [--window-s 15] [--poll-interval-ms 100] [--db sqlite|postgres]
// Starts the real API and worker processes on a database of their own (Redis from REDIS_URL, under
// a queue prefix of its own), runs scripts/load/run.ts and prints two tables. Numbers only: the
// exactly-once checks are asserted by test/faults/load.test.ts.
import { DEFAULT_LOAD, runLoad, type LoadOptions, type PollReport, type SubmitReport } from "./load/run.js";

function parseArgs(argv: string[]): Omit<LoadOptions, "log"> {
  const opts = { ...DEFAULT_LOAD };
  const flags: Record<string, (v: string) => void> = {
    "--jobs": (v) => (opts.jobs = Number(v)),
    "--clients": (v) => (opts.clients = Number(v)),
    "--workers": (v) => (opts.workers = Number(v)),
    "--pollers": (v) => (opts.pollers = Number(v)),
    "--window-s": (v) => (opts.windowMs = Number(v) * 1000),
    "--poll-interval-ms": (v) => (opts.pollIntervalMs = Number(v)),
    "--db": (v) => (opts.db = v === "postgres" ? "postgres" : "sqlite"),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const set = flags[argv[i]];
    const value = argv[i + 1];
    if (!set || value === undefined) throw new Error(`unknown option or missing value: ${argv[i]} (options: ${Object.keys(flags).join(" ")})`);
    set(value);
  }
  for (const [k, v] of Object.entries(opts)) if (typeof v === "number" && !(Number.isInteger(v) && v >= 0)) throw new Error(`${k} must be a non-negative integer`);
  return opts;
}

const ms = (x: number) => x.toFixed(1);

function submitTable(r: SubmitReport, o: Omit<LoadOptions, "log">): string {
  const rows: [string, string][] = [
    ["jobs submitted / accepted (202)", `${r.submitted} / ${r.accepted}`],
    ["rejected", Object.keys(r.rejected).length ? JSON.stringify(r.rejected) : "0"],
    ["submit latency p50 / p99 / max (ms)", `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`],
    [`API throughput, ${o.clients} clients (req/s)`, r.requestsPerSecond.toFixed(1)],
    ["time to drain, first submit to last job ended (s)", r.drainSeconds.toFixed(1)],
    ["job rows / lost / extra", `${r.jobRows} / ${r.lost} / ${r.extra}`],
    ["jobs ended exactly once", `${r.endedOnce} of ${r.jobRows}`],
    ["statuses", JSON.stringify(r.statuses)],
    ["metric rows expected / found", `${r.metricRowsExpected} / ${r.metricRowsFound}`],
    ["jobs with a gap or duplicate in their metrics", String(r.jobsWithBadMetrics)],
  ];
  return ["| load: tiny jobs | |", "| --- | ---: |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}

function pollTable(r: PollReport, o: Omit<LoadOptions, "log">): string {
  const cost = r.stepsPerSecondAlone > 0 ? (1 - r.stepsPerSecondPolled / r.stepsPerSecondAlone) * 100 : 0;
  const rows: [string, string][] = [
    ["pollers (ms each waits after an answer)", `${r.pollers} (${o.pollIntervalMs})`],
    ["jobs training meanwhile", String(r.trainingJobs)],
    ["GET /v1/jobs/:id/metrics requests / errors", `${r.requests} / ${r.errors}`],
    ["GET metrics latency p50 / p99 / max (ms)", `${ms(r.latencyMs.p50)} / ${ms(r.latencyMs.p99)} / ${ms(r.latencyMs.max)}`],
    ["training steps/s without pollers", r.stepsPerSecondAlone.toFixed(0)],
    ["training steps/s with pollers", `${r.stepsPerSecondPolled.toFixed(0)} (${cost >= 0 ? "-" : "+"}${Math.abs(cost).toFixed(0)}%)`],
  ];
  return ["| load: metric pollers | |", "| --- | ---: |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}

const opts = parseArgs(process.argv.slice(2));
const report = await runLoad({ ...opts, log: (line) => console.error(line) });
console.log(submitTable(report.submit, opts));
if (report.poll) console.log(`\n${pollTable(report.poll, opts)}`);
