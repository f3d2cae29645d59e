// The trainer's own deterministic randomness, independent of the engine's generator: the validation
// split and each epoch's shuffle are pure functions of (seed, epoch), so a resumed job recomputes
// exactly the order it was interrupted in, and nothing about them needs saving.

/** splitmix32: a small, well-mixed 32-bit generator. */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes several integers into one seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ Math.floor(p / 2 ** 32), 0x01000193) >>> 0;
  }
  return generator(h)() & 0x7fffffff;
}

/** Fisher-Yates shuffle of 0..n-1 driven by the seed. */
export function permutation(n: number, seed: number): Uint32Array {
  const next = generator(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = next() % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}
