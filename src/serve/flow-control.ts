import type { Consumer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ServeMetrics } from './metrics.js';

/**
 * Pauses fetching from the raw topics while any sink write is failing and resumes once none is:
 * with one in-flight chunk per partition held in a retry loop, nothing else is fetched, so memory
 * stays bounded however long Elasticsearch or Kafka is away. Counts failing writes (each
 * `degraded` is matched by one `recovered`, unless abandoned at shutdown). After {@link stop}
 * it never resumes (shutdown keeps the topics paused).
 */
export class FlowControl {
  private failing = 0;
  private paused = false;
  private stopped = false;

  constructor(
    private readonly consumer: () => Consumer | undefined,
    private readonly topics: readonly string[],
    private readonly metrics: ServeMetrics,
    private readonly log: Logger,
  ) {}

  /** True while consumption is paused because a sink is failing. */
  get isPaused(): boolean {
    return this.paused;
  }

  /** A sink write started failing: the first one pauses the raw topics. */
  degraded(): void {
    this.failing += 1;
    if (this.failing !== 1) return;
    this.paused = true;
    this.metrics.paused.set(1);
    this.consumer()?.pause(this.topics.map((topic) => ({ topic })));
    this.log.warn('a sink is failing: consumption paused');
  }

  /** A failing sink write succeeded again: when none is failing any more, consumption resumes. */
  recovered(): void {
    this.failing = Math.max(0, this.failing - 1);
    if (this.failing !== 0 || !this.paused) return;
    this.paused = false;
    this.metrics.paused.set(0);
    if (this.stopped) return;
    this.consumer()?.resume(this.topics.map((topic) => ({ topic })));
    this.log.info('sinks acknowledged again: consumption resumed');
  }

  /** Shutdown: pause for good. */
  stop(): void {
    this.stopped = true;
    this.consumer()?.pause(this.topics.map((topic) => ({ topic })));
  }
}
