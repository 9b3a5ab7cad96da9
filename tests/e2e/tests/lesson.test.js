// End-to-end test of the lesson in headless Chromium: one university generated in the page, its
// registrar's exports (byte-identical to `campus generate --format exports`) opened in the ETL
// workbench, whose counts and Pearson equal `campus etl` on the CLI's files; with dirt, the
// grading finds every planted defect; the generated lectures train the occupancy models.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, chromiumSuite, newSection, screenshot } from '../lib/browser.js';
import { EtlPage, NAMES } from '../lib/etl-page.js';
import { GeneratorPage } from '../lib/generator-page.js';
import { OccupancyPage } from '../lib/occupancy-page.js';
import { listZip, readEntry } from '../lib/zip.js';

const SEED = 8;
const STUDENTS = 300;

const chromium = chromiumSuite();
let dir;

const cli = (args) => execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const dataLines = (path) => readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0).length - 1;

/** `campus generate --format exports` into `folder`, then `campus etl` on it; returns what etl printed. */
function cliLesson(folder, more = []) {
  const out = join(dir, folder);
  cli(['generate', '--format', 'exports', '--seed', String(SEED), '--students', String(STUDENTS), '--out', out, '--quiet', ...more]);
  const args = ['etl', '--out', join(dir, `${folder}-etl`)];
  for (const [kind, name] of Object.entries(NAMES)) args.push(`--${kind}`, join(out, name));
  return cli(args);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'campus-lesson-e2e-'));
});

describe('One university, one lesson', () => {
  let page, gen, etl, occ, log;
  before(async () => {
    ({ page, log, section: gen } = await newSection(chromium.browser, GeneratorPage));
    etl = new EtlPage(page);
    occ = new OccupancyPage(page);
    await gen.open(chromium.server.url);
    await gen.setField('seed', SEED);
    await gen.setField('students', STUDENTS);
    await gen.byTestId('scale').click();
    await gen.generate();
    await gen.waitResults();
  });

  /** Prepares the exports with `dirt` and waits for them. */
  async function makeExports(dirt) {
    await gen.byTestId('input-lesson-r').fill('0.6');
    await gen.byTestId('input-lesson-dirt').fill(String(dirt));
    const before = await gen.byTestId('lesson-exports').count();
    await gen.byTestId('make-exports').click();
    await page.waitForFunction(
      (dirt) => {
        const app = document.querySelector('[data-testid="app"]');
        const hint = document.querySelector('[data-testid="lesson-exports"] .hint');
        return app && app.dataset.running === 'false' && hint && (dirt > 0) === hint.textContent.includes('--dirt');
      },
      dirt,
      { timeout: 60_000 },
    );
    return before;
  }

  test('the exports download byte-identical to the CLI\'s, open in the workbench and give the CLI\'s figures', async () => {
    const printed = cliLesson('clean');
    await makeExports(0);
    await screenshot(page, 'lesson-01-exports');
    const [download] = await Promise.all([page.waitForEvent('download'), gen.byTestId('download-exports').click()]);
    const zip = readFileSync(await download.path());
    const files = Object.fromEntries(listZip(zip).map((entry) => [entry.name, readEntry(zip, entry)]));
    for (const name of Object.values(NAMES)) {
      assert.ok(files[name], `${name} in the zip`);
      assert.ok(Buffer.from(files[name]).equals(readFileSync(join(dir, 'clean', name))), `${name} equals the CLI's`);
    }
    await gen.byTestId('open-etl').click();
    await etl.waitFor('[data-testid="etl"][data-ready="true"]');
    assert.equal(await page.evaluate(() => location.hash), '#/etl');
    await etl.run();
    const counts = await etl.counts();
    for (const [kind, name] of Object.entries(NAMES)) {
      assert.equal(counts[kind], dataLines(join(dir, 'clean', name)), `rows of ${name}`);
    }
    const pearson = printed.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.ok(pearson, printed);
    assert.equal(await etl.pearson(), pearson[1]);
    assert.ok(Math.abs(Number(pearson[1]) - 0.6) < 0.06, `planted 0.6, recovered ${pearson[1]}`);
    await screenshot(page, 'lesson-02-workbench');
    assert.deepEqual(log.errors, []);
  });

  test('with dirt, the answer key downloads as the CLI writes it and the grading finds every planted defect', async () => {
    cliLesson('dirty', ['--dirt', '0.01']);
    await page.evaluate(() => { location.hash = '#/generator'; });
    await makeExports(0.01);
    const [download] = await Promise.all([page.waitForEvent('download'), gen.byTestId('download-answer-key').click()]);
    assert.ok(readFileSync(await download.path()).equals(readFileSync(join(dir, 'dirty', 'answer_key.csv'))));
    await gen.byTestId('open-etl').click();
    await etl.waitFor('[data-testid="etl"][data-ready="true"]');
    await etl.run();
    await etl.waitFor('[data-testid="etl-grading"]');
    // The page lists every flagged line now: a full-page shot of it is slow, the grading is enough.
    await etl.byTestId('etl-grading').screenshot({ path: join(dir, 'lesson-03-grading.png') });
    const missed = await page.locator('[data-testid="etl-grade-missed"]').allInnerTexts();
    const found = await page.locator('[data-testid="etl-grade-found"]').allInnerTexts();
    assert.equal(missed.length, 7, 'every kind planted');
    assert.deepEqual(missed, missed.map(() => '0'));
    assert.ok(found.every((n) => Number(n) > 0));
    // Line by line: every planted defect of the key found at its line, no clean line flagged.
    const key = readFileSync(join(dir, 'dirty', 'answer_key.csv'), 'utf8').trim().split('\n').slice(1);
    const lines = page.locator('[data-testid="etl-grade-line"]');
    assert.equal(await lines.count(), key.length);
    assert.equal(await page.locator('[data-testid="etl-grade-line"][data-outcome="found"]').count(), key.length);
    assert.equal(await page.locator('[data-testid="etl-grade-wrong"]').innerText(), 'Clean lines flagged: 0');
    // The table is folded away when long: read its text, not what shows.
    const first = (await lines.first().locator('td').allTextContents()).map((t) => t.trim());
    const [file, line, kind] = key.map((l) => l.split(',')).sort((a, b) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2].localeCompare(b[2]))[0];
    assert.deepEqual(first, ['found', file, line, kind.replace(/_/g, ' ')]);
  });

  test('the generated lectures train the occupancy models', async () => {
    await page.evaluate(() => { location.hash = '#/generator'; });
    const sessions = join(dir, 'sessions.csv');
    cli(['generate', '--format', 'sessions', '--seed', String(SEED), '--students', String(STUDENTS), '--out', sessions, '--quiet']);
    await gen.byTestId('make-sessions').click();
    await gen.byTestId('open-occupancy').waitFor({ timeout: 60_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), gen.byTestId('download-sessions').click()]);
    assert.ok(readFileSync(await download.path()).equals(readFileSync(sessions)), 'sessions equal the CLI\'s');
    await gen.byTestId('open-occupancy').click();
    await occ.waitReady();
    await occ.waitAttr('rows', String(dataLines(sessions)));
    await occ.waitAttr('running', 'false');
    const timings = await occ.train(240_000);
    assert.ok(timings.total > 0);
    await screenshot(page, 'lesson-04-occupancy');
    assert.deepEqual(log.errors, []);
  });
});

