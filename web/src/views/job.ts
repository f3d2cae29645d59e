// One job: status, progress, live curves (train loss per step, validation loss and accuracy per
// epoch) fed by the job's event stream, the model, checkpoints and weights downloads, the error of a
// failed job, and cancel.
import { ApiError, download, errorMessage, getJson, postJson } from "../api";
import { LineChart } from "../chart";
import { Curves } from "../curves";
import { fill, h } from "../dom";
import { classSpec, count, dateTime, duration, metric, num, percent, shortId } from "../format";
import { followJobEvents, type ServerEvent } from "../sse";
import { isTerminal, type Checkpoint, type Dataset, type Job, type JobModel, type JobStatus, type MetricRow } from "../types";
import { activityText } from "./activity";
import { checkpointsTable } from "./checkpoints";
import { definitionList, progressBar, section, statusBadge } from "./parts";

const JOB_REFRESH_MS = 2000;
const HISTORY_PAGE = 10_000; // the metrics route's largest page
const CHECKPOINT_REFRESH_MS = 5000;

export function jobView(root: HTMLElement, jobId: string): () => void {
  const abort = new AbortController();
  const timers: ReturnType<typeof setTimeout>[] = [];
  const curves = new Curves();
  let job: Job | null = null;
  let datasetName: string | null = null; // an upload's name, looked up once
  let confirmingCancel = false;
  let chartFrame = 0;

  const trainChart = new LineChart({
    xLabel: "step",
    series: [{ label: "train loss", color: "#2563eb", scale: "loss", format: (v) => v.toPrecision(4) }],
    axes: [{ scale: "loss", label: "loss", side: "left" }],
  });
  trainChart.element.id = "train-chart";
  const valChart = new LineChart({
    xLabel: "epoch",
    series: [
      { label: "val loss", color: "#ea580c", scale: "loss", format: (v) => v.toPrecision(4) },
      { label: "val accuracy", color: "#16a34a", scale: "accuracy", format: (v) => `${(v * 100).toFixed(2)}%` },
    ],
    axes: [
      { scale: "loss", label: "loss", side: "left" },
      { scale: "accuracy", label: "accuracy", side: "right", range: [0, 1] },
    ],
  });
  valChart.element.id = "val-chart";

  const title = h("h1", {}, "Job ", h("span", { class: "mono" }, jobId));
  const badge = h("span", { id: "job-status" });
  const cancelBox = h("div", { class: "cancel-box", id: "cancel-box" });
  const notice = h("p", { class: "notice error", id: "job-notice", role: "alert", hidden: true });
  const progress = h("div", { class: "progress-block", id: "job-progress" });
  const errorBox = h("div", { class: "error-box", id: "job-error", hidden: true });
  const facts = h("div");
  const latest = h("div", { id: "latest-metrics" });
  const valNote = h("p", { class: "muted small", id: "val-note", hidden: true });
  const modelBox = h("div", { id: "model" }, h("p", { class: "muted" }, "Loading…"));
  const checkpointsBox = h("div", { id: "checkpoints" }, h("p", { class: "muted" }, "Loading…"));
  const weightsBox = h("div", { id: "final-weights" });
  const activity = h("ol", { class: "activity", id: "activity" });

  fill(
    root,
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← Jobs")),
    h("div", { class: "page-head" }, h("div", { class: "title-row" }, title, badge), cancelBox),
    notice,
    progress,
    errorBox,
    h(
      "div",
      { class: "charts" },
      section("Training loss (per step)", "train-curve", trainChart.element),
      section("Validation (per epoch)", "val-curve", valChart.element, valNote),
    ),
    h("div", { class: "grid" }, section("Job", "job-facts", facts), section("Metrics", "job-metrics", latest)),
    section("Model", "job-model", modelBox),
    section("Weights", "job-weights", weightsBox, checkpointsBox),
    section("Activity", "job-activity", activity),
  );

  const showNotice = (text: string | null) => {
    notice.hidden = !text;
    notice.textContent = text ?? "";
  };
  const downloadFailed = (err: unknown) => showNotice(`Download failed: ${errorMessage(err)}`);
  const later = (fn: () => void, ms: number) => {
    if (!abort.signal.aborted) timers.push(setTimeout(fn, ms));
  };

  function renderValNote(): void {
    if (!job) return;
    const text =
      job.spec.validation_split === 0
        ? "This job has no validation split (validation_split 0), so no per-epoch validation metrics are logged."
        : curves.epochs.length === 0
          ? "Validation loss and accuracy are logged at the end of each epoch."
          : "";
    valNote.hidden = !text;
    valNote.textContent = text;
  }

  function drawCharts(): void {
    if (chartFrame) return;
    chartFrame = requestAnimationFrame(() => {
      chartFrame = 0;
      trainChart.setData(curves.steps, [curves.trainLoss]);
      valChart.setData(curves.epochs, [curves.valLoss, curves.valAccuracy]);
      renderValNote();
    });
  }

  function renderCancel(): void {
    if (!job) return;
    const status: JobStatus = job.status;
    if (status === "cancelling") return fill(cancelBox, h("span", { class: "muted" }, "Cancelling: the worker stops within about a second."));
    if (status !== "queued" && status !== "running") return fill(cancelBox);
    if (!confirmingCancel) {
      return fill(cancelBox, h("button", { class: "button danger", id: "cancel", type: "button", onclick: () => ((confirmingCancel = true), renderCancel()) }, "Cancel job"));
    }
    fill(
      cancelBox,
      h("span", {}, "Stop this job? Its checkpoints are kept."),
      h("button", { class: "button danger", id: "cancel-confirm", type: "button", onclick: () => void cancel() }, "Yes, cancel"),
      h("button", { class: "button subtle", id: "cancel-keep", type: "button", onclick: () => ((confirmingCancel = false), renderCancel()) }, "Keep training"),
    );
  }

  async function cancel(): Promise<void> {
    try {
      const updated = await postJson<Job>(`/v1/jobs/${encodeURIComponent(jobId)}/cancel`);
      confirmingCancel = false;
      setJob(updated);
    } catch (err) {
      showNotice(`Could not cancel: ${errorMessage(err)}`);
      void refreshJob();
    }
  }

  function renderProgress(): void {
    if (!job) return;
    const step = Math.max(job.progress.step, curves.last?.step ?? 0);
    const shown: Job = { ...job, progress: { ...job.progress, step } };
    fill(
      progress,
      progressBar(shown),
      h("p", { class: "muted small" }, `step ${count(step)} of ${count(job.progress.total_steps)} (${percent(shown).toFixed(1)}%) · epoch ${job.progress.epoch} of ${job.spec.epochs}`),
    );
  }

  function renderLatest(): void {
    const row = curves.last;
    const fromJob = job?.latest_metrics ?? {};
    const lastVal = curves.epochs.length - 1;
    fill(
      latest,
      definitionList([
        ["train loss", metric(row?.train_loss ?? fromJob.train_loss)],
        ["learning rate", row ? num(row.lr) : "–"],
        ["val loss", metric(lastVal >= 0 ? curves.valLoss[lastVal] : fromJob.val_loss)],
        ["val accuracy", metric(lastVal >= 0 ? curves.valAccuracy[lastVal] : fromJob.val_accuracy, "accuracy")],
        ["test loss", metric(curves.test.loss ?? fromJob.test_loss)],
        ["test accuracy", metric(curves.test.accuracy ?? fromJob.test_accuracy, "accuracy")],
      ]),
    );
  }

  function renderFacts(): void {
    if (!job) return;
    const spec = job.spec;
    fill(
      facts,
      definitionList([
        ["data set", spec.dataset.name ?? (datasetName ? `${datasetName} (${spec.dataset.id})` : spec.dataset.id ?? "–")],
        ["loss", h("code", {}, classSpec(spec.loss))],
        ["optimizer", h("code", {}, classSpec(spec.optimizer))],
        ["lr scheduler", h("code", {}, classSpec(spec.lr_scheduler))],
        ["epochs · batch size", `${spec.epochs} · ${spec.batch_size}`],
        ["seed · validation split", `${spec.seed} · ${spec.validation_split}`],
        ["checkpoint every", `${count(spec.checkpoint_every_steps)} steps`],
        ["created", dateTime(job.created_at)],
        ["started", dateTime(job.started_at)],
        ["finished", dateTime(job.finished_at)],
        ["run time", duration(job.started_at, job.finished_at)],
        ["attempts", String(job.attempts)],
      ]),
    );
  }

  function renderWeights(): void {
    if (!job) return;
    if (job.status !== "succeeded") {
      fill(weightsBox, h("p", { class: "muted" }, job.status === "failed" || job.status === "cancelled" ? "No final weights: the job did not finish." : "The final weights are ready when the job has succeeded."));
      return;
    }
    fill(
      weightsBox,
      h(
        "button",
        { class: "button primary", id: "download-weights", type: "button", onclick: () => void download(`/v1/jobs/${encodeURIComponent(jobId)}/weights`, `${jobId}.safetensors`).catch(downloadFailed) },
        "Download final weights (.safetensors)",
      ),
    );
  }

  function setJob(next: Job): void {
    const changed = job?.status !== next.status;
    job = next;
    fill(badge, statusBadge(job.status));
    document.title = `${job.status} · ${shortId(job.id)} · Trainyard`;
    renderValNote();
    errorBox.hidden = !job.error;
    if (job.error) fill(errorBox, h("strong", {}, job.status === "failed" ? "The job failed: " : "Error: "), h("span", { id: "job-error-message" }, job.error));
    renderCancel();
    renderProgress();
    renderFacts();
    renderLatest();
    renderWeights();
    if (changed) void refreshCheckpoints();
  }

  async function refreshJob(): Promise<void> {
    try {
      setJob(await getJson<Job>(`/v1/jobs/${encodeURIComponent(jobId)}`, abort.signal));
    } catch (err) {
      if (abort.signal.aborted) return;
      if (err instanceof ApiError && err.status === 404) {
        fill(root, h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← Jobs")), h("p", { class: "notice error" }, err.message));
        abort.abort();
        return;
      }
      showNotice(`Could not load the job: ${errorMessage(err)}`);
    }
  }

  async function pollJob(): Promise<void> {
    if (!document.hidden) await refreshJob(); // the event stream keeps a background tab current
    if (job && !isTerminal(job.status)) later(() => void pollJob(), JOB_REFRESH_MS);
  }

  async function refreshCheckpoints(): Promise<void> {
    try {
      const { checkpoints } = await getJson<{ checkpoints: Checkpoint[] }>(`/v1/jobs/${encodeURIComponent(jobId)}/checkpoints`, abort.signal);
      if (!checkpoints.length) return fill(checkpointsBox, h("p", { class: "muted" }, job && isTerminal(job.status) ? "No checkpoints." : "No checkpoints yet."));
      fill(checkpointsBox, checkpointsTable(jobId, checkpoints, downloadFailed));
    } catch (err) {
      if (!abort.signal.aborted) fill(checkpointsBox, h("p", { class: "notice error" }, `Could not load the checkpoints: ${errorMessage(err)}`));
    }
  }

  async function pollCheckpoints(): Promise<void> {
    if (job && !isTerminal(job.status)) await refreshCheckpoints();
    if (!job || !isTerminal(job.status)) later(() => void pollCheckpoints(), CHECKPOINT_REFRESH_MS);
  }

  async function loadDatasetName(): Promise<void> {
    const id = job?.spec.dataset.id;
    if (!id) return;
    try {
      datasetName = (await getJson<Dataset>(`/v1/datasets/${encodeURIComponent(id)}`, abort.signal)).name;
      renderFacts();
    } catch {
      // the id alone is shown
    }
  }

  async function loadModel(): Promise<void> {
    try {
      const model = await getJson<JobModel>(`/v1/jobs/${encodeURIComponent(jobId)}/model`, abort.signal);
      fill(
        modelBox,
        h("p", {}, h("strong", { id: "param-count" }, count(model.param_count)), " parameters", model.model_id ? ` · stored model ${model.model_id}` : ""),
        h("pre", { class: "printout", id: "printout" }, model.printout),
      );
    } catch (err) {
      if (!abort.signal.aborted) fill(modelBox, h("p", { class: "notice error" }, `Could not load the model: ${errorMessage(err)}`));
    }
  }

  /** Loads the metrics logged so far; returns the last step loaded. */
  async function loadHistory(): Promise<number> {
    let after = 0;
    try {
      for (;;) {
        const page = await getJson<{ metrics: MetricRow[]; next_after: number }>(`/v1/jobs/${encodeURIComponent(jobId)}/metrics?after=${after}&limit=${HISTORY_PAGE}`, abort.signal);
        for (const row of page.metrics) curves.add(row);
        after = page.next_after;
        if (page.metrics.length < HISTORY_PAGE) break;
      }
    } catch {
      // the event stream sends whatever is missing
    }
    drawCharts();
    renderProgress();
    renderLatest();
    return curves.last?.step ?? 0;
  }

  let finalStatusSeen = false;
  let streamBroke = false;
  function onEvent(event: ServerEvent): void {
    if (streamBroke) {
      streamBroke = false;
      showNotice(null);
    }
    if (event.type === "metric") {
      if (curves.add(JSON.parse(event.data) as MetricRow)) {
        drawCharts();
        renderProgress();
        renderLatest();
      }
      return;
    }
    activity.append(h("li", {}, activityText(event)));
    if (event.type === "status") {
      const status = (JSON.parse(event.data) as { status: JobStatus }).status;
      finalStatusSeen = isTerminal(status);
      if (job && status !== job.status) void refreshJob();
    }
  }

  void (async () => {
    await refreshJob();
    if (!job) return;
    void loadModel();
    void loadDatasetName();
    later(() => void pollJob(), JOB_REFRESH_MS);
    later(() => void pollCheckpoints(), CHECKPOINT_REFRESH_MS);
    // The steps logged so far come in large pages (the event stream sends 1000 per poll), then the
    // stream follows from there: its ids are "EVENT:STEP", so "0:STEP" replays the status events
    // and sends the metrics after STEP.
    const loaded = await loadHistory();
    await followJobEvents(jobId, {
      signal: abort.signal,
      lastEventId: `0:${loaded}`,
      finished: () => finalStatusSeen,
      onEvent,
      onError: (err, willRetry) => (streamBroke = true) && showNotice(`The live stream ${willRetry ? "broke; reconnecting" : "stopped"}: ${errorMessage(err)}`),
    });
    if (!abort.signal.aborted) void refreshJob();
  })();

  return () => {
    abort.abort();
    for (const t of timers) clearTimeout(t);
    cancelAnimationFrame(chartFrame);
    trainChart.destroy();
    valChart.destroy();
  };
}
