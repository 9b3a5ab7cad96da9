// Headless Firefox (Debian's firefox-esr) driven through geckodriver with the W3C WebDriver protocol.
// Playwright can only drive its own patched Firefox build, which cannot be downloaded here, so this
// is a small client over fetch: enough to open the page, click, read text and collect downloads.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';
export const GECKODRIVER = process.env.GECKODRIVER ?? join(process.env.HOME ?? '/root', '.cargo', 'bin', 'geckodriver');

/** A free TCP port on localhost. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Firefox {
  /** Starts geckodriver and a headless Firefox whose downloads land in `this.downloads`. */
  static async launch() {
    const port = await freePort();
    const driver = spawn(GECKODRIVER, ['--port', String(port), '--host', '127.0.0.1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    driver.stderr.on('data', (d) => (stderr += d));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        const status = await fetch(`${base}/status`);
        if (status.ok) break;
      } catch {
        if (i > 100) throw new Error(`geckodriver did not start: ${stderr}`);
        await sleep(100);
      }
    }
    const downloads = mkdtempSync(join(tmpdir(), 'campus-ff-downloads-'));
    const capabilities = {
      browserName: 'firefox',
      'moz:firefoxOptions': {
        binary: FIREFOX,
        args: ['-headless'],
        prefs: {
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
        },
      },
    };
    const ff = new Firefox(base, driver, downloads);
    const session = await ff.send('POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    ff.session = session.sessionId;
    return ff;
  }

  constructor(base, driver, downloads) {
    this.base = base;
    this.driver = driver;
    this.downloads = downloads;
    this.session = null;
  }

  async send(method, path, body) {
    const url = this.session && path !== '/session' ? `${this.base}/session/${this.session}${path}` : `${this.base}${path}`;
    const response = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok || json.value?.error) {
      throw new Error(`WebDriver ${method} ${path}: ${json.value?.error}: ${json.value?.message}`);
    }
    return json.value;
  }

  async goto(url) {
    await this.send('POST', '/url', { url });
  }

  /** Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value. */
  async eval(script, ...args) {
    return this.send('POST', '/execute/sync', { script, args });
  }

  /** Polls `script` until it returns a truthy value. */
  async waitFor(script, { timeout = 60_000, what = script } = {}, ...args) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const value = await this.eval(script, ...args);
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for: ${what}`);
      await sleep(100);
    }
  }

  async element(testId) {
    const found = await this.send('POST', '/element', { using: 'css selector', value: `[data-testid="${testId}"]` });
    return Object.values(found)[0];
  }

  async click(testId) {
    await this.send('POST', `/element/${await this.element(testId)}/click`, {});
  }

  async text(testId) {
    return this.send('GET', `/element/${await this.element(testId)}/text`);
  }

  /** Replaces an input's value by typing, as a user would. */
  async fill(testId, value) {
    const id = await this.element(testId);
    await this.send('POST', `/element/${id}/clear`, {});
    await this.send('POST', `/element/${id}/value`, { text: String(value) });
  }

  async screenshot() {
    return Buffer.from(await this.send('GET', '/screenshot'), 'base64');
  }

  async close() {
    try {
      if (this.session) await this.send('DELETE', '');
    } finally {
      this.driver.kill();
    }
  }
}
