// Benchmark of the occupancy section in headless Chromium (figures, not a pass/fail test):
//   CAMPUS_DIST=... node bench-occupancy.js [--sessions 5000,50000] [--runs 3]
// Generates each dataset in the page, trains all three models in the worker and prints the
// worker's time per model (median of the runs), the saved version's size and one prediction's time.
import { parseArgs } from 'node:util';

import { DIST, launch, newPage } from './lib/browser.js';
import { OccupancyPage } from './lib/occupancy-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '5000,50000' },
    runs: { type: 'string', default: '3' },
  },
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launch();
const server = await serve(DIST);
try {
  for (const n of args.sessions.split(',').map(Number)) {
    const runs = [];
    for (let run = 0; run < Number(args.runs); run++) {
      const { context, page } = await newPage(browser);
      const occ = new OccupancyPage(page);
      await occ.open(server.url);
      await occ.generate({ seed: 42, sessions: n });
      runs.push(await occ.train(30 * 60_000));
      if (run === 0) {
        const size = await occ.byTestId('version-1').locator('td').nth(7).innerText();
        const first = await occ.text('pred-ms');
        // Each edit of the form predicts again; the median of many is robust to a busy machine.
        const times = [];
        for (let i = 0; i < 41; i++) {
          await occ.setPrediction({ enrolled: 40 + i });
          times.push(Number((await occ.text('pred-ms')).match(/([\d.]+) ms/)[1]));
        }
        console.log(
          `${n} sessions: saved version ${size}; first prediction: ${first}; ` +
            `median of ${times.length} predictions ${median(times).toFixed(2)} ms, max ${Math.max(...times).toFixed(2)} ms (target < 1 ms)`,
        );
      }
      await context.close();
    }
    const pick = (key) => median(runs.map((r) => r[key])).toFixed(0);
    console.log(
      `${n} sessions, median of ${runs.length}: linear ${pick('linear')} ms · forest ${pick('forest')} ms · ` +
        `SVM ${pick('svm')} ms · total ${pick('total')} ms`,
    );
  }
} finally {
  await browser.close();
  await server.close();
}
