// End-to-end test of the lesson in headless Chromium: one university generated in the page, its
// registrar's exports (byte-identical to `campus generate --format exports`) opened in the ETL
// workbench, whose counts and Pearson equal `campus etl` on the CLI's files; with dirt, the
// grading finds every planted defect; the generated lectures train the occupancy models.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
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
    await screenshot(page, 'lesson-03-grading');
    const missed = await page.locator('[data-testid="etl-grade-missed"]').allInnerTexts();
    const found = await page.locator('[data-testid="etl-grade-found"]').allInnerTexts();
    assert.equal(missed.length, 7, 'every kind planted');
    assert.deepEqual(missed, missed.map(() => '0'));
    assert.ok(found.every((n) => Number(n) > 0));
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
