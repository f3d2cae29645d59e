// nn.Module names and printouts against PyTorch 1.13: state_dict keys (order, shapes, dtypes),
// named_* names, parameter counts and repr, from test/fixtures/module-api.json
// (scripts/reference/module_api.py). The models are written here as a user would write them.
import { describe, expect, it } from "vitest";
import * as torch from "../../src/engine/index.js";
import { type EngineTensor, loadFixture } from "../support/torch-fixtures.js";

const { nn } = torch;

interface ModelFixture {
  name: string;
  constructor: string;
  repr: string;
  state_dict: Array<{ key: string; shape: number[]; dtype: string }>;
  named_parameters: string[];
  named_buffers: string[];
  named_modules: string[];
  named_children: string[];
  parameter_count: number;
}

interface OptimizerFixture {
  optimizer: string;
  options: Record<string, unknown>;
  param_group: Record<string, unknown>;
  state_keys: string[];
}

interface LoadErrorFixture {
  name: string;
  state_shapes: Record<string, number[]>;
  error: string;
  non_strict: { missing_keys: string[]; unexpected_keys: string[] } | null;
}

const fixture = loadFixture<{
  torch_version: string;
  models: ModelFixture[];
  optimizers: OptimizerFixture[];
  load_state_dict_errors: LoadErrorFixture[];
}>("module-api.json");

/** Optimizer fixtures the engine does not match yet (label -> reason). */
const KNOWN_OPTIMIZER_GAPS: Record<string, string> = {};

/** The seed's network, as in PyTorch's quickstart. */
class NeuralNetwork extends nn.Module {
  flatten = new nn.Flatten();
  linear_relu_stack = new nn.Sequential(
    new nn.Linear(28 * 28, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10),
  );

  forward(x: torch.Tensor): torch.Tensor {
    return this.linear_relu_stack.call(this.flatten.call(x));
  }
}

class ConvNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }),
    new nn.BatchNorm2d(4),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3),
    new nn.AdaptiveAvgPool2d([1, 1]),
  );
  head = new nn.ModuleDict({ norm: new nn.LayerNorm(8), out: new nn.Linear(8, 3, { bias: false }) });
  blocks = new nn.ModuleList([new nn.Linear(3, 3), new nn.Dropout(0.1), new nn.GELU({ approximate: "tanh" })]);
  embed = new nn.Embedding(5, 2, { padding_idx: 0 });

  forward(x: torch.Tensor): torch.Tensor {
    return x;
  }
}

const BUILDERS: Record<string, () => unknown> = {
  seed_network: () => new NeuralNetwork(),
  conv_net: () => new ConvNet(),
  sequential_plain: () => new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2)),
};

type Named = Iterable<[string, unknown]>;
const names = (it: Named): string[] => [...it].map(([n]) => n);

describe(`nn.Module names and printouts match PyTorch ${fixture.torch_version}`, () => {
  for (const m of fixture.models) {
    it(`${m.name}: printout`, () => {
      expect(String(BUILDERS[m.name]())).toBe(m.repr);
    });

    it(`${m.name}: state_dict keys, shapes and dtypes`, () => {
      const model = BUILDERS[m.name]() as { state_dict(): Record<string, EngineTensor> };
      const state = Object.entries(model.state_dict()).map(([key, t]) => ({
        key,
        shape: Array.from(t.shape),
        dtype: String(t.dtype).replace(/^torch\./, ""),
      }));
      expect(state).toEqual(m.state_dict);
    });

    it(`${m.name}: named_parameters, named_buffers, named_modules, named_children, parameter count`, () => {
      const model = BUILDERS[m.name]() as Record<string, () => Named> & { parameters(): Iterable<{ numel(): number }> };
      expect(names(model.named_parameters())).toEqual(m.named_parameters);
      expect(names(model.named_buffers())).toEqual(m.named_buffers);
      expect(names(model.named_modules())).toEqual(m.named_modules);
      expect(names(model.named_children())).toEqual(m.named_children);
      expect([...model.parameters()].reduce((n, p) => n + p.numel(), 0)).toBe(m.parameter_count);
    });
  }
});

type AnyOptimizer = {
  step(closure?: () => unknown): unknown;
  zero_grad(): void;
  state_dict(): { state: Record<number, Record<string, unknown>>; param_groups: Array<Record<string, unknown>> };
};

function checkOptimizer(o: OptimizerFixture): void {
  let param: torch.Tensor;
  let lossFn: () => torch.Tensor;
  if (o.optimizer === "SparseAdam") {
    const emb = new nn.Embedding(3, 2, { sparse: true, dtype: torch.float64 });
    torch.no_grad(() => emb.weight.copy_(torch.tensor([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]], { dtype: torch.float64 })));
    param = emb.weight;
    lossFn = () => emb.call(torch.tensor([0, 2])).pow(2).sum();
  } else {
    const p = new nn.Parameter(torch.tensor([0.5, -1.0, 1.5], { dtype: torch.float64 }));
    param = p;
    lossFn = () => p.pow(2).sum();
  }
  const Ctor = (torch.optim as unknown as Record<string, new (params: unknown, opts: unknown) => AnyOptimizer>)[o.optimizer];
  const opt = new Ctor([param], o.options);
  const closure = () => {
    opt.zero_grad();
    const loss = lossFn();
    loss.backward();
    return loss;
  };
  if (o.optimizer === "LBFGS") opt.step(closure);
  else {
    closure();
    opt.step();
  }
  const state = opt.state_dict();
  expect(state.param_groups[0]).toMatchObject(o.param_group);
  expect(Object.keys(state.state[0]).sort()).toEqual(o.state_keys);
}

describe(`optimizer defaults and state_dict layout match PyTorch ${fixture.torch_version}`, () => {
  for (const o of fixture.optimizers) {
    const label = `${o.optimizer}(${JSON.stringify(o.options)})`;
    const gap = KNOWN_OPTIMIZER_GAPS[label];
    if (gap) it.fails(`${label} [known gap: ${gap}]`, () => checkOptimizer(o));
    else it(label, () => checkOptimizer(o));
  }
});

describe(`load_state_dict reports misfits in PyTorch's words (${fixture.torch_version})`, () => {
  for (const e of fixture.load_state_dict_errors) {
    const state = () =>
      Object.fromEntries(Object.entries(e.state_shapes).map(([k, shape]) => [k, torch.zeros(shape)]));
    const model = () => new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2));

    it(`${e.name}: strict load throws PyTorch's message`, () => {
      expect(() => model().load_state_dict(state())).toThrow(e.error);
    });

    if (e.non_strict) {
      const want = e.non_strict;
      it(`${e.name}: strict=false returns the missing and unexpected keys`, () => {
        const keys = model().load_state_dict(state(), false);
        expect({ missing_keys: keys.missing_keys, unexpected_keys: keys.unexpected_keys }).toEqual(want);
      });
    }
  }
});
