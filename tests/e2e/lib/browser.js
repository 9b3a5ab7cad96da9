// Debian's Chromium, headless, driven by playwright-core (no downloaded browsers).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

import { serve } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..', '..');
export const DIST = process.env.CAMPUS_DIST ?? join(ROOT, 'dist');
export const ARTIFACTS = process.env.CAMPUS_ARTIFACTS ?? join(here, '..', 'artifacts');
/** The release CLI the page's outputs are compared with. */
export const CLI = process.env.CAMPUS_CLI ?? join(ROOT, 'target', 'release', 'campus');
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
 * Headless Chromium and the release build served, around the tests of one file: registers the
 * file's `before` and `after` hooks. The returned object's `browser` and `server` are set once
 * its `before` hook has run.
 */
export function chromiumSuite() {
  const suite = { browser: undefined, server: undefined };
  before(async () => {
    assert.ok(existsSync(join(DIST, 'index.html')), `no build at ${DIST}: run trunk build --release first`);
    suite.browser = await launch();
    suite.server = await serve(DIST);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}

/** A fresh page (see `newPage`) and a page object of class `Section` over it. */
export async function newSection(browser, Section) {
  const { context, page, log } = await newPage(browser);
  return { context, page, log, section: new Section(page) };
}

/** What the Playwright page objects share: the page, and elements found by data-testid. */
export class TestIdPage {
  constructor(page) {
    this.page = page;
  }

  byTestId(id) {
    return this.page.locator(`[data-testid="${id}"]`);
  }

  /** Waits until an element matching `selector` (e.g. a section marked ready) is there. */
  async waitFor(selector, timeout = 30_000) {
    await this.page.locator(selector).waitFor({ timeout });
  }
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
