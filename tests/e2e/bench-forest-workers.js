// Benchmark of the page's random forest over several occupancy workers in headless Chromium
// (figures, not a pass/fail test):
//   node bench-forest-workers.js [--sessions N] [--runs N]
// Trains on the same generated sessions with 1 worker and with N workers (N = the browser's
// cores, capped as the page caps them), alternating the two so that other load on the machine
// hits both alike, and prints the forest's training time (the page's own timing) of each run,
// the best of each, and the machine's load average.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';

import { DIST, launch, newPage } from './lib/browser.js';
import { workerCounts } from './lib/bench.js';
import { OccupancyPage } from './lib/occupancy-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '3' },
    workers: { type: 'string' },
  },
});
const browser = await launch();
const server = await serve(DIST);
try {
  const { many, counts } = await workerCounts(browser, args.workers);

  const pages = {};
  for (const workers of counts) {
    const { context, page } = await newPage(browser);
    const occ = new OccupancyPage(page);
    await occ.open(`${server.url}?workers=${workers}`);
    await occ.generate({ seed: 42, sessions: Number(args.sessions) });
    pages[workers] = { context, occ };
  }
  const forest = Object.fromEntries(counts.map((w) => [w, []]));
  const total = Object.fromEntries(counts.map((w) => [w, []]));
  for (let run = 0; run < Number(args.runs); run++) {
    for (const workers of counts) {
      const t = await pages[workers].occ.train(600_000);
      forest[workers].push(t.forest);
      total[workers].push(t.total);
    }
  }
  for (const workers of counts) {
    console.log(
      `random forest, ${args.sessions} sessions, on ${workers} worker(s): best ${Math.min(...forest[workers]).toFixed(0)} ms; ` +
        `runs ${forest[workers].map((ms) => ms.toFixed(0)).join(' ')} ms; whole training best ${Math.min(...total[workers]).toFixed(0)} ms`,
    );
  }
  if (counts.length > 1) {
    const speedup = Math.min(...forest[1]) / Math.min(...forest[many]);
    console.log(`forest speed-up of ${many} workers over 1: ${speedup.toFixed(2)}x`);
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const { context } of Object.values(pages)) await context.close();
} finally {
  await browser.close();
  await server.close();
}
