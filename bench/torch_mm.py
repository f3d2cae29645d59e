"""torch.mm timing for bench/native.ts. Usage: torch_mm.py THREADS N...
Prints one JSON line per size, with the bench's timing rule (>= 0.25 s per run, best of 3)."""
import json
import sys
import time

import torch


def main() -> None:
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    for n in map(int, sys.argv[2:]):
        a = torch.rand(n, n) - 0.5
        b = torch.rand(n, n) - 0.5
        torch.mm(a, b)
        best = float("inf")
        for _ in range(3):
            reps = 0
            t0 = time.perf_counter()
            while True:
                torch.mm(a, b)
                reps += 1
                t = time.perf_counter() - t0
                if t >= 0.25:
                    break
            best = min(best, t / reps)
        print(json.dumps({"n": n, "threads": threads, "gflops": 2.0 * n ** 3 / best / 1e9}), flush=True)


if __name__ == "__main__":
    main()
