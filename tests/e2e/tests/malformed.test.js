// The malformed-input corpus (tests/data/malformed/) through the page, in headless Chromium: the
// ETL reads each file as attendance and the occupancy section imports it (and sessions-layout
// variants: UTF-16, `;`, a duplicate header, 2026-02-30, an unclosed quote, CR-only, NUL). For
// every file the page says what the CLI says: the same located errors and the same account of
// rows read, kept and rejected (no silent loss); nothing panics, and a good run right after
// still succeeds. Files too big to commit (a million columns, a 10 MB field) are made here.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

import { CLI, ROOT, chromiumSuite, newSection } from '../lib/browser.js';
import { EtlPage } from '../lib/etl-page.js';
import { OccupancyPage } from '../lib/occupancy-page.js';

const CORPUS = join(ROOT, 'tests', 'data', 'malformed');
const AKTU = join(ROOT, 'crates', 'etl', 'tests', 'data', 'aktu');
const STUDENTS = join(AKTU, 'students_master.csv');

const chromium = chromiumSuite();
let dir;

/** Runs the CLI; returns { status, stdout, stderr } whatever its exit status. */
function cli(args) {
  const run = spawnSync(CLI, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.error, undefined, `cannot run ${CLI}: ${run.error}`);
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Lines of `text` that speak of the file `name` (its path cut to the name), trimmed. */
function linesAbout(text, path) {
  const name = basename(path);
  return text
    .split('\n')
    .map((line) => line.trim().replaceAll(path, name))
    .filter((line) => line.startsWith(`${name}:`));
}

/** What `campus etl` says of `path` as the attendance file: exit status, account, errors. */
function cliEtl(path) {
  const run = cli(['etl', '--students', STUDENTS, '--attendance', path, '--out', join(dir, 'etl-out')]);
  assert.doesNotMatch(run.stderr, /panicked/);
  const name = basename(path);
  const account = run.stdout.split('\n').find((line) => line.startsWith(`${name}: `) && line.includes(' rows read: '));
  assert.ok(account, `the CLI printed no account of ${name}:\n${run.stdout}`);
  // The errors the CLI lists under the attendance file (not the final verdict).
  const errors = linesAbout(run.stderr, path).filter((line) => !line.includes(' rows read: '));
  return { ok: run.status === 0, account, errors };
}

/** What `campus occupancy train` says of `path`: the rows it could not read and their errors. */
function cliOccupancy(path) {
  const run = cli(['occupancy', 'train', '--data', path, '--out', join(dir, 'model.bin'), '--quiet', '--trees', '2']);
  assert.doesNotMatch(run.stderr, /panicked/);
  const bad = run.stderr.match(/^(\d+) row\(s\) of .* could not be read/m);
  return { ok: run.status === 0, nBad: bad ? Number(bad[1]) : 0, errors: linesAbout(run.stderr, path) };
}

/** No panic reached the console, and no worker died. */
function assertNoPanic(log, what) {
  const panics = log.errors.filter((e) => /panicked at|RuntimeError|unreachable/i.test(e));
  assert.deepEqual(panics, [], `${what}: ${panics.join('\n')}`);
}

/** The corpus's CSV files, and the ones made here (too big to commit), as paths. */
function corpusFiles() {
  const files = readdirSync(CORPUS)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(CORPUS, name));
  // A header of a million columns (2 MB): refused with a located error, not read into a
  // million-entry row.
  const wide = join(dir, 'wide.csv');
  writeFileSync(wide, `college_code,roll_no,dob,course_code,date,status${',x'.repeat(1_000_000)}\nC1,R1,2005-01-01,X1,2024-08-01,P${','.repeat(1_000_000)}\n`);
  // A stray quote at line 101 of the real attendance file: every row after it is counted lost.
  const lines = readFileSync(join(AKTU, 'attendance_2024_odd.csv'), 'utf8').split('\n');
  lines[100] = `"${lines[100]}`;
  const quote = join(dir, 'stray_quote.csv');
  writeFileSync(quote, lines.join('\n'));
  // A 10 MB field without any quote: read whole, as xsv and pandas read it.
  const clean = readFileSync(join(CORPUS, 'clean.csv'), 'utf8').trimEnd().split('\n');
  const huge = join(dir, 'huge_field.csv');
  writeFileSync(huge, `${clean[0]},notes\n${clean[1]},${'x'.repeat(10 << 20)}\n${clean[2]},\n`);
  return [...files, wide, quote, huge];
}

