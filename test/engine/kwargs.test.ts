// PyTorch's keyword arguments: positional parameters may be named in the trailing options object.
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";

describe("keyword arguments in the options object", () => {
  const x = torch.tensor([[-2, 0.5], [3, 1]]);
  it("torch.* functions", () => {
    expect(torch.clamp(x, { min: -1, max: 1 }).tolist()).toEqual([[-1, 0.5], [1, 1]]);
    expect(torch.clamp(x, { max: 0 }).tolist()).toEqual([[-2, 0], [0, 0]]);
    expect(torch.cat([x, x], { dim: -1 }).shape).toEqual([2, 4]);
    expect(torch.stack([x, x], { dim: 1 }).shape).toEqual([2, 2, 2]);
    expect(torch.split(torch.arange(4), 2, { dim: 0 }).length).toBe(2);
    expect(torch.softmax(x, { dim: 1 }).sum(1).tolist()).toEqual([1, 1]);
    expect(torch.flatten(torch.zeros(2, 3, 4), { start_dim: 1 }).shape).toEqual([2, 12]);
    expect(torch.dropout(x, { p: 0.5, training: false }).tolist()).toEqual(x.tolist());
    expect(torch.sum(x, { dim: 0, keepdim: true }).shape).toEqual([1, 2]);
    expect(torch.max(x, { dim: 1 }).indices.tolist()).toEqual([1, 0]);
    expect(torch.transpose(x, { dim0: 0, dim1: 1 }).tolist()).toEqual([[-2, 3], [0.5, 1]]);
    expect(torch.functional.pad(x, { pad: [1, 0], value: 9 }).tolist()).toEqual([[9, -2, 0.5], [9, 3, 1]]);
  });
  it("Tensor methods", () => {
    expect(x.clamp({ min: 0 }).tolist()).toEqual([[0, 0.5], [3, 1]]);
    expect(x.sum({ dim: 1 }).tolist()).toEqual([-1.5, 4]);
    expect(x.mean(1, { keepdim: true }).shape).toEqual([2, 1]);
    expect(x.var({ dim: 1, unbiased: false }).shape).toEqual([2]);
    expect(x.argmax({ dim: 0 }).tolist()).toEqual([1, 1]);
    expect(x.unsqueeze({ dim: 0 }).shape).toEqual([1, 2, 2]);
    expect(x.gather(1, { index: torch.tensor([[1], [0]]) }).tolist()).toEqual([[0.5], [3]]);
  });
  it("rejects unknown and duplicated keywords as Python does", () => {
    expect(() => torch.cat([x], { axis: 0 } as never)).toThrow("cat() got an unexpected keyword argument 'axis'");
    expect(() => x.clamp(0, { min: 1 } as never)).toThrow("clamp() got multiple values for argument 'min'");
  });
});
