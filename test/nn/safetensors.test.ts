import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";

describe("save_safetensors / load_safetensors", () => {
  it("round-trips a model's state_dict (keys, dtypes, values) and loads into the same architecture", () => {
    torch.manual_seed(0);
    const a = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.BatchNorm1d(3));
    a.call(torch.randn([5, 4])); // updates running stats and num_batches_tracked (int64)
    const bytes = torch.save_safetensors(a.state_dict());
    const loaded = torch.load_safetensors(bytes);
    expect(Object.keys(loaded)).toEqual(Object.keys(a.state_dict()));
    expect(loaded["2.num_batches_tracked"].dtype).toBe(torch.int64);
    expect(loaded["2.num_batches_tracked"].item()).toBe(1);
    expect(loaded["0.weight"].dtype).toBe(torch.float32);
    const b = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.BatchNorm1d(3));
    b.load_state_dict(loaded);
    for (const [k, v] of Object.entries(a.state_dict())) expect(b.state_dict()[k].tolist()).toEqual(v.tolist());
  });

  it("writes the PyTorch format metadata and accepts custom metadata; streams the same bytes", () => {
    const sd = { x: torch.tensor([[1, 2], [3, 4]], { dtype: torch.float64 }), flag: torch.tensor([true, false]) };
    const bytes = torch.save_safetensors(sd, { metadata: { format: "pt", epoch: "3" } });
    const { tensors, metadata } = torch.load_safetensors_with_metadata(bytes);
    expect(metadata).toEqual({ format: "pt", epoch: "3" });
    expect(tensors.x.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(tensors.flag.tolist()).toEqual([true, false]);
    const streamed = Buffer.concat([...torch.save_safetensors_chunks(sd, { metadata: { format: "pt", epoch: "3" } })]);
    expect(streamed.equals(Buffer.from(bytes))).toBe(true);
  });

  it("non-contiguous tensors are written row-major", () => {
    const t = torch.tensor([[1, 2, 3], [4, 5, 6]]).t();
    expect(torch.load_safetensors(torch.save_safetensors({ t })).t.tolist()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it("rejects a truncated file and int64 values past 2^53", () => {
    const bytes = torch.save_safetensors({ w: torch.ones([3]) });
    expect(() => torch.load_safetensors(bytes.subarray(0, bytes.length - 1))).toThrow(torch.SafetensorsError);
    const big = new BigInt64Array([2n ** 60n]);
    const header = new TextEncoder().encode(JSON.stringify({ a: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }));
    const file = new Uint8Array(8 + header.length + 8);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.length), true);
    file.set(header, 8);
    file.set(new Uint8Array(big.buffer), 8 + header.length);
    expect(() => torch.load_safetensors(file)).toThrow(/beyond 2\^53/);
  });
});
