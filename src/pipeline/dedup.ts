/**
 * Remembers recently seen `event.id`s to drop re-delivered records (Salesforce latent hourly
 * files repeat rows; GitHub events can arrive over two delivery paths with the same id). Bounded:
 * two generations of at most `capacity / 2` ids each; when the current one fills up, the older
 * one is dropped, so an id is remembered for at least the last `capacity / 2` distinct ids.
 * Memory is about 100 bytes per remembered id.
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly capacity = 1_000_000) {}

  /** True if `id` was seen recently; otherwise remembers it and returns false. */
  seen(id: string): boolean {
    if (this.current.has(id) || this.previous.has(id)) return true;
    if (this.current.size >= this.capacity / 2) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
    return false;
  }
}
