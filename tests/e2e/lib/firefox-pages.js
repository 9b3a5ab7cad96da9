// Page objects for the three sections in Firefox (selenium-webdriver), the counterparts of
// generator-page.js, etl-page.js and occupancy-page.js for Playwright: every selector is a data-testid.
import { FirefoxPage } from './firefox.js';

export class FirefoxGeneratorPage extends FirefoxPage {
  /** Opens the page and waits until the generator's worker has loaded. */
  async open(url) {
    await this.driver.get(url);
    await this.waitFor('[data-testid="app"][data-ready="true"]', { timeout: 30_000, what: 'the generator worker to be ready' });
  }

  async setField(key, value) {
    await this.fill(`input-${key}`, value);
  }

  /** Waits until the error under field `key` shows, and returns its text. */
  async error(key) {
    return this.waitText(`error-${key}`, { timeout: 5_000, what: `the error under the ${key} field` });
  }

  async generateDisabled() {
    return this.driver.executeScript('return document.querySelector(\'[data-testid="generate"]\').disabled');
  }

  /** Clicks Generate and waits for the results of this generation. */
  async generate(timeout = 60_000) {
    const previous = (await this.dataset('app')).result;
    await this.click('generate');
    await this.waitUntil(
      async () => {
        const app = await this.dataset('app');
        return app.running === 'false' && app.result !== '0' && app.result !== previous;
      },
      { timeout, what: 'the generation to finish' },
    );
  }

  /** { table name: rows } as the results table shows them. */
  async counts() {
    return this.driver.executeScript(`
      const out = {};
      for (const row of document.querySelectorAll('[data-testid="counts"] tbody tr')) {
        out[row.querySelector('th').textContent.trim()] = Number(row.querySelector('td').textContent.replace(/,/g, ''));
      }
      return out;`);
  }

  /** Clicks the SQL download link and returns the downloaded file's bytes. */
  async downloadSql() {
    await this.click('download-sql');
    return this.ff.downloaded('Create_FullDB.sql');
  }
}

export class FirefoxEtlPage extends FirefoxPage {
  /** Goes to the workbench and waits until its worker has loaded. */
  async show() {
    await this.click('nav-etl');
    await this.waitFor('[data-testid="etl"][data-ready="true"]', { timeout: 30_000, what: 'the ETL worker to be ready' });
  }

  /** Chooses a file for one picker (kind is students, attendance, exams or placements). */
  async pick(kind, path) {
    // WebDriver types a path into a file input to choose that file.
    await (await this.byTestId(`etl-pick-${kind}`)).sendKeys(path);
  }

  /** Clicks Run and waits until the run has finished (or failed). */
  async run(timeout = 60_000) {
    const previous = Number((await this.dataset('etl')).run);
    await this.click('etl-run');
    await this.waitUntil(
      async () => {
        const etl = await this.dataset('etl');
        return etl.running === 'false' && Number(etl.run) > previous;
      },
      { timeout, what: 'the ETL run to finish' },
    );
  }

  async pearson() {
    return this.driver.executeScript('return document.querySelector(\'[data-testid="etl-pearson"]\').dataset.value');
  }
}

export class FirefoxOccupancyPage extends FirefoxPage {
  /** Goes to the occupancy section and waits until its worker and the model registry are ready. */
  async show() {
    await this.click('nav-occupancy');
    await this.waitFor('[data-testid="occupancy"][data-ready="true"][data-registry="true"]', {
      timeout: 30_000,
      what: 'the occupancy worker and registry to be ready',
    });
  }

  /** Waits until the section's data attributes have the given values ({ running: 'false', … }). */
  async waitData(values, { timeout = 60_000, what } = {}) {
    await this.waitUntil(
      async () => {
        const data = await this.dataset('occupancy');
        return Object.entries(values).every(([key, value]) => data[key] === value);
      },
      { timeout, what },
    );
  }

  /** Generates `sessions` sessions and waits for them. */
  async generate(sessions) {
    await this.fill('occ-sessions', sessions);
    await this.click('occ-generate');
    await this.waitData({ running: 'false', rows: String(sessions) }, { what: 'the sessions to be generated' });
  }

  /** Trains and waits until the run has finished with `versions` stored versions. */
  async train(versions, timeout = 120_000) {
    await this.click('occ-train');
    await this.waitData({ running: 'false', versions: String(versions) }, { timeout, what: 'training to finish with a saved version' });
  }

  /** Waits for the forest's prediction and returns { forest, verdict } as the panel shows them. */
  async prediction() {
    const forest = await this.waitText('pred-forest', { what: 'a prediction' });
    return { forest, verdict: await this.text('pred-verdict') };
  }
}
