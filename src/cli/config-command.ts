import { describeConfig, loadConfig } from '../config.js';

/**
 * `tokenwatch config check FILE`: validates the config file (with the environment's
 * `TOKENWATCH_*`/`KAFKA_*`/`ELASTICSEARCH_*` variables over it, as `run` and `serve` would) and
 * returns the effective configuration as indented JSON, secrets masked.
 * @throws ConfigError listing every invalid field (unknown keys with the valid names).
 */
export function checkConfig(file: string, env: Record<string, string | undefined> = process.env): string {
  const config = loadConfig({ file, env });
  return `${JSON.stringify(describeConfig(config), null, 2)}\n`;
}
