// A job's non-metric events (status changes, resumed, interrupted) as one line of text each.
import type { ServerEvent } from "../sse";

export function activityText(event: ServerEvent): string {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(event.data) as Record<string, unknown>;
  } catch {
    return `${event.type}: ${event.data}`;
  }
  const rest = Object.entries(data)
    .filter(([k]) => k !== "status")
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  const head = event.type === "status" ? String(data.status) : event.type;
  return rest ? `${head} (${rest})` : head;
}
