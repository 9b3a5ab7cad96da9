// The database section in headless Firefox (the counterpart of database.test.js): the generated
// university loaded into SQLite in the page's worker, a join equal to the stock sqlite3 tool's on
// the CLI's file for the same seed, a syntax error's place, a stopped runaway query, the database
// saved as .sqlite and opened back, and a reload that keeps the database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, DIST } from '../lib/browser.js';
import { Firefox, FirefoxPage } from '../lib/firefox.js';
import { JOIN } from '../lib/database-page.js';
import { serve } from '../lib/server.js';

const dir = mkdtempSync(join(tmpdir(), 'campus-db-ff-e2e-'));
const suite = { server: undefined };

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), `no build at ${DIST}: run trunk build --release first`);
  assert.ok(existsSync(CLI), `no CLI at ${CLI}: build it with cargo build --release -p campus_cli`);
  suite.server = await serve(DIST);
});

after(async () => {
  await suite.server?.close();
});

/** Rows of `sql` on `file` by the stock sqlite3 tool, as arrays of text. */
function sqlite3(file, sql) {
  const out = execFileSync('sqlite3', ['-separator', '\t', file, sql], { encoding: 'utf8' });
  return out.trim().split('\n').filter((l) => l).map((l) => l.split('\t'));
}

describe('database section (Firefox)', () => {
  test('load, the same join, an error, stop, save, open and reload', async () => {
    const reference = join(dir, 'reference-1000.db');
    execFileSync(CLI, ['generate', '--format', 'sqlite', '--seed', '42', '--students', '1000', '--out', reference]);
    const expected = sqlite3(reference, JOIN);
    const ff = await Firefox.launch();
    try {
      const db = new FirefoxPage(ff);
      const section = () => db.dataset('database');
      const idle = (what) => db.waitUntil(async () => {
        const d = await section();
        return d && d.ready === 'true' && d.busy === 'false';
      }, { what });
      const run = async (sql) => {
        const before = Number((await section()).run);
        await db.fill('db-editor', sql);
        await db.click('db-run-all');
        await db.waitUntil(async () => Number((await section()).run) > before, { what: 'the query to end' });
      };
      const rows = () => ff.driver.executeScript(
        'return [...document.querySelectorAll(\'[data-testid="db-grid"] tbody tr\')].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent))');
      await ff.driver.get(`${suite.server.url}#/sql`);
      await idle('the database worker');
      await db.fill('db-students', '1000');
      await db.click('db-load');
      await db.waitUntil(async () => (await section()).loaded !== '0' && (await section()).rows !== '0', { what: 'the load' })
        .catch(async (e) => {
          const seen = await ff.driver.executeScript('return document.querySelector(\'[data-testid="database"]\').innerText');
          throw new Error(`${e.message}; the section: ${JSON.stringify(await section())}\n${seen}`);
        });
      await idle('the load to end');
      await run(JOIN);
      assert.deepEqual(await rows(), expected);
      await run('SELECT *\nFORM students;');
      assert.match(await db.text('db-error'), /Line 2, column 1: near "FORM": syntax error/);
      const before = Number((await section()).run);
      await db.fill('db-editor', 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n;');
      await db.click('db-run-all');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await db.click('db-stop');
      await db.waitUntil(async () => Number((await section()).run) > before, { what: 'the stop' });
      assert.match(await db.text('db-error'), /stopped/i);
      await idle('the restarted worker');
      await run('SELECT COUNT(*) FROM students;');
      assert.deepEqual(await rows(), [['1000']], JSON.stringify([await section(), await ff.driver.executeScript('return document.querySelector(\'[data-testid="db-editor"]\').value'), await db.text('db-error').catch(() => '')]));
      const total = (await section()).rows;
      // Save as .sqlite: the stock tool opens it, finds it sound and finds the same rows.
      await db.click('db-save');
      const saved = join(dir, 'saved.sqlite');
      writeFileSync(saved, await ff.downloaded('university.sqlite'));
      await idle('the save');
      assert.deepEqual(sqlite3(saved, 'PRAGMA integrity_check'), [['ok']]);
      assert.deepEqual(sqlite3(saved, 'PRAGMA foreign_key_check'), []);
      assert.deepEqual(sqlite3(saved, JOIN), expected);
      // Open another file, then the saved one back.
      const other = join(dir, 'other.sqlite');
      execFileSync('sqlite3', [other, 'CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);']);
      await (await db.byTestId('db-open')).sendKeys(other);
      await db.waitUntil(async () => (await section()).rows === '3', { what: 'the other file to open' });
      await idle('the other file');
      await (await db.byTestId('db-open')).sendKeys(saved);
      await db.waitUntil(async () => (await section()).rows === total, { what: 'the saved file to open' });
      await idle('the saved file');
      await run(JOIN);
      assert.deepEqual(await rows(), expected);
      await ff.driver.navigate().refresh();
      await idle('the worker after the reload');
      await db.waitUntil(async () => (await section()).rows === total, { what: 'the kept database' });
      await run(JOIN);
      assert.deepEqual(await rows(), expected);
      await ff.screenshot('database');
      assert.equal(await db.noBanner(), true);
    } finally {
      await ff.close();
    }
  });
});
