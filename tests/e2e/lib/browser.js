// Debian's Chromium, headless, driven by playwright-core (no downloaded browsers).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..');
export const DIST = process.env.CAMPUS_DIST ?? join(ROOT, 'dist');
export const ARTIFACTS = process.env.CAMPUS_ARTIFACTS ?? join(here, '..', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

mkdirSync(ARTIFACTS, { recursive: true });

const LAUNCH = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
};

export async function launch() {
  return chromium.launch(LAUNCH);
}

/**
 * A browser with an on-disk profile in `userDataDir`, as a user's own browser has. Contexts made by
 * `launch()` are incognito, where the origin private file system lives in memory: writing a big
 * file there is several times slower than to disk, so benchmarks of big outputs use this.
 */
export async function launchProfile(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    ...LAUNCH,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
}

/**
 * A fresh page that records console errors, page errors, CSP violations and every network request.
 * `log.requests` holds { url, at } with `at` a Date.now() timestamp.
 */
export async function newPage(browser) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const log = { errors: [], requests: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') log.errors.push(msg.text());
    if (/Content Security Policy|Content-Security-Policy/i.test(msg.text())) log.csp.push(msg.text());
  });
  page.on('pageerror', (err) => log.errors.push(String(err)));
  context.on('request', (req) => log.requests.push({ url: req.url(), at: Date.now() }));
  return { context, page, log };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
