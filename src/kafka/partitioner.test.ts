import { createRequire } from 'node:module';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../baselines/seeded-random.js';
import { FastDefaultPartitioner, murmur2 } from './partitioner.js';

// kafkajs' own Long-based murmur2 (the Java client's), the reference
const kafkajsMurmur2 = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/murmur2.js',
) as (key: Buffer | string) => number;

function keys(): string[] {
  const rnd = seededRandom(20261208);
  const out = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'tok_ghp_0123456789', 'ünïcødé-κλειδί-🔑'];
  for (let i = 0; i < 2_000; i++) {
    const len = Math.floor(rnd() * 80);
    let s = '';
    for (let j = 0; j < len; j++)
      s += String.fromCharCode(rnd() < 0.9 ? 32 + Math.floor(rnd() * 95) : Math.floor(rnd() * 0xd7ff));
    out.push(s);
  }
  return out;
}

describe('murmur2 and the partitioner', () => {
  it('hashes like kafkajs (and the Java client) for strings and buffers', () => {
    // known values of the Java client's Utils.murmur2 (its UtilsTest)
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    for (const k of keys()) {
      expect(murmur2(k)).toBe(kafkajsMurmur2(k));
      expect(murmur2(Buffer.from(k))).toBe(kafkajsMurmur2(Buffer.from(k)));
    }
  });

  it('chooses the partition kafkajs DefaultPartitioner chooses for keyed messages', () => {
    const ours = FastDefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const n of [1, 3, 12, 50]) {
      const partitionMetadata = Array.from({ length: n }, (_, i) => ({
        partitionErrorCode: 0,
        partitionId: i,
        leader: 0,
        replicas: [0],
        isr: [0],
        offlineReplicas: [],
      }));
      for (const key of keys()) {
        const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
        expect(ours(args)).toBe(theirs(args));
      }
      const explicit = { topic: 't', partitionMetadata, message: { key: 'k', value: 'v', partition: n - 1 } };
      expect(ours(explicit)).toBe(n - 1);
    }
  });
});
