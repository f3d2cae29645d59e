// The model budget and the symbolic shapes (src/training/budget.ts, shapes.ts) against the engine
// itself: for random layer stacks the parameter count and the output shape computed from the JSON
// alone must be what the engine allocates and computes, and a stack the symbolic pass accepts must
// run. Then the limits: each one named in its 422 message, with its value and its variable.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_LIMITS, loadModelLimits, type ModelLimits } from "../src/config.js";
import { checkJobBudget, checkModelBudget } from "../src/training/budget.js";
import { buildSequential, countParameters, SpecError } from "../src/training/build.js";
import { traceShapes } from "../src/training/shapes.js";
import type { JobSpec, LayerSpec } from "../src/training/spec.js";
import { callModule, loadTorch } from "../src/training/torch.js";
import { checkJob } from "../src/training/validate.js";

const SEED = Number(process.env.FC_SEED ?? 20261129);
console.log(`budget.test.ts: fast-check seed ${SEED} (FC_SEED=... to change)`);

const small = (max: number) => fc.integer({ min: 1, max });
/** Layers with small, mostly compatible sizes, so that many stacks are valid and some are not. */
const layerArb: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ type: fc.constant("Linear"), in_features: small(6), out_features: small(6), bias: fc.boolean() }, { requiredKeys: ["type", "in_features", "out_features"] }),
  fc.record({ type: fc.constant("Conv2d"), in_channels: small(3), out_channels: small(4), kernel_size: fc.oneof(small(3), fc.tuple(small(3), small(3))), stride: small(2), padding: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.constant("same")), dilation: small(2), bias: fc.boolean() }, { requiredKeys: ["type", "in_channels", "out_channels", "kernel_size"] }),
  fc.record({ type: fc.constant("Conv1d"), in_channels: small(3), out_channels: small(4), kernel_size: small(3), padding: fc.integer({ min: 0, max: 1 }) }, { requiredKeys: ["type", "in_channels", "out_channels", "kernel_size"] }),
  fc.record({ type: fc.constant("MaxPool2d"), kernel_size: small(3), stride: small(2), padding: fc.integer({ min: 0, max: 1 }), ceil_mode: fc.boolean() }, { requiredKeys: ["type", "kernel_size"] }),
  fc.record({ type: fc.constant("AvgPool2d"), kernel_size: small(3), stride: small(2), padding: fc.integer({ min: 0, max: 1 }), ceil_mode: fc.boolean() }, { requiredKeys: ["type", "kernel_size"] }),
  fc.record({ type: fc.constant("AdaptiveAvgPool2d"), output_size: fc.oneof(small(3), fc.tuple(small(3), fc.option(small(3), { nil: null }))) }),
  fc.record({ type: fc.constant("BatchNorm1d"), num_features: small(6), affine: fc.boolean() }, { requiredKeys: ["type", "num_features"] }),
  fc.record({ type: fc.constant("BatchNorm2d"), num_features: small(4) }),
  fc.record({ type: fc.constant("LayerNorm"), normalized_shape: fc.oneof(small(6), fc.array(small(6), { minLength: 1, maxLength: 2 })), elementwise_affine: fc.boolean() }, { requiredKeys: ["type", "normalized_shape"] }),
  fc.record({ type: fc.constant("Flatten"), start_dim: fc.integer({ min: -3, max: 3 }), end_dim: fc.integer({ min: -3, max: 3 }) }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("Unflatten"), dim: fc.integer({ min: -2, max: 2 }), unflattened_size: fc.array(fc.oneof(small(4), fc.constant(-1)), { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constantFrom("ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "Identity", "Dropout") }),
  fc.record({ type: fc.constantFrom("Softmax", "LogSoftmax"), dim: fc.integer({ min: -3, max: 3 }) }),
);
const stackArb = fc.array(layerArb, { minLength: 1, maxLength: 5 });
const inputArb = fc.oneof(fc.tuple(small(6)), fc.tuple(small(3), small(7)), fc.tuple(small(3), small(7), small(7)));

describe("symbolic shapes and parameter counts", () => {
  it("match the engine: same parameters, same output shape, and whatever the symbolic pass accepts runs", async () => {
    const torch = await loadTorch();
    let accepted = 0;
    fc.assert(
      fc.property(stackArb, inputArb, (layers, sample) => {
        let model;
        try {
          model = buildSequential(torch, layers);
        } catch {
          return; // the engine refuses the arguments themselves (e.g. groups); the API answers that with 422 too
        }
        expect(checkModelBudget(layers, DEFAULT_MODEL_LIMITS).parameters).toBe(countParameters(model));
        const input = [2, ...sample];
        let traced: number[] | undefined;
        try {
          traced = traceShapes(layers, input).output;
        } catch (err) {
          expect(err).toBeInstanceOf(SpecError);
        }
        let ran: number[] | undefined;
        try {
          ran = torch.no_grad(() => [...callModule(model, torch.zeros(input)).shape]);
        } catch {
          ran = undefined;
        }
        if (traced) {
          accepted++;
          expect(ran, `the engine refused what the symbolic pass accepted: ${JSON.stringify(layers)} on ${JSON.stringify(input)}`).toEqual(traced);
        }
      }),
      { seed: SEED, numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(20); // the property saw real, valid models, not only refusals
  });

  it("names the layer and the sizes of a mismatch", () => {
    const mlp: LayerSpec[] = [{ type: "Flatten" }, { type: "Linear", in_features: 784, out_features: 512 }, { type: "Linear", in_features: 256, out_features: 10 }];
    expect(() => traceShapes(mlp, [8, 1, 28, 28])).toThrow(/Linear\(in_features=256\) cannot take an input of shape \[8, 512\]/);
    try {
      traceShapes(mlp, [8, 1, 28, 28]);
    } catch (err) {
      expect((err as SpecError).field).toBe("layers.2.in_features");
    }
    expect(() => traceShapes([{ type: "Conv2d", in_channels: 1, out_channels: 2, kernel_size: 5 }], [8, 1, 3, 3])).toThrow(/output would be empty/);
    expect(() => traceShapes([{ type: "Conv2d", in_channels: 3, out_channels: 2, kernel_size: 1 }], [8, 1, 28, 28])).toThrow(/in_channels=3.*has 1 channels/);
    expect(() => traceShapes([{ type: "Conv2d", in_channels: 1, out_channels: 2, kernel_size: 1 }], [8, 784])).toThrow(/needs an input \[N, C, H, W\]/);
    expect(() => traceShapes([{ type: "MaxPool2d", kernel_size: 2, return_indices: true }], [8, 1, 4, 4])).toThrow(/return_indices/);
    expect(() => traceShapes([{ type: "Embedding", num_embeddings: 10, embedding_dim: 4 }], [8, 4])).toThrow(/integer indices/);
    expect(traceShapes([{ type: "Sequential", layers: [{ type: "Flatten" }] }, { type: "Unflatten", dim: 1, unflattened_size: [-1, 7] }], [8, 1, 28, 28]).output).toEqual([8, 112, 7]);
  });
});

describe("model budget", () => {
  const limits: ModelLimits = { maxParameters: 1000, maxLayers: 5, maxDepth: 2, maxDim: 512, maxActivationBytes: 1_000_000 };
  const overLimit = (fn: () => unknown): SpecError => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(SpecError);
      expect((err as SpecError).kind).toBe("unbuildable");
      return err as SpecError;
    }
    throw new Error("no limit was hit");
  };

  it("refuses parameters, layers, depth and sizes past their limits, naming limit, value and variable", () => {
    const params = overLimit(() => checkModelBudget([{ type: "Linear", in_features: 100, out_features: 100 }], limits));
    expect(params.message).toBe("model.parameters 10100 exceeds the limit 1000 (MAX_MODEL_PARAMETERS)");
    const huge = overLimit(() => checkModelBudget([{ type: "Linear", in_features: 50_000, out_features: 50_000 }], DEFAULT_MODEL_LIMITS));
    expect(huge.message).toBe("model.parameters 2.5e9 exceeds the limit 5e7 (MAX_MODEL_PARAMETERS)");
    expect(overLimit(() => checkModelBudget(Array.from({ length: 6 }, () => ({ type: "ReLU" })), limits)).message).toMatch(/model.layers 6 exceeds the limit 5 \(MAX_MODEL_LAYERS\)/);
    const deep: LayerSpec[] = [{ type: "Sequential", layers: [{ type: "Sequential", layers: [{ type: "ReLU" }] }] }];
    const depth = overLimit(() => checkModelBudget(deep, limits));
    expect(depth.message).toMatch(/model.depth 3 exceeds the limit 2 \(MAX_MODEL_DEPTH\)/);
    const dim = overLimit(() => checkModelBudget([{ type: "Conv2d", in_channels: 1, out_channels: 1, kernel_size: [3, 600] }], limits));
    expect([dim.message, dim.field]).toEqual(["Conv2d.kernel_size 600 exceeds the limit 512 (MAX_LAYER_DIM)", "layers.0.kernel_size"]);
    // Within every limit: the cost comes back.
    expect(checkModelBudget([{ type: "Linear", in_features: 10, out_features: 10 }, { type: "ReLU" }], limits)).toEqual({ parameters: 110, layers: 2, depth: 1 });
  });

  const job = (layers: LayerSpec[], batch: number, loss = "CrossEntropyLoss"): JobSpec => ({
    layers, dataset: { name: "mnist" }, loss: { type: loss }, optimizer: { type: "SGD", lr: 0.1 }, lr_scheduler: null,
    epochs: 1, batch_size: batch, seed: 0, validation_split: 0, checkpoint_every_steps: 500, max_runtime_seconds: null,
  });
  const mnist = { x: { dtype: "float32" as const, shape: [60000, 1, 28, 28] }, y: { dtype: "int64" as const, shape: [60000], min: 0, max: 9 } };

  it("refuses a batch whose activations are past the limit, at submission where the batch size is known", () => {
    const cnn: LayerSpec[] = [{ type: "Conv2d", in_channels: 1, out_channels: 64, kernel_size: 3, padding: 1 }, { type: "Flatten" }, { type: "Linear", in_features: 64 * 784, out_features: 10 }];
    const roomy = { ...DEFAULT_MODEL_LIMITS, maxActivationBytes: 1024 ** 3 };
    const ok = checkJobBudget(job(cnn, 8), mnist, roomy);
    expect(ok.output).toEqual([8, 10]);
    const err = overLimit(() => checkJobBudget(job(cnn, 4096), mnist, roomy));
    expect(err.field).toBe("batch_size");
    expect(err.message).toMatch(/^the activations of a training batch of 4096 \(batch_size\) [\d.]+e\d+ bytes exceeds the limit 1.07e9 bytes \(MAX_ACTIVATION_BYTES\)$/);
    // Evaluation takes 1000 rows at a time whatever the batch size: a model too large for that is refused as such.
    const tight = overLimit(() => checkJobBudget(job(cnn, 1), mnist, { ...roomy, maxActivationBytes: 64 * 1024 ** 2 }));
    expect([tight.field, tight.message]).toEqual(["layers", expect.stringMatching(/^the activations of an evaluation batch of 1000 rows/)]);
  });

  it("refuses class labels the model's output cannot hold, and negative labels", () => {
    const three: LayerSpec[] = [{ type: "Flatten" }, { type: "Linear", in_features: 784, out_features: 3 }];
    const err = overLimit(() => checkJobBudget(job(three, 8), mnist, DEFAULT_MODEL_LIMITS));
    expect([err.field, err.message]).toEqual(["layers", "the data set's labels (y) go up to 9, but the model's output has 3 classes (shape [N, 3]): the last layer needs at least 10 outputs"]);
    const negative = { ...mnist, y: { ...mnist.y, min: -1 } };
    const ten: LayerSpec[] = [{ type: "Flatten" }, { type: "Linear", in_features: 784, out_features: 10 }];
    expect(overLimit(() => checkJobBudget(job(ten, 8), negative, DEFAULT_MODEL_LIMITS)).field).toBe("loss");
    expect(checkJobBudget({ ...job(ten, 8), loss: { type: "CrossEntropyLoss", ignore_index: -1 } }, negative, DEFAULT_MODEL_LIMITS).output).toEqual([8, 10]);
    // Regression losses are not class indices: nothing to check.
    expect(checkJobBudget(job(three, 8, "MSELoss"), mnist, DEFAULT_MODEL_LIMITS).output).toEqual([8, 3]);
  });

  it("refuses, at submission, jobs the trainer could not run to the end", async () => {
    const ten: LayerSpec[] = [{ type: "Linear", in_features: 4, out_features: 10 }];
    const many = { x: { dtype: "float32" as const, shape: [20_000_000, 4] }, y: { dtype: "int64" as const, shape: [20_000_000], min: 0, max: 9 } };
    const reject = async (spec: JobSpec) => {
      try {
        await checkJob(spec, many, DEFAULT_MODEL_LIMITS);
      } catch (err) {
        expect(err).toBeInstanceOf(SpecError);
        return err as SpecError;
      }
      throw new Error("accepted");
    };
    expect((await reject({ ...job(ten, 1), epochs: 200 })).message).toBe("the job would take 4000000000 steps (epochs × ceil(rows / batch_size)); at most 2147483647");
    expect((await reject({ ...job(ten, 1000), optimizer: { type: "LBFGS" } })).field).toBe("optimizer.type");
    expect((await reject({ ...job(ten, 1000), optimizer: { type: "SparseAdam" } })).field).toBe("optimizer.type");
    const cycle = await reject({ ...job(ten, 1_000_000), lr_scheduler: { type: "OneCycleLR", max_lr: 0.1, total_steps: 10 } });
    expect([cycle.field, cycle.message]).toEqual(["lr_scheduler.total_steps", "OneCycleLR is set for 10 steps, but this job steps it 20 times (every batch); PyTorch refuses to step it past the end"]);
    await expect(checkJob({ ...job(ten, 1_000_000), lr_scheduler: { type: "OneCycleLR", max_lr: 0.1, total_steps: 20 } }, many, DEFAULT_MODEL_LIMITS)).resolves.toMatchObject({ param_count: 50 });
  });

  it("reads its limits from the environment", () => {
    expect(loadModelLimits({ MAX_MODEL_PARAMETERS: "1000", MAX_ACTIVATION_BYTES: "5e6" })).toMatchObject({ maxParameters: 1000, maxActivationBytes: 5_000_000, maxLayers: DEFAULT_MODEL_LIMITS.maxLayers });
    expect(() => loadModelLimits({ MAX_LAYER_DIM: "-1" })).toThrow(/MAX_LAYER_DIM must be a positive integer/);
  });
});
