// Headless Firefox (Debian's firefox-esr) driven by selenium-webdriver through geckodriver.
// Playwright can only drive its own patched Firefox build, which cannot be downloaded here.
// selenium-webdriver is pinned at 4.46.0, the last release whose `engines` accepts Node 20 (Debian's
// Node on these machines); 4.47 asks for Node 22.
//
// Nothing is downloaded: the driver service is given geckodriver's path and the options Firefox's
// binary, so Selenium Manager (the helper that would otherwise look up and fetch a driver and a
// browser) is never asked; should any code path still reach for it, SE_MANAGER_PATH points at
// `false`, so the session fails at once instead of going to the network.
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, By, Key, until } from 'selenium-webdriver';
import { Options, ServiceBuilder } from 'selenium-webdriver/firefox.js';

import { ARTIFACTS } from './browser.js';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const GECKODRIVER = process.env.GECKODRIVER ?? join(process.env.HOME ?? '/root', '.cargo', 'bin', 'geckodriver');

process.env.SE_OFFLINE = 'true';
process.env.SE_MANAGER_PATH = '/bin/false';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A headless Firefox session whose downloads land in `this.downloads`. */
export class Firefox {
  static async launch() {
    const downloads = mkdtempSync(join(tmpdir(), 'campus-ff-downloads-'));
    const options = new Options()
      .setBinary(FIREFOX)
      .addArguments('-headless')
      .windowSize({ width: 1280, height: 900 });
    const prefs = {
      'browser.download.folderList': 2,
      'browser.download.dir': downloads,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.helperApps.neverAsk.saveToDisk': 'application/sql,text/plain,application/octet-stream,application/zip',
      'browser.download.manager.showWhenStarting': false,
      // No update checks, telemetry or other traffic of the browser's own.
      'app.update.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'network.captive-portal-service.enabled': false,
      'browser.safebrowsing.downloads.enabled': false,
    };
    for (const [key, value] of Object.entries(prefs)) options.setPreference(key, value);
    // geckodriver's own log, for a session that fails to start or misbehaves.
    const log = openSync(join(ARTIFACTS, 'geckodriver.log'), 'w');
    const service = new ServiceBuilder(GECKODRIVER).setStdio(['ignore', log, log]);
    try {
      const driver = await new Builder().forBrowser('firefox').setFirefoxOptions(options).setFirefoxService(service).build();
      return new Firefox(driver, downloads);
    } finally {
      closeSync(log);
    }
  }

  constructor(driver, downloads) {
    this.driver = driver;
    this.downloads = downloads;
  }

  /** Waits until a finished download named `name` is in the download directory and returns it. */
  async downloaded(name, timeout = 60_000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const files = readdirSync(this.downloads);
      // Firefox writes `name.part` and renames it when the download completes.
      if (files.includes(name) && !files.some((f) => f.endsWith('.part'))) {
        return readFileSync(join(this.downloads, name));
      }
      if (Date.now() > deadline) throw new Error(`no ${name} among the downloads (${files.join(', ')})`);
      await sleep(100);
    }
  }

  async screenshot(name) {
    const png = Buffer.from(await this.driver.takeScreenshot(), 'base64');
    writeFileSync(join(ARTIFACTS, `firefox-${name}.png`), png);
  }

  async close() {
    try {
      await this.driver.quit();
    } finally {
      rmSync(this.downloads, { recursive: true, force: true });
    }
  }
}

/** What the page objects of tests/e2e/lib/firefox-pages.js share: every selector is a data-testid. */
export class FirefoxPage {
  constructor(ff) {
    this.ff = ff;
    this.driver = ff.driver;
  }

  byTestId(id) {
    return this.driver.findElement(By.css(`[data-testid="${id}"]`));
  }

  /** Clicks `id` after scrolling it to the middle of the view, clear of the sticky header. */
  async click(id) {
    const element = await this.byTestId(id);
    await this.driver.executeScript('arguments[0].scrollIntoView({ block: "center" })', element);
    await element.click();
  }

  /**
   * Replaces an input's value by typing, as a user would: select all, delete, type. WebDriver's
   * `clear()` empties the field without an `input` event, so the page's state keeps the old text,
   * and a render that lands between the clear and the typing puts it back: the typed text is then
   * appended to it ("5000" + "1000" made a 50-million-student load).
   */
  async fill(id, value) {
    const input = await this.byTestId(id);
    await input.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
    await input.sendKeys(String(value));
    const now = await input.getAttribute('value');
    if (now !== String(value)) throw new Error(`${id} holds ${JSON.stringify(now)} after typing ${JSON.stringify(String(value))}`);
  }

  async text(id) {
    return (await (await this.byTestId(id)).getText()).trim();
  }

  /** Waits until an element matches the CSS selector `css`. */
  async waitFor(css, { timeout = 60_000, what = css } = {}) {
    await this.driver.wait(until.elementLocated(By.css(css)), timeout, `timed out after ${timeout} ms waiting for: ${what}`);
  }

  /** Waits until `test` (an async function) resolves to a truthy value, and returns that value. */
  async waitUntil(test, { timeout = 60_000, what = 'a condition' } = {}) {
    return this.driver.wait(test, timeout, `timed out after ${timeout} ms waiting for: ${what}`, 100);
  }

  /** Waits until the element `id` exists and shows non-blank text, and returns the text. */
  async waitText(id, options = {}) {
    return this.waitUntil(async () => {
      const found = await this.driver.findElements(By.css(`[data-testid="${id}"]`));
      return found.length > 0 && (await found[0].getText()).trim();
    }, { what: `text in ${id}`, ...options });
  }

  /** The `data-*` attributes of element `id` as an object (`data-run` is `run`). */
  async dataset(id) {
    return this.driver.executeScript(
      'const e = document.querySelector(\'[data-testid="\' + arguments[0] + \'"]\'); return e && { ...e.dataset };',
      id,
    );
  }

  /** The panic banner (index.html's `#panic-banner`) is still hidden. */
  async noBanner() {
    return this.driver.executeScript('return document.getElementById("panic-banner").hidden');
  }
}
