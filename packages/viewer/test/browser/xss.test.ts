// Span data is attacker-controlled: names, tags, logs, service names and link attributes that hold markup must show
// as text on every page, and nothing in them may run.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { startViewer, type RunningViewer } from '../../src/index.js';
import { launchChromium, type Browser } from '../helpers/browser.js';
import { postOtlp, record } from '../helpers/spans.js';

// Run inside the page by page.evaluate: the browser's globals, untyped here (the tests compile without the DOM lib).
declare const document: any;
declare const window: any;

const PAYLOADS = [
  '<script>window.__xss = "script"</script>',
  '"><img src=x onerror="window.__xss=\'img\'">',
  "'><svg onload=\"window.__xss='svg'\"></svg>",
  '<iframe src="javascript:parent.__xss=\'iframe\'"></iframe>',
  '</title><script>alert(1)</script>',
  '<a href="javascript:window.__xss=\'link\'">click</a>',
  '{{constructor.constructor("window.__xss=1")()}}',
];

describe('viewer pages in Chromium: hostile span data stays text', function () {
  this.timeout(60_000);
  let running: RunningViewer;
  let browser: Browser;
  const traceId = 'dd00000000000000000000000000000d';

  before(async () => {
    browser = await launchChromium();
    running = await startViewer({ port: 0 });
    const start = 1_700_000_000_000;
    const root = record({
      traceId,
      name: PAYLOADS[0],
      service: PAYLOADS[1],
      kind: 'server',
      start,
      duration: 50,
      tags: Object.fromEntries(PAYLOADS.map((payload, i) => [`tag${i} ${payload}`, payload])),
      logs: PAYLOADS.map((payload, i) => ({ timestamp: start + i, level: 'warn' as const, message: payload, fields: { [payload]: payload } })),
      status: { code: 'ERROR', message: PAYLOADS[4] },
    });
    const child = record({
      traceId,
      parentSpanId: root.spanId,
      name: PAYLOADS[2],
      service: PAYLOADS[3],
      kind: 'client',
      start: start + 5,
      duration: 30,
      tags: { [PAYLOADS[5]]: PAYLOADS[6] },
      links: [{ context: { traceId: 'ee00000000000000000000000000000e', spanId: 'ee0000000000000e' }, tags: { note: PAYLOADS[1] } }],
    });
    expect((await postOtlp(running.url, [root, child], { format: 'json' })).status).to.equal(200);
  });

  after(async () => {
    await browser?.close();
    await running?.close();
  });

  /** Opens a page and records anything that would show an injection: dialogs, the flag, page errors. */
  async function open(path: string): Promise<{ page: Page; events: string[] }> {
    const page = await browser.newPage();
    const events: string[] = [];
    page.on('dialog', (dialog) => {
      events.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => events.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (/xss|Content Security Policy/i.test(message.text())) events.push(`console: ${message.text()}`);
    });
    await page.goto(`${running.url}${path}`);
    return { page, events };
  }

  /** Nothing ran, and no element came out of the data: only the pages' own markup is in <main>. */
  async function expectNothingRan(page: Page, events: string[]): Promise<void> {
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).to.equal(undefined);
    expect(await page.evaluate(() => document.querySelectorAll('main script, main iframe, main img, main [onerror], main [onload], main a[href^="javascript"]').length)).to.equal(0);
    expect(events).to.deep.equal([]);
  }

  it('trace list', async () => {
    const { page, events } = await open('/');
    await page.locator('#traces tbody tr').first().waitFor();
    const text = await page.locator('#traces').innerText();
    expect(text).to.include(PAYLOADS[0]).and.include(PAYLOADS[1]);
    // The service filter offers the hostile names as plain options.
    expect(await page.$$eval('#filter-service option', (options) => options.map((o) => o.textContent))).to.include(PAYLOADS[3]);
    await expectNothingRan(page, events);
    await page.close();
  });

  it('trace page: waterfall, and details with tags, logs, status and links', async () => {
    const { page, events } = await open(`/trace.html?id=${traceId}`);
    await page.locator('#waterfall .row').first().waitFor();
    expect(await page.title()).to.include(PAYLOADS[0]);
    expect(await page.locator('#waterfall').innerText()).to.include(PAYLOADS[0]).and.include(PAYLOADS[2]);
    const rootDetails = await page.locator('#details').innerText();
    for (const payload of PAYLOADS) expect(rootDetails).to.include(payload);
    await page.locator('#waterfall .row').nth(1).click();
    const childDetails = await page.locator('#details').innerText();
    expect(childDetails).to.include(PAYLOADS[5]).and.include(PAYLOADS[6]).and.include(JSON.stringify({ note: PAYLOADS[1] }));
    await expectNothingRan(page, events);
    await page.close();
  });

  it('a trace id that is markup gets a plain error, not a page', async () => {
    const { page, events } = await open(`/trace.html?id=${encodeURIComponent(PAYLOADS[1])}`);
    await page.locator('main .notice').waitFor();
    await expectNothingRan(page, events);
    await page.close();
  });

  it('bottleneck table and service map', async () => {
    for (const [path, selector] of [
      ['/bottlenecks.html', '#bottlenecks'],
      ['/map.html', '#edges'],
    ]) {
      const { page, events } = await open(path);
      await page.locator(selector).waitFor();
      const text = await page.locator('main').innerText();
      expect(text, path).to.include(path === '/map.html' ? PAYLOADS[3] : PAYLOADS[0]);
      if (path === '/map.html') expect(await page.$$eval('.map svg text', (nodes) => nodes.map((n) => n.textContent))).to.include(PAYLOADS[1]);
      await expectNothingRan(page, events);
      await page.close();
    }
  });
});