/** AKTU header → a teacher's file's header. */
const RENAMES = {
  college_code: 'College Code', roll_no: 'Roll Number', dob: 'Date of Birth', program_code: 'Programme Code',
  course_code: 'Subject Code', date: 'Class Date', status: 'Attendance Status', internal: 'Internal Marks',
  external: 'External Marks', total: 'Total Marks', placed: 'Is Placed', company: 'Company Name',
};

/** Copies the exports in `from` to `to` with headers renamed by `rename` and statuses spelt out. */
function renameExports(from, to, rename) {
  mkdirSync(to, { recursive: true });
  for (const name of Object.values(NAMES)) {
    const [header, ...rows] = readFileSync(join(from, name), 'utf8').split('\n');
    const spelt = name === NAMES.attendance
      ? rows.map((r) => r.replace(/,P$/, ',Present').replace(/,A$/, ',Absent'))
      : rows;
    writeFileSync(join(to, name), [header.split(',').map(rename).join(','), ...spelt].join('\n'));
  }
}

/** The report without each input's size: renamed files are other files. */
const withoutSizes = (text) => text.replace(/\d+ bytes, delimiter/g, 'N bytes, delimiter');

describe('Any export layout: columns mapped to roles', () => {
  let page, etl, log;
  const aktu = () => join(dir, 'layout-aktu');
  const inputs = (folder) => Object.fromEntries(Object.entries(NAMES).map(([k, n]) => [k, join(folder, n)]));
  before(async () => {
    cli(['generate', '--format', 'exports', '--seed', '4', '--students', '150', '--out', aktu(), '--quiet']);
    const args = ['etl', '--out', join(dir, 'layout-aktu-etl')];
    for (const [kind, name] of Object.entries(NAMES)) args.push(`--${kind}`, join(aktu(), name));
    cli(args);
    renameExports(aktu(), join(dir, 'layout-near'), (h) => RENAMES[h] ?? h);
    renameExports(aktu(), join(dir, 'layout-bad'), (h) => (h === 'roll_no' ? 'Student No' : h));
    ({ page, log, section: etl } = await newSection(chromium.browser, EtlPage));
    await etl.open(chromium.server.url);
  });

  test('renamed headers, guessed and mapped, give the AKTU files\' outputs; the mapping is remembered', async () => {
    await etl.pickAll(inputs(join(dir, 'layout-near')));
    await etl.byTestId('etl-columns').fill('present = Present\nabsent = Absent');
    await page.locator('[data-testid="etl-column-row"][data-role="roll_no"][data-how="guessed"]').first().waitFor();
    await etl.byTestId('etl-columns-guess').click();
    const text = await etl.byTestId('etl-columns').inputValue();
    assert.ok(text.includes('roll_no = Roll Number') && text.includes('present = Present'), text);
    await etl.run();
    await screenshot(page, 'lesson-05-columns');
    const out = join(dir, 'layout-aktu-etl');
    for (const [testId, file] of [['etl-download-sql', 'staging.sql'], ['etl-download-students', 'stg_students.csv'],
      ['etl-download-attendance', 'stg_attendance.csv'], ['etl-download-exams', 'stg_exam_results.csv'],
      ['etl-download-placements', 'stg_placements.csv']]) {
      const { path } = await etl.download(testId);
      assert.ok(readFileSync(path).equals(readFileSync(join(out, file))), `${file} differs from the CLI's on AKTU's headers`);
    }
    const { path } = await etl.download('etl-download-report');
    assert.equal(withoutSizes(readFileSync(path, 'utf8')), withoutSizes(readFileSync(join(out, 'report.md'), 'utf8')));
    await page.reload();
    await etl.waitFor('[data-testid="etl"][data-ready="true"]');
    assert.equal(await etl.byTestId('etl-columns').inputValue(), text, 'remembered across a reload');
    assert.deepEqual(log.errors, []);
  });

  test('a role no header fits is named, with the headers found', async () => {
    await etl.byTestId('etl-columns').fill('roll_no = Roll');
    await etl.pickAll(inputs(join(dir, 'layout-bad')));
    await page.locator('[data-testid="etl-column-row"][data-role="roll_no"][data-how="missing"]').first().waitFor();
    await etl.run();
    const shown = await page.locator('[data-testid="etl"]').innerText();
    assert.match(shown, /missing required column\(s\): roll_no \(mapped to "Roll"\); the header has: Student No, dob/);
    await etl.byTestId('etl-columns').fill('roll_no = Roll\nnot_a_role = x');
    await etl.waitFor('[data-testid="etl-columns-error"]');
    assert.ok(await etl.byTestId('etl-run').isDisabled(), 'no run with a mapping that does not parse');
    await etl.byTestId('etl-columns').fill('');
  });
});

