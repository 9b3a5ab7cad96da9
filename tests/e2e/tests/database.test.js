// The database section in headless Chromium: the generated university loaded into SQLite in the
// page's worker, queried with SQL whose answers equal the stock sqlite3 tool's on the CLI's
// `campus generate --format sqlite` file for the same seed; errors, a stopped runaway query, a
// saved and reopened .sqlite, and a reload that keeps the database. database-firefox.test.js is
// its Firefox counterpart.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, chromiumSuite, newSection, screenshot } from '../lib/browser.js';
import { DatabasePage, JOIN } from '../lib/database-page.js';
import { EtlPage, NAMES } from '../lib/etl-page.js';
import { GeneratorPage } from '../lib/generator-page.js';
import { OccupancyPage } from '../lib/occupancy-page.js';


const suite = chromiumSuite();
const dir = mkdtempSync(join(tmpdir(), 'campus-db-e2e-'));

/** Rows of `sql` on `file` by the stock sqlite3 tool, as arrays of text. */
function sqlite3(file, sql) {
  const out = execFileSync('sqlite3', ['-separator', '\t', file, sql], { encoding: 'utf8' });
  return out.trim().split('\n').filter((l) => l).map((l) => l.split('\t'));
}

describe('database section (Chromium)', () => {
  test('load, query, errors, stop, save, open and reload', async () => {
    assert.ok(existsSync(CLI), `no CLI at ${CLI}: build it with cargo build --release -p campus_cli`);
    const reference = join(dir, 'reference.db');
    execFileSync(CLI, ['generate', '--format', 'sqlite', '--seed', '42', '--out', reference]);
    const expected = sqlite3(reference, JOIN);

    const { page, log } = await newSection(suite.browser, DatabasePage);
    const db = new DatabasePage(page);
    await db.open(suite.server.url);
    const started = Date.now();
    await db.load({ seed: '42', students: '5000' });
    const loadMs = Date.now() - started;
    const tables = sqlite3(reference, "SELECT name FROM sqlite_schema WHERE type = 'table'").map(([t]) => t);
    assert.equal(tables.length, 18);
    const total = String(tables.reduce((sum, t) => sum + Number(sqlite3(reference, `SELECT COUNT(*) FROM "${t}"`)[0][0]), 0));
    assert.equal(await db.attr('rows'), total, 'every row of the CLI file is in the page');
    console.log(`# load of the default university in the page: ${loadMs} ms`);

    // A join: the same numbers as the stock sqlite3 tool on the CLI's file.
    await db.run(JOIN);
    const grid = await db.grid();
    assert.deepEqual(grid.columns, ['department_name', 'students', 'average_x100']);
    assert.deepEqual(grid.rows, expected);
    const summary = await db.byTestId('db-result-summary').innerText();
    console.log(`# the join (students per department) in the page: ${summary}`);
    assert.match(summary, new RegExp(`^${expected.length} rows · \\d+`));
    await screenshot(page, 'database-join');

    // A syntax error: SQLite's message and its line and column in the editor.
    await db.run('SELECT 1;\nSELECT *\nFORM students;');
    const error = await db.byTestId('db-error').innerText();
    assert.match(error, /Line 3, column 1: near "FORM": syntax error/);

    // A runaway recursive query is stopped; the page and the database stay usable.
    await db.run('WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)\nSELECT COUNT(*) FROM n;', { stopAfterMs: 1_000 });
    assert.match(await db.byTestId('db-error').innerText(), /stopped/i);
    await db.waitIdle();
    await db.run('SELECT COUNT(*) AS n FROM students;');
    assert.deepEqual((await db.grid()).rows, [['5000']]);

    // Save as .sqlite: the stock tool opens it, finds it sound and finds the same rows.
    const [download] = await Promise.all([page.waitForEvent('download'), db.byTestId('db-save').click()]);
    const saved = join(dir, 'saved.sqlite');
    await download.saveAs(saved);
    await db.waitIdle();
    assert.deepEqual(sqlite3(saved, 'PRAGMA integrity_check'), [['ok']]);
    assert.deepEqual(sqlite3(saved, 'PRAGMA foreign_key_check'), []);
    assert.deepEqual(sqlite3(saved, JOIN), expected);

    // Open another file, then the saved one back.
    const other = join(dir, 'other.sqlite');
    execFileSync('sqlite3', [other, 'CREATE TABLE t(x); INSERT INTO t VALUES (1),(2),(3);']);
    await db.byTestId('db-open').setInputFiles(other);
    await page.waitForFunction(() => document.querySelector('[data-testid="database"]').dataset.rows === '3', null, { timeout: 30_000 });
    await db.waitIdle();
    await db.byTestId('db-open').setInputFiles(saved);
    await page.waitForFunction((n) => document.querySelector('[data-testid="database"]').dataset.rows === n, total, { timeout: 30_000 });
    await db.waitIdle();

    // A reload keeps the database (the worker's copy in the private file system).
    await page.reload();
    await db.waitIdle();
    await page.waitForFunction((n) => document.querySelector('[data-testid="database"]').dataset.rows === n, total, { timeout: 30_000 });
    await db.run(JOIN);
    assert.deepEqual((await db.grid()).rows, expected);
    assert.deepEqual(log.errors, []);
  });

  test('exercises: a wrong answer, the right one, the pack', async () => {
    const { page } = await newSection(suite.browser, DatabasePage);
    const db = new DatabasePage(page);
    await db.open(suite.server.url);
    await db.load({ seed: '7', students: '1000' });
    await db.byTestId('db-answer').fill('SELECT 1');
    await db.byTestId('db-check').click();
    await db.byTestId('db-verdict').waitFor();
    assert.equal(await db.byTestId('db-verdict').getAttribute('data-correct'), 'false');
    await db.byTestId('db-answer').fill(
      'SELECT department_name, (SELECT COUNT(*) FROM students s WHERE s.department_id = d.department_id) FROM departments d WHERE EXISTS (SELECT 1 FROM students s WHERE s.department_id = d.department_id)');
    await db.byTestId('db-check').click();
    await page.locator('[data-testid="db-verdict"][data-correct="true"]').waitFor({ timeout: 30_000 });
    const [pack] = await Promise.all([page.waitForEvent('download'), db.byTestId('db-pack-answers').click()]);
    assert.equal(pack.suggestedFilename(), 'exercises-with-answers.md');
    await page.locator('[data-testid="db-diagram"] summary').click();
    assert.equal(await page.locator('[data-testid="db-diagram"] svg').count(), 1);
    await screenshot(page, 'database-exercises');
  });

  test('the generator\'s sizes, the ETL\'s staging tables and the occupancy sessions, as the CLI writes them', async () => {
    const { page, log } = await newSection(suite.browser, DatabasePage);
    const db = new DatabasePage(page);
    const go = async (key) => {
      await page.locator(`[data-testid="nav-${key}"]`).click();
    };

    // Sizes set in the generator section are the ones the database section loads.
    const generator = new GeneratorPage(page);
    await generator.open(suite.server.url);
    const sizes = { seed: '9', students: '800', staff: '123', applicants: '250', residential: '700' };
    for (const [key, value] of Object.entries(sizes)) await generator.setField(key, value);
    await go('sql');
    await db.waitIdle();
    assert.equal(await db.byTestId('db-students').inputValue(), '800');
    assert.match(await db.byTestId('db-sizes').innerText(), /123 staff/);
    const before = Number(await db.attr('loaded'));
    await db.byTestId('db-load').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="database"]').dataset.loaded) > n, before, { timeout: 120_000 });
    await db.waitIdle();
    const university = join(dir, 'sized.db');
    execFileSync(CLI, ['generate', '--format', 'sqlite', '--quiet', '--seed', '9', '--students', '800', '--staff', '123',
      '--applicants', '250', '--residential', '700', '--out', university]);
    const COUNTS = 'SELECT (SELECT COUNT(*) FROM students), (SELECT COUNT(*) FROM staff), (SELECT COUNT(*) FROM applicants), (SELECT COUNT(*) FROM student_residential);';
    await db.run(COUNTS);
    const counts = (await db.grid()).rows;
    assert.deepEqual(counts, sqlite3(university, COUNTS));
    assert.deepEqual(counts[0].slice(0, 3), ['800', '123', '250']);
    const universityRows = Number(await db.attr('rows'));

    // The ETL's sample run, its staging tables added next to the university.
    const etl = new EtlPage(page);
    await go('etl');
    await etl.waitFor('[data-testid="etl"][data-ready="true"]');
    await etl.useSample();
    await go('sql');
    await db.waitIdle();
    const added = Number(await db.attr('loaded'));
    await db.byTestId('db-add-staging').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="database"]').dataset.loaded) > n, added, { timeout: 60_000 });
    await db.waitIdle();
    // The CLI over the same sample writes the same rows into its SQLite file.
    const sample = join(dir, 'sample');
    execFileSync(CLI, ['etl', 'sample', '--out', sample], { stdio: 'pipe' });
    const staging = join(dir, 'staging.sqlite');
    execFileSync(CLI, ['etl', '--students', join(sample, NAMES.students), '--attendance', join(sample, NAMES.attendance),
      '--exams', join(sample, NAMES.exams), '--placements', join(sample, NAMES.placements), '--out', join(dir, 'etl-out'),
      '--sqlite', staging], { stdio: 'pipe' });
    const STAGING = `SELECT 'students', COUNT(*), COUNT(DISTINCT student_hash), '' FROM stg_students
UNION ALL SELECT 'attendance', COUNT(*), SUM(present_flag), COUNT(DISTINCT course_code) FROM stg_attendance
UNION ALL SELECT 'exams', COUNT(*), printf('%.6f', SUM(total_marks)), printf('%.6f', AVG(internal_marks)) FROM stg_exam_results
UNION ALL SELECT 'placements', COUNT(*), SUM(placed), printf('%.6f', SUM(package_lpa)) FROM stg_placements;`;
    await db.run(STAGING);
    const stagingRows = (await db.grid()).rows;
    assert.deepEqual(stagingRows, sqlite3(staging, STAGING));
    assert.ok(Number(stagingRows[1][1]) > 0);
    // The outputs join, and the university is still there.
    await db.run('SELECT COUNT(*) FROM stg_exam_results e JOIN stg_students s USING (student_hash);');
    assert.deepEqual((await db.grid()).rows, sqlite3(staging, 'SELECT COUNT(*) FROM stg_exam_results e JOIN stg_students s USING (student_hash);'));
    const tables = sqlite3(staging, "SELECT name FROM sqlite_schema WHERE type = 'table'").map(([t]) => t);
    const stagingTotal = tables.reduce((sum, t) => sum + Number(sqlite3(staging, `SELECT COUNT(*) FROM "${t}"`)[0][0]), 0);
    assert.equal(Number(await db.attr('rows')), universityRows + stagingTotal);
    await screenshot(page, 'database-staging');

    // The occupancy section's sessions, as `campus occupancy generate --format sqlite` writes them.
    const occupancy = new OccupancyPage(page);
    await go('occupancy');
    await occupancy.waitReady();
    await occupancy.generate({ seed: 42, sessions: 600 });
    await go('sql');
    await db.waitIdle();
    const withSessions = Number(await db.attr('loaded'));
    await db.byTestId('db-add-sessions').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="database"]').dataset.loaded) > n, withSessions, { timeout: 60_000 });
    await db.waitIdle();
    const sessions = join(dir, 'sessions.sqlite');
    execFileSync(CLI, ['occupancy', 'generate', '--seed', '42', '--sessions', '600', '--format', 'sqlite', '--out', sessions], { stdio: 'pipe' });
    const SESSIONS = "SELECT COUNT(*), SUM(actual_attendance), SUM(exam_week), printf('%.6f', SUM(rolling_avg_3)), MIN(date) FROM occupancy_sessions;";
    await db.run(SESSIONS);
    assert.deepEqual((await db.grid()).rows, sqlite3(sessions, SESSIONS));
    await db.run("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table';");
    assert.deepEqual((await db.grid()).rows, [[String(18 + 4 + 1)]]);
    for (const [width, height] of [[1024, 768], [1280, 800], [390, 844]]) {
      await page.setViewportSize({ width, height });
      await page.locator('[data-testid="database"]').scrollIntoViewIfNeeded();
      await screenshot(page, `database-${width}x${height}`);
    }
    assert.deepEqual(log.errors, []);
  });
});
