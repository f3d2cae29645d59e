// The CLI's server-sent events parser: messages split anywhere across chunks, every line ending,
// comments, multi-line data, and ids that carry over to later messages.
import { describe, expect, it } from "vitest";
import { readSse, SseParser } from "../../src/cli/sse.js";

const stream = 'id: 1:0\nevent: metric\ndata: {"step":1}\n\n: keep-alive\n\nid: 2:1\r\nevent: status\r\ndata: {"status":\r\ndata: "running"}\r\n\r\nevent: note\rdata:no-space\r\r\n';

describe("SseParser", () => {
  it("parses whole messages", () => {
    const messages = new SseParser().push(stream);
    expect(messages).toEqual([
      { event: "metric", data: '{"step":1}', id: "1:0" },
      { event: "status", data: '{"status":\n"running"}', id: "2:1" },
      { event: "note", data: "no-space", id: "2:1" }, // no id of its own: the last one set
    ]);
  });

  it("gives the same messages however the stream is cut into chunks", () => {
    const whole = new SseParser().push(stream);
    for (let size = 1; size <= 7; size++) {
      const parser = new SseParser();
      const messages = [];
      for (let i = 0; i < stream.length; i += size) messages.push(...parser.push(stream.slice(i, i + size)));
      expect(messages, `chunks of ${size}`).toEqual(whole);
    }
  });

  it("holds back a message until its blank line; a message without data is none", () => {
    const parser = new SseParser();
    expect(parser.push("event: metric\ndata: 1\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "metric", data: "1", id: undefined }]);
    expect(parser.push("event: empty\n\n")).toEqual([]);
    expect(parser.push("data: plain\n\n")).toEqual([{ event: "message", data: "plain", id: undefined }]);
  });

  it("reads a byte stream, multi-byte characters split across chunks included", async () => {
    const bytes = new TextEncoder().encode("data: héllo ✓\n\n");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    let chunks = 0;
    const messages = [];
    for await (const m of readSse(body, () => chunks++)) messages.push(m);
    expect(messages).toEqual([{ event: "message", data: "héllo ✓", id: undefined }]);
    expect(chunks).toBe(Math.ceil(bytes.length / 3));
  });
});
