// End-to-end tests of the CSV ETL workbench in headless Chromium: the four sample files written
// by `campus etl sample` are uploaded, the counts, the correlation (equal to the CLI's) and the
// report appear, the staging SQL downloads, a malformed file shows its line and column, a
// 1,000,000-row attendance file streams through, and a cancelled run leaves the worker usable.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, chromiumSuite, newSection, screenshot } from '../lib/browser.js';
import { EtlPage, NAMES } from '../lib/etl-page.js';


const chromium = chromiumSuite();
let dir;
let cli;
let bigCli;

/** Data lines of a CSV file (BOM, header and blank lines aside). */
const dataLines = (path) => readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0).length - 1;

/** The four files of a sample written to `folder` of the test directory, as { kind: path }. */
const sample = (folder) => Object.fromEntries(Object.entries(NAMES).map(([kind, name]) => [kind, join(dir, folder, name)]));

/**
 * Runs `campus etl` over `inputs` ({ kind: path or paths }) into `out`, with `options` after the
 * files and `env` added to the environment; returns what it printed.
 */
function runCli(inputs, out, options = [], env = {}) {
  const args = ['etl', '--out', out];
  for (const [kind, paths] of Object.entries(inputs)) args.push(`--${kind}`, ...[paths].flat());
  args.push(...options);
  return execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

/** Downloads each [data-testid, file name] of `files` and checks it equals the CLI's file in `out`. */
async function assertDownloadsEqual(etl, files, out, { nonEmpty = false } = {}) {
  for (const [testId, file] of files) {
    const { name, path } = await etl.download(testId);
    assert.equal(name, file);
    const page = readFileSync(path);
    if (nonEmpty) assert.ok(page.length > 0, `${file} is empty`);
    assert.ok(page.equals(readFileSync(join(out, file))), `${file} differs from the CLI's`);
  }
}

/** The transformed CSVs and the report, as [data-testid, file name]. */
const CSV_AND_REPORT = [
  ['etl-download-students', 'stg_students.csv'],
  ['etl-download-attendance', 'stg_attendance.csv'],
  ['etl-download-exams', 'stg_exam_results.csv'],
  ['etl-download-placements', 'stg_placements.csv'],
  ['etl-download-report', 'report.md'],
];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'campus-etl-e2e-'));
  execFileSync(CLI, ['etl', 'sample', '--out', join(dir, 'in')], { stdio: 'pipe' });
  cli = runCli(sample('in'), join(dir, 'out'));
  // 2,400 students × 5 courses × 84 sessions = 1,008,000 attendance rows (about 61 MB).
  execFileSync(CLI, ['etl', 'sample', '--out', join(dir, 'big'), '--students-per-program', '200', '--sessions', '84'], {
    stdio: 'pipe',
  });
  bigCli = runCli(sample('big'), join(dir, 'big-out'));
});

