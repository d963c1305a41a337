// Approves a device code in a real browser: Debian's Chromium driven by playwright-core. Test-only.
// Usage: node approve-browser.mjs --url VERIFICATION_URI_COMPLETE
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const url = args[args.indexOf('--url') + 1];
const profileDir = mkdtempSync(join(tmpdir(), 'lakekey-chromium-'));
const browser = await chromium.launchPersistentContext(profileDir, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);
try {
  const page = await browser.newPage();
  // The provider's pages load web fonts from the internet; only loopback is allowed here.
  await page.route('**/*', (route) => (loopback.has(new URL(route.request().url()).hostname) ? route.continue() : route.abort()));
  await page.goto(url);
  for (let step = 0; step < 10; step += 1) {
    await page.waitForLoadState('domcontentloaded');
    const text = await page.textContent('body');
    if (/Sign-in Success|is now connected|successful/i.test(text ?? '')) {
      console.log('approved');
      process.exitCode = 0;
      break;
    }
    if (await page.locator('input[name=login]').count()) {
      await page.fill('input[name=login]', 'analyst');
      await page.fill('input[name=password]', 'any');
    }
    const button = page.locator('button[type=submit]').first();
    if (!(await button.count())) throw new Error(`nothing to click on ${page.url()}: ${text?.slice(0, 300)}`);
    await Promise.all([page.waitForNavigation(), button.click()]);
  }
  if (process.exitCode !== 0) throw new Error('approval did not finish');
} finally {
  await browser.close();
  rmSync(profileDir, { recursive: true, force: true });
}
