// Real Chromium for the page tests: Debian's system binary driven by playwright-core (never a downloaded browser).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh profile. Fails at once, saying how to install it, when the binary is missing:
 * a browser test must neither hang nor pass without a browser.
 */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium is not installed at ${executablePath}: the viewer's browser tests need it. Install it with \`apt-get install chromium\` (Debian/Ubuntu), or set CHROMIUM_PATH.`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'viewer-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: ARGS, timeout: 30_000, viewport: { width: 1280, height: 800 } });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(10_000);
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Distinct colours in a PNG and the share of pixels that are not (near) white: a blank page has 1 and 0. */
export function pngStats(png: Buffer): { width: number; height: number; colours: number; inkShare: number } {
  const image = PNG.sync.read(png);
  const colours = new Set<number>();
  let ink = 0;
  const { data } = image;
  for (let i = 0; i < data.length; i += 4) {
    colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    if (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240) ink++;
  }
  return { width: image.width, height: image.height, colours: colours.size, inkShare: ink / (image.width * image.height) };
}
