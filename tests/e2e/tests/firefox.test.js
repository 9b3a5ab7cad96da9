// The page in headless Firefox (Debian's firefox-esr, driven by selenium-webdriver through
// geckodriver): each of the three jobs runs in its worker and gives the same answers as in Chromium
// and the CLI. Screenshots go to artifacts/ as firefox-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, DIST } from '../lib/browser.js';
import { Firefox } from '../lib/firefox.js';
import { FirefoxEtlPage, FirefoxGeneratorPage, FirefoxOccupancyPage } from '../lib/firefox-pages.js';
import { serve } from '../lib/server.js';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const NAMES = {
  students: 'students_master.csv',
  attendance: 'attendance_2024_odd.csv',
  exams: 'exam_results_2024_odd.csv',
  placements: 'placements_2024.csv',
};

let ff;
let server;
let dir;

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), `no build at ${DIST}: run trunk build --release first`);
  assert.ok(existsSync(CLI), `no CLI at ${CLI}: build it with cargo build --release -p campus_cli`);
  dir = mkdtempSync(join(tmpdir(), 'campus-ff-e2e-'));
  server = await serve(DIST);
  ff = await Firefox.launch();
});

after(async () => {
  await ff?.close();
  await server?.close();
});

describe('in Firefox', () => {
  test('the generator makes seed 42 with the default sizes, and its SQL equals the CLI\'s', async () => {
    const generator = new FirefoxGeneratorPage(ff);
    await generator.open(server.url);
    await generator.generate();
    const counts = await generator.counts();
    assert.equal(counts.students, 5000);
    assert.equal(counts.student_enrollment, 20000);
    assert.equal(counts.courses, 42);
    await ff.screenshot('generator');
    const bytes = await generator.downloadSql();
    const out = join(dir, 'cli.sql');
    execFileSync(CLI, ['generate', '--quiet', '--seed', '42', '--out', out], { stdio: 'pipe' });
    assert.equal(sha256(bytes), sha256(readFileSync(out)), 'SHA-256 of the page\'s file vs the CLI\'s');
    assert.ok(await generator.noBanner(), 'no error banner');
  });

  test('an invalid size shows its error', async () => {
    const generator = new FirefoxGeneratorPage(ff);
    await generator.setField('students', '-5');
    assert.match(await generator.error('students'), /\S/);
    assert.equal(await generator.generateDisabled(), true);
  });

  test('the ETL workbench reads the sample files and its correlation equals the CLI\'s', async () => {
    execFileSync(CLI, ['etl', 'sample', '--out', join(dir, 'in')], { stdio: 'pipe' });
    const args = ['etl', '--out', join(dir, 'out')];
    for (const [kind, name] of Object.entries(NAMES)) args.push(`--${kind}`, join(dir, 'in', name));
    const cli = execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const printed = cli.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.ok(printed, `the CLI printed no correlation:\n${cli}`);

    const etl = new FirefoxEtlPage(ff);
    await etl.show();
    for (const [kind, name] of Object.entries(NAMES)) await etl.pick(kind, join(dir, 'in', name));
    await etl.run();
    await ff.screenshot('etl');
    assert.equal(await etl.pearson(), printed[1]);
    assert.ok(await etl.noBanner(), 'no error banner');
  });

  test('the occupancy section trains all three models and predicts', async () => {
    const occupancy = new FirefoxOccupancyPage(ff);
    await occupancy.show();
    await occupancy.generate(1000);
    await occupancy.train(1);
    const { forest, verdict } = await occupancy.prediction();
    assert.match(forest, /^\d+\.\d$/);
    assert.match(verdict, /overcrowded|fits the room/);
    await ff.screenshot('occupancy');
    assert.ok(await occupancy.noBanner(), 'no error banner');
  });
});
