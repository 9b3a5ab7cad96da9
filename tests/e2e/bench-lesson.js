// Benchmark of the lesson's exports in headless Chromium (figures, not a pass/fail test):
//   node bench-lesson.js [--students N] [--runs N]
// Prints the page's MB/s for the registrar's exports (made in the generator's worker, streamed
// into a Blob or the private file system) against the native CLI's on the same machine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DIST, ROOT, launch, newPage } from './lib/browser.js';
import { GeneratorPage } from './lib/generator-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    students: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
  },
});
const CLI = process.env.CAMPUS_CLI ?? join(ROOT, 'target', 'release', 'campus');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launch();
const server = await serve(DIST);
try {
  const { context, page } = await newPage(browser);
  const gen = new GeneratorPage(page);
  await gen.open(server.url);
  await gen.setField('students', args.students);
  await gen.byTestId('scale').click();
  await gen.generate();
  await gen.waitResults(600_000);
  const rates = [];
  let bytes = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    // A new r each run, so each run's result is told from the last.
    const r = String(0.5 + run / 100);
    await gen.byTestId('input-lesson-r').fill(r);
    await gen.byTestId('make-exports').click();
    await page.waitForFunction(
      (r) => {
        const app = document.querySelector('[data-testid="app"]');
        const hint = document.querySelector('[data-testid="lesson-exports"] .hint');
        return app && app.dataset.running === 'false' && hint && hint.textContent.includes(`--attendance-marks-r ${r}`);
      },
      r,
      { timeout: 900_000 },
    );
    const timing = gen.byTestId('exports-timing');
    bytes = Number(await timing.getAttribute('data-bytes'));
    const ms = Number(await timing.getAttribute('data-worker-ms'));
    rates.push(bytes / 1e3 / ms);
  }
  console.log(`page: exports of ${args.students} students, ${(bytes / 1e6).toFixed(1)} MB zip, median ${median(rates).toFixed(1)} MB/s over ${rates.length} runs`);
  await context.close();

  const out = mkdtempSync(join(tmpdir(), 'campus-exports-'));
  const stderr = execFileSync('sh', ['-c', `"${CLI}" generate --format exports --students ${args.students} --out "${join(out, 'y')}" 2>&1 >/dev/null | tail -n 1`], {
    encoding: 'utf8',
  });
  console.log(`native CLI, same size: ${stderr.trim()}`);
  rmSync(out, { recursive: true, force: true });
} finally {
  await server.close?.();
  await browser.close();
}
