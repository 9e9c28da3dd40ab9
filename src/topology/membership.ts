import type { Consumer } from 'kafkajs';

/**
 * Whether a stage's consumer is a member of its group with an assignment, from kafkajs's
 * instrumentation events: `consumer.group_join` sets it; `consumer.rebalancing`, `consumer.stop`,
 * `consumer.disconnect` and `consumer.crash` clear it (a crash that kafkajs restarts from joins
 * again). Read by `GET /readyz` of a `serve --role` process.
 */
export class GroupMembership {
  private joined = false;

  /** Subscribes to `consumer`'s events; call before `consumer.run()`. */
  watch(consumer: Consumer): void {
    const { events } = consumer;
    consumer.on(events.GROUP_JOIN, () => {
      this.joined = true;
    });
    for (const e of [events.REBALANCING, events.STOP, events.DISCONNECT, events.CRASH] as const) {
      consumer.on(e, () => {
        this.joined = false;
      });
    }
  }

  /** In the group (joined, not rebalancing, not stopped). */
  get consuming(): boolean {
    return this.joined;
  }
}
