// Python's repr of numbers and tuples, so that extra_repr reads exactly as PyTorch prints it.

/** repr(float): shortest round-trip digits, scientific below 1e-4 or from 1e16 ("1e-05"), "1.0" for integers. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/** repr of a tuple of ints: (3, 3), or (3,) for one element. */
export function pyTuple(values: readonly (number | string)[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(", ")})`;
}

export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/**
 * An int or a sequence, stored as the user passed it (pooling sizes). A JavaScript array prints as the
 * tuple a PyTorch user writes there (`nn.MaxPool2d((2, 3))` prints kernel_size=(2, 3)).
 */
export function pyIntOrTuple(v: number | readonly (number | null)[]): string {
  return typeof v === "number" ? String(v) : pyTuple(v.map((x) => (x === null ? "None" : x)));
}
