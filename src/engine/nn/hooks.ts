// PyTorch's RemovableHandle: what register_*_hook returns; `remove()` takes the hook out of its dictionary.

let nextHookId = 0;

export class RemovableHandle {
  readonly id: number;
  private readonly dicts: Map<number, unknown>[];

  constructor(...dicts: Map<number, unknown>[]) {
    this.id = nextHookId++;
    this.dicts = dicts;
  }

  remove(): void {
    for (const d of this.dicts) d.delete(this.id);
  }
}
