// The page as a class sees it, in headless Chromium at a projector's 1024×768, a laptop's 1280×800
// and a phone's 390×844: every section in its main states fits the screen (no horizontal scroll),
// has no serious or critical axe-core violation, and is kept as a screenshot in artifacts/.
// Also: sections are hash routes that the nav and the title follow, under a sub-path too, and the
// generator's settings travel in the link.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { ARTIFACTS, launch } from '../lib/browser.js';
import { DIST } from '../lib/browser.js';
import { DatabasePage } from '../lib/database-page.js';
import { EtlPage } from '../lib/etl-page.js';
import { GeneratorPage } from '../lib/generator-page.js';
import { OccupancyPage } from '../lib/occupancy-page.js';
import { serve } from '../lib/server.js';

const VIEWPORTS = [
  { name: 'projector', width: 1024, height: 768 },
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser;
let server;
let page;
const problems = [];

before(async () => {
  browser = await launch();
  server = await serve(DIST, { prefix: '/studio/' });
  // axe is injected as a script of its own: the page's CSP rightly refuses it, so this context
  // (and only this one) bypasses the CSP.
  const context = await browser.newContext({ bypassCSP: true, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (err) => problems.push(String(err)));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** The elements wider than the window, for a useful failure message. */
async function overflow() {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [];
    for (const el of document.querySelectorAll('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
        const id = el.dataset?.testid ?? el.id ?? '';
        wide.push(`${el.tagName.toLowerCase()}${id ? `[${id}]` : ''}.${el.className} right=${Math.round(box.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 8) };
  });
}

async function axe() {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/**
 * The smallest chart text on screen, in CSS pixels: an SVG's text is drawn at its font size times
 * the SVG's scale (its width on screen over its viewBox width). Null when no chart is shown.
 */
async function smallestChartText() {
  return page.evaluate(() => {
    let smallest = null;
    for (const svg of document.querySelectorAll('.chart-svg svg')) {
      const box = svg.getBoundingClientRect();
      const viewBox = svg.viewBox?.baseVal;
      if (!box.width || !viewBox?.width) continue;
      const scale = box.width / viewBox.width;
      for (const text of svg.querySelectorAll('text')) {
        if (!text.textContent.trim()) continue;
        const size = parseFloat(getComputedStyle(text).fontSize) * scale;
        smallest = smallest === null ? size : Math.min(smallest, size);
      }
    }
    return smallest;
  });
}

/** Chart text a class can read: 16 px from a projector's 1024 px up, 12 px on a phone. */
const MIN_CHART_TEXT = { 1024: 16, 1280: 16, 390: 12 };

/** Checks the state on show at every size, then goes back to the laptop size. */
async function checkState(state) {
  for (const vp of VIEWPORTS) {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    await page.waitForTimeout(150);
    const fit = await overflow();
    assert.ok(
      fit.scrollWidth <= fit.innerWidth,
      `${state} at ${vp.width}×${vp.height}: page is ${fit.scrollWidth}px wide, wider than ${fit.innerWidth}: ${fit.wide.join('; ')}`,
    );
    const text = await smallestChartText();
    assert.ok(
      text === null || text >= MIN_CHART_TEXT[vp.width] - 0.05,
      `${state} at ${vp.width}×${vp.height}: chart text is ${text?.toFixed(1)} px, under ${MIN_CHART_TEXT[vp.width]}`,
    );
    await page.screenshot({ path: join(ARTIFACTS, `layout-${state}-${vp.width}x${vp.height}.png`), fullPage: true });
    assert.deepEqual(await axe(), [], `${state} at ${vp.width}×${vp.height}: axe-core`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function current() {
  return page.evaluate(() => ({
    title: document.title,
    nav: [...document.querySelectorAll('nav [aria-current="page"]')].map((a) => a.textContent),
    shown: [...document.querySelectorAll('main > div')].filter((d) => !d.hidden).map((d) => d.firstElementChild?.dataset?.testid),
  }));
}

/**
 * Waits until `pick` of the page's route state equals `want`: the page follows the hash when its
 * `hashchange` event is handled, a moment after a click or a step back.
 */
async function settle(want, pick = (state) => state) {
  const deadline = Date.now() + 10_000;
  let seen = pick(await current());
  while (!isDeepStrictEqual(seen, want) && Date.now() < deadline) {
    await page.waitForTimeout(50);
    seen = pick(await current());
  }
  assert.deepEqual(seen, want);
}

describe('layout, routes and accessibility', () => {
  test('sections are routes: the nav, the title and the shown section follow the hash', async () => {
    await page.goto(`${server.url}#/etl`);
    await page.locator('[data-testid="etl"][data-ready="true"]').waitFor({ timeout: 30_000 });
    await settle({ title: 'Campus ETL Studio · CSV ETL workbench', nav: ['ETL workbench'], shown: ['etl'] });
    await page.locator('[data-testid="nav-occupancy"]').click();
    assert.match(page.url(), /\/studio\/#\/occupancy$/);
    await settle({ title: 'Campus ETL Studio · Classroom occupancy', nav: ['Classroom occupancy'], shown: ['occupancy'] });
    await page.goBack();
    await settle('Campus ETL Studio · CSV ETL workbench', (state) => state.title);
    await page.locator('[data-testid="nav-generator"]').click();
    await settle('Data generator', (state) => state.nav[0]);
    // The header stays on screen when the page scrolls.
    await page.evaluate(() => window.scrollTo(0, 2000));
    const top = await page.locator('.site-header').evaluate((h) => h.getBoundingClientRect().top);
    assert.equal(top, 0);
  });

  test('the generator settings travel in the link', async () => {
    const gen = new GeneratorPage(page);
    await page.goto(`${server.url}#/generator?seed=7&students=1500&database=campus_demo`);
    await page.reload();
    await gen.waitReady();
    assert.equal(await gen.input('seed').inputValue(), '7');
    assert.equal(await gen.input('students').inputValue(), '1500');
    await gen.setField('seed', '11');
    await page.waitForFunction(() => location.hash.includes('seed=11'));
    assert.match(page.url(), /#\/generator\?seed=11&students=1500&.*database=campus_demo/);
  });

  test('the generator hints at loading into a database that holds the tables already', async () => {
    const gen = new GeneratorPage(page);
    assert.match(await gen.byTestId('hint-reload').innerText(), /Drop and recreate/);
    await gen.byTestId('check-drop').check();
    assert.equal(await gen.byTestId('hint-reload').count(), 0);
    await gen.byTestId('check-drop').uncheck();
  });

  test('every section fits and passes axe-core at 1024×768, 1280×800 and 390×844', async () => {
    const gen = new GeneratorPage(page);
    await page.goto(`${server.url}#/generator`);
    await page.reload();
    await gen.waitReady();
    await checkState('generator-form');
    await page.evaluate(() => window.scrollTo(0, 0));
    await gen.generate();
    await gen.waitResults();
    // The results are brought into view, not left below the fold.
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-testid="results"]').getBoundingClientRect();
      return box.top >= 0 && box.top < window.innerHeight / 2;
    }, null, { timeout: 5_000 });
    await checkState('generator-results');

    const etl = new EtlPage(page);
    await etl.open(`${server.url}`);
    await checkState('etl-empty');
    await etl.useSample();
    await checkState('etl-results');

    const db = new DatabasePage(page);
    await db.open(`${server.url}`);
    await checkState('database-empty');
    await db.load({ seed: '42', students: '1000' });
    await db.run('SELECT * FROM students LIMIT 80;');
    await page.locator('[data-testid="db-diagram"] summary').click();
    await checkState('database-results');

    const occ = new OccupancyPage(page);
    await occ.open(`${server.url}`);
    await checkState('occupancy-empty');
    await occ.generate({ sessions: 2000 });
    await occ.train();
    await checkState('occupancy-trained');
    // The steps are numbered one way: headings 1 to 4, no numbered boxes beside them.
    const headings = await page.locator('#occupancy h2').allInnerTexts();
    assert.deepEqual(headings.filter((h) => /^\d\./.test(h)).map((h) => h.split('.')[0]), ['1', '2', '3', '4']);
    assert.equal(await page.locator('#occupancy legend').filter({ hasText: /^\s*\d\./ }).count(), 0);
    assert.deepEqual(problems, []);
  });
});
