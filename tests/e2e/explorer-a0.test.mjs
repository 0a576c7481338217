// End-to-end test of the explorer's a0 axis: a tiny sweep over two second-layer weights (γ a0
// held fixed) draws one series per (protocol, a0), names the weight in the read-out, the URL,
// the CSV and a loaded JSON, and validates the field with its range.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch, collectErrors, canvasVariance, labReady } from './browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const shots = path.resolve('../../target/e2e-screenshots');
let site, browser;

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  site = await serve(dist, publicUrl);
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.close(); });

/** In the page: every one of `total` runs came back. */
const finished = (total) => { const e = document.getElementById('x-progress-text'); return e.dataset.total === String(total) && e.dataset.done === String(total); };

test('explorer a0 axis: two second-layer weights are two series, in the legend, read-out, URL and CSV', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#view=explorer`);
  await labReady(page);
  // He3, d = 256, plain SGD only, mu = 1 and 1.5, 2 seeds, a0 = 1 and 0.1 with gamma a0 fixed
  await page.uncheck('#x-protocol-correlation');
  await page.fill('#x-d', '256');
  await page.fill('#x-mu-from', '1');
  await page.fill('#x-mu-to', '1.5');
  await page.fill('#x-mu-step', '0.5');
  await page.fill('#x-seeds', '2');
  await page.fill('#x-max-steps', '40000');
  await page.fill('#x-workers', '2');
  assert.equal(await page.inputValue('#x-a0'), '1');
  // the field is validated with its range, never clamped
  for (const [text, message] of [
    ['0', "a0 values: '0' is not a number in (0, 1e6]"],
    ['1, 2e6', "a0 values: '2e6' is not a number in (0, 1e6]"],
    ['1, 0.1, 1', 'a0 values: 1 is listed twice'],
    ['', 'a0 values: give 1 to 8 numbers in (0, 1e6] separated by commas, got 0'],
  ]) {
    await page.fill('#x-a0', text);
    assert.equal(await page.textContent('#x-error'), message);
    assert.equal(await page.isDisabled('#x-run'), true);
  }
  await page.fill('#x-a0', '1, 0.1');
  await page.selectOption('#x-a0-rate', 'fixed');
  assert.equal(await page.textContent('#x-error'), '');
  assert.match(await page.textContent('#x-summary'),
    /^8 runs \(information exponent l = 3\); second-layer weights a0 = 1, 0\.1 \(each its own series, γ a0 held fixed\); every run stops/);
  await page.click('#x-run');
  await page.waitForFunction(finished, 8, { timeout: 120000 });
  assert.equal(await page.textContent('#x-status'), 'finished');
  assert.ok(await canvasVariance(page, '#x-theta') > 50);
  // two series in each chart's legend: one per a0
  for (const chart of ['#x-theta', '#x-samples']) {
    const legend = (await page.getAttribute(chart, 'data-legend')).split('\n');
    const medians = legend.filter((l) => /^MSE SGD, a0 = [\d.]+: median/.test(l));
    assert.deepEqual(medians.map((l) => l.match(/a0 = ([\d.]+)/)[1]), ['1', '0.1'], legend.join(' | '));
  }
  // the read-out names the weight of the point under the pointer
  const [px, py] = (await page.getAttribute('#x-theta', 'data-first-point')).split(',').map(Number);
  await page.hover('#x-theta', { position: { x: px, y: py } });
  assert.match(await page.textContent('#x-tooltip'), /^MSE SGD · a0 = 1 · μ = 1 \(n_b = 256\) · seed 0\n/);
  await page.mouse.move(0, 0);
  // the URL holds the list and the rate rule
  const hash = await page.evaluate(() => decodeURIComponent(location.hash));
  assert.match(hash, /"a0":\[1\.0,0\.1\]/);
  assert.match(hash, /"fixed_gamma_a0":true/);
  // the CSV has an a0 column (between mu_resolved and diverged), each point's own
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-csv')]);
  const rows = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n');
  const header = rows[0].split(',');
  assert.equal(header[11], 'a0');
  assert.deepEqual(rows.slice(1).map((r) => r.split(',')[11]), ['1', '1', '1', '1', '0.1', '0.1', '0.1', '0.1']);
  // gamma a0 is the same at both weights for each (mu, seed) (column 3 is gamma; rows 1-4 are
  // a0 = 1, rows 5-8 a0 = 0.1, in the same mu and seed order)
  const gammaA0 = rows.slice(1).map((r) => { const c = r.split(','); return Number(c[3]) * Number(c[11]); });
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(gammaA0[i] - gammaA0[i + 4]) < 1e-12 * gammaA0[i], `γ a0: ${gammaA0}`);
  assert.notEqual(rows[1].split(',')[3], rows[5].split(',')[3], 'γ itself differs');
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-json')]);
  const exported = await json.path();
  const saved = JSON.parse(fs.readFileSync(exported, 'utf8'));
  assert.deepEqual(saved.summaries.map((s) => [s.a0, s.mu]), [[1, 1], [1, 1.5], [0.1, 1], [0.1, 1.5]]);
  await page.screenshot({ path: path.join(shots, 'explorer-a0-1400.png'), fullPage: true });
  // the link restores the field; a loaded file brings its list back into the form
  await page.reload();
  await labReady(page);
  assert.equal(await page.inputValue('#x-a0'), '1, 0.1');
  assert.equal(await page.inputValue('#x-a0-rate'), 'fixed');
  await page.goto(`${site.url}#view=explorer`);
  await page.reload();
  await labReady(page);
  await page.setInputFiles('#x-load', exported);
  await page.waitForFunction(() => document.getElementById('x-progress-text').dataset.done === '8');
  assert.match(await page.textContent('#x-status'), /\(loaded\)/);
  assert.equal(await page.inputValue('#x-a0'), '1, 0.1');
  const legend = await page.getAttribute('#x-theta', 'data-legend');
  assert.match(legend, /MSE SGD, a0 = 0\.1: median/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('explorer a0 axis at 390 px and in a 700 px frame', async () => {
  const sweep = encodeURIComponent(JSON.stringify({ d: 256, a0: [1, 0.1], fixed_gamma_a0: true, mu: [1, 1.5], seeds: [0, 1], protocols: ['mse', 'correlation'], max_steps: 40000 }));
  const url = `${site.url}#view=explorer&sweep=${sweep}`;
  const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(url);
  await labReady(page);
  assert.equal(await page.inputValue('#x-a0'), '1, 0.1');
  await page.fill('#x-workers', '1');
  await page.click('#x-run');
  await page.waitForFunction(finished, 16, { timeout: 120000 });
  const legend = (await page.getAttribute('#x-theta', 'data-legend')).split('\n');
  assert.equal(legend.filter((l) => / a0 = [\d.]+: median/.test(l)).length, 4, legend.join(' | '));
  const width = await page.$eval('#x-theta', (c) => c.getBoundingClientRect().width);
  assert.ok(width <= 390, `chart ${width} px wide`);
  await page.screenshot({ path: path.join(shots, 'explorer-a0-390.png'), fullPage: true });
  await page.setViewportSize({ width: 760, height: 1300 });
  await page.setContent(`<html><body style="margin:20px"><iframe src="${url}" width="700" height="1250"></iframe></body></html>`);
  await page.waitForFunction(() => document.querySelector('iframe')?.contentDocument?.body?.hasAttribute('data-lab-ready'), null, { timeout: 30000 });
  const frame = page.frames()[1];
  await frame.fill('#x-workers', '2');
  await frame.click('#x-run');
  await frame.waitForFunction(finished, 16, { timeout: 120000 });
  await page.waitForTimeout(500); // the progress bar's width transition
  await page.screenshot({ path: path.join(shots, 'explorer-a0-700-frame.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
