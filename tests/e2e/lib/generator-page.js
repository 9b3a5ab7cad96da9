// Page object for the university data generator: every selector is a data-testid.
import { readFile } from 'node:fs/promises';

import { TestIdPage } from './browser.js';

export class GeneratorPage extends TestIdPage {
  /** Opens the page and waits until its worker has loaded. */
  async open(url) {
    await this.page.goto(url);
    await this.waitReady();
  }

  async waitReady() {
    await this.waitFor('[data-testid="app"][data-ready="true"]');
  }

  input(key) {
    return this.byTestId(`input-${key}`);
  }

  error(key) {
    return this.byTestId(`error-${key}`);
  }

  async setField(key, value) {
    await this.input(key).fill(String(value));
  }

  async reset() {
    await this.byTestId('reset').click();
  }

  generateButton() {
    return this.byTestId('generate');
  }

  /** The job id of the results on show ("0" for none). */
  async resultId() {
    return this.byTestId('app').getAttribute('data-result');
  }

  /** Starts a generation by clicking Generate, or by `start` (e.g. pressing Enter). */
  async generate(start = () => this.generateButton().click()) {
    this.lastResult = await this.resultId();
    await start();
  }

  /** Waits for the results of the generation started last. */
  async waitResults(timeout = 60_000) {
    const previous = this.lastResult ?? '0';
    await this.page.waitForFunction(
      (previous) => {
        const app = document.querySelector('[data-testid="app"]');
        return app && app.dataset.running === 'false' && app.dataset.result !== '0' && app.dataset.result !== previous;
      },
      previous,
      { timeout },
    );
  }

  async waitRunning() {
    await this.byTestId('progress').waitFor({ timeout: 30_000 });
  }

  async cancel() {
    await this.byTestId('cancel').click();
  }

  /** { table name: rows } as the results table shows them. */
  async counts() {
    const rows = await this.page.locator('[data-testid="counts"] tbody tr').all();
    const out = {};
    for (const row of rows) {
      const name = (await row.locator('th').innerText()).trim();
      const n = Number((await row.locator('td').innerText()).replace(/,/g, ''));
      out[name] = n;
    }
    return out;
  }

  async elapsedMs() {
    return Number(await this.byTestId('elapsed-ms').innerText());
  }

  /** Clicks a download link and returns { name, bytes }. */
  async download(testId) {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.byTestId(testId).click()]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: await readFile(path) };
  }

  async downloadSql() {
    return this.download('download-sql');
  }

  async downloadZip(timeout = 120_000) {
    await this.byTestId('build-zip').click();
    await this.byTestId('download-zip').waitFor({ timeout });
    return this.download('download-zip');
  }

  async notice() {
    return (await this.byTestId('notice-text').innerText()).trim();
  }
}