/** Sessions-layout files made from a good one, each broken one way. */
function sessionFiles() {
  const good = join(dir, 'sessions.csv');
  execFileSync(CLI, ['occupancy', 'generate', '--sessions', '316', '--out', good], { stdio: 'pipe' });
  const text = readFileSync(good, 'utf8');
  const lines = text.split('\n');
  const made = (name, content) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const feb30 = [...lines];
  feb30[2] = `2026-02-30${feb30[2].slice(feb30[2].indexOf(','))}`;
  const quote = [...lines];
  quote[200] = `"${quote[200]}`;
  const nul = [...lines];
  nul[5] = nul[5].replace(/,(\d+)$/, ',\u0000$1');
  return [
    made('occ_utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
    made('occ_semicolon.csv', text.replaceAll(',', ';')),
    made('occ_duplicate_header.csv', `${lines[0]},school\n${lines.slice(1).filter((l) => l).map((l) => `${l},Arts`).join('\n')}\n`),
    made('occ_feb30.csv', feb30.join('\n')),
    made('occ_unclosed_quote.csv', quote.join('\n')),
    made('occ_cr_only.csv', text.replaceAll('\n', '\r')),
    made('occ_nul.csv', nul.join('\n')),
  ];
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'campus-malformed-e2e-'));
});

describe('the malformed corpus in the ETL workbench', () => {
  let etl, log;
  before(async () => {
    ({ log, section: etl } = await newSection(chromium.browser, EtlPage));
    await etl.open(chromium.server.url);
  });

  test('every file: the CLI\'s errors and account on the page, the verdict its exit status', async () => {
    for (const path of corpusFiles()) {
      const name = basename(path);
      const expected = cliEtl(path);
      await etl.pickAll({ students: STUDENTS, attendance: path });
      await etl.run();
      assertNoPanic(log, name);
      const card = etl.byTestId('etl-file-attendance');
      assert.equal(await card.locator('[data-testid="etl-file-account"]').textContent(), expected.account, name);
      const shown = (await card.locator('[data-testid="etl-file-errors"] li').allTextContents()).map((t) => t.trim());
      for (const error of expected.errors) assert.ok(shown.includes(error), `${name}: ${error} not in ${JSON.stringify(shown)}`);
      const verdict = etl.byTestId('etl-bad-rows-verdict');
      assert.equal(await verdict.getAttribute('data-failed'), String(!expected.ok), `${name}: ${await verdict.innerText()}`);
      if (!expected.ok) assert.match(await verdict.innerText(), new RegExp(`${name.replaceAll('.', '\\.')}: \\d+ rows read`));
    }
  });

  test('a good run right after succeeds', async () => {
    const clean = join(CORPUS, 'clean.csv');
    await etl.pickAll({ students: STUDENTS, attendance: clean });
    await etl.run();
    assert.equal(await etl.byTestId('etl-file-attendance').locator('[data-testid="etl-file-account"]').textContent(), cliEtl(clean).account);
    assert.equal(await etl.byTestId('etl-bad-rows-verdict').getAttribute('data-failed'), 'false');
    assert.equal((await etl.counts()).students, 50);
    assertNoPanic(log, 'after the corpus');
    assert.deepEqual(log.errors, []);
  });
});

describe('the malformed corpus in the occupancy import', () => {
  let occ, log;
  before(async () => {
    ({ log, section: occ } = await newSection(chromium.browser, OccupancyPage));
    await occ.open(chromium.server.url);
  });

  test('every file: the CLI\'s errors and its count of rows that could not be read', async () => {
    const files = [...readdirSync(CORPUS).filter((n) => n.endsWith('.csv')).sort().map((n) => join(CORPUS, n)), ...sessionFiles()];
    for (const path of files) {
      const name = basename(path);
      const expected = cliOccupancy(path);
      if ((await occ.rows()) > 0) await clearData(occ);
      await occ.importCsv({ name, mimeType: 'text/csv', buffer: readFileSync(path) });
      await occ.byTestId('occ-notice-text').filter({ hasText: name }).waitFor({ timeout: 30_000 });
      assertNoPanic(log, name);
      const notice = await occ.notice();
      const details = (await occ.noticeDetails()).map((t) => t.trim());
      for (const error of expected.errors) assert.ok(details.includes(error), `${name}: ${error} not in ${JSON.stringify(details)}`);
      if (expected.nBad > 0) {
        assert.ok(notice.error, `${name}: ${notice.text}`);
        const counted = notice.text.match(/Rows rejected: (\d+)\.|; (\d+) bad row\(s\) skipped/);
        assert.ok(counted, `${name}: no count of rejected rows in "${notice.text}"`);
        assert.equal(Number(counted[1] ?? counted[2]), expected.nBad, `${name}: ${notice.text}`);
      } else {
        // The CLI read every row: the page imports them all.
        assert.ok(!notice.error, `${name}: ${notice.text}`);
        assert.match(notice.text, /^Imported .*: (\d+) sessions added/);
      }
    }
  });

  test('a good import right after succeeds', async () => {
    if ((await occ.rows()) > 0) await clearData(occ);
    const good = join(dir, 'sessions.csv');
    await occ.importCsv({ name: 'sessions.csv', mimeType: 'text/csv', buffer: readFileSync(good) });
    assert.equal(await occ.rows(), 316);
    assert.equal((await occ.notice()).error, false);
    assertNoPanic(log, 'after the corpus');
    assert.deepEqual(log.errors, []);
  });
});

async function clearData(occ) {
  await occ.byTestId('occ-clear').click();
  await occ.byTestId('occ-confirm-clear').click();
  await occ.waitAttr('rows', '0');
}
