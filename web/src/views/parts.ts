// Pieces both pages use: the status badge, a progress bar, a titled card, a list of facts.
import { h, type Child } from "../dom";
import { percent } from "../format";
import type { Job } from "../types";

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `status status-${status}`, "data-status": status }, status);
}

export function progressBar(job: Job): HTMLElement {
  const pct = percent(job);
  return h(
    "div",
    { class: "progress", role: "progressbar", "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(pct) },
    h("div", { class: `progress-fill status-${job.status}`, style: `width: ${pct.toFixed(1)}%` }),
  );
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card", id }, h("h2", {}, title), ...children);
}

export function definitionList(entries: [string, Child][]): HTMLElement {
  return h("dl", { class: "facts" }, ...entries.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}
