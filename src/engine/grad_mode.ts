// Grad mode: whether ops record the graph. One global flag, as PyTorch's thread-local one (JavaScript
// runs one thread per isolate; worker threads each load their own copy of the module).

export const gradMode = { enabled: true };

export function is_grad_enabled(): boolean {
  return gradMode.enabled;
}

export function set_grad_enabled(mode: boolean): void {
  gradMode.enabled = mode;
}

function withMode<T>(mode: boolean, fn: () => T): T {
  const prev = gradMode.enabled;
  gradMode.enabled = mode;
  try {
    const r = fn();
    if (r instanceof Promise) throw new TypeError("no_grad/enable_grad take a synchronous function; the mode cannot follow an await");
    return r;
  } finally {
    gradMode.enabled = prev;
  }
}

/** torch.no_grad(): runs fn without recording the graph. */
export function no_grad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** torch.inference_mode(): here the same as no_grad. */
export function inference_mode<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** torch.enable_grad(): runs fn with the graph recorded, even inside no_grad. */
export function enable_grad<T>(fn: () => T): T {
  return withMode(true, fn);
}
