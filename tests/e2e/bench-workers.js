// Benchmark of the page's generator over several workers in headless Chromium (figures, not a
// pass/fail test):
//   node bench-workers.js [--students N] [--runs N]
// Prints SQL MB/s and rows/s with 1 worker and with N workers (N = the browser's cores, capped
// as the page caps them), alternating the two so that other load on the machine hits both alike;
// the best run of each is reported, with the machine's load average.
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { DIST, launch, newPage } from './lib/browser.js';
import { GeneratorPage } from './lib/generator-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    students: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
  },
});
const MAX_WORKERS = 4; // campus_jobs::generate::spread::MAX_WORKERS

/**
 * CPU seconds (user + system) used so far by this process's descendants (the bench's own
 * Chromium and its renderers, not any other browser on the machine): per wall second of a run,
 * how many cores the page actually got.
 */
function browserCpuSeconds() {
  const parents = new Map();
  const ticks = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command's closing parenthesis: state ppid … utime(12th) stime(13th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(pid), Number(fields[1]));
    ticks.set(Number(pid), Number(fields[11]) + Number(fields[12]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) {
      if (p === process.pid && pid !== process.pid) {
        total += t;
        break;
      }
    }
  }
  return total / 100; // USER_HZ
}

const browser = await launch();
const server = await serve(DIST);
try {
  const probe = await newPage(browser);
  const cores = await probe.page.evaluate(() => navigator.hardwareConcurrency);
  await probe.context.close();
  const many = Math.max(1, Math.min(cores, MAX_WORKERS));
  const counts = many > 1 ? [1, many] : [1];
  console.log(`browser cores (navigator.hardwareConcurrency): ${cores}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // One page per worker count, kept open, so each has its workers warm.
  const pages = {};
  for (const workers of counts) {
    const { context, page } = await newPage(browser);
    const gen = new GeneratorPage(page);
    await gen.open(`${server.url}?workers=${workers}`);
    await gen.setField('students', String(args.students));
    await gen.byTestId('scale').click();
    pages[workers] = { context, gen };
  }
  const rates = Object.fromEntries(counts.map((w) => [w, []]));
  const cores_used = Object.fromEntries(counts.map((w) => [w, []]));
  let bytes = 0;
  let rows = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    for (const workers of counts) {
      const { gen } = pages[workers];
      const t0 = performance.now();
      const cpu0 = browserCpuSeconds();
      await gen.generate();
      await gen.waitResults(900_000);
      const seconds = (performance.now() - t0) / 1000;
      cores_used[workers].push((browserCpuSeconds() - cpu0) / seconds);
      bytes = Number((await gen.byTestId('sql-bytes').innerText()).split(' ')[0]) * 1e6;
      rows = Object.values(await gen.counts()).reduce((a, b) => a + b, 0);
      rates[workers].push(seconds);
    }
  }
  for (const workers of counts) {
    const best = Math.min(...rates[workers]);
    const runs = rates[workers].map((s) => (bytes / 1e6 / s).toFixed(1)).join(' ');
    console.log(
      `SQL, ${args.students} students (${(bytes / 1e6).toFixed(0)} MB, ${rows} rows) on ${workers} worker(s), click to download link: ` +
        `best ${(bytes / 1e6 / best).toFixed(1)} MB/s, ${(rows / best / 1e6).toFixed(2)} M rows/s; runs ${runs} MB/s; ` +
        `cores the browser got per run ${cores_used[workers].map((c) => c.toFixed(2)).join(' ')}`,
    );
  }
  if (counts.length > 1) {
    const speedup = Math.min(...rates[1]) / Math.min(...rates[many]);
    console.log(`speed-up of ${many} workers over 1: ${speedup.toFixed(2)}x`);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const { context } of Object.values(pages)) await context.close();
} finally {
  await browser.close();
  await server.close();
}
