import { describe, expect, it } from 'vitest';
import { SinkError } from '../errors.js';
import { backoffDelay, isRetriable, retryUntilDone } from './backoff.js';
import { DeliveryAbortedError } from './errors.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, with ±20% jitter', () => {
    const o = { initialMs: 100, maxMs: 1000 };
    expect(backoffDelay(1, o, () => 0.5)).toBe(100);
    expect(backoffDelay(3, o, () => 0.5)).toBe(400);
    expect(backoffDelay(10, o, () => 0.5)).toBe(1000);
    expect(backoffDelay(1, o, () => 0)).toBe(80);
    expect(backoffDelay(1, o, () => 1)).toBe(120);
  });
});

describe('retryUntilDone', () => {
  it('retries until the attempt succeeds and reports failures and recovery', async () => {
    let calls = 0;
    const failures: number[] = [];
    let recovered = 0;
    const v = await retryUntilDone(
      async () => {
        calls += 1;
        if (calls < 3) throw new SinkError('down');
        return 'ok';
      },
      {
        backoff: { initialMs: 1, maxMs: 2 },
        onFailure: (_e, n) => failures.push(n),
        onRecovered: (n) => (recovered = n),
      },
    );
    expect(v).toBe('ok');
    expect(failures).toEqual([1, 2]);
    expect(recovered).toBe(2);
  });

  it('stops with DeliveryAbortedError when the signal aborts during a wait', async () => {
    const ac = new AbortController();
    const p = retryUntilDone(
      async () => {
        throw new SinkError('down');
      },
      { signal: ac.signal, backoff: { initialMs: 10_000, maxMs: 10_000 } },
    );
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toBeInstanceOf(DeliveryAbortedError);
  });

  it('rethrows programming errors at once', async () => {
    await expect(
      retryUntilDone(async () => {
        throw new TypeError('bug');
      }),
    ).rejects.toBeInstanceOf(TypeError);
  });
});

describe('isRetriable', () => {
  it('follows typed errors and treats Kafka auth failures as final, even when wrapped', () => {
    expect(isRetriable(new SinkError('down'))).toBe(true);
    expect(isRetriable(new SinkError('rejected', { retriable: false }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('x'), { name: 'KafkaJSSASLAuthenticationError' }))).toBe(
      false,
    );
    expect(
      isRetriable(
        Object.assign(new Error('x'), { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' }),
      ),
    ).toBe(false);
    const refused = Object.assign(new Error('ECONNREFUSED'), { name: 'KafkaJSConnectionError' });
    expect(
      isRetriable(
        Object.assign(new Error('x'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: refused }),
      ),
    ).toBe(true);
    expect(isRetriable(new Error('anything else'))).toBe(true);
  });
});
