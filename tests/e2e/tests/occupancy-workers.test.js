// End-to-end test of the occupancy section's random forest over several workers in headless
// Chromium: the same sessions trained with one worker (`?workers=1`) and with three
// (`?workers=3`, the forest's chunks of trees spread over the section's worker and two helpers)
// give the same saved model byte for byte, apart from the time it records; a spread training
// cancels at once and trains again; a helper that crashes while it fits trees fails the training
// with a message (no hang), and the next training works.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

import { chromiumSuite, newSection, screenshot } from '../lib/browser.js';
import { OccupancyPage } from '../lib/occupancy-page.js';

const chromium = chromiumSuite();

// campus_occupancy::bundle: MAGIC (8) | version (u32) | payload length (u64) | postcard payload | SHA-256 (32).
const HEADER_LEN = 8 + 4 + 8;

/** The model's payload after its first field, `created_at` (a postcard string: varint length, bytes). */
function withoutCreatedAt(bytes) {
  const payload = bytes.subarray(HEADER_LEN, bytes.length - 32);
  let len = 0;
  let shift = 0;
  let at = 0;
  for (;;) {
    const b = payload[at++];
    len |= (b & 0x7f) << shift;
    shift += 7;
    if (b < 0x80) break;
  }
  return { createdAt: payload.subarray(at, at + len).toString('utf8'), rest: payload.subarray(at + len) };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Trains on 5,000 sessions of seed 42 with `workers` workers: the saved model, its timings and the page's R². */
async function trainWith(workers) {
  const { context, page, log, section: occ } = await newSection(chromium.browser, OccupancyPage);
  try {
    await occ.open(`${chromium.server.url}?workers=${workers}`);
    const loaders = () => page.workers().filter((w) => w.url().includes('occupancy_worker_loader')).length;
    assert.equal(loaders(), workers, 'the section runs one worker per count');
    await occ.generate({ seed: 42, sessions: 5000 });
    const timings = await occ.train(180_000);
    const model = (await occ.exportVersion(1)).bytes;
    const r2 = await occ.number('forest-r2');
    await screenshot(page, `occ-workers-${workers}`);
    assert.deepEqual(log.errors, []);
    return { model, timings, r2 };
  } finally {
    await context.close();
  }
}

describe('the random forest over several workers', () => {
  let one;

  test('one worker trains the reference model', async () => {
    one = await trainWith(1);
    assert.ok(one.r2 > 0.5, `forest R² ${one.r2}`);
  });

  test('three workers train the same model bytes', async () => {
    const three = await trainWith(3);
    const a = withoutCreatedAt(one.model);
    const b = withoutCreatedAt(three.model);
    assert.match(a.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(a.rest.length, b.rest.length);
    assert.equal(sha256(b.rest), sha256(a.rest), 'the models differ beyond the time they record');
    assert.ok(b.rest.equals(a.rest));
    assert.equal(three.r2, one.r2);
    console.log(
      `forest training at 5,000 sessions: ${one.timings.forest.toFixed(0)} ms on 1 worker, ` +
        `${three.timings.forest.toFixed(0)} ms on 3 (total ${one.timings.total.toFixed(0)} / ${three.timings.total.toFixed(0)} ms)`,
    );
  });

  test('a training spread over workers cancels at once and trains again', async () => {
    const { context, page, log, section: occ } = await newSection(chromium.browser, OccupancyPage);
    try {
      await occ.open(`${chromium.server.url}?workers=3`);
      await occ.generate({ seed: 7, sessions: 5000 });
      await occ.startTraining();
      // Cancel while the chunks of trees are out with the helpers.
      await occ.byTestId('occ-stage').filter({ hasText: /Random forest/ }).waitFor({ timeout: 30_000 });
      await occ.byTestId('occ-cancel').click();
      await occ.waitAttr('running', 'false', 5_000);
      assert.match((await occ.notice()).text, /Cancelled/);
      assert.equal(await occ.versions(), 0, 'no version from a cancelled run');
      await occ.waitReady();
      await occ.train(180_000);
      assert.equal(await occ.versions(), 1);
      assert.deepEqual(log.errors, []);
      void page;
    } finally {
      await context.close();
    }
  });

  test('a helper crashing while it fits trees fails the training, and the next one trains', async () => {
    const { context, page, section: occ } = await newSection(chromium.browser, OccupancyPage);
    try {
      await occ.open(`${chromium.server.url}?workers=3`);
      await occ.generate({ seed: 7, sessions: 5000 });
      const helpers = page.workers().filter((w) => w.url().includes('occupancy_worker_loader')).slice(1);
      assert.equal(helpers.length, 2);
      // Each helper crashes (an uncaught error, which the page hears of as the worker's death) as
      // soon as the training's first request reaches it, while its chunks of trees are open.
      const crashOnNextMessage = () =>
        self.addEventListener('message', () => setTimeout(() => { throw new Error('helper crashed'); }, 0), { once: true });
      await Promise.all(helpers.map((w) => w.evaluate(crashOnNextMessage)));
      await occ.startTraining();
      await occ.waitAttr('running', 'false', 60_000);
      const notice = await occ.notice();
      assert.ok(notice.error, notice.text);
      assert.match(notice.text, /stopped \(.*helper crashed.*\); it has been restarted/);
      assert.equal(await occ.versions(), 0, 'no version from a failed run');
      // The helpers restart; the next training uses them and succeeds.
      await occ.waitReady();
      await occ.train(180_000);
      assert.equal(await occ.versions(), 1);
    } finally {
      await context.close();
    }
  });
});
