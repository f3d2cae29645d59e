// The jobs list: status, model, data set, progress and age of the newest jobs, refreshed every few
// seconds; a row opens the job's page.
import { errorMessage, getJson } from "../api";
import { fill, h } from "../dom";
import { age, count, layersSummary, shortId } from "../format";
import { JOB_STATUSES, type Dataset, type Job, type JobPage } from "../types";
import { progressBar, statusBadge } from "./parts";

const REFRESH_MS = 3000;
const PAGE = 50;
const MAX_LIMIT = 200; // the API's largest page

/** Names of uploaded data sets by id (built-ins are named in the job itself). */
class DatasetNames {
  private names = new Map<string, string>();
  private loaded: Promise<void> | null = null;

  async resolve(jobs: Job[]): Promise<void> {
    if (jobs.some((j) => j.dataset_id && !this.names.has(j.dataset_id))) this.loaded = null;
    this.loaded ??= getJson<{ datasets: Dataset[] }>("/v1/datasets").then(({ datasets }) => {
      for (const d of datasets) if (d.id) this.names.set(d.id, d.name);
    });
    await this.loaded.catch(() => undefined); // names are a nicety: show ids if the list fails
  }

  label(job: Job): string {
    if (job.spec.dataset.name) return job.spec.dataset.name;
    const id = job.dataset_id ?? job.spec.dataset.id ?? "";
    return this.names.get(id) ?? shortId(id);
  }
}

function jobRow(job: Job, datasets: DatasetNames): HTMLElement {
  const href = `#/jobs/${encodeURIComponent(job.id)}`;
  const model = layersSummary(job.spec.layers);
  return h(
    "tr",
    { "data-job-id": job.id, onclick: (e) => (e.target as Element).closest("a") || (location.hash = href) },
    h("td", {}, h("a", { href, class: "mono", title: job.id }, shortId(job.id))),
    h("td", {}, statusBadge(job.status)),
    h("td", { class: "model", title: model }, model),
    h("td", {}, datasets.label(job)),
    h("td", { class: "progress-cell" }, progressBar(job), h("span", { class: "muted small" }, `${count(job.progress.step)} / ${count(job.progress.total_steps)} steps · epoch ${job.progress.epoch}/${job.spec.epochs}`)),
    h("td", { class: "age", title: new Date(job.created_at).toLocaleString() }, age(job.created_at)),
  );
}

export function jobsView(root: HTMLElement): () => void {
  let status = "";
  let limit = PAGE;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let generation = 0; // a refresh started later (filter change) supersedes one in flight
  const datasets = new DatasetNames();

  const filter = h(
    "select",
    { id: "status-filter", "aria-label": "status", onchange: () => ((status = filter.value), (limit = PAGE), refresh()) },
    h("option", { value: "" }, "all statuses"),
    ...JOB_STATUSES.map((s) => h("option", { value: s }, s)),
  );
  const body = h("tbody");
  const message = h("p", { class: "notice", hidden: true });
  const more = h("button", { class: "button subtle", hidden: true, onclick: () => ((limit = Math.min(MAX_LIMIT, limit + PAGE)), refresh()) }, "Show more");
  const updated = h("span", { class: "muted small" });
  fill(
    root,
    h("div", { class: "page-head" }, h("h1", {}, "Jobs"), h("div", { class: "page-tools" }, updated, filter)),
    message,
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { class: "jobs", id: "jobs" },
        h("thead", {}, h("tr", {}, ...["Job", "Status", "Model", "Data set", "Progress", "Age"].map((t) => h("th", {}, t)))),
        body,
      ),
    ),
    more,
  );

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    const mine = ++generation;
    if (document.hidden) {
      timer = setTimeout(refresh, REFRESH_MS); // a tab in the background asks nothing
      return;
    }
    try {
      const page = await getJson<JobPage>(`/v1/jobs?limit=${limit}${status ? `&status=${status}` : ""}`);
      await datasets.resolve(page.jobs);
      if (stopped || mine !== generation) return;
      fill(body, ...page.jobs.map((job) => jobRow(job, datasets)));
      message.hidden = page.jobs.length > 0;
      if (!page.jobs.length) fill(message, status ? `No ${status} jobs.` : "No jobs yet. Submit one with ", !status && h("code", {}, "trainyard submit examples/iris.json"), !status && " or POST /v1/jobs.");
      message.classList.remove("error");
      more.hidden = !page.next_cursor || limit >= MAX_LIMIT;
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (err) {
      if (stopped || mine !== generation) return;
      fill(message, `Could not load the jobs: ${errorMessage(err)}`);
      message.classList.add("error");
      message.hidden = false;
    }
    if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
  }
  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