describe('ETL workbench', () => {
  let page, etl, log;
  before(async () => {
    ({ page, log, section: etl } = await newSection(chromium.browser, EtlPage));
    await etl.open(chromium.server.url);
  });

  test('uploads the four sample files and shows counts, the correlation and the report', async () => {
    await etl.pickAll(sample('in'));
    await etl.run();
    await screenshot(page, 'etl-01-loaded');
    const counts = await etl.counts();
    for (const [kind, name] of Object.entries(NAMES)) {
      assert.equal(counts[kind], dataLines(join(dir, 'in', name)), `rows of ${name}`);
    }
    // The CLI prints `pearson(attendance_pct, total_marks) = {r:?} over N pairs`.
    const printed = cli.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.ok(printed, `the CLI printed no correlation:\n${cli}`);
    assert.equal(await etl.pearson(), printed[1]);
    const report = await etl.report();
    assert.match(report, /Pearson r = /);
    // The report reads as a document: headings and tables, no Markdown source.
    assert.doesNotMatch(report, /\|---|\*\*|^#/m);
    assert.ok((await etl.byTestId('etl-report').locator('table').count()) > 3, 'the report has tables');
    // A coefficient shows three significant digits; the full value is in its title.
    const shown = await etl.byTestId('etl-pearson').innerText();
    assert.match(shown, /^−?\d\.\d{3}$|^−?0\.\d{3}$/);
    assert.equal(await etl.byTestId('etl-pearson').getAttribute('title'), printed[1]);
    assert.deepEqual(log.errors, []);
  });

  test('downloads the staging SQL, equal to the CLI\'s', async () => {
    const { name, path } = await etl.download('etl-download-sql');
    assert.equal(name, 'staging.sql');
    const sql = readFileSync(path, 'utf8');
    assert.match(sql, /CREATE TABLE `stg_students`/);
    assert.match(sql, /INSERT INTO `stg_attendance`/);
    assert.equal(sql, readFileSync(join(dir, 'out', 'staging.sql'), 'utf8'));
  });

  test('shows what the run did: the key hashed, rows joined, the first SQL statements to copy', async () => {
    const step = (key) => etl.byTestId(`etl-step-${key}`);
    const newColumns = (key) => step(key).locator('[data-testid="etl-step-after"] th.new').allInnerTexts();
    // Before: the students' key as the file has it; after: the hash beside it, marked new.
    const before = step('hash').locator('[data-testid="etl-step-before"]');
    assert.match(await before.locator('caption').innerText(), /students_master\.csv \(lines 2–4\)/);
    assert.equal(await before.locator('tbody tr').count(), 3);
    assert.deepEqual((await newColumns('hash')).map((t) => t.replace(/\s*new$/i, '')), ['student_hash']);
    const stgStudents = readFileSync(join(dir, 'out', 'stg_students.csv'), 'utf8').split('\n');
    const firstHash = stgStudents[1].split(',')[0];
    const shownHash = step('hash').locator('[data-testid="etl-step-after"] tbody td.new').first();
    assert.equal(await shownHash.getAttribute('data-value'), firstHash);
    assert.ok((await shownHash.innerText()).length < firstHash.length, 'a hash is shortened, whole on hover');
    // Each join adds the hash; attendance also its present flag.
    assert.deepEqual((await newColumns('join-attendance')).map((t) => t.replace(/\s*new$/i, '')), ['student_hash', 'present_flag']);
    for (const key of ['join-exams', 'join-placements']) {
      assert.ok((await newColumns(key)).length > 0, `${key} shows its added columns`);
      assert.ok((await step(key).locator('p').innerText()).length > 40, `${key} is explained`);
    }
    // The SQL: the output's own first statements, then the first INSERT's first rows, closed.
    const excerpt = await etl.byTestId('etl-sql-excerpt').textContent();
    const sql = readFileSync(join(dir, 'out', 'staging.sql'), 'utf8');
    const insert = excerpt.indexOf('INSERT INTO `stg_students`');
    assert.ok(insert > 0 && sql.startsWith(excerpt.slice(0, insert)), 'the excerpt is the start of staging.sql');
    assert.match(excerpt, /\),\n\(.*\);\n-- … the other rows are in staging\.sql\n$/s);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(chromium.server.url).origin });
    await etl.byTestId('etl-sql-copy').click();
    await page.getByText('Copied.').waitFor({ timeout: 5_000 });
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), excerpt);
  });

  test('downloads the transformed CSVs and the report, equal to the CLI\'s', async () => {
    await assertDownloadsEqual(etl, CSV_AND_REPORT, join(dir, 'out'));
  });

  test('dirty files and a bad attendance file named like a good one: every output byte equals the CLI\'s', async () => {
    // The page and `campus etl` follow one plan in campus_jobs: same load order, same files
    // skipped (by identity, not by name), same bytes out.
    execFileSync(CLI, ['etl', 'sample', '--dirty', '--out', join(dir, 'dirty')], { stdio: 'pipe' });
    mkdirSync(join(dir, 'bad'), { recursive: true });
    const bad = join(dir, 'bad', NAMES.attendance);
    writeFileSync(bad, 'foo,bar\n1,2\n');
    const inputs = {
      students: [join(dir, 'dirty', NAMES.students)],
      attendance: [join(dir, 'dirty', NAMES.attendance), bad],
      exams: [join(dir, 'dirty', NAMES.exams)],
      placements: [join(dir, 'dirty', NAMES.placements)],
    };
    // The bad file's row is a loss the CLI refuses by default: allowed here, as the page shows it.
    runCli(inputs, join(dir, 'dirty-out'), ['--max-bad-rows', '1']);
    await etl.pickAll(inputs);
    await etl.run();
    assert.equal((await etl.counts()).attendance, dataLines(inputs.attendance[0]));
    // Like the CLI's exit status: the one rejected row fails the run by default, and is allowed
    // with an allowance of 1.
    const verdict = etl.byTestId('etl-bad-rows-verdict');
    assert.equal(await verdict.getAttribute('data-failed'), 'true');
    assert.match(await verdict.innerText(), /counts as failed/);
    await etl.byTestId('etl-max-bad-rows').fill('1');
    await etl.page.locator('[data-testid="etl-bad-rows-verdict"][data-failed="false"]').waitFor({ timeout: 5_000 });
    await etl.byTestId('etl-max-bad-rows').fill('');
    // The Files table counts what the checks found (duplicates, marks that are not numbers…),
    // not only read errors.
    const findings = await etl.byTestId('etl-count-exams').first().locator('[data-testid="findings"]');
    assert.ok(Number((await findings.innerText()).replace(/[^0-9]/g, '')) > 0, 'findings in the dirty exam results');
    assert.match(await findings.getAttribute('title'), /blank total marks/);
    const all = [['etl-download-sql', 'staging.sql'], ...CSV_AND_REPORT];
    await assertDownloadsEqual(etl, all, join(dir, 'dirty-out'), { nonEmpty: true });
    // Leave the clean files picked, as the tests before left them.
    await etl.pickAll(sample('in'));
  });

  test('a malformed file shows its error with line and column, and the rest still loads', async () => {
    const students = readFileSync(join(dir, 'in', NAMES.students), 'utf8').split('\n');
    // Line 4 loses its last field: a ragged row.
    students[3] = students[3].split(',').slice(0, -1).join(',');
    const broken = join(dir, 'students_broken.csv');
    writeFileSync(broken, students.join('\n'));
    await etl.pick('students', broken);
    await etl.run();
    await screenshot(page, 'etl-02-malformed');
    const errors = await etl.fileErrors('students');
    assert.match(errors, /students_broken\.csv:4:\d+: expected \d+ fields like the header, found \d+/);
    const counts = await etl.counts();
    assert.equal(counts.students, dataLines(join(dir, 'in', NAMES.students)) - 1);
    assert.ok(counts.attendance > 0);
    assert.notEqual(await etl.pearson(), 'n/a');
  });

  test('dropped files are sorted by their names and run like picked ones', async () => {
    const files = Object.values(NAMES).map((name) => ({ name, text: readFileSync(join(dir, 'in', name), 'utf8') }));
    await etl.drop(files.reverse());
    const listed = await etl.byTestId('etl-inputs').innerText();
    assert.match(listed, /students: students_master\.csv[\s\S]*attendance: attendance_2024_odd\.csv/);
    await etl.run();
    const printed = cli.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.equal(await etl.pearson(), printed[1]);
  });

  test('"use sample data" runs in one click and the attack recovers unkeyed hashes', async () => {
    await etl.useSample();
    assert.ok((await etl.counts()).attendance > 0);
    // The sample inputs can be saved to hand to a class: the same bytes as `campus etl sample`.
    assert.equal(await etl.byTestId('etl-save-input').count(), 4);
    const [download] = await Promise.all([page.waitForEvent('download'), etl.byTestId('etl-save-input').first().click()]);
    assert.equal(download.suggestedFilename(), NAMES.students);
    assert.ok(readFileSync(await download.path()).equals(readFileSync(join(dir, 'in', NAMES.students))), 'the saved sample equals the CLI\'s');
    await etl.byTestId('etl-attack-start').click();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="etl-attack-recovered"]');
      return el && Number(el.textContent.replace(/[^0-9]/g, '')) > 0;
    }, null, { timeout: 60_000 });
    await etl.byTestId('etl-attack-stop').click().catch(() => {});
    await screenshot(page, 'etl-03-attack');
  });

  test('keyed, de-identified outputs equal the CLI\'s with --secret-env and --deidentify, without the secret', async () => {
    const secret = 'correct horse battery staple';
    runCli(sample('in'), join(dir, 'keyed-out'), ['--secret-env', 'CAMPUS_SECRET', '--deidentify'], { CAMPUS_SECRET: secret });
    await etl.pickAll(sample('in'));
    await etl.byTestId('etl-hash-keyed').check();
    await etl.byTestId('etl-secret').fill(secret);
    await etl.byTestId('etl-deidentify').check();
    await etl.run();
    for (const [testId, file] of [['etl-download-sql', 'staging.sql'], ['etl-download-attendance', 'stg_attendance.csv']]) {
      const { path } = await etl.download(testId);
      const text = readFileSync(path, 'utf8');
      assert.ok(!text.includes(secret) && !text.includes('roll_no'), `${file} leaks identity or the secret`);
      assert.equal(text, readFileSync(join(dir, 'keyed-out', file), 'utf8'), `${file} differs from the CLI's`);
    }
    // The dictionary attack finds nothing against keyed hashes.
    await etl.byTestId('etl-attack-start').click();
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="etl-attack-progress"]')?.textContent ?? '';
      const m = text.match(/after ([\d,]+) of ([\d,]+) guesses/);
      return m && m[1] === m[2];
    }, null, { timeout: 60_000 });
    assert.equal(await etl.byTestId('etl-attack-recovered').innerText(), '0');
    await etl.byTestId('etl-deidentify').uncheck();
    await etl.byTestId('etl-hash-sha256').check();
  });

  test('a 1,000,000-row attendance file streams through, and cancel stops a run between slices', async () => {
    await etl.pickAll(sample('big'));
    // Cancel as soon as the first progress shows; the worker must answer the next run correctly.
    const before = await etl.runId();
    await etl.byTestId('etl-run').click();
    await etl.byTestId('etl-progress').waitFor({ timeout: 30_000 });
    await etl.byTestId('etl-cancel').click();
    await page.waitForFunction((before) => Number(document.querySelector('[data-testid="etl"]').dataset.run) > before, before);
    assert.match(await etl.byTestId('etl-error').innerText(), /Cancelled/);

    await etl.run();
    const counts = await etl.counts();
    assert.equal(counts.attendance, 1_008_000);
    const printed = bigCli.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.equal(await etl.pearson(), printed[1]);
    const throughput = await etl.byTestId('etl-throughput').innerText();
    console.log(`in the browser: ${throughput}`);
    await screenshot(page, 'etl-04-million');
    assert.deepEqual(log.errors, []);
  });
});
