export interface BatchWindowOptions<T> {
  /** how long the first item waits for others */
  windowMs: number;
  /** the window closes as soon as it holds this many */
  max: number;
  /** takes each closed window's items, in arrival order */
  flush: (items: T[]) => void;
}

/** Collects items for up to `windowMs` or `max` items, whichever comes first, and hands them over together. */
export class BatchWindow<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: BatchWindowOptions<T>) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.options.max) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  /** Hands over what the window holds now (nothing when it is empty). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const items = this.items;
    this.items = [];
    if (items.length > 0) this.options.flush(items);
  }
}
