#include "thread_pool.h"

#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace ty {
namespace {

constexpr int kSpinIterations = 4000;  // about 80 microseconds of PAUSE on current x86 cores

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

int default_threads() {
  const char* env = std::getenv("TRAINYARD_NUM_THREADS");
  if (env != nullptr && *env != '\0') {
    int n = std::atoi(env);
    if (n >= 1) return n > 256 ? 256 : n;
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc >= 1 ? static_cast<int>(hc) : 1;
}

class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop_workers(); }

  int size() const { return n_threads_; }

  void resize(int n) {
    if (n < 1) n = 1;
    stop_workers();
    n_threads_ = n;
    stopping_ = false;
    for (int w = 1; w < n; ++w) workers_.emplace_back([this, w] { worker_loop(w); });
  }

  void run(int64_t n, TaskFn fn, void* ctx) {
    if (n <= 0) return;
    // Serial when there is nothing to share, or when the pool is taken: a nested call from a task,
    // or a call from a second JavaScript thread (worker_threads) that loaded the same addon.
    if (n_threads_ == 1 || n == 1 || n >= (int64_t(1) << 32) || busy_.exchange(true, std::memory_order_acquire)) {
      for (int64_t t = 0; t < n; ++t) fn(ctx, t, 0);
      return;
    }
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fn_ = fn;
      ctx_ = ctx;
      n_tasks_ = n;
      done_.store(0, std::memory_order_relaxed);
      gen = (generation_.load(std::memory_order_relaxed) + 1) & 0xFFFFFFFFu;
      if (gen == 0) gen = 1;  // 0 is what a fresh worker has "seen"
      next_.store(gen << 32, std::memory_order_relaxed);
      generation_.store(gen, std::memory_order_release);
    }
    wake_.notify_all();
    drain(gen, fn, ctx, n, 0);
    // Wait for tasks other threads took, not for the threads themselves: a worker that has not woken
    // up yet simply finds no task left in this region (see drain), so a descheduled worker never
    // holds the caller up.
    int spins = 0;
    while (done_.load(std::memory_order_acquire) != n) {
      if (++spins > 2000) std::this_thread::yield(); else cpu_relax();
    }
    busy_.store(false, std::memory_order_release);
  }

 private:
  // Takes tasks of region `gen` until none is left. The task counter carries the region number in
  // its high 32 bits, so a thread that arrives late can never take a task of a later region.
  void drain(uint64_t gen, TaskFn fn, void* ctx, int64_t n, int worker) {
    for (;;) {
      uint64_t cur = next_.load(std::memory_order_relaxed);
      int64_t t;
      do {
        if ((cur >> 32) != gen) return;
        t = static_cast<int64_t>(cur & 0xFFFFFFFFu);
        if (t >= n) return;
      } while (!next_.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel, std::memory_order_relaxed));
      fn(ctx, t, worker);
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void worker_loop(int worker) {
    uint64_t seen = 0;
    for (;;) {
      // Spin briefly first: parallel regions often come back to back (GEMM's K slabs), and a
      // condition-variable wake-up costs tens of microseconds. Then sleep, so idle workers cost nothing.
      for (int i = 0; i < kSpinIterations && generation_.load(std::memory_order_acquire) == seen; ++i) cpu_relax();
      TaskFn fn;
      void* ctx;
      int64_t n;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return stopping_ || generation_.load(std::memory_order_relaxed) != seen; });
        if (stopping_) return;
        seen = generation_.load(std::memory_order_relaxed);
        fn = fn_;
        ctx = ctx_;
        n = n_tasks_;
      }
      drain(seen, fn, ctx, n, worker);
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  int n_threads_ = 1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<uint64_t> generation_{0};
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int64_t n_tasks_ = 0;
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> done_{0};
  std::atomic<bool> busy_{false};
};

Pool& pool() {
  // Leaked on purpose: joining threads during static destruction at process exit can deadlock.
  static Pool* p = new Pool(default_threads());
  return *p;
}

}  // namespace

int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }
void parallel_for(int64_t n, TaskFn fn, void* ctx) { pool().run(n, fn, ctx); }

}  // namespace ty
