import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../schemas/alert.js';
import { EmbeddedStore } from '../src/api/embedded-store.js';
import { buildConsoleServer } from '../src/api/server.js';
import { fixtureState, silentLogger, TOKENS } from '../src/api/testing.js';

/**
 * The console in a real headless browser (Debian's chromium, driven by playwright-core; installed
 * by scripts/ensure-chromium.sh): the inventory loads, hygiene filters narrow it, a triage
 * decision made in a form survives a restart of the server. Leaves a screenshot in
 * .cache/console-*.png.
 */
const CHROMIUM = process.env.TOKENWATCH_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function start(dir: string): Promise<{ app: FastifyInstance; base: string }> {
  const store = await EmbeddedStore.open(dir);
  const app = await buildConsoleServer({ store, logger: silentLogger, auth: { keys: [], noAuth: true } });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: address };
}

describe('console in a headless browser', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let alerts: Alert[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run scripts/ensure-chromium.sh`);
    ({ dir, alerts } = await fixtureState());
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    mkdirSync('.cache', { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the inventory, and the hygiene filter narrows it', async () => {
    const { app, base } = await start(dir);
    try {
      await page.goto(`${base}/console/tokens`);
      expect(await page.title()).toContain('Inventory');
      expect(await page.locator('tr.token-row').count()).toBe(3);
      await page.selectOption('#f-flag', 'unused');
      await Promise.all([page.waitForURL(/flag=unused/), page.click('#f-apply')]);
      const rows = page.locator('tr.token-row');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-id')).toBe(TOKENS.idle);
      expect(await page.locator('#count').textContent()).toContain('1 credentials');
      // hostile markup from the logs is shown as text, never run
      await page.goto(`${base}/console/tokens?flag=broad_scopes`);
      expect(await page.locator('tr.token-row').count()).toBe(1);
      expect(await page.locator('tr.token-row').first().textContent()).toContain('<script>');
      expect(await page.locator('script, img').count()).toBe(0);
      await page.screenshot({ path: join('.cache', 'console-inventory.png'), fullPage: true });
      await page.click(`tr.token-row a`);
      expect(await page.locator('#facts').textContent()).toContain(TOKENS.hostile);
    } finally {
      await app.close();
    }
  });

  it('keeps a triage decision made in the alert list across a restart', async () => {
    const target = (alerts[4] as Alert).event.id;
    const first = await start(dir);
    try {
      await first.app.ready();
      await page.goto(`${first.base}/console/alerts`);
      const row = page.locator(`tr.alert-row[data-id="${target}"]`);
      expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('open');
      await row.locator('select[name=status]').selectOption('closed_true_positive');
      await row.locator('input[name=note]').fill('owner confirmed: token stolen');
      await Promise.all([page.waitForURL(/\/console\/alerts/), row.locator('button[type=submit]').click()]);
      expect(
        await page.locator(`tr.alert-row[data-id="${target}"] [data-status]`).getAttribute('data-status'),
      ).toBe('closed_true_positive');
    } finally {
      await first.app.close();
    }
    const second = await start(dir);
    try {
      await page.goto(`${second.base}/console/alerts?status=closed_true_positive`);
      const rows = page.locator('tr.alert-row');
      expect(await rows.count()).toBe(1);
      expect(await rows.first().getAttribute('data-id')).toBe(target);
      expect(await rows.first().textContent()).toContain('owner confirmed: token stolen');
      await page.screenshot({ path: join('.cache', 'console-alerts.png'), fullPage: true });
    } finally {
      await second.app.close();
    }
  });
});
