// End-to-end tests of the classroom occupancy section in headless Chromium: generate sessions,
// train in the worker (timed), metrics and confusion matrix, live prediction, the IndexedDB
// registry across a reload, export and re-import with identical predictions, corrupt files,
// CSV import errors, a training import read in slices, cancel, compare and delete; and the
// guardrails: promotion, duplicate imports, confirm steps, per-field errors, out-of-range inputs.
// Screenshots go to artifacts/.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ARTIFACTS, CLI, chromiumSuite, newSection, screenshot } from '../lib/browser.js';
import { OccupancyPage } from '../lib/occupancy-page.js';

const HEADER =
  'date,time,school,venue,venue_capacity,weekday,semester_day,exam_week,enrolled_students,' +
  'prev_attendance,rolling_avg_3,rolling_avg_5,trend_delta,actual_attendance';
const GOOD_ROW = '2024-09-02,09:00,Engineering,Main Hall A,350,Monday,1,False,120,0,0,0,0,100';
const BAD_TIME_ROW = '2024-09-03,9h,Engineering,Main Hall A,350,Tuesday,2,False,120,100,100,100,0,90';

// The session the prediction checks use (inputs the page has for every model).
const SESSION = { capacity: 40, time: '09:00', day: 30, enrolled: 120, prev: 70, r3: 68, r5: 65 };

const chromium = chromiumSuite();

