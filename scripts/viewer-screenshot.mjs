// Takes the README's picture of the viewer: `node scripts/viewer-screenshot.mjs <trace page URL> [out.png]`, with
// `npm start -- --serve` running. Uses Debian's Chromium through playwright-core (a dev dependency of the viewer).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [url, out = 'docs/viewer-trace.png'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node scripts/viewer-screenshot.mjs <trace page URL> [out.png]');
  process.exit(2);
}
const { chromium } = createRequire(new URL('../packages/viewer/package.json', import.meta.url))('playwright-core');
const profile = mkdtempSync(path.join(tmpdir(), 'viewer-shot-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1200, height: 700 },
});
try {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('#waterfall .row').first().waitFor();
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
