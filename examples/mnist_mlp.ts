// The seed's network trained on real MNIST, written as the PyTorch quickstart is:
// Flatten, then Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10); CrossEntropyLoss;
// SGD(lr=0.01, momentum=0.9); batch 64; 5 epochs. Run: npx tsx examples/mnist_mlp.ts [epochs]
//   (TRAINYARD_BACKEND=native selects the native backend when it is built.)
import * as torch from "../src/engine/index.js";
import { nn, optim } from "../src/engine/index.js";
import { gatherBatch, loadMnist, permutation, type MnistSplit } from "./mnist_data.js";

export class NeuralNetwork extends nn.Module {
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

function batchTensors(split: MnistSplit, order: ArrayLike<number>, start: number, end: number): [torch.Tensor, torch.Tensor] {
  const { x, y } = gatherBatch(split, order, start, end);
  const n = end - start;
  return [torch.from(x, [n, 1, 28, 28]), torch.from(y, [n], { dtype: torch.int64 })];
}

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  seed: number;
  /** Train on only the first `trainLimit` shuffled samples per epoch (the short test version). */
  trainLimit?: number;
  testLimit?: number;
  log?: (line: string) => void;
}

/** PyTorch's train_loop: forward, loss, zero_grad, backward, step. Returns the mean loss of the epoch. */
export function trainLoop(data: MnistSplit, model: nn.Module & NeuralNetwork, lossFn: nn.CrossEntropyLoss, optimizer: optim.Optimizer, opts: TrainOptions, epoch: number): number[] {
  model.train();
  const order = permutation(data.count, opts.seed + epoch);
  const limit = Math.min(opts.trainLimit ?? data.count, data.count);
  const losses: number[] = [];
  for (let start = 0; start < limit; start += opts.batchSize) {
    const end = Math.min(start + opts.batchSize, limit);
    const [X, y] = batchTensors(data, order, start, end);
    const pred = model.call(X);
    const loss = lossFn.call(pred, y);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    const batch = start / opts.batchSize;
    if (opts.log && batch % 100 === 0) opts.log(`loss: ${loss.item().toFixed(6)}  [${String(end).padStart(5)}/${limit}]`);
  }
  return losses;
}

/** PyTorch's test_loop: accuracy and mean loss under no_grad. */
export function testLoop(data: MnistSplit, model: NeuralNetwork, lossFn: nn.CrossEntropyLoss, batchSize: number, limit = data.count): { accuracy: number; loss: number } {
  model.eval();
  const order = Uint32Array.from({ length: data.count }, (_, i) => i);
  let correct = 0, lossSum = 0, batches = 0;
  const n = Math.min(limit, data.count);
  torch.no_grad(() => {
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(start + batchSize, n);
      const [X, y] = batchTensors(data, order, start, end);
      const pred = model.call(X);
      lossSum += lossFn.call(pred, y).item();
      batches += 1;
      correct += pred.argmax(1).eq(y).sum().item();
    }
  });
  return { accuracy: correct / n, loss: lossSum / batches };
}

export function trainMnist(opts: TrainOptions): { accuracy: number; loss: number; epochLosses: number[][]; seconds: number } {
  torch.manual_seed(opts.seed);
  const train = loadMnist("train");
  const test = loadMnist("test");
  const model = new NeuralNetwork();
  const lossFn = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: opts.lr, momentum: opts.momentum });
  const started = performance.now();
  const epochLosses: number[][] = [];
  let result = { accuracy: 0, loss: 0 };
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    opts.log?.(`Epoch ${epoch + 1}\n-------------------------------`);
    epochLosses.push(trainLoop(train, model, lossFn, optimizer, opts, epoch));
    result = testLoop(test, model, lossFn, opts.batchSize, opts.testLimit);
    opts.log?.(`Test Error: \n Accuracy: ${(100 * result.accuracy).toFixed(1)}%, Avg loss: ${result.loss.toFixed(6)} \n`);
  }
  return { ...result, epochLosses, seconds: (performance.now() - started) / 1000 };
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!);
if (isMain) {
  const epochs = Number(process.argv[2] ?? 5);
  console.log(new NeuralNetwork().toString());
  console.log(`backend: ${torch.backend}`);
  const r = trainMnist({ epochs, batchSize: 64, lr: 0.01, momentum: 0.9, seed: 0, log: console.log });
  console.log(`Done: test accuracy ${(100 * r.accuracy).toFixed(2)}% after ${epochs} epochs, ${r.seconds.toFixed(1)} s of training`);
}
