// Benchmark of the page's ETL over several workers in headless Chromium (figures, not a
// pass/fail test):
//   CAMPUS_CLI=target/release/campus node bench-etl-workers.js [--students-per-program N] [--sessions N] [--runs N] [--workers N]
// Writes a sample with the CLI (by default 2,400 students, 1,008,000 attendance rows), then runs
// the page's ETL over it with 1 worker and with N (the browser's cores, capped as the page caps
// them; `--workers N` forces N), alternating the two so other load on the machine hits both alike.
// With three workers or more, the helpers also read the attendance file's pieces in the first pass. Prints rows/s of the
// whole run, of the first pass (to "Writing outputs", with the analysis) and of the second pass
// (from "Writing outputs" to the end), best of the runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { CLI, DIST, launch, newPage } from './lib/browser.js';
import { browserCpuSeconds, workerCounts } from './lib/bench.js';
import { EtlPage, NAMES } from './lib/etl-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    'students-per-program': { type: 'string', default: '200' },
    sessions: { type: 'string', default: '84' },
    runs: { type: 'string', default: '2' },
    workers: { type: 'string' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'campus-bench-etl-'));
execFileSync(CLI, ['etl', 'sample', '--out', dir, '--students-per-program', args['students-per-program'], '--sessions', args.sessions], {
  stdio: 'pipe',
});
const files = Object.fromEntries(Object.entries(NAMES).map(([kind, name]) => [kind, join(dir, name)]));

const browser = await launch();
const server = await serve(DIST);
try {
  const { many, counts } = await workerCounts(browser, args.workers);

  const pages = {};
  for (const workers of counts) {
    const { context, page } = await newPage(browser);
    const etl = new EtlPage(page);
    await etl.open(`${server.url}?workers=${workers}`);
    await etl.pickAll(files);
    pages[workers] = { context, page, etl };
  }
  const times = Object.fromEntries(counts.map((w) => [w, { all: [], first: [], second: [], cores: [] }]));
  let rows = 0;
  let attendance = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    for (const workers of counts) {
      const { page, etl } = pages[workers];
      const t0 = performance.now();
      const cpu0 = browserCpuSeconds();
      let t1 = t0;
      await etl.runAndWait(async () => {
        await etl.byTestId('etl-run').click();
        await page.waitForFunction(
          () => /^Writing outputs/.test(document.querySelector('[data-testid="etl-progress"] label')?.textContent ?? ''),
          null,
          { timeout: 900_000, polling: 20 },
        );
        t1 = performance.now();
      }, 900_000);
      const t2 = performance.now();
      times[workers].cores.push((browserCpuSeconds() - cpu0) / ((t2 - t0) / 1000));
      times[workers].all.push((t2 - t0) / 1000);
      times[workers].first.push((t1 - t0) / 1000);
      times[workers].second.push((t2 - t1) / 1000);
      const c = await etl.counts();
      rows = Object.values(c).reduce((a, b) => a + b, 0);
      attendance = c.attendance;
    }
  }
  for (const workers of counts) {
    const all = Math.min(...times[workers].all);
    const first = Math.min(...times[workers].first);
    const second = Math.min(...times[workers].second);
    console.log(
      `ETL, ${rows} input rows (${attendance} attendance) on ${workers} worker(s): ` +
        `whole run best ${all.toFixed(2)} s = ${(rows / all / 1e6).toFixed(3)} M rows/s; ` +
        `first pass best ${first.toFixed(2)} s = ${(rows / first / 1e6).toFixed(3)} M rows/s; ` +
        `second pass best ${second.toFixed(2)} s = ${(rows / second / 1e6).toFixed(3)} M rows/s; ` +
        `runs ${times[workers].all.map((s) => s.toFixed(2)).join(' ')} s (second pass ${times[workers].second.map((s) => s.toFixed(2)).join(' ')} s); ` +
        `cores the browser got per run ${times[workers].cores.map((c) => c.toFixed(2)).join(' ')}`,
    );
  }
  if (counts.length > 1) {
    const whole = Math.min(...times[1].all) / Math.min(...times[many].all);
    const first = Math.min(...times[1].first) / Math.min(...times[many].first);
    const second = Math.min(...times[1].second) / Math.min(...times[many].second);
    console.log(
      `speed-up of ${many} workers over 1: whole run ${whole.toFixed(2)}x, ` +
        `first pass ${first.toFixed(2)}x, second pass ${second.toFixed(2)}x`,
    );
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const { context } of Object.values(pages)) await context.close();
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
