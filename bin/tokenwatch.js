#!/usr/bin/env node
// The `tokenwatch` command: runs the TypeScript CLI in this very process (tsx's ESM loader is
// registered here, no build step and no npm/npx/tsx child process in between), so signals sent to
// this process (SIGTERM from `kill`, Docker, systemd) reach `tokenwatch serve` directly.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `tokenwatch: Node.js 22 or newer is required (this is ${process.version}); ` +
      'run it through `bash scripts/node.sh node bin/tokenwatch.js ...` or install Node 24 LTS\n',
  );
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
await import('../src/cli/main.ts');
