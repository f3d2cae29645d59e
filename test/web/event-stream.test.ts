// The dashboard's text/event-stream parser (web/src/event-stream.ts), which reads a job's events from
// a fetch() body: whatever the chunking, the same events; the format's line endings, comments, ids.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readEvents, type ServerEvent } from "../../web/src/event-stream.js";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function parse(chunks: Uint8Array[]): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const event of readEvents(streamOf(chunks))) events.push(event);
  return events;
}

/** The bytes cut at the given offsets. */
function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, p));
    start = p;
  }
  return chunks;
}

// As the API writes them (id "EVENT:STEP"), with a keep-alive comment, other line endings, a
// multi-line data field, a non-ASCII character and an event left unfinished at the end.
const text =
  'id: 1:0\nevent: status\ndata: {"status":"queued"}\n\n' +
  ": keep-alive\n\n" +
  'id: 1:1\r\nevent: metric\r\ndata: {"step":1,"train_loss":2.3}\r\n\r\n' +
  "event: note\rdata:first\rdata:  second\r\r" +
  "data: ünïcode ✓\n\n" +
  "id\nevent: cleared\ndata\n\n" +
  "id: bad\u0000id\ndata: x\n\n" +
  "event: unfinished\ndata: never dispatched\n";

const expected: ServerEvent[] = [
  { id: "1:0", type: "status", data: '{"status":"queued"}' },
  { id: "1:1", type: "metric", data: '{"step":1,"train_loss":2.3}' },
  { id: "1:1", type: "note", data: "first\n second" },
  { id: "1:1", type: "message", data: "ünïcode ✓" },
  { id: "", type: "cleared", data: "" },
  { id: "", type: "message", data: "x" },
];

describe("readEvents", () => {
  const bytes = new TextEncoder().encode(text);

  it("splits a stream into events by the text/event-stream rules", async () => {
    expect(await parse([bytes])).toEqual(expected);
  });

  it("gives the same events however the bytes arrive: one at a time, or cut anywhere (\\r\\n and UTF-8 sequences included)", async () => {
    expect(await parse(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(expected);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { maxLength: 20 }), async (offsets) => {
        expect(await parse(cut(bytes, offsets))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it("ends with the stream, dropping an event without its blank line", async () => {
    expect(await parse([new TextEncoder().encode("data: a\n\ndata: b")])).toEqual([{ id: null, type: "message", data: "a" }]);
    expect(await parse([])).toEqual([]);
  });
});
