// Benchmark of the database section in headless Chromium (figures, not a pass/fail test):
//   node bench-database.js [--students N] [--runs N]
// Prints the load of the university into SQLite in the page's worker (ms and rows/s) against the
// native CLI's `campus generate --format sqlite` on the same machine, the time of a few
// representative queries, and the database worker's wasm size.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DIST, ROOT, launch, newPage } from './lib/browser.js';
import { DatabasePage } from './lib/database-page.js';
import { serve } from './lib/server.js';

const { values: args } = parseArgs({
  options: {
    students: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '5' },
  },
});
const CLI = process.env.CAMPUS_CLI ?? join(ROOT, 'target', 'release', 'campus');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const QUERIES = {
  'students per department (join, group)': 'SELECT d.department_name, COUNT(*) FROM students s JOIN departments d ON d.department_id = s.department_id GROUP BY d.department_id;',
  'average mark per level (3-table join)': 'SELECT l.level_name, AVG(m.final_score) FROM student_marks m JOIN modules mo ON mo.module_id = m.module_id JOIN levels l ON l.level_id = mo.level_id GROUP BY l.level_id;',
  'all marks (every row fetched, 1,000 kept)': 'SELECT * FROM student_marks;',
};

const wasm = readFileSync(join(DIST, 'db_worker_bg.wasm'));
console.log(`wasm db_worker_bg.wasm: ${(wasm.length / 1024).toFixed(0)} KiB raw, ${(gzipSync(wasm, { level: 9 }).length / 1024).toFixed(0)} KiB gzip (target < 450 KiB gzip)`);

const dir = mkdtempSync(join(tmpdir(), 'campus-db-bench-'));
const native = [];
for (let i = 0; i < Number(args.runs); i += 1) {
  const out = join(dir, `u${i}.db`);
  const t0 = process.hrtime.bigint();
  execFileSync(CLI, ['generate', '--format', 'sqlite', '--students', args.students, '--out', out]);
  native.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const tables = execFileSync('sqlite3', [join(dir, 'u0.db'), "SELECT name FROM sqlite_schema WHERE type = 'table'"], { encoding: 'utf8' }).trim().split('\n');
const rows = tables.reduce((sum, t) => sum + Number(execFileSync('sqlite3', [join(dir, 'u0.db'), `SELECT COUNT(*) FROM "${t}"`], { encoding: 'utf8' })), 0);
rmSync(dir, { recursive: true, force: true });
console.log(`native CLI (campus generate --format sqlite, ${args.students} students, ${rows} rows, to a file): median ${median(native).toFixed(0)} ms, ${(rows / median(native) * 1000 / 1e6).toFixed(2)} M rows/s`);

const browser = await launch();
const server = await serve(DIST);
try {
  const { page } = await newPage(browser);
  const db = new DatabasePage(page);
  await db.open(server.url);
  const loads = [];
  for (let i = 0; i < Number(args.runs); i += 1) {
    const t0 = Date.now();
    await db.load({ students: args.students });
    loads.push(Date.now() - t0);
  }
  console.log(`page load into SQLite in the worker (${rows} rows, click to ready, with the copy kept on disk): first ${loads[0]} ms, median ${median(loads)} ms, ${(rows / median(loads) * 1000 / 1e6).toFixed(2)} M rows/s (target < 1 s)`);
  for (const [label, sql] of Object.entries(QUERIES)) {
    const times = [];
    for (let i = 0; i < Number(args.runs); i += 1) {
      await db.run(sql);
      const summary = await db.byTestId('db-result-summary').innerText();
      const m = summary.match(/· ([\d.]+) (ms|s)$/);
      times.push(m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN);
    }
    console.log(`query ${label}: median ${median(times)} ms (page clock, round trip to the worker)`);
  }
} finally {
  await browser.close();
  await server.close();
}
