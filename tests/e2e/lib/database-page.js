// The database section (#/sql) as a test sees it: load, run SQL, read the grid, stop, save, open.
import { TestIdPage } from './browser.js';

/** A three-table join whose numbers the tests compare with the stock sqlite3 tool's. */
export const JOIN = `SELECT d.department_name, COUNT(*) AS students, CAST(ROUND(AVG(m.final_score) * 100) AS INTEGER) AS average_x100
FROM students s
JOIN departments d ON d.department_id = s.department_id
JOIN student_marks m ON m.student_id = s.student_id
GROUP BY d.department_id
ORDER BY d.department_id;`;

export class DatabasePage extends TestIdPage {
  section() {
    return this.page.locator('[data-testid="database"]');
  }

  async open(base) {
    await this.page.goto(`${base}#/sql`);
    await this.waitIdle();
  }

  /** Waits until the worker is ready and nothing runs. */
  async waitIdle(timeout = 60_000) {
    await this.waitFor('[data-testid="database"][data-ready="true"][data-busy="false"]', timeout);
  }

  async attr(name) {
    return this.section().getAttribute(`data-${name}`);
  }

  async load({ seed = '42', students = '5000' } = {}) {
    await this.byTestId('db-seed').fill(seed);
    await this.byTestId('db-students').fill(students);
    const before = Number(await this.attr('loaded'));
    await this.byTestId('db-load').click();
    await this.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="database"]').dataset.loaded) > n,
      before, { timeout: 120_000 });
    await this.waitIdle();
  }

  /** Types `sql` into the editor and runs all of it; resolves when the answer is on screen. */
  async run(sql, { stopAfterMs } = {}) {
    await this.byTestId('db-editor').fill(sql);
    const before = Number(await this.attr('run'));
    await this.byTestId('db-run-all').click();
    if (stopAfterMs !== undefined) {
      await this.page.waitForTimeout(stopAfterMs);
      await this.byTestId('db-stop').click();
    }
    await this.page.waitForFunction(
      (n) => Number(document.querySelector('[data-testid="database"]').dataset.run) > n,
      before, { timeout: 60_000 });
  }

  /** The grid's header and rows as text. */
  async grid() {
    return this.byTestId('db-grid').evaluate((table) => ({
      columns: [...table.querySelectorAll('thead th')].map((th) => th.textContent),
      rows: [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    }));
  }
}