describe('occupancy section', () => {
  let page, occ, log, firstPrediction, exported;
  before(async () => ({ page, log, section: occ } = await newSection(chromium.browser, OccupancyPage)));

  test('loads with its worker and an empty registry', async () => {
    await occ.open(chromium.server.url);
    assert.equal(await occ.versions(), 0);
    assert.equal(await occ.byTestId('versions-empty').isVisible(), true);
    assert.equal(await occ.byTestId('occ-train').isEnabled(), false, 'no data yet');
    // Regression: the empty state's long unbroken CSV header pushed its box past the screen edge.
    assert.match(await occ.text('occ-layout'), /^date,time,school,venue/);
    assert.ok(await occ.fits(occ.byTestId('occ-rows')), 'the CSV layout wraps inside its box');
    assert.deepEqual(log.errors, []);
  });

  test('generates 5,000 sessions with analytics and the heat map', async () => {
    await occ.generate({ seed: 42, sessions: 5000 });
    assert.equal(await occ.rows(), 5000);
    for (const chart of ['chart-weekday', 'chart-slot', 'chart-school', 'chart-exam', 'chart-heatmap', 'chart-risk-slot']) {
      assert.equal(await occ.byTestId(chart).locator('svg').count(), 1, chart);
    }
    assert.match(await occ.text('occ-risk'), /5000 sessions · \d+\.\d% overcrowded/);
    // The heat map has a colour key and says what a blank cell means.
    assert.match(await occ.text('heatmap-legend'), /0%.*120%\+.*blank cell/is);
  });

  test('downloads the sessions as SQL, the CLI\'s bytes in every dialect', async () => {
    assert.ok(existsSync(CLI), `no CLI at ${CLI}: cargo build --release -p campus_cli`);
    const dir = mkdtempSync(join(tmpdir(), 'campus-occ-sql-'));
    for (const dialect of ['mysql', 'postgres', 'sqlite']) {
      const sql = await occ.downloadSql(dialect);
      assert.equal(sql.name, 'occupancy.sql');
      const out = join(dir, dialect, 'occupancy.sql');
      execFileSync('mkdir', ['-p', join(dir, dialect)]);
      execFileSync(CLI, ['occupancy', 'generate', '--seed', '42', '--sessions', '5000', '--format', 'sql', '--dialect', dialect, '--out', out], { stdio: 'pipe' });
      assert.ok(sql.bytes.equals(readFileSync(out)), `the ${dialect} script differs from the CLI's`);
      assert.match((await occ.notice()).text, /^occupancy\.sql \(.+\): 5,000 sessions; train or promote a version/);
    }
  });

  test('trains all three models in the worker with progress, and shows the metrics', async () => {
    await occ.startTraining();
    await occ.byTestId('occ-progress').waitFor({ timeout: 10_000 });
    // Progress arrives while the worker is still inside training.
    await occ.byTestId('occ-stage').filter({ hasText: /Random forest|Support vector/ }).waitFor({ timeout: 10_000 });
    // The page answers while the worker trains.
    await occ.byTestId('occ-seed').fill('7');
    assert.equal(await occ.byTestId('occ-seed').inputValue(), '7');
    await occ.waitAttr('versions', '1', 120_000);
    await occ.waitAttr('running', 'false');
    const t = await occ.timings();
    console.log(
      `in-browser training at 5,000 sessions: linear ${t.linear.toFixed(1)} ms, forest ${t.forest.toFixed(1)} ms, ` +
        `SVM ${t.svm.toFixed(1)} ms, total ${t.total.toFixed(1)} ms`,
    );
    for (const [model, ms] of Object.entries(t)) assert.ok(ms > 0, `${model} timed`);
    assert.equal(await occ.active(), '1');

    const linearR2 = await occ.number('linear-r2');
    const forestR2 = await occ.number('forest-r2');
    assert.ok(linearR2 > 0.5, `linear R² ${linearR2}`);
    assert.ok(forestR2 > 0.5, `forest R² ${forestR2}`);
    assert.ok((await occ.number('linear-mae')) > 0);
    const accuracy = await occ.number('svm-accuracy');
    assert.ok(accuracy > 0.7 && accuracy <= 1, `SVM accuracy ${accuracy}`);
    const confusion = await occ.confusion();
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, 1000, `confusion ${JSON.stringify(confusion)} covers the 20% test split`);
    assert.ok(confusion[1][1] > 0, 'some overcrowded sessions are caught');
    const report = await occ.byTestId('svm-report').textContent();
    assert.match(report, /precision\s+recall\s+f1-score\s+support/);
    assert.match(report, /overcrowded/);
    for (const chart of ['chart-scatter', 'chart-importance']) {
      assert.equal(await occ.byTestId(chart).locator('svg').count(), 1, chart);
    }
    assert.equal(await occ.byTestId('version-1').locator('[data-testid="serving"]').count(), 1);
    await screenshot(page, 'occ-01-trained');
  });

  test('the SQL download holds the serving version and its predictions, and loads into sqlite3', async () => {
    const sql = await occ.downloadSql('sqlite');
    assert.match((await occ.notice()).text, /^occupancy\.sql \(SQLite\): 5,000 sessions, version 1 and its predictions/);
    const dir = mkdtempSync(join(tmpdir(), 'campus-occ-sqlite-'));
    const db = join(dir, 'occupancy.db');
    execFileSync('sqlite3', [db], { input: sql.bytes });
    const count = (table) => Number(execFileSync('sqlite3', [db, `SELECT count(*) FROM ${table}`], { encoding: 'utf8' }).trim());
    assert.equal(count('occupancy_sessions'), 5000);
    assert.equal(count('occupancy_model_versions'), 1);
    const nTest = (await occ.confusion()).flat().reduce((a, b) => a + b, 0);
    assert.equal(count('occupancy_predictions'), nTest, 'one prediction per held-back session');
    assert.equal(execFileSync('sqlite3', [db, 'PRAGMA foreign_key_check'], { encoding: 'utf8' }).trim(), '', 'every reference resolves');
    const r2 = execFileSync('sqlite3', [db, 'SELECT forest_r2 FROM occupancy_model_versions'], { encoding: 'utf8' }).trim();
    const shown = await occ.number('forest-r2');
    assert.ok(Math.abs(Number(r2) - shown) < 0.001, `forest R² ${r2} in the script, ${shown} on the page`);
  });

  test('predicts live from the form', async () => {
    await occ.setPrediction(SESSION);
    const small = await occ.prediction();
    assert.match(small.linear, /^-?\d+\.\d$/);
    assert.match(small.forest, /^-?\d+\.\d$/);
    assert.match(small.verdict, /^(overcrowded|fits the room)$/);
    assert.match(small.margin, /^[+-]\d+\.\d{3}$/);
    // Far more students than seats, with a full history: the forest expects a crowd.
    await occ.setPrediction({ enrolled: 400, prev: 300, r3: 300, r5: 300 });
    const crowded = await occ.prediction();
    assert.notEqual(crowded.forest, small.forest);
    assert.ok(Number(crowded.forest) > Number(small.forest));
    assert.equal(crowded.verdict, 'overcrowded');
    await occ.setPrediction(SESSION);
    firstPrediction = await occ.prediction();
    assert.deepEqual(firstPrediction, small);
    const ms = Number((await occ.text('pred-ms')).match(/([\d.]+) ms/)[1]);
    assert.ok(ms < 1, `prediction took ${ms} ms`);
    await screenshot(page, 'occ-02-predicted');
  });

  test('keeps the version across a reload, serving the same predictions', async () => {
    await occ.reload();
    assert.equal(await occ.versions(), 1);
    assert.equal(await occ.active(), '1');
    assert.equal(await occ.rows(), 0, 'the dataset itself is not kept');
    await occ.byTestId('confusion').waitFor();
    await occ.setPrediction(SESSION);
    assert.deepEqual(await occ.prediction(), firstPrediction);
  });

  test('warns when a prediction input lies outside the training data', async () => {
    // Regression: 100,000 enrolled students got a prediction without a word.
    await occ.setPrediction(SESSION);
    const warning = occ.byTestId('pred-range-warning');
    assert.equal(await warning.filter({ hasText: 'Enrolled students' }).count(), 0);
    await occ.setPrediction({ enrolled: 100000 });
    await warning.waitFor();
    assert.match(
      await warning.innerText(),
      /Enrolled students 100,000 is outside the training data \(\d+ to \d+\): the models are guessing here\./,
    );
    await occ.setPrediction(SESSION);
    assert.equal(await warning.filter({ hasText: 'Enrolled students' }).count(), 0);
  });

  test('exports a version and imports it back with identical predictions', async () => {
    exported = await occ.exportVersion(1);
    assert.equal(exported.name, 'occupancy-model-v1.bin');
    assert.equal(exported.bytes.subarray(0, 8).toString('latin1'), 'CAMPOCC\0');
    await occ.importModel({ name: 'model.bin', mimeType: 'application/octet-stream', buffer: exported.bytes });
    await occ.waitAttr('versions', '2');
    await occ.waitAttr('active', '2');
    assert.match((await occ.notice()).text, /Imported model\.bin: saved as version 2/);
    assert.equal(await occ.text('linear-r2'), await occ.text('linear-r2'));
    await occ.setPrediction(SESSION);
    assert.deepEqual(await occ.prediction(), firstPrediction);
    const fingerprint = (v) => occ.byTestId(`version-${v}`).getAttribute('data-fingerprint');
    assert.equal(await fingerprint(2), await fingerprint(1));
  });

  test('the exported file predicts the same with the CLI', async () => {
    assert.ok(existsSync(CLI), `no CLI at ${CLI}: cargo build --release -p campus_cli`);
    const dir = mkdtempSync(join(tmpdir(), 'campus-occ-'));
    const model = join(dir, 'model.bin');
    writeFileSync(model, exported.bytes);
    const school = await occ.byTestId('pred-school').inputValue();
    const venue = await occ.byTestId('pred-venue').inputValue();
    const weekday = await occ.byTestId('pred-weekday').inputValue();
    const s = SESSION;
    const row = [
      '2024-10-01', s.time, school, venue, s.capacity, weekday, s.day, 'False', s.enrolled,
      s.prev, s.r3, s.r5, s.r3 - s.r5, '',
    ].join(',');
    const data = join(dir, 'new_sessions.csv');
    writeFileSync(data, `${HEADER}\n${row}\n`);
    const out = execFileSync(CLI, ['occupancy', 'predict', '--model', model, '--data', data], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const fields = out.trim().split('\n')[1].split(',');
    const [linear, forest, verdict, margin] = fields.slice(-4);
    assert.equal(linear, firstPrediction.linear);
    assert.equal(forest, firstPrediction.forest);
    assert.equal(verdict === 'True' ? 'overcrowded' : 'fits the room', firstPrediction.verdict);
    assert.ok(Math.abs(Number(margin) - Number(firstPrediction.margin)) <= 0.0006, `${margin} vs ${firstPrediction.margin}`);
  });

  test('predicts a file larger than one slice, the same bytes as the CLI, counting its bad row', async () => {
    // The page reads the file in 256 KiB slices and predicts each in the worker as it comes.
    const dir = mkdtempSync(join(tmpdir(), 'campus-occ-file-'));
    const model = join(dir, 'model.bin');
    writeFileSync(model, exported.bytes);
    const data = join(dir, 'many.csv');
    execFileSync(CLI, ['occupancy', 'generate', '--seed', '9', '--sessions', '12000', '--out', data], { stdio: 'pipe' });
    appendFileSync(data, `${BAD_TIME_ROW}\n`);
    assert.ok(statSync(data).size > 2 * 256 * 1024, 'more than two slices');
    const out = join(dir, 'predictions.csv');
    const cli = spawnSync(CLI, ['occupancy', 'predict', '--model', model, '--data', data, '--out', out, '--max-bad-rows', '1'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    await occ.byTestId('occ-predict-file').setInputFiles(data);
    const panel = '[data-testid="occ-predict-file-panel"][data-running="false"]';
    await page.locator(`${panel} [data-testid="occ-predict-file-notice"]`).waitFor({ timeout: 120_000 });
    const text = await occ.text('occ-predict-file-text');
    assert.match(text, /^Predicted 12000 sessions of many\.csv with the model of .* 1 row\(s\) could not be read and were skipped/);
    assert.match(cli.stderr, /1 row\(s\) of .*many\.csv could not be read and were skipped/);
    const details = await occ.byTestId('occ-predict-file-notice').locator('li').allInnerTexts();
    assert.match(details[0], /^many\.csv:12002: column `time`/);
    const [download] = await Promise.all([page.waitForEvent('download'), occ.byTestId('occ-predict-file-download').click()]);
    assert.equal(download.suggestedFilename(), 'predictions-many.csv');
    assert.ok(readFileSync(await download.path()).equals(readFileSync(out)), 'the predictions differ from the CLI\'s');
    assert.deepEqual(log.errors, []);
  });

  test('refuses corrupt and foreign model files and changes nothing', async () => {
    const corrupt = Buffer.from(exported.bytes);
    corrupt[corrupt.length >> 1] ^= 0xff;
    await occ.importModel({ name: 'corrupt.bin', mimeType: 'application/octet-stream', buffer: corrupt });
    await occ.byTestId('occ-notice-text').filter({ hasText: 'corrupt.bin' }).waitFor();
    let notice = await occ.notice();
    assert.ok(notice.error);
    assert.match(notice.text, /corrupt\.bin was not imported: the model file is corrupt/);
    await screenshot(page, 'occ-03-corrupt');

    const truncated = exported.bytes.subarray(0, 1000);
    await occ.importModel({ name: 'short.bin', mimeType: 'application/octet-stream', buffer: truncated });
    await occ.byTestId('occ-notice-text').filter({ hasText: 'short.bin' }).waitFor();
    assert.match((await occ.notice()).text, /truncated/);

    const foreign = Buffer.from(`${HEADER}\n${GOOD_ROW}\n`);
    await occ.importModel({ name: 'sessions.csv', mimeType: 'text/csv', buffer: foreign });
    await occ.byTestId('occ-notice-text').filter({ hasText: 'sessions.csv' }).waitFor();
    notice = await occ.notice();
    assert.match(notice.text, /not a Campus ETL Studio occupancy model/);
    assert.equal(await occ.versions(), 2);
    assert.equal(await occ.active(), '2');
    assert.deepEqual(await occ.prediction(), firstPrediction);
  });

  test('imports a CSV with located errors and appends its good rows', async () => {
    const csv = `${HEADER}\n${GOOD_ROW}\n${BAD_TIME_ROW}\n`;
    await occ.importCsv({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const notice = await occ.notice();
    assert.ok(notice.error);
    assert.match(notice.text, /Imported bad\.csv: 1 sessions added, 1 in the dataset; 1 bad row/);
    const details = await occ.noticeDetails();
    assert.equal(details.length, 1);
    assert.match(details[0], /^bad\.csv:3: column `time`/);
    assert.equal(await occ.rows(), 1);

    await occ.importCsv({ name: 'no-label.csv', mimeType: 'text/csv', buffer: Buffer.from('date,time,school\n2024-09-02,09:00,Law\n') });
    assert.match((await occ.noticeDetails())[0], /^no-label\.csv:1: missing column\(s\)/);
    assert.equal(await occ.rows(), 1, 'nothing appended');
    // Regression: "Imported occ_bad.csv: nothing imported" said neither why nor where.
    assert.match(
      (await occ.notice()).text,
      /^Nothing imported from no-label\.csv: no row could be read \(1 problem\(s\)\)\. First problem: line 1: missing column\(s\)/,
    );
    // Regression: the error details ran out of their notice box.
    assert.ok(await occ.fits(occ.byTestId('occ-notice')), 'the details wrap inside the notice');
    await screenshot(page, 'occ-03b-import-errors');
  });

  test('refuses a file imported before and does not add known rows twice', async () => {
    // Regression: importing the same CSV twice doubled the data.
    await occ.importCsv({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`${HEADER}\n${GOOD_ROW}\n${BAD_TIME_ROW}\n`) });
    let notice = await occ.notice();
    assert.ok(notice.error);
    assert.match(notice.text, /^bad\.csv was not imported again: a file with the same content/);
    assert.equal(await occ.rows(), 1);
    const other = GOOD_ROW.replace('2024-09-02', '2024-09-09');
    await occ.importCsv({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from(`${HEADER}\n${GOOD_ROW}\n${other}\n`) });
    notice = await occ.notice();
    assert.equal(
      notice.text,
      'Imported more.csv: 1 sessions added, 2 in the dataset; 1 row(s) identical to rows already loaded were not added again',
    );
    assert.equal(await occ.rows(), 2);
  });

  test('clears the data only after a second click', async () => {
    await occ.byTestId('occ-clear').click();
    await occ.byTestId('occ-confirm-clear').waitFor();
    assert.equal(await occ.rows(), 2, 'nothing cleared yet');
    await occ.byTestId('occ-keep-data').click();
    assert.equal(await occ.byTestId('occ-confirm-clear').count(), 0);
    assert.equal(await occ.rows(), 2);
    await occ.byTestId('occ-clear').click();
    await occ.byTestId('occ-confirm-clear').click();
    await occ.waitAttr('rows', '0');
  });

  test('cancels a training run at once and can train again', async () => {
    await occ.generate({ seed: 7, sessions: 5000 });
    await occ.startTraining();
    await occ.byTestId('occ-progress').waitFor();
    await occ.byTestId('occ-cancel').click();
    await occ.waitAttr('running', 'false', 5_000);
    assert.match((await occ.notice()).text, /Cancelled/);
    // The notice shows beside the training panel, where the user clicked, not above the sessions.
    const place = await page.evaluate(() => {
      const notice = document.querySelector('[data-testid="occ-notice"]');
      const follows = (id) => Boolean(document.querySelector(`[data-testid="${id}"]`).compareDocumentPosition(notice) & Node.DOCUMENT_POSITION_FOLLOWING);
      return { afterTrain: follows('occ-train'), afterSessions: follows('occ-generate') };
    });
    assert.deepEqual(place, { afterTrain: true, afterSessions: true });
    assert.equal(await occ.versions(), 2, 'no version from a cancelled run');
    await occ.waitReady();
    assert.equal(await occ.byTestId('occ-train').isEnabled(), true);
  });

  test('shows every training-parameter problem next to its field', async () => {
    // Regression: one problem at a time, below the grid, and no aria-invalid.
    await occ.byTestId('occ-trees').fill('0');
    await occ.byTestId('occ-c').fill('-1');
    assert.equal(await occ.byTestId('occ-train').isEnabled(), false, 'invalid trees block training');
    const trees = await occ.fieldState('occ-trees');
    assert.deepEqual(trees, { invalid: 'true', describedBy: 'occ-trees-error', error: 'Trees must be a whole number from 1 to 500' });
    const c = await occ.fieldState('occ-c');
    assert.deepEqual(c, { invalid: 'true', describedBy: 'occ-c-error', error: 'C must be a number above 0, found "-1"' });
    assert.deepEqual(await occ.fieldState('occ-depth'), { invalid: null, describedBy: null, error: null });
    await screenshot(page, 'occ-05-field-errors');
    await occ.byTestId('occ-c').fill('1');
    assert.equal((await occ.fieldState('occ-c')).invalid, null);
  });

  test('trains with other hyperparameters', async () => {
    await occ.byTestId('occ-trees').fill('0');
    assert.equal(await occ.byTestId('occ-train').isEnabled(), false, 'invalid trees block training');
    await occ.byTestId('occ-trees').fill('20');
    await occ.byTestId('occ-kernel').selectOption('linear');
    await occ.byTestId('occ-weight').selectOption('uniform');
    await occ.train();
    // It serves at once only if at least as good as v2 on its held-back rows; else promote it.
    if ((await occ.active()) !== '3') {
      assert.match((await occ.notice()).text, /saved as version 3; it is kept but not served/);
      await occ.byTestId('restore-3').click();
      await occ.waitAttr('active', '3');
    }
    assert.equal(await occ.active(), '3');
    assert.equal(await occ.versions(), 3);
  });

  test('a worse new version waits for a promotion; delete asks first', async () => {
    // Regression: every run became the serving version, even a much worse one.
    assert.match(await occ.text('occ-promotion-rule'), /at least those of the serving version on the same rows/);
    await occ.byTestId('occ-trees').fill('1');
    await occ.byTestId('occ-depth').fill('1');
    await occ.byTestId('occ-c').fill('0.0001');
    await occ.train();
    assert.equal(await occ.versions(), 4);
    assert.equal(await occ.active(), '3', 'the better version goes on serving');
    assert.match((await occ.notice()).text, /saved as version 4; it is kept but not served: it is worse on its own held-back rows/);
    assert.equal(await occ.byTestId('version-3').locator('[data-testid="serving"]').count(), 1);
    assert.equal(await occ.text('restore-4'), 'Promote');
    await occ.byTestId('restore-4').click();
    await occ.waitAttr('active', '4');
    await screenshot(page, 'occ-06-promoted');
    // Regression: delete asked for no confirmation.
    await occ.byTestId('delete-4').click();
    await occ.byTestId('confirm-delete-4').waitFor();
    assert.match(await occ.byTestId('version-4').innerText(), /Really delete v4\?/);
    await occ.byTestId('keep-4').click();
    assert.equal(await occ.versions(), 4, 'kept');
    await occ.deleteVersion(4);
    await occ.waitAttr('active', '3');
  });

  test('the versions table keeps dates on one line and its buttons whole', async () => {
    // Regression: "Delete" was clipped to "Delet" and dates wrapped onto three lines.
    const row = occ.byTestId('version-3');
    const date = row.locator('td.occ-date');
    assert.match(await date.innerText(), /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.match(await date.locator('time').getAttribute('title'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const lines = await date.locator('time').evaluate((el) => el.getClientRects().length);
    assert.equal(lines, 1, 'the date is on one line');
    for (const button of await row.locator('button').all()) {
      assert.ok(await button.evaluate((el) => el.scrollWidth <= el.clientWidth), await button.innerText());
    }
  });

  test('compares versions, serves an earlier one, deletes one', async () => {
    await occ.byTestId('compare-1').check();
    await occ.byTestId('compare-3').check();
    const table = occ.byTestId('compare-table');
    await table.waitFor();
    const text = await table.innerText();
    assert.match(text, /Forest R²/);
    assert.match(text, /SVM kernel\s+rbf, γ scale\s+linear/);
    assert.match(text, /Forest trees \/ depth\s+100 \/ 14\s+20 \/ 14/);
    await occ.byTestId('restore-1').click();
    await occ.waitAttr('active', '1');
    await occ.deleteVersion(2);
    assert.equal(await occ.active(), '1');
    await occ.reload();
    assert.equal(await occ.versions(), 2);
    assert.equal(await occ.active(), '1');
    // Deleting the serving version hands serving to the latest one left.
    await occ.deleteVersion(1);
    await occ.waitAttr('active', '3');
    await screenshot(page, 'occ-04-registry');
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.csp, []);
  });
});

describe('training from a file read in slices', () => {
  let page, occ, log;
  before(async () => ({ page, log, section: occ } = await newSection(chromium.browser, OccupancyPage)));

  test('imports a file of three slices with one bad row and trains on what the CLI trains on', async () => {
    // The page reads the file in 256 KiB slices, parsing each in the worker as it comes; the
    // account must be the CLI's for the same file, whatever the slices cut.
    assert.ok(existsSync(CLI), `no CLI at ${CLI}: cargo build --release -p campus_cli`);
    const dir = mkdtempSync(join(tmpdir(), 'campus-occ-train-file-'));
    const data = join(dir, 'sessions.csv');
    execFileSync(CLI, ['occupancy', 'generate', '--seed', '9', '--sessions', '7000', '--out', data], { stdio: 'pipe' });
    appendFileSync(data, `${BAD_TIME_ROW}\n`);
    assert.ok(statSync(data).size > 2 * 256 * 1024, 'more than two slices');
    const cli = spawnSync(CLI, ['occupancy', 'train', '--data', data, '--out', join(dir, 'model.bin'), '--max-bad-rows', '1', '--quiet'], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const nBad = Number(cli.stderr.match(/^(\d+) row\(s\) of .* could not be read/m)[1]);
    const cliErrors = cli.stderr
      .split('\n')
      .map((line) => line.trim().replaceAll(data, 'sessions.csv'))
      .filter((line) => line.startsWith('sessions.csv:'));
    const [nTrain, nTest] = cli.stdout.match(/^Trained on (\d+) sessions, evaluated on (\d+) held back/m).slice(1).map(Number);
    assert.equal(nBad, 1);

    await occ.open(chromium.server.url);
    await occ.byTestId('occ-import-csv').setInputFiles(data);
    await occ.byTestId('occ-notice-text').filter({ hasText: 'sessions.csv' }).waitFor({ timeout: 60_000 });
    const notice = await occ.notice();
    assert.ok(notice.error, 'a bad row is never silent');
    const counted = notice.text.match(/^Imported sessions\.csv: (\d+) sessions added, (\d+) in the dataset; (\d+) bad row\(s\) skipped$/);
    assert.ok(counted, notice.text);
    assert.deepEqual(counted.slice(1).map(Number), [nTrain + nTest, nTrain + nTest, nBad]);
    assert.deepEqual((await occ.noticeDetails()).map((t) => t.trim()), cliErrors);
    assert.equal(await occ.rows(), nTrain + nTest);
    await page.setViewportSize({ width: 1280, height: 800 });
    await occ.byTestId('occ-notice').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'occ-06-file-import.png') });

    await occ.train(180_000);
    const confusion = await occ.confusion();
    assert.equal(confusion.flat().reduce((a, b) => a + b, 0), nTest, 'the CLI\'s held-back split');
    assert.deepEqual(log.errors, []);
  });
});
