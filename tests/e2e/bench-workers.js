// Benchmark of the page's generator over several workers in headless Chromium (figures, not a
// pass/fail test):
//   node bench-workers.js [--students N] [--runs N]
// Prints SQL MB/s and rows/s with 1 worker and with N workers (N = the browser's cores, capped
// as the page caps them), alternating the two so that other load on the machine hits both alike;
// the best run of each is reported, with the machine's load average.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { DIST, launch, newPage } from './lib/browser.js';
import { browserCpuSeconds, workerCounts } from './lib/bench.js';
import { GeneratorPage } from './lib/generator-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    students: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
  },
});
const browser = await launch();
const server = await serve(DIST);
try {
  const { many, counts } = await workerCounts(browser, undefined);

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