describe('The lesson settings travel in the link', () => {
  test('a link sets the lesson form, and editing it updates the link', async () => {
    const { page, log, section: gen } = await newSection(chromium.browser, GeneratorPage);
    await page.goto(`${chromium.server.url}#/generator?seed=8&students=300&attendance-marks-r=-0.3&dirt=0.02&overcrowding-rate=0.1`);
    await gen.waitReady();
    // The lesson's form shows once a university is generated.
    await gen.byTestId('scale').click();
    await gen.generate();
    await gen.waitResults();
    assert.equal(await gen.input('seed').inputValue(), '8');
    assert.equal(await gen.byTestId('input-lesson-r').inputValue(), '-0.3');
    assert.equal(await gen.byTestId('input-lesson-dirt').inputValue(), '0.02');
    assert.equal(await gen.byTestId('input-lesson-overcrowding').inputValue(), '0.1');
    await gen.byTestId('input-lesson-r').fill('0.45');
    await page.waitForFunction(() => location.hash.includes('attendance-marks-r=0.45'));
    assert.match(page.url(), /#\/generator\?seed=8&.*&attendance-marks-r=0.45&dirt=0.02&overcrowding-rate=0.1$/);
    // The link reproduces the lesson in a fresh page.
    const link = page.url();
    const other = await newSection(chromium.browser, GeneratorPage);
    await other.page.goto(link);
    await other.section.waitReady();
    await other.section.byTestId('scale').click();
    await other.section.generate();
    await other.section.waitResults();
    assert.equal(await other.section.byTestId('input-lesson-r').inputValue(), '0.45');
    assert.equal(await other.section.byTestId('input-lesson-dirt').inputValue(), '0.02');
    assert.deepEqual(log.errors, []);
  });
});
