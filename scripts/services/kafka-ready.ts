/**
 * Readiness probe used by scripts/services/start.sh: exits 0 once the broker answers a kafkajs
 * `admin.describeCluster()` (the client the project uses) and a group coordinator is available, 1
 * when that does not happen within the time limit. Looking up a group's coordinator makes the broker
 * create `__consumer_offsets`, so the tests' first consumer group does not have to wait for it.
 *
 *   tsx scripts/services/kafka-ready.ts <brokers, comma-separated> <timeout ms>
 */
import { Kafka, logLevel } from 'kafkajs';

const [brokerList = '', timeoutArg = '30000'] = process.argv.slice(2);
const brokers = brokerList
  .split(',')
  .map((broker) => broker.trim())
  .filter((broker) => broker.length > 0);
const timeoutMs = Number(timeoutArg);
if (brokers.length === 0 || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
  console.error('usage: kafka-ready.ts <host:port[,host:port...]> <timeout ms>');
  process.exit(2);
}

const deadline = Date.now() + timeoutMs;
const kafka = new Kafka({
  clientId: 'tokenwatch-kafka-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2_000,
  requestTimeout: 5_000,
  retry: { retries: 0 },
});

let lastError: unknown;
while (Date.now() < deadline) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length > 0 && cluster.controller !== null) {
      await admin.describeGroups(['tokenwatch-kafka-ready']);
      console.log(
        `kafka ready: cluster ${cluster.clusterId}, controller ${cluster.controller}, ` +
          `brokers ${cluster.brokers.map((b) => `${b.host}:${b.port}`).join(',')}`,
      );
      await admin.disconnect();
      process.exit(0);
    }
    lastError = new Error(`no controller yet: ${JSON.stringify(cluster)}`);
  } catch (error) {
    lastError = error;
  }
  await admin.disconnect().catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 500));
}
console.error(`kafka not ready after ${timeoutMs} ms: ${String(lastError)}`);
process.exit(1);
