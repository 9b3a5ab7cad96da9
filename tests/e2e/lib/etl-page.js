// Page object for the CSV ETL workbench section: every selector is a data-testid.
import { TestIdPage } from './browser.js';

/** The four exports' file names, as the AKTU notebook and `campus etl sample` have them. */
export const NAMES = {
  students: 'students_master.csv',
  attendance: 'attendance_2024_odd.csv',
  exams: 'exam_results_2024_odd.csv',
  placements: 'placements_2024.csv',
};

export class EtlPage extends TestIdPage {
  /** Opens the page, goes to the workbench and waits until its worker has loaded. */
  async open(url) {
    await this.page.goto(url);
    await this.byTestId('nav-etl').click();
    await this.waitFor('[data-testid="etl"][data-ready="true"]');
  }

  async runId() {
    return Number(await this.byTestId('etl').getAttribute('data-run'));
  }

  /** Chooses files for one picker: kind is students, attendance, exams or placements. */
  async pick(kind, paths) {
    await this.byTestId(`etl-pick-${kind}`).setInputFiles(paths);
  }

  /** Chooses the files of every picker: `inputs` is { kind: path or paths }. */
  async pickAll(inputs) {
    for (const [kind, paths] of Object.entries(inputs)) await this.pick(kind, paths);
  }

  /** Starts a run with `start` and waits until it has finished (or failed). */
  async runAndWait(start, timeout = 120_000) {
    const previous = await this.runId();
    await start();
    await this.page.waitForFunction(
      (previous) => {
        const etl = document.querySelector('[data-testid="etl"]');
        return etl && etl.dataset.running === 'false' && Number(etl.dataset.run) > previous;
      },
      previous,
      { timeout },
    );
  }

  /** Drops files ({ name, text }) on the drop zone, as a drag from the file manager would. */
  async drop(files) {
    await this.byTestId('etl-drop').evaluate((zone, files) => {
      const data = new DataTransfer();
      for (const { name, text } of files) data.items.add(new File([text], name, { type: 'text/csv' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, files);
  }

  async run() {
    await this.runAndWait(() => this.byTestId('etl-run').click());
  }

  async useSample() {
    await this.runAndWait(() => this.byTestId('etl-sample').click());
  }

  /** { kind: rows } from the files table. */
  async counts() {
    const out = {};
    for (const kind of ['students', 'attendance', 'exams', 'placements']) {
      const row = this.byTestId(`etl-count-${kind}`);
      if ((await row.count()) === 0) continue;
      const text = await row.first().locator('[data-testid="rows"]').innerText();
      out[kind] = Number(text.replace(/[^0-9]/g, ''));
    }
    return out;
  }

  async pearson() {
    // The full value; the page shows it rounded to three significant digits.
    return this.byTestId('etl-pearson').getAttribute('data-value');
  }

  async report() {
    return this.byTestId('etl-report').innerText();
  }

  async fileErrors(kind) {
    return this.byTestId(`etl-file-${kind}`).locator('[data-testid="etl-file-errors"]').innerText();
  }

  /**
   * Downloads an output by its test id; resolves to { name, path }.
   *
   * Headless Chromium now and then starts no download for a click that follows the previous
   * download closely (seen as a test run's fifth or sixth download in a row, never with a pause
   * between them, with any page build): a click that brings nothing in 10 s is made again, at
   * most twice.
   */
  async download(testId) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const [download] = await Promise.all([
          this.page.waitForEvent('download', { timeout: 10_000 }),
          this.byTestId(testId).click(),
        ]);
        return { name: download.suggestedFilename(), path: await download.path() };
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('waiting for event "download"')) throw err;
      }
    }
  }
}
