// PyTorch raises RuntimeError, IndexError, TypeError and ValueError; we keep the class names so that
// messages read the same ("RuntimeError: The size of tensor a (3) must match ...").

export class RuntimeError extends Error {
  override name = "RuntimeError";
}
export class IndexError extends Error {
  override name = "IndexError";
}
export class ValueError extends Error {
  override name = "ValueError";
}
/** PyTorch's NotImplementedError. */
export class NotImplementedError extends Error {
  override name = "NotImplementedError";
}
