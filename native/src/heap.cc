// Node allocates ArrayBuffer storage with calloc. glibc serves blocks above its mmap threshold
// (128 KiB at start) with a fresh mmap and returns them with munmap, and trims the heap top above
// 128 KiB: every large tensor result (a 512 x 784 float32 gradient is 1.6 MB) then costs page faults
// and kernel zeroing on each training step, several times the cost of the GEMM that fills it.
// Raising both thresholds lets freed storage be reused from the heap. Blocks of 32 MiB and more
// still get their own mapping, and up to 64 MiB of free heap top is kept (peak RSS stays flat from
// step to step). glibc's own MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ settings win.
#include "heap.h"

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ty {

void keep_large_blocks_in_heap() {
#if defined(__GLIBC__)
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 32 << 20);
  if (std::getenv("MALLOC_TRIM_THRESHOLD_") == nullptr) mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

}  // namespace ty
