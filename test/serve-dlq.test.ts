/**
 * Poison messages: junk, wrong types, scalars, a record nested 20,000 levels deep (a poison pill
 * that once stopped serve for good) and a raw secret in an undecodable record end on the DLQ topic, one message per dead letter, with code, reason and the source
 * topic/partition/offset in headers and the redacted raw record as the value; the good records
 * around them are still processed and nothing blocks the partition. Tombstones and blank messages
 * are counted as skipped.
 */
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TokenActivity } from '../schemas/token-activity.js';
import { DLQ_HEADERS } from '../src/kafka/messages.js';
import { createKafka } from './services.js';
import { githubEvent } from './support/github-events.js';
import { isolatedConfig, produce, readTopic, startServe, waitFor } from './support/serve-harness.js';

const T0 = Date.UTC(2025, 5, 3, 9);
const SECRET = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;

let kafka: Kafka;
beforeAll(() => {
  kafka = createKafka();
});

describe('serve dead letters', () => {
  it('sends poison messages to the DLQ with reasons in headers and keeps processing', async () => {
    const config = isolatedConfig('dlq');
    const topic = config.kafka.topics.github;
    const good = (i: number) =>
      JSON.stringify(githubEvent('git.clone', T0 + i * 60_000, { token: 'dlq-good' }));
    const poison: { value: string | null; codes: string[] }[] = [
      { value: 'this is not json {', codes: ['parse_error'] },
      {
        value: JSON.stringify({ '@timestamp': 'yesterday', action: 5, actor: ['x'] }),
        codes: ['schema_invalid', 'bad_timestamp'],
      },
      { value: '42', codes: ['not_an_object'] },
      // poison pill (issue 12): nested far past the stack of any recursive walker
      {
        value: `{"action":"git.clone","actor":${'['.repeat(20_000)}"x"${']'.repeat(20_000)}}`,
        codes: ['oversized'],
      },
      {
        value: `{"action":"git.clone","note":"token ${SECRET} leaked", "truncated": `,
        codes: ['parse_error'],
      },
    ];
    const values = [
      good(0),
      ...poison.slice(0, 3).map((p) => p.value),
      good(1),
      // a tombstone and a blank message hold no record: skipped, not dead-lettered
      null,
      ' \n\t ',
      ...poison.slice(3).map((p) => p.value),
      good(2),
    ];
    await produce(kafka, topic, values);

    const run = startServe(config);
    await waitFor('raw topic consumed', () => run.lastOffset(topic) === values.length - 1);
    await run.stop();

    const dead = await readTopic(kafka, config.kafka.topics.deadLetter, poison.length);
    expect(dead).toHaveLength(poison.length);
    for (const d of dead) {
      const offset = Number(d.headers[DLQ_HEADERS.offset]);
      const expected = poison.find((p) => p.value === values[offset]);
      expect(expected, `dead letter for offset ${offset}`).toBeDefined();
      expect(expected!.codes).toContain(d.headers[DLQ_HEADERS.code]);
      expect(d.headers[DLQ_HEADERS.reason]!.length).toBeGreaterThan(0);
      expect(d.headers[DLQ_HEADERS.topic]).toBe(topic);
      expect(d.headers[DLQ_HEADERS.partition]).toBe('0');
      expect(d.headers[DLQ_HEADERS.source]).toBe('github');
      expect(d.headers[DLQ_HEADERS.location]).toContain(`${topic}/0@${offset}`);
      expect(d.value ?? '').not.toContain(SECRET);
    }
    const leaked = dead.find((d) => d.value?.includes('leaked'));
    expect(leaked?.value).toContain('[REDACTED');

    const activity = await readTopic(kafka, config.kafka.topics.activity, 3);
    expect(activity.map((m) => (JSON.parse(m.value as string) as TokenActivity)['@timestamp'])).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 60_000).toISOString(),
      new Date(T0 + 120_000).toISOString(),
    ]);
  });
});
