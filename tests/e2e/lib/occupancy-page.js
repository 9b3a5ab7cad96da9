// Page object for the classroom occupancy section: every selector is a data-testid.
import { readFile } from 'node:fs/promises';

import { TestIdPage } from './browser.js';

export class OccupancyPage extends TestIdPage {
  section() {
    return this.byTestId('occupancy');
  }

  async attr(name) {
    return this.section().getAttribute(`data-${name}`);
  }

  /** Opens the page, goes to the occupancy section and waits until its worker and the registry are ready. */
  async open(url) {
    await this.page.goto(url);
    await this.page.locator('[data-testid="nav-occupancy"]').click();
    await this.waitReady();
  }

  async reload() {
    await this.page.reload();
    await this.waitReady();
  }

  async waitReady(timeout = 30_000) {
    await this.waitFor('[data-testid="occupancy"][data-ready="true"][data-registry="true"]', timeout);
  }

  /** Waits for the section's data attribute to reach a value. */
  async waitAttr(name, value, timeout = 60_000) {
    await this.waitFor(`[data-testid="occupancy"][data-${name}="${value}"]`, timeout);
  }

  async generate({ seed = 42, sessions = 5000 } = {}) {
    await this.byTestId('occ-seed').fill(String(seed));
    await this.byTestId('occ-sessions').fill(String(sessions));
    await this.byTestId('occ-generate').click();
    await this.waitAttr('running', 'false');
  }

  async rows() {
    return Number(await this.attr('rows'));
  }

  async versions() {
    return Number(await this.attr('versions'));
  }

  async active() {
    return this.attr('active');
  }

  /** Starts training (the button), without waiting for the end. */
  async startTraining() {
    await this.byTestId('occ-train').click();
  }

  /** Trains and waits until the new version is stored and serving; returns the worker's timings. */
  async train(timeout = 120_000) {
    const before = await this.versions();
    await this.startTraining();
    await this.waitAttr('versions', String(before + 1), timeout);
    await this.waitAttr('running', 'false', timeout);
    return this.timings();
  }

  /** { linear, forest, svm, total } in ms, as the page reports them for the serving version. */
  async timings() {
    const t = this.byTestId('occ-timings');
    const ms = async (key) => Number(await t.getAttribute(`data-${key}-ms`));
    return { linear: await ms('linear'), forest: await ms('forest'), svm: await ms('svm'), total: await ms('total') };
  }

  async text(id) {
    return (await this.byTestId(id).innerText()).trim();
  }

  async number(id) {
    return Number(await this.text(id));
  }

  /** The confusion matrix as [[tn, fp], [fn, tp]]. */
  async confusion() {
    const cell = (a, p) => this.number(`confusion-${a}-${p}`);
    return [
      [await cell(0, 0), await cell(0, 1)],
      [await cell(1, 0), await cell(1, 1)],
    ];
  }

  /** Fills prediction inputs by key (capacity, time, day, enrolled, prev, r3, r5). */
  async setPrediction(fields) {
    for (const [key, value] of Object.entries(fields)) {
      await this.byTestId(`pred-${key}`).fill(String(value));
    }
  }

  async selectPrediction(key, value) {
    await this.byTestId(`pred-${key}`).selectOption(value);
  }

  /** What the prediction panel shows. */
  async prediction() {
    return {
      linear: await this.text('pred-linear'),
      forest: await this.text('pred-forest'),
      verdict: await this.text('pred-verdict'),
      margin: await this.text('pred-margin'),
    };
  }

  /** Clicks a version's Export button and returns { name, bytes } of the download. */
  async exportVersion(id) {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.byTestId(`export-${id}`).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: await readFile(path) };
  }

  /** Downloads the sessions (and the serving version) as SQL in `dialect`: { name, bytes }. */
  async downloadSql(dialect) {
    await this.byTestId('occ-sql-dialect').selectOption(dialect);
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.byTestId('occ-download-sql').click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), bytes: await readFile(path) };
  }

  /** Chooses a file for the model import input: { name, mimeType, buffer }. */
  async importModel(file) {
    await this.byTestId('occ-import-model').setInputFiles(file);
  }

  async importCsv(file) {
    await this.byTestId('occ-import-csv').setInputFiles(file);
    await this.waitAttr('running', 'false');
  }

  async notice() {
    return {
      text: await this.text('occ-notice-text'),
      error: (await this.byTestId('occ-notice').getAttribute('data-error')) === 'true',
    };
  }

  async noticeDetails() {
    return this.byTestId('occ-notice-details').locator('li').allInnerTexts();
  }

  /** Deletes a version through its confirm step and waits for the list to shrink. */
  async deleteVersion(id) {
    const before = await this.versions();
    await this.byTestId(`delete-${id}`).click();
    await this.byTestId(`confirm-delete-${id}`).click();
    await this.waitAttr('versions', String(before - 1));
  }

  /** { invalid, describedBy, error } of a text field: its aria state and its own problem. */
  async fieldState(id) {
    const input = this.byTestId(id);
    const describedBy = await input.getAttribute('aria-describedby');
    const error = describedBy ? (await this.page.locator(`#${describedBy}`).innerText()).trim() : null;
    return { invalid: await input.getAttribute('aria-invalid'), describedBy, error };
  }

  /** Does an element's content fit its box, and the box the viewport? */
  async fits(locator) {
    return locator.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().right <= window.innerWidth);
  }
}
