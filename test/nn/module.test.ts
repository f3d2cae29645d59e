import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { nn } from "../../src/engine/index.js";

// The seed's network, written as a PyTorch user would.
class NeuralNetwork extends nn.Module {
  flatten: nn.Flatten;
  linear_relu_stack: nn.Sequential;
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }
  forward(x: torch.Tensor): torch.Tensor {
    x = this.flatten.call(x);
    return this.linear_relu_stack.call(x);
  }
}

const SEED_PRINTOUT = `NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)`;

describe("nn.Module", () => {
  it("prints the seed's network exactly as PyTorch", () => {
    const model = new NeuralNetwork();
    expect(String(model)).toBe(SEED_PRINTOUT);
    expect(model.toString()).toBe(SEED_PRINTOUT);
  });

  it("registers fields in the registries and names state_dict keys as PyTorch", () => {
    const model = new NeuralNetwork();
    expect([...model._modules.keys()]).toEqual(["flatten", "linear_relu_stack"]);
    expect(Object.keys(model.state_dict())).toEqual([
      "linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
      "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
      "linear_relu_stack.4.weight", "linear_relu_stack.4.bias",
    ]);
    expect([...model.named_parameters()].map(([n, p]) => [n, p.shape])).toEqual([
      ["linear_relu_stack.0.weight", [512, 784]], ["linear_relu_stack.0.bias", [512]],
      ["linear_relu_stack.2.weight", [512, 512]], ["linear_relu_stack.2.bias", [512]],
      ["linear_relu_stack.4.weight", [10, 512]], ["linear_relu_stack.4.bias", [10]],
    ]);
    expect([...model.parameters()].every((p) => p instanceof nn.Parameter && p.requires_grad)).toBe(true);
    expect([...model.named_modules()].map(([n]) => n)).toEqual([
      "", "flatten", "linear_relu_stack", "linear_relu_stack.0", "linear_relu_stack.1", "linear_relu_stack.2",
      "linear_relu_stack.3", "linear_relu_stack.4",
    ]);
    expect([...model.named_children()].map(([n]) => n)).toEqual(["flatten", "linear_relu_stack"]);
    expect(model.linear_relu_stack[0]).toBeInstanceOf(nn.Linear);
    expect((model.linear_relu_stack as nn.Sequential).get(-1)).toBe(model.linear_relu_stack[4]);
  });

  it("runs forward through call() and produces [N, 10] logits", () => {
    const model = new NeuralNetwork();
    const x = torch.rand([3, 1, 28, 28]);
    const logits = model.call(x);
    expect(logits.shape).toEqual([3, 10]);
    expect(logits.grad_fn).not.toBeNull();
  });

  it("registers buffers, honours non-persistent ones, and reassigning / deleting works", () => {
    class M extends nn.Module {
      constructor() {
        super();
        this.register_buffer("running", torch.zeros([2]));
        this.register_buffer("scratch", torch.ones([2]), false);
        this.w = new nn.Parameter(torch.ones([2]));
      }
      declare w: nn.Parameter;
      declare running: torch.Tensor;
    }
    const m = new M();
    expect(Object.keys(m.state_dict())).toEqual(["w", "running"]);
    expect([...m.named_buffers()].map(([n]) => n)).toEqual(["running", "scratch"]);
    m.running = torch.full([2], 5);
    expect(m._buffers.get("running")!.tolist()).toEqual([5, 5]);
    expect(() => ((m as any).w = torch.ones([2]))).toThrow("cannot assign 'Tensor' as parameter 'w' (torch.nn.Parameter or None expected)");
    expect(() => m.register_buffer("a.b", null)).toThrow('buffer name can\'t contain "."');
    expect(() => m.register_parameter("training", null)).toThrow("attribute 'training' already exists");
    delete (m as any).w;
    expect(m._parameters.has("w")).toBe(false);
  });

  it("load_state_dict is strict and reports missing and unexpected keys as PyTorch", () => {
    const a = new nn.Linear(3, 2);
    const b = new nn.Linear(3, 2);
    b.load_state_dict(a.state_dict());
    expect(b.weight.tolist()).toEqual(a.weight.tolist());
    const sd = a.state_dict();
    delete sd.bias;
    sd.extra = torch.zeros([1]);
    expect(() => b.load_state_dict(sd)).toThrow(
      'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". \n\tUnexpected key(s) in state_dict: "extra". ',
    );
    expect(b.load_state_dict(sd, false)).toEqual({ missing_keys: ["bias"], unexpected_keys: ["extra"] });
    const wrong = { weight: torch.zeros([2, 4]), bias: torch.zeros([2]) };
    expect(() => b.load_state_dict(wrong)).toThrow(
      "size mismatch for weight: copying a param with shape torch.Size([2, 4]) from checkpoint, the shape in current model is torch.Size([2, 3]).",
    );
  });

  it("forward hooks, pre-hooks and full backward hooks run and are removable", () => {
    const lin = new nn.Linear(2, 2);
    const calls: string[] = [];
    const h1 = lin.register_forward_pre_hook((_m, args) => {
      calls.push("pre");
      return [(args[0] as torch.Tensor).mul(2)];
    });
    const h2 = lin.register_forward_hook((_m, _args, out) => {
      calls.push("fwd");
      return (out as torch.Tensor).add(1);
    });
    let gradOut: (torch.Tensor | null)[] = [];
    let gradIn: (torch.Tensor | null)[] = [];
    const h3 = lin.register_full_backward_hook((_m, gi, go) => {
      calls.push("bwd");
      gradIn = gi;
      gradOut = go;
    });
    const x = torch.tensor([[1, 2]], { requires_grad: true });
    const y = lin.call(x);
    const expected = torch.nn.functional.linear(x.mul(2), lin.weight, lin.bias).add(1);
    expect(y.tolist()).toEqual(expected.tolist());
    y.sum().backward();
    expect(calls).toEqual(["pre", "fwd", "bwd"]);
    expect(gradOut[0]!.tolist()).toEqual([[1, 1]]);
    // grad_input is with respect to the module's input (after the pre-hook): ones @ W
    const gi = gradIn[0]!.tolist() as number[][];
    const w = lin.weight.tolist() as number[][];
    expect(gi[0][0]).toBeCloseTo(w[0][0] + w[1][0], 6);
    h1.remove();
    h2.remove();
    h3.remove();
    calls.length = 0;
    lin.call(x).sum().backward();
    expect(calls).toEqual([]);
  });

  it("a full backward hook can replace grad_input, and runs with grad_input null when the input needs no grad", () => {
    const lin = new nn.Linear(2, 1, { dtype: torch.float64 });
    lin.register_full_backward_hook((_m, gi) => [torch.zeros_like(gi[0]!)]);
    const x = torch.tensor([[1, 2]], { dtype: torch.float64, requires_grad: true });
    lin.call(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([[0, 0]]);
    expect(lin.weight.grad!.tolist()).toEqual([[1, 2]]);
    const seen: unknown[] = [];
    const lin2 = new nn.Linear(2, 1);
    lin2.register_full_backward_hook((_m, gi, go) => {
      seen.push(gi[0], go[0]!.shape);
    });
    lin2.call(torch.ones([3, 2])).sum().backward();
    expect(seen).toEqual([null, [3, 1]]);
  });

  it("train/eval, zero_grad, requires_grad_, apply, to(dtype)", () => {
    const model = new NeuralNetwork();
    model.eval();
    expect([...model.modules()].every((m) => !m.training)).toBe(true);
    model.train();
    expect(model.linear_relu_stack.training).toBe(true);
    const opt = [...model.parameters()];
    model.call(torch.rand([2, 784])).sum().backward();
    expect(opt.every((p) => p.grad !== null)).toBe(true);
    model.zero_grad();
    expect(opt.every((p) => p.grad !== null && p.grad.abs().sum().item() === 0)).toBe(true);
    model.zero_grad(true);
    expect(opt.every((p) => p.grad === null)).toBe(true);
    model.requires_grad_(false);
    expect(opt.every((p) => !p.requires_grad)).toBe(true);
    const names: string[] = [];
    model.apply((m) => names.push(m._get_name()));
    expect(names[names.length - 1]).toBe("NeuralNetwork");
    const before = opt[0];
    model.to(torch.float64);
    expect([...model.parameters()][0]).toBe(before); // the same Parameter object, converted in place
    expect(before.dtype).toBe(torch.float64);
    expect(model.call(torch.rand([1, 784], { dtype: torch.float64 })).dtype).toBe(torch.float64);
  });

  it("modules accept the dtype factory argument", () => {
    const lin = new nn.Linear(4, 3, { dtype: torch.float64 });
    expect(lin.weight.dtype).toBe(torch.float64);
    expect(lin.bias!.dtype).toBe(torch.float64);
    expect(String(new nn.Linear(4, 3, false))).toBe("Linear(in_features=4, out_features=3, bias=False)");
  });

  it("containers: ModuleList and ModuleDict register children under their index and key", () => {
    const list = new nn.ModuleList([new nn.Linear(1, 1), new nn.ReLU()]);
    list.append(new nn.Tanh());
    expect(list.length).toBe(3);
    expect(Object.keys(list.state_dict())).toEqual(["0.weight", "0.bias"]);
    const dict = new nn.ModuleDict({ enc: new nn.Linear(2, 2), act: new nn.GELU() });
    expect(dict.keys()).toEqual(["enc", "act"]);
    expect(String(dict)).toBe(
      "ModuleDict(\n  (enc): Linear(in_features=2, out_features=2, bias=True)\n  (act): GELU(approximate='none')\n)",
    );
  });
});

describe("nn.Module against PyTorch's printouts and names (test/fixtures/module-api.json)", () => {
  const fixture = JSON.parse(readFileSync(new URL("../fixtures/module-api.json", import.meta.url), "utf8")) as {
    models: { name: string; repr: string; named_parameters: string[]; named_buffers: string[]; named_modules: string[]; parameter_count: number }[];
  };

  class ConvNet extends nn.Module {
    features = new nn.Sequential(
      new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(4, 8, 3), new nn.AdaptiveAvgPool2d([1, 1]),
    );
    head = new nn.ModuleDict({ norm: new nn.LayerNorm(8), out: new nn.Linear(8, 3, { bias: false }) });
    blocks = new nn.ModuleList([new nn.Linear(3, 3), new nn.Dropout(0.1), new nn.GELU({ approximate: "tanh" })]);
    embed = new nn.Embedding(5, 2, { padding_idx: 0 });
  }
  const models: Record<string, () => nn.Module> = {
    seed_network: () => new NeuralNetwork(),
    conv_net: () => new ConvNet(),
    sequential_plain: () => new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2)),
  };

  for (const m of fixture.models) {
    it(m.name, () => {
      const model = models[m.name]();
      expect(String(model)).toBe(m.repr);
      expect([...model.named_parameters()].map(([n]) => n)).toEqual(m.named_parameters);
      expect([...model.named_buffers()].map(([n]) => n)).toEqual(m.named_buffers);
      expect([...model.named_modules()].map(([n]) => n)).toEqual(m.named_modules);
      expect([...model.parameters()].reduce((s, p) => s + p.numel(), 0)).toBe(m.parameter_count);
    });
  }
});
