// A job's checkpoints as a table, each with a download button (through fetch, so the key is sent).
import { download } from "../api";
import { h } from "../dom";
import { bytes, count, dateTime } from "../format";
import type { Checkpoint } from "../types";

export function checkpointsTable(jobId: string, checkpoints: Checkpoint[], onError: (err: unknown) => void): HTMLElement {
  const weightsUrl = (c: Checkpoint) => `/v1/jobs/${encodeURIComponent(jobId)}/checkpoints/${c.step}/weights`;
  const row = (c: Checkpoint) =>
    h(
      "tr",
      { "data-step": c.step },
      h("td", {}, count(c.step)),
      h("td", {}, c.epoch),
      h("td", {}, c.kind),
      h("td", {}, bytes(c.weights_size)),
      h("td", { class: "mono small", title: c.weights_sha256 }, c.weights_sha256.slice(0, 12) + "…"),
      h("td", {}, dateTime(c.created_at)),
      h(
        "td",
        {},
        h("button", { class: "button subtle small", type: "button", onclick: () => void download(weightsUrl(c), `${jobId}-step${c.step}.safetensors`).catch(onError) }, "Download"),
      ),
    );
  return h(
    "div",
    { class: "table-scroll" },
    h(
      "table",
      { class: "checkpoints" },
      h("thead", {}, h("tr", {}, ...["Step", "Epoch", "Kind", "Size", "SHA-256", "Saved", ""].map((t) => h("th", {}, t)))),
      h("tbody", {}, ...checkpoints.map(row)),
    ),
  );
}
