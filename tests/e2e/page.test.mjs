// End-to-end test of the built site (make test-e2e builds it with trunk into E2E_DIST).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch, collectErrors, canvasVariance, chartDrawn, labReady } from './browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const shots = path.resolve('../../target/e2e-screenshots');
let site, browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no built site in ${dist}: run make test-e2e`);
  fs.mkdirSync(shots, { recursive: true });
  site = await serve(dist, publicUrl);
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.close(); });

async function stepsOf(page, panel) {
  return Number(await page.getAttribute(`#${panel}-stats`, 'data-steps') || 0);
}

test('the page runs SGD in a worker under a sub-path and draws live m(t)', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(site.url);
  await labReady(page);
  // the worker streams at least 5 batches for both protocols
  await page.waitForFunction(() => ['panel-mse', 'panel-correlation'].every(
    (p) => Number(document.getElementById(`${p}-stats`)?.dataset.steps || 0) >= 5), null, { timeout: 60000 });
  for (const panel of ['panel-mse', 'panel-correlation']) {
    await chartDrawn(page, `#${panel}-overlaps`, 5);
    const variance = await canvasVariance(page, `#${panel}-overlaps`);
    assert.ok(variance > 50, `${panel} overlap chart looks blank (variance ${variance})`);
    const stats = await page.textContent(`#${panel}-stats`);
    assert.match(stats, /n_b = 1024/);
  }
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(shots, 'desktop.png'), fullPage: true });
  assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
  await page.close();
});

test('pause stops the stream and resume continues it', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(site.url);
  await labReady(page);
  await page.waitForFunction(() => Number(document.getElementById('panel-mse-stats')?.dataset.steps || 0) >= 3, null, { timeout: 60000 });
  await page.click('#pause');
  await page.waitForTimeout(300);
  const paused = await stepsOf(page, 'panel-mse');
  await page.waitForTimeout(700);
  assert.equal(await stepsOf(page, 'panel-mse'), paused, 'steps advanced while paused');
  await page.click('#pause');
  await page.waitForFunction((n) => Number(document.getElementById('panel-mse-stats').dataset.steps) > n, paused, { timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('an invalid field shows its message and disables Start', async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  await labReady(page);
  await page.fill('#a0', '0');
  assert.match(await page.textContent('#a0-error'), /\(0, 1e6\]/);
  await page.fill('#a0', '1');
  await page.fill('#d', '3');
  const message = await page.textContent('#d-error');
  assert.match(message, /d: |must be an integer in \[4/);
  assert.ok(await page.isDisabled('#start'));
  await page.fill('#d', '1024');
  assert.ok(!(await page.isDisabled('#start')));
  await page.close();
});

test('mobile layout (390 px) stacks the panels', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
  await page.goto(site.url);
  await labReady(page);
  await page.waitForFunction(() => Number(document.getElementById('panel-correlation-stats')?.dataset.steps || 0) >= 5, null, { timeout: 60000 });
  const a = await page.$eval('#panel-mse', (e) => e.getBoundingClientRect().top);
  const b = await page.$eval('#panel-correlation', (e) => e.getBoundingClientRect().top);
  assert.ok(b > a + 100, 'panels are not stacked');
  await page.screenshot({ path: path.join(shots, 'mobile.png'), fullPage: true });
  await page.close();
});

test('the first screen tells the batch-size story: three batch sizes, eight seeds, bands, escape times and the inset', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(site.url);
  await labReady(page);
  assert.equal(await page.inputValue('#preset'), 'batch-size');
  assert.equal(await page.inputValue('#mu'), '1,1.5,2');
  assert.equal(await page.inputValue('#seeds'), '8');
  // the inset shows the frontiers before any batch size finished
  await page.waitForSelector('#theta-inset[data-points]', { timeout: 30000 });
  await page.waitForFunction(() => [...document.querySelectorAll('#panels .stats')].every((e) => e.dataset.state === 'finished'), null, { timeout: 90000 });
  for (const loss of ['mse', 'correlation']) {
    const stats = await page.textContent(`#panel-${loss}-stats`);
    assert.match(stats, /24 of 24 runs done/);
    for (const mu of ['1', '1.5', '2']) {
      assert.match(stats, new RegExp(`μ = ${mu.replace('.', '\\.')} \\(n_b = \\d+\\): 8/8 escaped, 8 done · median`), `${loss} at μ = ${mu}: ${stats}`);
    }
    assert.equal(await page.isVisible(`#panel-${loss}-escape`), true);
    assert.equal(await page.isVisible(`#panel-${loss}-heatmap`), false);
  }
  // every batch size of both protocols drew a band, and the inset gained all 48 runs
  await page.waitForFunction(() => document.getElementById('panel-mse-overlaps').dataset.bands === '3' && document.getElementById('panel-correlation-overlaps').dataset.bands === '3', null, { timeout: 10000 });
  await page.waitForFunction(() => document.getElementById('theta-inset').dataset.points === '48', null, { timeout: 10000 });
  // the caption's numbers are the page's: medians of correlation loss, 5.63k, 162 and 8 steps
  const corr = await page.textContent('#panel-correlation-stats');
  assert.match(corr, /μ = 1 .*median 5\.63k steps/);
  assert.match(corr, /μ = 1\.5 .*median 162 steps/);
  assert.match(corr, /μ = 2 .*median 8 steps/);
  // the clt runs too (batches sliced by time in the worker, drawn once per batch): as natively
  assert.match(await page.textContent('#panel-mse-stats'), /μ = 2 .*median 144 steps = 150M samples · quartiles 135–151 steps/);
  // a single seed stays available
  await page.fill('#seeds', '1');
  await page.fill('#mu', '1');
  await page.click('#start');
  await page.waitForFunction(() => !/runs done/.test(document.getElementById('panel-mse-stats').textContent), null, { timeout: 10000 });
  assert.equal(await page.isVisible('#panel-mse-heatmap'), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a page opened on the explorer shows a laid-out Compare view with its regime map', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#view=explorer`);
  await labReady(page);
  await page.click('#tab-compare');
  await page.waitForSelector('#regime-map[data-plot]', { timeout: 10000 });
  assert.equal(await page.isVisible('#panel-mse-overlaps'), true);
  assert.match(await page.textContent('#status'), /press Start/);
  assert.deepEqual(errors, []);
  await page.close();
});
