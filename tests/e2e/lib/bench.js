// What the page benchmarks share (figures, not tests): how many workers to compare, and how
// many cores the browser actually got.
import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

import { newPage } from './browser.js';

/** The page's cap on workers when the browser reports more cores (campus_jobs::generate::spread::MAX_WORKERS). */
export const MAX_WORKERS = 4;

/**
 * CPU seconds (user + system) used so far by this process's descendants (the bench's own
 * Chromium and its renderers, not any other browser on the machine): per wall second of a run,
 * how many cores the page actually got.
 */
export function browserCpuSeconds() {
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

/**
 * The worker counts a bench compares: 1 and N (`forced`, else the browser's cores capped as the
 * page caps them). Prints the cores and the load average.
 */
export async function workerCounts(browser, forced) {
  const probe = await newPage(browser);
  const cores = await probe.page.evaluate(() => navigator.hardwareConcurrency);
  await probe.context.close();
  const many = forced ? Number(forced) : Math.max(1, Math.min(cores, MAX_WORKERS));
  console.log(`browser cores (navigator.hardwareConcurrency): ${cores}; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  return { cores, many, counts: many > 1 ? [1, many] : [1] };
}
