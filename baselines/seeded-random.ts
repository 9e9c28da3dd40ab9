/**
 * The project's one seeded PRNG outside the simulator: mulberry32 (Tommy Ettinger's 32-bit
 * generator), a 32-bit state that can be saved and restored (peer-model snapshots). Not
 * cryptographic; statistically fine for sampling, random splits, synthetic histories and fuzzing.
 * Same seed, same sequence, on every run and every Node version.
 *
 * (The simulator, sim/simulate/prng.ts, keeps its own xoshiro128** with derived sub-streams: its
 * byte-identical output per seed depends on that generator.)
 */
export class SeededRandom {
  /** current 32-bit state; assign a saved value to resume the sequence */
  state: number;

  /** @param seed any number; only its low 32 bits (unsigned) are used */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** A `() => number` in [0, 1) over a {@link SeededRandom} (the shape tests and fixtures use). */
export function seededRandom(seed: number): () => number {
  const r = new SeededRandom(seed);
  return () => r.next();
}
