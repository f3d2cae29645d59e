// Seeded random numbers: the Mersenne Twister (MT19937) as PyTorch's CPU generator uses it, so that
// torch.rand after torch.manual_seed(s) gives PyTorch's values (24 random bits per float32, 53 per
// float64). randn follows PyTorch's Box-Muller scheme. The whole state can be saved and restored
// (get_rng_state / set_rng_state), which checkpoints need for bit-identical resumption.
import { uint8 } from "./dtype.js";
import { RuntimeError } from "./errors.js";
import { Tensor } from "./tensor.js";

const N = 624;
const M = 397;

export class Generator {
  private mt = new Uint32Array(N);
  private mti = N + 1;
  private seed_ = 0;
  /** Box-Muller's second value for float64 normals (PyTorch caches it the same way). */
  nextNormal: number | null = null;

  constructor(seed = 67280421310721) {
    this.manual_seed(seed);
  }

  manual_seed(seed: number | bigint): this {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.seed_ = Number(s);
    // PyTorch seeds MT19937 with the low 32 bits of the seed.
    const mt = this.mt;
    mt[0] = Number(s & 0xffffffffn);
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    this.nextNormal = null;
    return this;
  }

  initial_seed(): number {
    return this.seed_;
  }

  /** Next 32-bit output. */
  random(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & 0x80000000) | (mt[kk + 1] & 0x7fffffff);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits (float32). */
  uniform24(): number {
    return (this.random() & 0xffffff) / 16777216;
  }

  /** Uniform in [0, 1) with 53 random bits (float64): low 53 bits of (first << 32 | second). */
  uniform53(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /** The generator's full state: 624 words, the position, the cached normal, as bytes. */
  get_state(): Tensor {
    const bytes = new Uint8Array(N * 4 + 4 + 1 + 8 + 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < N; i++) view.setUint32(i * 4, this.mt[i], true);
    view.setUint32(N * 4, this.mti, true);
    view.setUint8(N * 4 + 4, this.nextNormal === null ? 0 : 1);
    view.setFloat64(N * 4 + 5, this.nextNormal ?? 0, true);
    view.setFloat64(N * 4 + 13, this.seed_, true);
    return new Tensor(bytes, [bytes.length], [1], 0, uint8);
  }

  set_state(state: Tensor): this {
    const expected = N * 4 + 4 + 1 + 8 + 8;
    if (state.dtype !== uint8 || state.numel() !== expected)
      throw new RuntimeError(`RNG state must be a torch.ByteTensor of ${expected} bytes (from get_rng_state)`);
    const src = state.contiguous()._data as Uint8Array;
    const view = new DataView(src.buffer, src.byteOffset + state._offset, expected);
    for (let i = 0; i < N; i++) this.mt[i] = view.getUint32(i * 4, true);
    this.mti = view.getUint32(N * 4, true);
    this.nextNormal = view.getUint8(N * 4 + 4) ? view.getFloat64(N * 4 + 5, true) : null;
    this.seed_ = view.getFloat64(N * 4 + 13, true);
    return this;
  }
}

/** The default generator (torch.default_generator). */
export const default_generator = new Generator();

/** torch.manual_seed(seed): seeds the default generator; every random op becomes reproducible. */
export function manual_seed(seed: number | bigint): Generator {
  return default_generator.manual_seed(seed);
}

export function seed(): number {
  const s = Math.floor(Math.random() * 2 ** 52);
  default_generator.manual_seed(s);
  return s;
}

export function initial_seed(): number {
  return default_generator.initial_seed();
}

export function get_rng_state(): Tensor {
  return default_generator.get_state();
}

export function set_rng_state(state: Tensor): void {
  default_generator.set_state(state);
}

/** Fills `out` with uniform [from, to) values as PyTorch's uniform_ does for the dtype's precision. */
export function fillUniform(out: Float32Array | Float64Array, from: number, to: number, gen: Generator = default_generator): void {
  const range = to - from;
  if (out instanceof Float32Array) for (let i = 0; i < out.length; i++) out[i] = gen.uniform24() * range + from;
  else for (let i = 0; i < out.length; i++) out[i] = gen.uniform53() * range + from;
}

/**
 * Fills `out` with normal values. As PyTorch: float32 tensors of 16+ elements draw all uniforms first and
 * transform them in blocks of 16 by Box-Muller (recomputing the last block when the size is not a multiple
 * of 16); otherwise each value comes from a double-precision Box-Muller with one cached spare.
 */
export function fillNormal(out: Float32Array | Float64Array, mean: number, std: number, gen: Generator = default_generator): void {
  const n = out.length;
  if (out instanceof Float32Array && n >= 16) {
    for (let i = 0; i < n; i++) out[i] = gen.uniform24();
    for (let i = 0; i + 16 <= n; i += 16) boxMuller16(out, i, mean, std);
    if (n % 16 !== 0) {
      for (let i = n - 16; i < n; i++) out[i] = gen.uniform24();
      boxMuller16(out, n - 16, mean, std);
    }
    return;
  }
  for (let i = 0; i < n; i++) out[i] = normalScalar(gen) * std + mean;
}

function boxMuller16(data: Float32Array, at: number, mean: number, std: number): void {
  const f = Math.fround;
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - data[at + j]);
    const u2 = data[at + j + 8];
    const radius = f(Math.sqrt(f(-2 * f(Math.log(u1)))));
    const theta = f(2 * Math.PI * u2);
    data[at + j] = f(f(radius * f(Math.cos(theta))) * std + mean);
    data[at + j + 8] = f(f(radius * f(Math.sin(theta))) * std + mean);
  }
}

function normalScalar(gen: Generator): number {
  if (gen.nextNormal !== null) {
    const v = gen.nextNormal;
    gen.nextNormal = null;
    return v;
  }
  const u1 = gen.uniform53();
  const u2 = gen.uniform53();
  const r = Math.sqrt(-2 * Math.log(1 - u2));
  const theta = 2 * Math.PI * u1;
  gen.nextNormal = r * Math.sin(theta);
  return r * Math.cos(theta);
}

/** Uniform integer in [low, high) as PyTorch's random_from_to: 32-bit draw modulo the range. */
export function randomInt(low: number, high: number, gen: Generator = default_generator): number {
  const range = high - low;
  if (range >= 2 ** 32) {
    const hi = gen.random();
    const lo = gen.random();
    return Number((BigInt(hi) << 32n | BigInt(lo)) % BigInt(range)) + low;
  }
  return (gen.random() % range) + low;
}

/** A random permutation of 0..n-1 by PyTorch's CPU algorithm (a forward Fisher-Yates). */
export function permutation(n: number, gen: Generator = default_generator): Float64Array {
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = gen.random() % (n - i);
    const t = r[i];
    r[i] = r[z + i];
    r[z + i] = t;
  }
  return r;
}
