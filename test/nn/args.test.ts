import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn, optim } from "../../src/engine/index.js";

describe("PyTorch's calling convention: positional, or by name in a trailing options object", () => {
  it("modules", () => {
    expect(String(new nn.Softmax(1))).toBe(String(new nn.Softmax({ dim: 1 })));
    expect(String(new nn.Dropout(0.2, true))).toBe("Dropout(p=0.2, inplace=True)");
    expect(String(new nn.Dropout({ p: 0.2 }))).toBe("Dropout(p=0.2, inplace=False)");
    expect(String(new nn.Conv2d(2, 4, 3, 2, 1))).toBe(String(new nn.Conv2d(2, 4, 3, { stride: 2, padding: 1 })));
    expect(String(new nn.MaxPool2d(3, 1, { padding: 1 }))).toBe("MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)");
    expect(() => new nn.Dropout(0.2, { p: 0.3 } as any)).toThrow("Dropout() got multiple values for argument 'p'");
    expect(() => new nn.Flatten({ start: 1 } as any)).toThrow("Flatten() got an unexpected keyword argument 'start'");
  });

  it("optimizers and schedulers", () => {
    const w = torch.zeros([1], { requires_grad: true });
    expect(new optim.SGD([w], 0.5, 0.9).param_groups[0]).toMatchObject({ lr: 0.5, momentum: 0.9 });
    const opt = new optim.SGD([w], { lr: 1 });
    const a = new optim.lr_scheduler.StepLR(opt, 2, 0.5);
    expect([a.step_size, a.gamma]).toEqual([2, 0.5]);
    const b = new optim.lr_scheduler.StepLR(new optim.SGD([torch.zeros([1], { requires_grad: true })], { lr: 1 }), { step_size: 2, gamma: 0.5 });
    expect([b.step_size, b.gamma]).toEqual([2, 0.5]);
  });

  it("functional losses, including PyTorch's deprecated size_average / reduce", () => {
    const x = torch.tensor([1, 2, 3], { dtype: torch.float64 });
    const y = torch.zeros([3], { dtype: torch.float64 });
    expect(nn.functional.mse_loss(x, y, { reduction: "sum" }).item()).toBe(14);
    expect(nn.functional.mse_loss(x, y, false).item()).toBe(14); // size_average=False
    expect(nn.functional.mse_loss(x, y, null, false).shape).toEqual([3]); // reduce=False
  });
});
