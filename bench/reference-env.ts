// The environment for a reference run (PyTorch, OpenBLAS) with `threads` threads. The shell's
// OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE would halve OpenBLAS, so they go. Debian's torch does its
// matrix products in OpenBLAS, whose own thread pool ignores torch.set_num_threads (measured: a
// "1-thread" torch.mm used two cores), so its thread count is set here as well.
export function referenceEnv(threads: number): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  env.OPENBLAS_NUM_THREADS = String(threads);
  env.OMP_NUM_THREADS = String(threads);
  return env;
}
