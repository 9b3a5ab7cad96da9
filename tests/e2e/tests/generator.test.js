// End-to-end tests of the release page in headless Chromium: generation, downloads, validation,
// cancel, no network after load, and serving under a sub-path. Screenshots go to artifacts/.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { CLI, DIST, chromiumSuite, newPage, newSection, screenshot } from '../lib/browser.js';
import { GeneratorPage } from '../lib/generator-page.js';
import { serve } from '../lib/server.js';
import { listZip, readEntry } from '../lib/zip.js';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

// The default dataset (`Config::default()`), as far as its sizes are set directly.
const DEFAULT_COUNTS = {
  qualifications: 6,
  levels: 4,
  departments: 6,
  courses: 42,
  staff: 300,
  students: 5000,
  buses: 20,
  shuttle_points: 12,
  student_enrollment: 20000,
  student_residential: 5000,
  bus_allocations: 60,
  applicants: 300,
};

const chromium = chromiumSuite();

describe('generator page', () => {
  let page, gen, log, counts;
  before(async () => ({ page, log, section: gen } = await newSection(chromium.browser, GeneratorPage)));

  test('loads with its worker, header and form, without errors or CSP violations', async () => {
    // One worker, which writes the script to the private file system itself; the script over
    // several workers is tested below.
    await gen.open(`${chromium.server.url}?workers=1`);
    assert.equal(await page.title(), 'Campus ETL Studio · University data generator');
    assert.equal(await gen.byTestId('nav-generator').innerText(), 'Data generator');
    assert.equal(await gen.input('seed').inputValue(), '42');
    assert.equal(await gen.input('students').inputValue(), '5000');
    assert.ok(await gen.generateButton().isEnabled());
    assert.equal(await gen.byTestId('panic-banner').isVisible(), false);
    await screenshot(page, '01-loaded');
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.csp, []);
  });

  test('generates seed 42 with the default sizes and shows the counts', async () => {
    await gen.generate();
    await gen.waitResults();
    counts = await gen.counts();
    assert.equal(Object.keys(counts).length, 18, `tables shown: ${Object.keys(counts)}`);
    for (const [table, n] of Object.entries(DEFAULT_COUNTS)) {
      assert.equal(counts[table], n, `rows of ${table}`);
    }
    for (const [table, n] of Object.entries(counts)) {
      assert.ok(Number.isInteger(n) && n > 0, `${table} has ${n} rows`);
    }
    const elapsed = await gen.elapsedMs();
    assert.ok(elapsed >= 0, `elapsed ${elapsed}`);
    // Charts and the schema view come with the results.
    for (const id of ['chart-marks', 'chart-departments', 'chart-courses']) {
      assert.equal(await gen.byTestId(id).locator('svg').count(), 1, `${id} has an svg`);
    }
    assert.equal(await page.locator('[data-testid^="schema-"]').count(), 18);
    await screenshot(page, '02-generated');
    assert.deepEqual(log.errors, []);
  });

  test('previews any table a page at a time', async () => {
    await gen.byTestId('table-picker').selectOption({ label: 'students (5,000 rows)' });
    assert.equal(await gen.byTestId('page-info').innerText(), 'Rows 1–20 of 5,000');
    assert.equal(await gen.byTestId('preview-table').locator('tbody tr').count(), 20);
    const firstRow = await gen.byTestId('preview-table').locator('tbody tr').first().innerText();
    await gen.byTestId('next-page').click();
    assert.equal(await gen.byTestId('page-info').innerText(), 'Rows 21–40 of 5,000');
    const secondPageRow = await gen.byTestId('preview-table').locator('tbody tr').first().innerText();
    assert.notEqual(firstRow, secondPageRow);
    assert.match(secondPageRow, /^21\t/);
    await screenshot(page, '03-preview');
  });

  test('downloads Create_FullDB.sql byte-identical to the CLI', async (t) => {
    // Chromium has an origin private file system: the worker writes the file to disk itself.
    assert.equal(await gen.byTestId('download-sql').getAttribute('data-storage'), 'disk');
    const { name, bytes } = await gen.downloadSql();
    assert.equal(name, 'Create_FullDB.sql');
    assert.match(bytes.subarray(0, 200).toString(), /^-- Create_FullDB\.sql: seed script/);
    assert.equal(Number((await gen.byTestId('sql-bytes').innerText()).split(' ')[0]), Number((bytes.length / 1e6).toFixed(2)));
    if (!existsSync(CLI)) {
      t.skip(`no CLI at ${CLI}: build it with cargo build --release -p campus_cli`);
      return;
    }
    const out = join(mkdtempSync(join(tmpdir(), 'campus-e2e-')), 'Create_FullDB.sql');
    execFileSync(CLI, ['generate', '--seed', '42', '--out', out], { stdio: 'pipe' });
    const expected = readFileSync(out);
    assert.equal(bytes.length, expected.length, 'size of the page file vs the CLI file');
    assert.equal(sha256(bytes), sha256(expected));
  });

  test('downloads all tables as CSV in one zip with load.sql and verify.sql, each file identical to the CLI', async () => {
    const { name, bytes } = await gen.downloadZip();
    assert.equal(name, 'university_csv.zip');
    const entries = listZip(bytes);
    const expected = [...Object.keys(counts).map((t) => `${t}.csv`), 'load.sql', 'verify.sql'];
    assert.deepEqual(entries.map((e) => e.name).sort(), expected.sort());
    let cliDir;
    if (existsSync(CLI)) {
      // The CLI's fast-load folder: the same CSVs, and the load and verify scripts.
      cliDir = mkdtempSync(join(tmpdir(), 'campus-e2e-csv-'));
      execFileSync(CLI, ['generate', '--quiet', '--seed', '42', '--format', 'load', '--out', cliDir], { stdio: 'pipe' });
    }
    for (const entry of entries) {
      const file = readEntry(bytes, entry);
      if (entry.name.endsWith('.csv')) {
        const lines = file.toString('utf8').split('\n').filter((line) => line.length > 0);
        const table = entry.name.replace(/\.csv$/, '');
        assert.equal(lines.length, counts[table] + 1, `${entry.name}: header + ${counts[table]} rows`);
      }
      if (cliDir) assert.equal(sha256(file), sha256(readFileSync(join(cliDir, entry.name))), entry.name);
    }
    await screenshot(page, '04-zip');
  });

  test('shows inline errors for bad sizes and blocks generation', async () => {
    const cases = [
      ['students', '-5', /Students cannot be negative/],
      ['students', 'abc', /Students must be a whole number/],
      ['students', '', /Students is required/],
      ['students', '999999999999', /Students must be at most 2,000,000/],
      ['staff', '3', /Staff must be between 10 and/],
      ['seed', '1.5', /Seed must be a whole number/],
    ];
    for (const [key, value, message] of cases) {
      await gen.setField(key, value);
      assert.match(await gen.error(key).innerText(), message, `${key} = ${JSON.stringify(value)}`);
      assert.equal(await gen.input(key).getAttribute('aria-invalid'), 'true');
      assert.equal(await gen.generateButton().isDisabled(), true);
      if (key === 'students' && value === '-5') await screenshot(page, '05-invalid');
      await gen.reset();
      assert.equal(await gen.error(key).count(), 0);
    }
    await gen.setField('database', 'bad name!');
    assert.match(await gen.byTestId('error-form').innerText(), /Database name/);
    await gen.reset();
    assert.ok(await gen.generateButton().isEnabled());
  });

  test('cancels a large generation and stays responsive', async () => {
    const before = await gen.resultId();
    assert.notEqual(before, '0', 'an earlier result is on show');
    await gen.setField('students', '2,000,000');
    await gen.byTestId('scale').click();
    await gen.generate();
    await gen.waitRunning();
    // Let a few chunks arrive, then check the page still reacts while the worker works.
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="progress-text"]')?.textContent ?? '';
      return !text.startsWith('0 of');
    }, null, { timeout: 30_000 });
    const started = Date.now();
    const answer = await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve('frame'))));
    assert.equal(answer, 'frame');
    assert.ok(Date.now() - started < 1_000, 'a frame within a second while generating');
    await screenshot(page, '06-running');
    await gen.cancel();
    assert.equal(await gen.notice(), 'Cancelled.');
    assert.equal(await gen.byTestId('progress').count(), 0);
    // The notice is where the user is (beside Generate), and the last results stay.
    const seen = await gen.byTestId('notice-text').evaluate((n) => {
      const box = n.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    });
    assert.ok(seen, '"Cancelled." is on screen');
    assert.equal(await gen.resultId(), before, 'the last results are kept');
    assert.equal(await gen.byTestId('results').count(), 1);
    // The form still works, and so does the worker.
    await gen.setField('students', '-1');
    assert.match(await gen.error('students').innerText(), /cannot be negative/);
    await gen.reset();
    await gen.setField('students', '100');
    await gen.byTestId('scale').click();
    await gen.generate();
    await gen.waitResults();
    assert.equal((await gen.counts()).students, 100);
    await screenshot(page, '07-after-cancel');
    assert.deepEqual(log.errors, []);
  });

  test('generates from the keyboard alone', async () => {
    await gen.reset();
    await gen.input('seed').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('7');
    const before = await gen.resultId();
    await gen.generate(() => page.keyboard.press('Enter'));
    await gen.waitResults();
    assert.notEqual(await gen.resultId(), before);
    assert.equal((await gen.counts()).students, 5000);
    // Tab moves from the last SQL option to the Generate button.
    await gen.byTestId('check-drop').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'generate');
  });
});

