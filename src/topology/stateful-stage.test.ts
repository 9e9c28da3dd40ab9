import { KafkaJSNonRetriableError, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isFenced, movedOrSame, PartitionMovedError } from './stateful-stage.js';

// The error kafkajs raises when a newer producer with the same transactional id exists
// (protocol error 47, INVALID_PRODUCER_EPOCH, not retriable), as its retrier wraps it.
const fenced = () => {
  const protocol = new KafkaJSProtocolError({
    type: 'INVALID_PRODUCER_EPOCH',
    code: 47,
    retriable: false,
    message: 'Producer attempted an operation with an old epoch',
  } as unknown as Error);
  // kafkajs' retrier: new KafkaJSNonRetriableError(e, { cause: e.cause || e })
  return Object.assign(new KafkaJSNonRetriableError(protocol), { cause: protocol });
};

describe('a fenced task commit', () => {
  it('is recognised through the cause chain kafkajs wraps it in', () => {
    expect(isFenced(fenced())).toBe(true);
    expect(isFenced(new Error('Producer attempted an operation with an old epoch'))).toBe(true);
    expect(isFenced(new Error('Broker: Not enough in-sync replicas'))).toBe(false);
    expect(isFenced(undefined)).toBe(false);
  });

  it('becomes a retriable stale-generation error (kafkajs rejoins instead of crashing)', () => {
    const moved = movedOrSame(fenced(), 3) as {
      retriable: boolean;
      type: string;
      message: string;
      cause?: unknown;
    };
    expect(moved.retriable).toBe(true);
    expect(moved.type).toBe('ILLEGAL_GENERATION');
    // no cause: kafkajs judges restartability by the innermost cause, which is not retriable
    expect(moved.cause).toBeUndefined();
    expect(moved).toBeInstanceOf(PartitionMovedError);
    expect(moved.message).toMatch(/^partition 3 moved to another member .*old epoch/);
  });

  it('leaves every other error as it is', () => {
    const other = new Error('request timed out');
    expect(movedOrSame(other, 0)).toBe(other);
  });
});
