// The page in headless Firefox (Debian's firefox-esr through geckodriver): each of the three jobs
// runs in its worker and gives the same answers as in Chromium and the CLI. Screenshots go to
// artifacts/ as firefox-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ARTIFACTS, DIST, ROOT } from '../lib/browser.js';
import { Firefox } from '../lib/firefox.js';
import { serve } from '../lib/server.js';

const CLI = process.env.CAMPUS_CLI ?? join(ROOT, 'target', 'release', 'campus');
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

async function shot(name) {
  writeFileSync(join(ARTIFACTS, `firefox-${name}.png`), await ff.screenshot());
}

/** Waits until a finished download named `name` is in the download directory and returns it. */
async function downloaded(name, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const files = readdirSync(ff.downloads);
    // Firefox writes `name.part` and renames it when the download completes.
    if (files.includes(name) && !files.some((f) => f.endsWith('.part'))) {
      return readFileSync(join(ff.downloads, name));
    }
    if (Date.now() > deadline) throw new Error(`no ${name} among the downloads (${files.join(', ')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The panic banner (index.html's `#panic-banner`) is still hidden. */
const noBanner = () => ff.eval('return document.getElementById("panic-banner").hidden');

describe('in Firefox', () => {
  test('the generator makes seed 42 with the default sizes, and its SQL equals the CLI\'s', async () => {
    await ff.goto(server.url);
    await ff.waitFor('return document.querySelector(\'[data-testid="app"][data-ready="true"]\') !== null', {
      timeout: 30_000,
      what: 'the generator worker to be ready',
    });
    await ff.click('generate');
    await ff.waitFor(
      `const app = document.querySelector('[data-testid="app"]');
       return app.dataset.running === 'false' && app.dataset.result !== '0';`,
      { what: 'the generation to finish' },
    );
    const counts = await ff.eval(`
      const out = {};
      for (const row of document.querySelectorAll('[data-testid="counts"] tbody tr')) {
        out[row.querySelector('th').textContent.trim()] = Number(row.querySelector('td').textContent.replace(/,/g, ''));
      }
      return out;`);
    assert.equal(counts.students, 5000);
    assert.equal(counts.student_enrollment, 20000);
    assert.equal(counts.courses, 42);
    await shot('generator');
    await ff.click('download-sql');
    const bytes = await downloaded('Create_FullDB.sql');
    const out = join(dir, 'cli.sql');
    execFileSync(CLI, ['generate', '--quiet', '--seed', '42', '--out', out], { stdio: 'pipe' });
    assert.equal(sha256(bytes), sha256(readFileSync(out)), 'SHA-256 of the page\'s file vs the CLI\'s');
    assert.ok(await noBanner(), 'no error banner');
  });

  test('an invalid size shows its error', async () => {
    await ff.fill('input-students', '-5');
    const error = await ff.waitFor(
      'const e = document.querySelector(\'[data-testid="error-students"]\'); return e && e.textContent.trim();',
      { timeout: 5_000, what: 'the error under the students field' },
    );
    assert.match(error, /\S/);
    assert.equal(await ff.eval('return document.querySelector(\'[data-testid="generate"]\').disabled'), true);
  });

  test('the ETL workbench reads the sample files and its correlation equals the CLI\'s', async () => {
    execFileSync(CLI, ['etl', 'sample', '--out', join(dir, 'in')], { stdio: 'pipe' });
    const args = ['etl', '--out', join(dir, 'out')];
    for (const [kind, name] of Object.entries(NAMES)) args.push(`--${kind}`, join(dir, 'in', name));
    const cli = execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const printed = cli.match(/pearson\(attendance_pct, total_marks\) = (\S+)/);
    assert.ok(printed, `the CLI printed no correlation:\n${cli}`);

    await ff.click('nav-etl');
    await ff.waitFor('return document.querySelector(\'[data-testid="etl"][data-ready="true"]\') !== null', {
      timeout: 30_000,
      what: 'the ETL worker to be ready',
    });
    // WebDriver types a path into a file input to choose that file.
    for (const [kind, name] of Object.entries(NAMES)) {
      const input = await ff.element(`etl-pick-${kind}`);
      await ff.send('POST', `/element/${input}/value`, { text: join(dir, 'in', name) });
    }
    const before = await ff.eval('return Number(document.querySelector(\'[data-testid="etl"]\').dataset.run)');
    await ff.click('etl-run');
    await ff.waitFor(
      `const etl = document.querySelector('[data-testid="etl"]');
       return etl.dataset.running === 'false' && Number(etl.dataset.run) > arguments[0];`,
      { what: 'the ETL run to finish' },
      before,
    );
    await shot('etl');
    assert.equal((await ff.text('etl-pearson')).trim(), printed[1]);
    assert.ok(await noBanner(), 'no error banner');
  });

  test('the occupancy section trains all three models and predicts', async () => {
    await ff.click('nav-occupancy');
    const section = '[data-testid="occupancy"]';
    await ff.waitFor(`return document.querySelector('${section}[data-ready="true"][data-registry="true"]') !== null`, {
      timeout: 30_000,
      what: 'the occupancy worker and registry to be ready',
    });
    await ff.fill('occ-sessions', '1000');
    await ff.click('occ-generate');
    await ff.waitFor(`const s = document.querySelector('${section}'); return s.dataset.running === 'false' && s.dataset.rows === '1000';`, {
      what: 'the sessions to be generated',
    });
    await ff.click('occ-train');
    await ff.waitFor(`const s = document.querySelector('${section}'); return s.dataset.running === 'false' && s.dataset.versions === '1';`, {
      timeout: 120_000,
      what: 'training to finish with a saved version',
    });
    const forest = await ff.waitFor(
      'const e = document.querySelector(\'[data-testid="pred-forest"]\'); return e && e.textContent.trim();',
      { what: 'a prediction' },
    );
    assert.match(forest, /^\d+\.\d$/);
    assert.match(await ff.text('pred-verdict'), /overcrowded|fits the room/);
    await shot('occupancy');
    assert.ok(await noBanner(), 'no error banner');
  });
});
