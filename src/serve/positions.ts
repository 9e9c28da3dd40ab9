/**
 * Next offsets to consume per topic-partition ("positions"): the offset after the last message
 * whose effects are both in the in-memory pipeline and acknowledged by every sink. Offsets are
 * Kafka int64 values kept as decimal strings (kafkajs' representation) and compared as BigInt.
 */
export class OffsetPositions {
  private readonly map = new Map<string, Map<number, string>>();

  /** Builds positions from their JSON form `{topic: {partition: offset}}`; ignores junk. */
  static fromJSON(json: unknown): OffsetPositions {
    const out = new OffsetPositions();
    if (!json || typeof json !== 'object') return out;
    for (const [topic, parts] of Object.entries(json as Record<string, unknown>)) {
      if (!parts || typeof parts !== 'object') continue;
      for (const [p, offset] of Object.entries(parts as Record<string, unknown>)) {
        if (typeof offset === 'string' && /^\d+$/.test(offset) && /^\d+$/.test(p))
          out.set(topic, Number(p), offset);
      }
    }
    return out;
  }

  get(topic: string, partition: number): string | undefined {
    return this.map.get(topic)?.get(partition);
  }

  set(topic: string, partition: number, offset: string): void {
    let parts = this.map.get(topic);
    if (!parts) {
      parts = new Map();
      this.map.set(topic, parts);
    }
    parts.set(partition, offset);
  }

  /** Moves the position forward to `offset`; never backwards. Returns whether it moved. */
  advance(topic: string, partition: number, offset: string): boolean {
    const pos = this.get(topic, partition);
    if (pos !== undefined && BigInt(offset) <= BigInt(pos)) return false;
    this.set(topic, partition, offset);
    return true;
  }

  /** Forgets a partition's position. */
  delete(topic: string, partition: number): void {
    this.map.get(topic)?.delete(partition);
  }

  /** `offset` comes before the position of its partition (already consumed). */
  isBehind(topic: string, partition: number, offset: string): boolean {
    const pos = this.get(topic, partition);
    return pos !== undefined && BigInt(offset) < BigInt(pos);
  }

  entries(): { topic: string; partition: number; offset: string }[] {
    const out: { topic: string; partition: number; offset: string }[] = [];
    for (const [topic, parts] of this.map)
      for (const [partition, offset] of parts) out.push({ topic, partition, offset });
    return out;
  }

  clone(): OffsetPositions {
    return OffsetPositions.fromJSON(this.toJSON());
  }

  toJSON(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const [topic, parts] of this.map)
      out[topic] = Object.fromEntries([...parts].map(([p, o]) => [String(p), o]));
    return out;
  }
}
