// trainyard download JOB [--checkpoint STEP] -o FILE: streams the weights to a temporary file next to
// FILE while hashing them, checks the sha256 against the API's X-Checksum-SHA256 header (and the size
// against Content-Length), and only then renames it into place.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { CliError, EXIT_API, usageError } from "../exit-codes.js";
import { print, printJson } from "../output.js";
import type { CommandContext } from "./context.js";

export async function downloadWeights(ctx: CommandContext, id: string, options: { checkpoint?: string; output?: string }): Promise<number> {
  let path = `/v1/jobs/${encodeURIComponent(id)}/weights`;
  if (options.checkpoint !== undefined) {
    if (!/^\d+$/.test(options.checkpoint)) throw usageError("--checkpoint must be a step number");
    path = `/v1/jobs/${encodeURIComponent(id)}/checkpoints/${options.checkpoint}/weights`;
  }
  const output = options.output ?? (options.checkpoint !== undefined ? `${id}-step${options.checkpoint}.safetensors` : `${id}.safetensors`);
  const response = await ctx.client.request("GET", path);
  const expected = response.headers.get("x-checksum-sha256");
  const expectedSize = response.headers.get("content-length");
  if (!response.body) throw new CliError(`GET ${path} answered without a body`, EXIT_API);

  const hash = createHash("sha256");
  let size = 0;
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  const partial = `${output}.partial`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(partial));
    const actual = hash.digest("hex");
    if (expectedSize !== null && Number(expectedSize) !== size) throw new CliError(`download of ${path} is incomplete: ${size} of ${expectedSize} bytes`, EXIT_API);
    if (expected === null) throw new CliError(`GET ${path} answered without an X-Checksum-SHA256 header; not keeping an unverified file`, EXIT_API);
    if (expected.toLowerCase() !== actual) throw new CliError(`sha256 mismatch for ${path}: expected ${expected}, got ${actual}`, EXIT_API);
    await rename(partial, output);
    if (ctx.json) printJson({ path: output, bytes: size, sha256: actual });
    else print(`${output}: ${size} bytes, sha256 ${actual} (verified)`);
    return 0;
  } finally {
    await rm(partial, { force: true });
  }
}
