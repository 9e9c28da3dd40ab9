import type { TokenInventoryDoc } from '../elasticsearch/inventory.js';
import { mergeInventory } from '../elasticsearch/inventory.js';

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Writes token inventory updates in the background, one write at a time, coalescing what piles
 * up meanwhile: each batch's updates are merged (idempotent {@link mergeInventory}) into a
 * pending map; while a write is in flight, later batches only add to the map, and the next write
 * takes all of it. So with Elasticsearch keeping up every batch is written on its own, and under
 * load a token touched by several batches is written once.
 *
 * Not fire-and-forget: serve {@link drain}s the writer before every checkpoint and offset
 * commit, so committed offsets never cover inventory updates that were not acknowledged. Memory
 * is bounded by {@link backpressure}: a batch waits while `maxPending` tokens are queued.
 */
export class InventoryWriter {
  private pending = new Map<string, TokenInventoryDoc>();
  private running: Promise<void> | undefined;
  private error: unknown;
  /** {@link enqueue} calls so far. */
  private enqueued = 0;
  /** Every update of the first `written` enqueue calls is acknowledged. */
  private written = 0;
  /** Resolved (and replaced) after each write attempt. */
  private progress = signal();

  /**
   * @param write writes one map of documents, retrying until acknowledged; rejects only when it
   *   gives up (shutdown), which fails the writer for good.
   * @param maxPending queued tokens above which {@link backpressure} waits.
   */
  constructor(
    private readonly write: (docs: Map<string, TokenInventoryDoc>) => Promise<void>,
    private readonly maxPending = 20_000,
  ) {}

  /** Tokens waiting for a write (not counting the one in flight). */
  get size(): number {
    return this.pending.size;
  }

  /** Queues updates (merged with queued ones of the same token) and starts a write if idle. */
  enqueue(docs: ReadonlyMap<string, TokenInventoryDoc>): void {
    if (docs.size === 0) return;
    for (const [id, doc] of docs) this.pending.set(id, mergeInventory(this.pending.get(id), doc));
    this.enqueued += 1;
    this.kick();
  }

  /** A mark for {@link flushed}: everything enqueued so far. */
  mark(): number {
    return this.enqueued;
  }

  /**
   * Resolves when every update enqueued before `mark` ({@link mark}) is written, whatever was
   * enqueued since (so a checkpoint waits only for what it covers, not for later batches).
   * @throws the write error if the writer gave up.
   */
  async flushed(mark: number): Promise<void> {
    for (;;) {
      if (this.error) throw this.error;
      if (this.written >= mark) return;
      if (!this.running && this.pending.size > 0) this.kick();
      if (!this.running) return;
      // woken by the next write's end, or by the writer stopping (nothing left to write)
      await Promise.race([this.progress.promise, this.running]);
    }
  }

  /** Waits while too many tokens are queued. @throws the write error once the writer failed. */
  async backpressure(): Promise<void> {
    while (this.pending.size >= this.maxPending && this.running) await this.running;
    if (this.error) throw this.error;
  }

  /** Resolves when everything queued so far is written. @throws the write error if it gave up. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.error) throw this.error;
      if (!this.running && this.pending.size > 0) this.kick();
      if (!this.running) return;
      await this.running;
    }
  }

  private kick(): void {
    if (this.running || this.error || this.pending.size === 0) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.size > 0 && !this.error) {
      const take = this.pending;
      const upTo = this.enqueued;
      this.pending = new Map();
      try {
        await this.write(take);
        this.written = upTo;
      } catch (err) {
        // Keep what was not written (a later drain reports the error; nothing is dropped silently).
        for (const [id, doc] of take) this.pending.set(id, mergeInventory(doc, this.pending.get(id) ?? doc));
        this.error = err;
      }
      const done = this.progress;
      this.progress = signal();
      done.resolve();
    }
  }
}
