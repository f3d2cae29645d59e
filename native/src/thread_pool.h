// A fixed pool of worker threads for data-parallel loops. parallel_for hands out task ids
// 0..n-1 to the calling thread and the workers; each task must write only its own outputs,
// so results never depend on how many threads ran or which one took which task.
#pragma once
#include <cstdint>

namespace ty {

using TaskFn = void (*)(void* ctx, int64_t task, int worker);

// Number of threads parallel_for uses (TRAINYARD_NUM_THREADS, default: the CPUs this process may run on).
int num_threads();
// Changes the thread count for later calls (1 = run everything on the caller).
void set_num_threads(int n);

// Runs fn(ctx, t, worker) for t in [0, n) and returns when all are done. worker is in
// [0, num_threads()) and identifies a per-thread scratch slot. Not reentrant: a task must not
// call parallel_for itself (nested calls run serially on the caller).
void parallel_for(int64_t n, TaskFn fn, void* ctx);

template <typename F>
void parallel_for(int64_t n, const F& f) {
  parallel_for(n, [](void* ctx, int64_t t, int w) { (*static_cast<const F*>(ctx))(t, w); },
               const_cast<void*>(static_cast<const void*>(&f)));
}

}  // namespace ty
