import { readFileSync } from 'node:fs';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import type { ElasticsearchConfig } from '../config.js';
import { ConfigError } from '../errors.js';

/** Transport tuning that is not part of the user configuration (tests shorten it). */
export interface ElasticsearchClientOptions {
  /** Per-request timeout, ms (default 30000). */
  requestTimeoutMs?: number;
  /** Client-level retries on connection errors and 502/503/504 (default 1; serve retries on top). */
  maxRetries?: number;
}

/**
 * Creates the Elasticsearch client (8.x client: talks to Elasticsearch 8 and 9) from the
 * `elasticsearch` config section: nodes, API key or basic auth, an optional CA file (PEM) for
 * TLS. Credentials go to the client only, never to a log line.
 * @throws ConfigError when the CA file cannot be read.
 */
export function createElasticsearch(
  config: ElasticsearchConfig,
  options: ElasticsearchClientOptions = {},
): Client {
  const clientOptions: ClientOptions = {
    nodes: [...config.nodes],
    name: 'tokenwatch',
    maxRetries: options.maxRetries ?? 1,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
  };
  if (config.auth) {
    clientOptions.auth =
      'apiKey' in config.auth
        ? { apiKey: config.auth.apiKey }
        : { username: config.auth.username, password: config.auth.password };
  }
  if (config.caFile) {
    try {
      clientOptions.tls = { ca: readFileSync(config.caFile, 'utf8') };
    } catch (cause) {
      throw new ConfigError(
        `cannot read elasticsearch.caFile ${config.caFile}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
  }
  return new Client(clientOptions);
}
