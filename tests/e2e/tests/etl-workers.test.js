// End-to-end tests of the ETL over several workers in headless Chromium: the page runs one ETL
// worker per core but one (capped), or `?workers=N`; the helpers read the pieces of a large
// attendance file's first pass, which the section's own worker applies in order, and the large
// files' second pass is cut into slices the workers export apart, appended in order. Every output
// (the staging CSVs, staging.sql, the report) must be one worker's, and the CLI's, byte for byte.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, chromiumSuite, newSection } from '../lib/browser.js';
import { EtlPage, NAMES } from '../lib/etl-page.js';

const chromium = chromiumSuite();
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Every output, as [data-testid, file name]. */
const OUTPUTS = [
  ['etl-download-sql', 'staging.sql'],
  ['etl-download-students', 'stg_students.csv'],
  ['etl-download-attendance', 'stg_attendance.csv'],
  ['etl-download-exams', 'stg_exam_results.csv'],
  ['etl-download-placements', 'stg_placements.csv'],
  ['etl-download-report', 'report.md'],
];

let dir;
/** Per sample: its input files ({ kind: path }) and the CLI's outputs' SHA-256 by file name. */
const samples = {};

/** `campus etl sample` with `args` into `name`, and `campus etl` over it; kept in `samples`. */
function prepare(name, args, etlArgs = []) {
  const input = join(dir, name);
  execFileSync(CLI, ['etl', 'sample', '--out', input, ...args], { stdio: 'pipe' });
  const files = Object.fromEntries(Object.entries(NAMES).map(([kind, file]) => [kind, join(input, file)]));
  const out = join(dir, `${name}-out`);
  const cli = ['etl', '--out', out];
  for (const [kind, path] of Object.entries(files)) cli.push(`--${kind}`, path);
  execFileSync(CLI, [...cli, ...etlArgs], { stdio: 'pipe' });
  const expected = Object.fromEntries(OUTPUTS.map(([, file]) => [file, sha256(readFileSync(join(out, file)))]));
  samples[name] = { files, expected };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'campus-etl-workers-e2e-'));
  // About 2.7 MB of attendance (two slices), and a dirty set of about 8.6 MB (five slices) whose
  // planted defects (duplicates, orphans, a BOM, CRLF, bad rows) cross slice edges.
  prepare('clean', []);
  prepare('dirty', ['--dirty', '--students-per-program', '60', '--sessions', '40'], ['--max-bad-rows', '100%']);
});

/** The SHA-256 of each output the page offers, by file name. */
async function pageOutputs(etl) {
  const out = {};
  for (const [testId, file] of OUTPUTS) {
    const { name, path } = await etl.download(testId);
    assert.equal(name, file);
    out[file] = sha256(readFileSync(path));
  }
  return out;
}

/**
 * Runs the dirty sample on `workers` workers, cancels once the progress matches `phase` (a
 * regular expression's source), then runs again: the workers must still answer, and the outputs
 * must be the CLI's.
 */
async function cancelDuring(workers, phase) {
  const { context, page, log, section: etl } = await newSection(chromium.browser, EtlPage);
  try {
    await etl.open(`${chromium.server.url}?workers=${workers}`);
    const { files, expected } = samples.dirty;
    await etl.pickAll(files);
    const before = await etl.runId();
    await etl.byTestId('etl-run').click();
    await page.waitForFunction(
      (phase) => new RegExp(phase).test(document.querySelector('[data-testid="etl-progress"]')?.textContent ?? ''),
      phase,
      { timeout: 60_000, polling: 5 },
    );
    await etl.byTestId('etl-cancel').click();
    await page.waitForFunction((before) => Number(document.querySelector('[data-testid="etl"]').dataset.run) > before, before);
    assert.match(await etl.byTestId('etl-error').innerText(), /Cancelled/);
    await etl.run();
    assert.deepEqual(await pageOutputs(etl), expected);
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
}

describe('the ETL over several workers', () => {
  for (const workers of [1, 2, 3]) {
    test(`${workers} worker(s) write the CLI's bytes`, async () => {
      const { context, page, log, section: etl } = await newSection(chromium.browser, EtlPage);
      try {
        await etl.open(`${chromium.server.url}?workers=${workers}`);
        // The section's own worker and its helpers.
        const etlWorkers = () => page.workers().filter((w) => w.url().includes('etl_worker')).length;
        for (let waited = 0; etlWorkers() < workers && waited < 10_000; waited += 100) await page.waitForTimeout(100);
        assert.equal(etlWorkers(), workers, 'ETL workers started');
        for (const [name, { files, expected }] of Object.entries(samples)) {
          await etl.pickAll(files);
          await etl.run();
          assert.equal(await etl.byTestId('etl-error').count(), 0, `${name}: the run failed`);
          assert.deepEqual(await pageOutputs(etl), expected, `${name} on ${workers} worker(s)`);
        }
        assert.deepEqual(log.errors, []);
      } finally {
        await context.close();
      }
    });
  }

  test('a cancel while helpers read the first pass leaves them usable, and the next run is whole', async () => {
    // Cancel once the attendance file's pieces are read by the helpers.
    await cancelDuring(3, 'Reading .* on 3 workers');
  });

  test('a cancel in the second pass over two workers leaves them usable, and the next run is whole', async () => {
    // Cancel once the second pass is spread over the workers.
    await cancelDuring(2, 'Writing outputs .* on 2 workers');
  });
});
