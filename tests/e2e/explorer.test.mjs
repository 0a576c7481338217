// End-to-end tests of the explorer's modes beyond the batch-size sweep: the d-scaling mode
// (T against d at one μ, the fitted exponent next to the paper's) and multi-index targets.
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

test('explorer d-scaling mode: a small sweep over d fits T = C d^θ next to the paper\'s θ', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#view=explorer`);
  await labReady(page);
  await page.selectOption('#x-mode', 'd');
  // the fields of the mode: d-scaling's shown, the μ grid's hidden
  assert.equal(await page.isVisible('#x-log2-d-from'), true);
  assert.equal(await page.isVisible('#x-mu-from'), false);
  assert.equal(await page.isVisible('#x-d'), false);
  // He3 above d^(l/2): μ = 2.25, d = 2^10, 2^12, 2^14 (the clt sampler), 3 seeds, two protocols
  await page.fill('#x-mu-fixed', '2.25');
  await page.fill('#x-log2-d-from', '10');
  await page.fill('#x-log2-d-to', '14');
  await page.fill('#x-log2-d-step', '2');
  await page.fill('#x-seeds', '3');
  await page.fill('#x-workers', '2');
  assert.match(await page.textContent('#x-summary'),
    /^18 runs \(information exponent l = 3\) at μ = 2\.25, d = 2¹⁰ to 2¹⁴ \(3 dimensions\); .*; d = 2¹⁰, 2¹², 2¹⁴ use the clt \(large-batch\) sampler$/);
  // fields are validated with their range, never clamped
  await page.fill('#x-log2-d-to', '21');
  assert.equal(await page.textContent('#x-error'), "log₂ d to: '21' is not a whole number in [11, 20]");
  assert.equal(await page.isDisabled('#x-run'), true);
  await page.fill('#x-log2-d-to', '14');
  await page.fill('#x-mu-fixed', '-1');
  assert.equal(await page.textContent('#x-error'), "μ: '-1' is not a number in [0, 12]");
  await page.fill('#x-mu-fixed', '2.25');
  assert.equal(await page.textContent('#x-error'), '');
  await page.click('#x-run');
  await page.waitForFunction(finished, 18, { timeout: 120000 });
  assert.equal(await page.textContent('#x-status'), 'finished');
  assert.ok(await canvasVariance(page, '#x-theta') > 50);
  assert.ok(await canvasVariance(page, '#x-samples') > 50);
  assert.equal(await page.getAttribute('#x-theta', 'aria-label'), 'steps to weak recovery T against d (μ = 2.25)');
  // the fitted exponent, next to the paper's asymptotic one, for both protocols
  const note = await page.textContent('#x-note');
  assert.match(note, /MSE SGD: θ_fit = 0\.\d{3} ± 0\.\d{3}, C = [\d.]+, seeds -?\d\.\d\d to \d\.\d\d \(3 fitted\); paper θ = 0\.5; log_d T = 0\.\d\d at d = 2¹⁰ and 0\.\d\d at 2¹⁴\./);
  assert.match(note, /Correlation-loss SGD: θ_fit = -?0\.\d{3} ± 0\.\d{3}, .*paper θ = 0;/);
  assert.match(note, /d = 2¹⁰, 2¹², 2¹⁴ ran the clt/);
  const theta = Number(note.match(/MSE SGD: θ_fit = (0\.\d{3})/)[1]);
  assert.ok(Math.abs(theta - 0.5) < 0.1, `plain SGD's exponent ${theta} is not near 1/2`);
  // the URL holds the d list, the CSV the d of every point
  const hash = await page.evaluate(() => decodeURIComponent(location.hash));
  assert.match(hash, /"d":\[1024,4096,16384\]/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-csv')]);
  const rows = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(rows.length, 19);
  assert.deepEqual([...new Set(rows.slice(1).map((r) => r.split(',').at(-1)))], ['1024', '4096', '16384']);
  // the JSON export carries the fits, as sgdlab sweep writes them
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-json')]);
  const exported = JSON.parse(fs.readFileSync(await json.path(), 'utf8'));
  assert.equal(exported.d_scaling.length, 2);
  assert.equal(exported.d_scaling[0].theta_asymptotic, 0.5);
  // the read-out of a point names its d
  const [px, py] = (await page.getAttribute('#x-theta', 'data-first-point')).split(',').map(Number);
  await page.hover('#x-theta', { position: { x: px, y: py } });
  assert.match(await page.textContent('#x-tooltip'), /^MSE SGD · d = 1024 · μ = 2\.25 \(n_b = \d+\) · seed 0\n/);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(shots, 'explorer-d-scaling-1400.png'), fullPage: true });
  // the link restores the mode and its fields
  await page.reload();
  await labReady(page);
  assert.equal(await page.inputValue('#x-mode'), 'd');
  assert.deepEqual(await Promise.all(['#x-log2-d-from', '#x-log2-d-to', '#x-log2-d-step', '#x-mu-fixed'].map((s) => page.inputValue(s))), ['10', '14', '2', '2.25']);
  assert.equal(await page.isVisible('#x-mu-from'), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('explorer d-scaling mode at 390 px and in a 700 px frame', async () => {
  const sweep = encodeURIComponent(JSON.stringify({ d: [1024, 4096, 16384], mu: [2.25], seeds: [0, 1], protocols: ['mse', 'correlation'] }));
  const url = `${site.url}#view=explorer&sweep=${sweep}`;
  const page = await browser.newPage({ viewport: { width: 390, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(url);
  await labReady(page);
  await page.fill('#x-workers', '1');
  await page.click('#x-run');
  await page.waitForFunction(finished, 12, { timeout: 120000 });
  assert.match(await page.textContent('#x-note'), /MSE SGD: θ_fit = 0\.\d{3}/);
  // the canvases fit the narrow screen
  const width = await page.$eval('#x-theta', (c) => c.getBoundingClientRect().width);
  assert.ok(width <= 390, `chart ${width} px wide`);
  await page.screenshot({ path: path.join(shots, 'explorer-d-scaling-390.png'), fullPage: true });
  await page.setViewportSize({ width: 760, height: 1300 });
  await page.setContent(`<html><body style="margin:20px"><iframe src="${url}" width="700" height="1250"></iframe></body></html>`);
  await page.waitForFunction(() => document.querySelector('iframe')?.contentDocument?.body?.hasAttribute('data-lab-ready'), null, { timeout: 30000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(shots, 'explorer-d-scaling-700-frame.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('explorer: a multi-index target gets its leap index and the leap\'s frontiers, with the assumption stated', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#view=explorer`);
  await labReady(page);
  // z1 + He3(z2): information exponent 1, leap index 3
  await page.selectOption('#x-target', { label: 'z₁ + He₃(z₂) (k = 2)' });
  await page.selectOption('#x-activation', 'tanh');
  await page.fill('#x-d', '256');
  await page.fill('#x-mu-from', '1');
  await page.fill('#x-mu-to', '1.5');
  await page.fill('#x-mu-step', '0.5');
  await page.fill('#x-seeds', '2');
  await page.fill('#x-max-steps', '20000');
  await page.fill('#x-workers', '2');
  assert.match(await page.textContent('#x-summary'), /^8 runs \(information exponent l = 1, leap index 3\)/);
  await page.click('#x-run');
  await page.waitForFunction(finished, 8, { timeout: 120000 });
  const note = await page.textContent('#x-note');
  assert.match(note, /^Theory \(l = 3\)/);
  assert.match(note, /the lines are the single-index laws with l replaced by the leap index 3 \(in the given basis: an upper bound on the rotation-invariant leap, so they are upper bounds on the time\)/);
  assert.equal(await page.getAttribute('#x-theta', 'aria-label'), 'time: θ = log_d T (d = 256, leap index 3)');
  assert.ok(await canvasVariance(page, '#x-theta') > 50);
  assert.match(await page.evaluate(() => decodeURIComponent(location.hash)), /"k":2/);
  // weak recovery follows the first leap (z1): 84-86 steps at mu = 1 and 1.5 alike, where the
  // leap-3 law would fall by d^(1/2) = 16
  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-csv')]);
  const steps = fs.readFileSync(await csv.path(), 'utf8').trim().split('\n').slice(1).map((r) => Number(r.split(',')[5]));
  assert.equal(steps.length, 8);
  assert.ok(steps.every((t) => t >= 84 && t <= 86), `steps ${steps}`);
  await page.screenshot({ path: path.join(shots, 'explorer-leap.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
