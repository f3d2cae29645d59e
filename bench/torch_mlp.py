"""One (partial) epoch of the seed's MNIST MLP in PyTorch, for bench/mlp.ts.
Usage: torch_mlp.py MNIST_DATA_DIR BATCH THREADS STEPS [EPOCHS]  (STEPS 0 = the whole epoch; with
EPOCHS > 1, whole epochs, and the RSS after each)
Prints one JSON line: seconds of training (data loading excluded) in wall and CPU time, steps run,
final loss, peak RSS."""
import json
import resource
import sys
import time

import torch
from torch import nn


def read_idx(path: str, header_ints: int) -> torch.Tensor:
    with open(path, "rb") as f:
        raw = f.read()
    return torch.frombuffer(bytearray(raw[4 * header_ints:]), dtype=torch.uint8)


def current_rss_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() // 1024


def main() -> None:
    data_dir, batch, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    epochs = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    if epochs > 1:
        steps = 0
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = read_idx(f"{data_dir}/train-images-idx3-ubyte", 4).view(-1, 1, 28, 28).float().div_(255)
    labels = read_idx(f"{data_dir}/train-labels-idx1-ubyte", 2).long()
    count = labels.numel()
    model = nn.Sequential(
        nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
    )
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    total = (count + batch - 1) // batch
    steps = total if steps <= 0 else min(steps, total)
    order = torch.randperm(count)
    model.train()
    t0 = time.perf_counter()
    c0 = time.process_time()
    per_epoch = []
    for _ in range(epochs):
        e0 = time.perf_counter()
        for i in range(steps):
            idx = order[i * batch:(i + 1) * batch]
            x, y = images[idx], labels[idx]
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epochs > 1:
            per_epoch.append({"seconds": time.perf_counter() - e0, "rssKb": current_rss_kb(),
                              "maxRssKb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    last = loss.item()
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run = {"seconds": seconds, "cpuSeconds": cpu_seconds, "steps": steps * epochs, "loss": last, "maxRssKb": rss_kb}
    if epochs > 1:
        run["epochs"] = per_epoch
    print(json.dumps(run), flush=True)


if __name__ == "__main__":
    main()