test('SQL options and sizes give the same file as the CLI', async (t) => {
  if (!existsSync(CLI)) {
    t.skip(`no CLI at ${CLI}`);
    return;
  }
  const { context, page, log, section: gen } = await newSection(chromium.browser, GeneratorPage);
  await gen.open(chromium.server.url);
  const cases = [
    {
      name: 'schema only, drop and recreate',
      cli: ['--schema-only', '--drop'],
      set: async () => {
        await gen.byTestId('check-data').uncheck();
        await gen.byTestId('check-drop').check();
      },
    },
    { name: 'data only', cli: ['--data-only'], set: () => gen.byTestId('check-schema').uncheck() },
    {
      name: 'PostgreSQL',
      cli: ['--dialect', 'postgres'],
      set: () => gen.byTestId('select-dialect').selectOption('postgres'),
    },
    {
      name: 'SQLite, drop and recreate',
      cli: ['--dialect', 'sqlite', '--drop'],
      set: async () => {
        await gen.byTestId('select-dialect').selectOption('sqlite');
        await gen.byTestId('check-drop').check();
      },
    },
    {
      name: 'another database, 300 students',
      cli: ['--database', 'shop', '--students', '300', '--seed', '7'],
      set: async () => {
        await gen.setField('database', 'shop');
        await gen.setField('students', '300');
        await gen.byTestId('scale').click();
        await gen.setField('seed', '7');
      },
    },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'campus-e2e-'));
  for (const c of cases) {
    await gen.reset();
    await c.set();
    await gen.generate();
    await gen.waitResults();
    const { bytes } = await gen.downloadSql();
    const out = join(dir, 'cli.sql');
    execFileSync(CLI, ['generate', '--quiet', ...c.cli, '--out', out], { stdio: 'pipe' });
    assert.equal(sha256(bytes), sha256(readFileSync(out)), c.name);
  }
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('makes no network request after loading', async () => {
  const { context, page, log, section: gen } = await newSection(chromium.browser, GeneratorPage);
  await gen.open(chromium.server.url);
  const loadedAt = Date.now();
  await gen.generate();
  await gen.waitResults();
  await gen.byTestId('table-picker').selectOption({ index: 12 });
  await gen.byTestId('next-page').click();
  await gen.downloadSql();
  await gen.downloadZip();
  const network = log.requests.filter((r) => r.at >= loadedAt && /^https?:/.test(r.url));
  assert.deepEqual(network.map((r) => r.url), []);
  // And before that, only this origin was asked for anything.
  const foreign = log.requests.filter((r) => /^https?:/.test(r.url) && !r.url.startsWith(chromium.server.url));
  assert.deepEqual(foreign.map((r) => r.url), []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('keeps the file in a Blob where the browser has no private file system', async () => {
  const { context, page, log } = await newPage(chromium.browser);
  try {
    // Take OPFS away from the worker (page init scripts do not reach workers; its loader does).
    await context.route('**/worker_loader.js', async (route) => {
      const original = await (await route.fetch()).text();
      await route.fulfill({
        contentType: 'text/javascript',
        body: `delete StorageManager.prototype.getDirectory;\n${original}`,
      });
    });
    const gen = new GeneratorPage(page);
    // One worker: several always hand their pieces to the page.
    await gen.open(`${chromium.server.url}?workers=1`);
    await gen.generate();
    await gen.waitResults();
    assert.equal(await gen.byTestId('download-sql').getAttribute('data-storage'), 'memory');
    const { bytes } = await gen.downloadSql();
    assert.equal(sha256(bytes), sha256(await fetchDiskSql()));
    const { bytes: zip } = await gen.downloadZip();
    assert.equal(listZip(zip).length, 20, 'the 18 tables, load.sql and verify.sql');
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

/** Create_FullDB.sql for seed 42 as one worker writes it to disk. */
async function fetchDiskSql() {
  const { context, page } = await newPage(chromium.browser);
  try {
    const gen = new GeneratorPage(page);
    await gen.open(`${chromium.server.url}?workers=1`);
    await gen.generate();
    await gen.waitResults();
    assert.equal(await gen.byTestId('download-sql').getAttribute('data-storage'), 'disk');
    return (await gen.downloadSql()).bytes;
  } finally {
    await context.close();
  }
}

test('says so when the worker cannot load', async () => {
  const { context, page } = await newPage(chromium.browser);
  try {
    await context.route('**/worker_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
    const gen = new GeneratorPage(page);
    await page.goto(chromium.server.url);
    await gen.byTestId('notice-text').waitFor({ timeout: 30_000 });
    assert.match(await gen.notice(), /could not start/);
    assert.equal(await gen.generateButton().isDisabled(), true);
    assert.equal(await gen.byTestId('panic-banner').isVisible(), false);
    await screenshot(page, '09-worker-failed');
  } finally {
    await context.close();
  }
});

test('works when served under a sub-path', async () => {
  const sub = await serve(DIST, { prefix: '/campus/' });
  const { context, page, log } = await newPage(chromium.browser);
  try {
    const gen = new GeneratorPage(page);
    await gen.open(sub.url);
    await gen.setField('students', '300');
    await gen.byTestId('scale').click();
    await gen.generate();
    await gen.waitResults();
    assert.equal((await gen.counts()).students, 300);
    const outside = sub.requests.filter((p) => !p.startsWith('/campus/'));
    assert.deepEqual(outside, []);
    assert.deepEqual(log.errors, []);
    await screenshot(page, '08-subpath');
  } finally {
    await context.close();
    await sub.close();
  }
});

describe('the script over several workers', () => {
  // The page runs one worker per core (capped); `?workers=N` forces N. One worker writes to the
  // private file system, several hand their pieces to the page, which appends them in order.
  const cases = [
    { name: 'MySQL, the default script', cli: [], set: async () => {} },
    {
      name: 'PostgreSQL, drop and recreate',
      cli: ['--dialect', 'postgres', '--drop'],
      set: async (gen) => {
        await gen.byTestId('select-dialect').selectOption('postgres');
        await gen.byTestId('check-drop').check();
      },
    },
    {
      name: 'SQLite, data only, 20,000 students',
      cli: ['--dialect', 'sqlite', '--data-only', '--students', '20000'],
      set: async (gen) => {
        await gen.byTestId('select-dialect').selectOption('sqlite');
        await gen.byTestId('check-schema').uncheck();
        await gen.setField('students', '20000');
        await gen.byTestId('scale').click();
      },
    },
  ];
  const expected = {};

  before(() => {
    if (!existsSync(CLI)) return;
    const dir = mkdtempSync(join(tmpdir(), 'campus-e2e-workers-'));
    for (const c of cases) {
      const out = join(dir, 'cli.sql');
      execFileSync(CLI, ['generate', '--quiet', ...c.cli, '--out', out], { stdio: 'pipe' });
      expected[c.name] = sha256(readFileSync(out));
    }
  });

  for (const workers of [1, 2]) {
    test(`${workers} worker(s) write the CLI's bytes in every dialect`, async (t) => {
      if (!existsSync(CLI)) {
        t.skip(`no CLI at ${CLI}`);
        return;
      }
      const { context, page, log, section: gen } = await newSection(chromium.browser, GeneratorPage);
      try {
        await gen.open(`${chromium.server.url}?workers=${workers}`);
        for (const c of cases) {
          await gen.reset();
          await c.set(gen);
          await gen.generate();
          await gen.waitResults();
          const storage = await gen.byTestId('download-sql').getAttribute('data-storage');
          assert.equal(storage, workers === 1 ? 'disk' : 'memory', c.name);
          const { name, bytes } = await gen.downloadSql();
          assert.equal(name, 'Create_FullDB.sql');
          assert.equal(sha256(bytes), expected[c.name], `${c.name} on ${workers} worker(s)`);
        }
        // The figures come with a script over several workers too.
        await gen.reset();
        await gen.generate();
        await gen.waitResults();
        assert.equal((await gen.counts()).students, 5000);
        for (const id of ['chart-marks', 'chart-departments', 'chart-courses']) {
          assert.equal(await gen.byTestId(id).locator('svg').count(), 1, `${id} has an svg`);
        }
        assert.deepEqual(log.errors, []);
      } finally {
        await context.close();
      }
    });
  }

  test('a cancel stops every worker, and the next script is whole', async (t) => {
    const { context, page, log, section: gen } = await newSection(chromium.browser, GeneratorPage);
    try {
      await gen.open(`${chromium.server.url}?workers=2`);
      await gen.setField('students', '2,000,000');
      await gen.byTestId('scale').click();
      await gen.generate();
      await gen.waitRunning();
      await page.waitForFunction(() => {
        const text = document.querySelector('[data-testid="progress-text"]')?.textContent ?? '';
        return text !== '' && !text.startsWith('0 of');
      }, null, { timeout: 60_000 });
      assert.equal(await gen.byTestId('progress').locator('label').innerText(), 'Generating Create_FullDB.sql on 2 workers');
      await screenshot(page, 'workers-running');
      await gen.cancel();
      assert.equal(await gen.notice(), 'Cancelled.');
      assert.equal(await gen.byTestId('progress').count(), 0);
      assert.ok(await gen.generateButton().isEnabled());
      await gen.reset();
      await gen.generate();
      await gen.waitResults();
      assert.equal((await gen.counts()).students, 5000);
      await screenshot(page, 'workers-after-cancel');
      if (existsSync(CLI)) {
        const { bytes } = await gen.downloadSql();
        assert.equal(sha256(bytes), expected['MySQL, the default script']);
      } else {
        t.diagnostic(`no CLI at ${CLI}: bytes not compared`);
      }
      assert.deepEqual(log.errors, []);
    } finally {
      await context.close();
    }
  });
});
