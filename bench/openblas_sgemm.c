/* SGEMM timing with OpenBLAS (cblas), for bench/native.ts. Usage: openblas_sgemm THREADS N...
   Prints one JSON line per size: {"n":N,"threads":T,"gflops":G}. Same timing rule as the bench:
   repeat until at least 0.25 s has passed, best of 3 such runs. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  int threads = atoi(argv[1]);
  openblas_set_num_threads(threads);
  for (int s = 2; s < argc; s++) {
    int n = atoi(argv[s]);
    float* a = malloc(sizeof(float) * n * n);
    float* b = malloc(sizeof(float) * n * n);
    float* c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) {
      a[i] = (float)rand() / RAND_MAX - 0.5f;
      b[i] = (float)rand() / RAND_MAX - 0.5f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
    double best = 1e30;
    for (int run = 0; run < 3; run++) {
      long reps = 0;
      double t0 = now(), t;
      do {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        reps++;
        t = now() - t0;
      } while (t < 0.25);
      if (t / reps < best) best = t / reps;
    }
    printf("{\"n\":%d,\"threads\":%d,\"gflops\":%.3f}\n", n, threads, 2.0 * n * n * n / best / 1e9);
    fflush(stdout);
    free(a); free(b); free(c);
  }
  return 0;
}
