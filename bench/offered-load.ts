/**
 * Background traffic for the Kafka benches' latency part, in its own process (so the serve
 * process under test runs serve only): produces raw GitHub audit events (git.clone /
 * api.request by BENCH_TOKENS tokens) to a topic at a fixed offered rate, paced on elapsed time
 * (whatever is due is sent every 20 ms, acks=all). Event times fall inside the current marker
 * window, which the parent moves with `{ type: 'window', at }` messages; `{ type: 'stop' }` ends
 * it, answered by `{ type: 'stopped', sent, ms }` (events sent, ms from the first send).
 *
 * Run by bench/kafka.bench.ts as `node --import tsx bench/offered-load.ts <brokers> <topic>
 * <rate> <tokens> <first index>` with an IPC channel.
 */
import { Kafka, logLevel } from 'kafkajs';
import { chunkMessages } from '../src/kafka/chunk.js';
import { backgroundEvent } from './background-event.js';

const [brokers = '', topic = '', rateArg = '0', tokensArg = '2000', firstArg = '0'] = process.argv.slice(2);
const RATE = Number(rateArg);
const TOKENS = Number(tokensArg);

async function main(): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new Error('offered-load runs as a child with an IPC channel');
  const kafka = new Kafka({
    clientId: 'bench-offered-load',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  let window = 0;
  let stop = false;
  let firstWindow: () => void = () => {};
  const windowed = new Promise<void>((r) => (firstWindow = r));
  process.on('message', (m: { type: string; at?: number }) => {
    if (m.type === 'window' && typeof m.at === 'number') {
      window = m.at;
      firstWindow();
    }
    if (m.type === 'stop') {
      stop = true;
      firstWindow();
    }
  });
  send({ type: 'ready' });
  await windowed; // paced from the first window on
  let i = Number(firstArg);
  let sent = 0;
  const started = performance.now();
  while (!stop) {
    const due = Math.floor((RATE * (performance.now() - started)) / 1000) - sent;
    if (due > 0) {
      const n = Math.min(due, 5_000);
      const messages = Array.from({ length: n }, (_, j) => ({
        value: backgroundEvent(i + j, window + ((i + j) % 3_600) * 1_000, TOKENS),
      }));
      i += n;
      sent += n;
      for (const part of chunkMessages(messages)) await producer.send({ topic, acks: -1, messages: part });
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const ms = performance.now() - started;
  await producer.disconnect();
  send({ type: 'stopped', sent, ms });
  process.disconnect();
}

main().catch((err: unknown) => {
  process.stderr.write(`offered-load failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
