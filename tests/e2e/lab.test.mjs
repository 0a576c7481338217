// End-to-end tests of the lab's features: presets, theory overlay, URL state, embed mode,
// exports, hover read-out and pause latency with huge batches.
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
  fs.mkdirSync(shots, { recursive: true });
  site = await serve(dist, publicUrl);
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.close(); });

const PRESETS = ['fig2-mu1', 'fig2-mu1.5', 'fig2-mu1.75', 'separation-large-d', 'wide-mu1', 'wide-mu1.75',
  'regime-noise-learning', 'regime-saad-solla', 'regime-population-flow', 'adaptive', 'staircase', 'parity', 'odd-student'];

async function panelIds(page) {
  return page.$$eval('#panels .panel', (els) => els.map((e) => e.id));
}

for (const id of PRESETS) {
  test(`preset ${id} loads from its URL and every panel draws`, async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = collectErrors(page);
    await page.goto(`${site.url}#preset=${id}`);
    await labReady(page);
    assert.equal(await page.inputValue('#preset'), id);
    assert.ok((await page.textContent('#preset-explanation')).length > 20);
    await page.waitForFunction(() => {
      const panels = [...document.querySelectorAll('#panels .panel')];
      return panels.length > 0 && panels.every((p) => Number(document.getElementById(`${p.id}-stats`).dataset.steps || 0) >= 1);
    }, null, { timeout: 90000 });
    const panels = await panelIds(page);
    const expected = { 'adaptive': 3, 'regime-noise-learning': 1, 'regime-saad-solla': 1, 'regime-population-flow': 1, 'staircase': 1, 'parity': 1, 'odd-student': 1 }[id] || 2;
    assert.equal(panels.length, expected);
    for (const p of panels) {
      await chartDrawn(page, `#${p}-overlaps`);
      await chartDrawn(page, `#${p}-risk`);
      assert.ok(await canvasVariance(page, `#${p}-overlaps`) > 50, `${p} overlap chart blank`);
      assert.ok(await canvasVariance(page, `#${p}-risk`) > 50, `${p} risk chart blank`);
    }
    if (id.startsWith('regime-') || id === 'student-tanh') {
      // student-tanh: the tanh recursion by the Hermite expansion (issue 15)
      await page.waitForFunction(() => /theory: overlap recursion/.test(document.querySelector('#panels .stats').textContent), null, { timeout: 30000 });
    }
    if (id === 'staircase') {
      // the leap index is computed and shown with its basis
      await page.waitForFunction(() => /leap index 1/.test(document.body.textContent), null, { timeout: 30000 });
    }
    if (id === 'odd-student') {
      await page.waitForFunction(() => /leap index 3/.test(document.body.textContent), null, { timeout: 30000 });
    }
    if (id === 'fig2-mu1.5' || id === 'regime-saad-solla' || id === 'staircase' || id === 'odd-student') {
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(shots, `preset-${id}.png`), fullPage: true });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a tanh student gets the theory overlay (Hermite expansion)', async () => {
  // issue 15: the tanh recursion is fast enough for the page on the Hermite-expansion backend
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#preset=student-tanh&seeds=1&theory=1`);
  await labReady(page);
  await page.waitForFunction(() => /theory: overlap recursion, .*Hermite expansion, degree \d+/.test(document.querySelector('#panels .stats').textContent), null, { timeout: 60000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a tanh committee that learns keeps its theory overlay through the aligned phase', async () => {
  // four tanh units on a tanh teacher align (|Omega_ij| -> 1): past |Omega_ij| = 0.8 the
  // recursion goes on with the anisotropic rule in the eigenbasis instead of stopping (session 8)
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#target=tanh&activation=tanh&p=4&d=1000&nb=1000&gamma=0.5&steps=10000&seed=1&panels=mse&theory=1&log=1`);
  await labReady(page);
  await page.waitForFunction(() => /theory: overlap recursion, .*anisotropic Gauss-Hermite quadrature in the eigenbasis \(\d+ nodes, estimate/.test(document.querySelector('#panels .stats').textContent), null, { timeout: 90000 });
  const stats = await page.textContent('#panels .stats');
  assert.doesNotMatch(stats, /stopped/, stats);
  await page.screenshot({ path: path.join(shots, 'tanh-committee-theory.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('invalid URL parameters are reported by name and the page still runs', async () => {
  const page = await browser.newPage();
  const errors = collectErrors(page);
  await page.goto(`${site.url}#d=abc&mu=99&bogus=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&seed=7`);
  await labReady(page);
  const box = await page.textContent('#url-errors');
  assert.match(box, /URL parameter d: 'abc' is not a number/);
  assert.match(box, /URL parameter mu: must be a number in \[0, 12\]/);
  assert.match(box, /URL parameter bogus: unknown parameter/);
  assert.equal(await page.$('#url-errors img'), null, 'URL text must never become HTML');
  assert.equal(await page.inputValue('#seed'), '7', 'valid parameters are kept');
  await page.waitForFunction(() => Number(document.getElementById('panel-mse-stats')?.dataset.steps || 0) >= 3, null, { timeout: 30000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the URL keeps the whole state: reload gives the same run', async () => {
  const page = await browser.newPage();
  await page.goto(site.url);
  await labReady(page);
  await page.fill('#seed', '12345');
  await page.fill('#steps', '500');
  await page.click('#start');
  await page.waitForFunction(() => document.getElementById('panel-mse-stats').dataset.state === 'finished', null, { timeout: 30000 });
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /seed=12345/);
  const first = await page.textContent('#panel-mse-stats');
  await page.reload();
  await labReady(page);
  assert.equal(await page.inputValue('#seed'), '12345');
  await page.waitForFunction(() => document.getElementById('panel-mse-stats').dataset.state === 'finished', null, { timeout: 30000 });
  const line = (s) => s.split('\n').find((l) => l.startsWith('max_j'));
  assert.equal(line(await page.textContent('#panel-mse-stats')), line(first), 'same seed, same numbers');
  await page.close();
});

test('exports parse and match the plotted data', async () => {
  const page = await browser.newPage();
  await page.goto(`${site.url}#steps=300&seed=3`);
  await labReady(page);
  await page.waitForFunction(() => document.getElementById('panel-correlation-stats').dataset.state === 'finished', null, { timeout: 30000 });
  const grab = async (what) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#panel-correlation-export-${what}`)]);
    return fs.readFileSync(await download.path(), 'utf8');
  };
  const csv = (await grab('csv')).trim().split('\n');
  const json = JSON.parse(await grab('json'));
  assert.equal(csv[0], 'label,step,samples,M_1_1,max_M,risk');
  assert.equal(csv.length - 1, json.points.length);
  for (let i = 0; i < json.points.length; i++) {
    const [label, step, , m11, , risk] = csv[i + 1].split(',');
    assert.equal(label, 'correlation');
    assert.equal(Number(step), json.points[i].step);
    assert.equal(Number(m11), json.points[i].M[0][0]);
    assert.equal(Number(risk), json.points[i].risk);
  }
  assert.equal(json.points.at(-1).step, 300);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#panel-correlation-export-png')]);
  assert.match(png.suggestedFilename(), /\.png$/);
  // SVG: one file per chart, each a well-formed SVG document with the chart's title
  const svgs = [];
  page.on('download', (d) => svgs.push(d));
  await page.click('#panel-correlation-export-svg');
  for (let i = 0; i < 50 && svgs.length < 2; i++) await page.waitForTimeout(100);
  assert.equal(svgs.length, 2, 'overlaps and risk');
  for (const d of svgs) {
    assert.match(d.suggestedFilename(), /-(overlaps|risk)\.svg$/);
    const text = fs.readFileSync(await d.path(), 'utf8');
    const parsed = await page.evaluate((t) => {
      const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
      return { root: doc.documentElement.nodeName, errors: doc.getElementsByTagName('parsererror').length, text: doc.documentElement.textContent };
    }, text);
    assert.equal(parsed.root, 'svg');
    assert.equal(parsed.errors, 0);
    assert.match(parsed.text, /overlaps|population risk/);
  }
  await page.close();
});

test('embed mode shows the panels and hides the chosen controls, inside a 700 px iframe', async () => {
  const page = await browser.newPage({ viewport: { width: 720, height: 1300 } });
  const errors = collectErrors(page);
  const src = `${site.url}#preset=fig2-mu1.5&embed=1&hide=model,batch,rate`;
  await page.setContent(`<iframe id="f" src="${src}" width="700" height="1250" style="border:0"></iframe>`);
  const frame = page.frameLocator('#f');
  await frame.locator('#panel-mse-stats[data-steps]').waitFor();
  const f = page.frame({ url: /embed=1/ });
  await f.waitForFunction(() => Number(document.getElementById('panel-correlation-stats').dataset.steps || 0) >= 5, null, { timeout: 60000 });
  assert.equal(await f.isVisible('header'), false);
  assert.equal(await f.isVisible('fieldset[data-group=model]'), false);
  assert.equal(await f.isVisible('fieldset[data-group=rate]'), false);
  assert.equal(await f.isVisible('#start'), true, 'buttons stay unless hidden');
  const width = await f.$eval('#panels', (e) => e.getBoundingClientRect().width);
  assert.ok(width <= 700, `panels overflow the iframe: ${width}`);
  // the compact embed layout puts the two panels side by side
  const [mse, corr] = await f.$$eval('#panels .panel', (els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  assert.ok(Math.abs(mse.top - corr.top) < 1 && corr.left >= mse.right, 'panels side by side');
  assert.equal(await f.isVisible('#tabs'), false, 'no tabs in an embed');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(shots, 'embed-700.png') });
  assert.deepEqual(errors, []);
  await page.close();
});

test('copy embed snippet gives an iframe tag; hover shows step and values', async () => {
  const context = await browser.newContext();
  const page = await context.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}#steps=2000&log=0`);
  await labReady(page);
  await page.waitForFunction(() => document.getElementById('panel-mse-stats').dataset.state === 'finished', null, { timeout: 30000 });
  await page.click('#copy-embed');
  const snippet = await page.inputValue('#share-text');
  assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/online-sgd-lab\/demo\/#.*embed=1.*" width="700"/);
  const box = await page.$eval('#panel-mse-overlaps', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.mouse.move(box.x + box.w * 0.6, box.y + box.h * 0.5);
  await page.waitForSelector('#panel-mse-tooltip:not([hidden])');
  assert.match(await page.textContent('#panel-mse-tooltip'), /t = \d+ \(\d+ samples\)\nM = \[/);
  await context.close();
});

test('the trained second layer preset runs past the escape and shows the native medians', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#preset=second-layer-trained`);
  await labReady(page);
  assert.equal(await page.inputValue('#a0'), '0.1');
  assert.equal(await page.inputValue('#a_gamma'), '4e-5');
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('#panels .panel .stats')].map((e) => e.textContent);
    return s.length === 2 && s.every((t) => /8 of 8 runs done/.test(t));
  }, null, { timeout: 120000 });
  const text = await page.$$eval('#panels .panel .stats', (els) => els.map((e) => e.textContent));
  for (const t of text) assert.match(t, /each runs to its step cap: the second layer is trained/);
  // the medians of tests/preset_captions_beyond.rs::second_layer_trained (native, same bits)
  assert.match(text[0], /8\/8 escaped, 8 done · median 1\.97k steps/);
  assert.match(text[1], /8\/8 escaped, 8 done · median 2\.00k steps/);
  await page.screenshot({ path: path.join(shots, 'preset-second-layer-trained.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the spiked covariance preset fills the covariance field and shows the native medians', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#preset=spiked-covariance`);
  await labReady(page);
  assert.match(await page.inputValue('#covariance'), /"beta":1(\.0)?,.*"teacher":\[1(\.0)?\]/);
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('#panels .panel .stats')].map((e) => e.textContent);
    return s.length === 2 && s.every((t) => /8 of 8 runs done/.test(t));
  }, null, { timeout: 180000 });
  const text = await page.$$eval('#panels .panel .stats', (els) => els.map((e) => e.textContent));
  // tests/preset_captions_beyond.rs::spiked_covariance: plain SGD never escapes, correlation loss in a
  // median 769 steps (native, same bits)
  assert.match(text[0], /0\/8 escaped/);
  assert.match(text[1], /8\/8 escaped, 8 done · median 769 steps/);
  await page.screenshot({ path: path.join(shots, 'preset-spiked-covariance.png'), fullPage: true });
  // a bad spike names the key and the field
  await page.fill('#covariance', '{"spikes": [{"beta": -3, "teacher": [1]}]}');
  await page.waitForFunction(() => document.querySelector('#covariance-error').textContent.length > 0);
  assert.match(await page.textContent('#covariance-error'), /covariance\.spikes\[0\]\.beta: must be a number in \(-1, 100\]/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pause takes effect within 100 ms with 10^8 samples per step', async () => {
  const page = await browser.newPage();
  await page.goto(`${site.url}#nb=100000000&sampler=exact&steps=5&panels=correlation`);
  await labReady(page);
  await page.waitForFunction(() => /samples\/s/.test(document.getElementById('panel-correlation-eta').textContent), null, { timeout: 30000 });
  const clicked = await page.evaluate(() => { document.getElementById('pause').click(); return performance.now(); });
  await page.waitForFunction(() => document.getElementById('status').dataset.pausedAt, null, { timeout: 5000 });
  const acked = Number(await page.getAttribute('#status', 'data-paused-at'));
  assert.ok(acked - clicked < 100, `pause took ${acked - clicked} ms`);
  await page.close();
});

test('batch-size explorer: a small sweep completes on the worker pool, draws points, and can be cancelled', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = collectErrors(page);
  await page.goto(site.url);
  await labReady(page);
  await page.click('#tab-explorer');
  assert.equal(await page.isVisible('#explorer'), true);
  assert.equal(await page.isVisible('#compare'), false);
  // small sweep: d = 128, correlation + mse, mu 1..2, 2 seeds
  await page.fill('#x-d', '128');
  await page.fill('#x-mu-from', '1');
  await page.fill('#x-mu-to', '2');
  await page.fill('#x-mu-step', '0.5');
  await page.fill('#x-seeds', '2');
  await page.fill('#x-max-steps', '20000');
  assert.match(await page.textContent('#x-summary'), /^12 runs/);
  // the pool size is a validated field
  await page.fill('#x-workers', '0');
  assert.match(await page.textContent('#x-error'), /Web Workers: '0' is not a whole number in \[1, 16\]/);
  assert.equal(await page.isDisabled('#x-run'), true);
  await page.fill('#x-workers', '2');
  assert.equal(await page.textContent('#x-error'), '');
  await page.click('#x-run');
  assert.equal(await page.textContent('#x-status'), 'running on 2 workers');
  await page.waitForFunction(() => { const e = document.getElementById('x-progress-text'); return e.dataset.total === '12' && e.dataset.done === '12'; }, null, { timeout: 120000 });
  assert.equal(await page.textContent('#x-status'), 'finished');
  assert.ok(await canvasVariance(page, '#x-theta') > 50);
  assert.ok(await canvasVariance(page, '#x-samples') > 50);
  assert.match(await page.textContent('#x-note'), /^Theory \(l = 3\): .*plain SGD's optimal batch/);
  assert.match(await page.evaluate(() => location.hash), /view=explorer&sweep=/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-csv')]);
  const rows = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(rows[0], 'protocol,mu,nb,gamma,seed,weak_recovery_step,samples,sampler,censored,theta,mu_resolved,a0,diverged,d');
  assert.equal(rows.length, 13);
  await page.screenshot({ path: path.join(shots, 'explorer.png'), fullPage: true });
  // a long sweep, cancelled mid-way
  await page.fill('#x-d', '2048');
  await page.fill('#x-mu-from', '0.25');
  await page.fill('#x-max-steps', '1000000');
  await page.click('#x-run');
  await page.waitForTimeout(1500);
  await page.click('#x-cancel');
  assert.match(await page.textContent('#x-status'), /^cancelled after \d+ runs/);
  const doneAtCancel = await page.getAttribute('#x-progress-text', 'data-done');
  await page.waitForTimeout(1500);
  assert.equal(await page.getAttribute('#x-progress-text', 'data-done'), doneAtCancel, 'no results after cancel');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the explorer opens with the precomputed sweep, and an exported sweep loads back', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#view=explorer`);
  await labReady(page);
  // He3, d = 1024, mu 0.5..2 by 0.25, 8 seeds, two protocols: 112 points, no run needed
  await page.waitForFunction(() => { const e = document.getElementById('x-progress-text'); return e.dataset.total === '112' && e.dataset.done === '112'; }, null, { timeout: 30000 });
  assert.match(await page.textContent('#x-status'), /^showing the precomputed sweep/);
  assert.match(await page.textContent('#x-summary'), /^112 runs \(information exponent l = 3\)/);
  assert.ok(await canvasVariance(page, '#x-theta') > 50);
  // the fitted frontiers and the measured finite-d offset
  assert.match(await page.textContent('#x-note'), /Measured at d = 1024: for μ ≤ l\/2 the medians sit above θ = l − 1 − μ by MSE SGD \+0\.31 .*Correlation-loss SGD \+0\.25/);
  // both charts export as SVG documents
  const svgs = [];
  page.on('download', (d) => svgs.push(d));
  await page.click('#x-export-svg');
  for (let i = 0; i < 50 && svgs.length < 2; i++) await page.waitForTimeout(100);
  assert.deepEqual(svgs.map((d) => d.suggestedFilename()), ['online-sgd-lab-sweep-theta.svg', 'online-sgd-lab-sweep-samples.svg']);
  const svg = fs.readFileSync(await svgs[0].path(), 'utf8');
  assert.equal(await page.evaluate((t) => { const d = new DOMParser().parseFromString(t, 'image/svg+xml'); return d.documentElement.nodeName + d.getElementsByTagName('parsererror').length; }, svg), 'svg0');
  assert.match(svg, /fit μ ≤ 1\.5, slope/);
  page.removeAllListeners('download');
  // hover on a point: its read-out; a click opens that very run in the Compare view
  const [px, py] = (await page.getAttribute('#x-theta', 'data-first-point')).split(',').map(Number);
  await page.hover('#x-theta', { position: { x: px, y: py } });
  assert.equal(await page.isVisible('#x-tooltip'), true);
  assert.match(await page.textContent('#x-tooltip'), /^MSE SGD · μ = 0\.5 \(n_b = 32\) · seed 0\n/);
  await page.screenshot({ path: path.join(shots, 'explorer-precomputed.png'), fullPage: true });
  await page.click('#x-theta', { position: { x: px, y: py } });
  await page.waitForFunction(() => !document.getElementById('compare').hidden);
  assert.equal(await page.inputValue('#seed'), '0');
  assert.equal(await page.inputValue('#mu'), '0.5');
  assert.equal(await page.inputValue('#d'), '1024');
  await page.waitForFunction(() => document.querySelector('#panel-mse-stats')?.dataset.state === 'running' || document.querySelector('#panel-mse-stats')?.dataset.state === 'finished');
  await page.click('#tab-explorer');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-json')]);
  const exported = await download.path();
  assert.equal(JSON.parse(fs.readFileSync(exported, 'utf8')).points.length, 112);
  // other settings in the form: the precomputed sweep is not shown for them...
  await page.goto(`${site.url}#view=explorer&sweep=${encodeURIComponent(JSON.stringify({ d: 256, mu: [1], seeds: [0] }))}`);
  await page.reload();
  await labReady(page);
  await page.waitForTimeout(500);
  assert.equal(await page.getAttribute('#x-progress-text', 'data-done'), '0');
  // ...and a loaded file brings its own settings and points
  await page.setInputFiles('#x-load', exported);
  await page.waitForFunction(() => document.getElementById('x-progress-text').dataset.done === '112');
  assert.match(await page.textContent('#x-status'), /\(loaded\)/);
  assert.equal(await page.inputValue('#x-d'), '1024');
  assert.equal(await page.inputValue('#x-seeds'), '8');
  // a file that is not a saved sweep is refused with the reason
  const bad = path.join(shots, 'not-a-sweep.json');
  fs.writeFileSync(bad, JSON.stringify({ points: [] }));
  await page.setInputFiles('#x-load', bad);
  await page.waitForFunction(() => document.getElementById('x-error').textContent !== '');
  assert.match(await page.textContent('#x-error'), /^saved sweep: no `config` key/);
  assert.equal(await page.getAttribute('#x-progress-text', 'data-done'), '112', 'the shown sweep stays');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the explorer state loads from its URL, and a bad sweep parameter is reported', async () => {
  const page = await browser.newPage();
  const sweep = encodeURIComponent(JSON.stringify({ d: 256, protocols: ['correlation'], update: 'spherical', mu: [1, 2, 3], seeds: [0], max_steps: 5000,
    lr_by_protocol: { correlation: { policy: 'optimal', gamma0: 0.1 } } }));
  await page.goto(`${site.url}#view=explorer&sweep=${sweep}`);
  await labReady(page);
  assert.equal(await page.isVisible('#explorer'), true);
  assert.equal(await page.inputValue('#x-d'), '256');
  assert.equal(await page.inputValue('#x-update'), 'spherical');
  assert.equal(await page.isChecked('#x-protocol-mse'), false);
  // n_b = 256^3 > 4e6 samples per step: that point is marked as run by the clt sampler
  assert.match(await page.textContent('#x-summary'), /^3 runs .*; μ = 3 use the clt \(large-batch\) sampler$/);
  // per-protocol prefactors: from the URL, and validated as typed
  assert.equal(await page.inputValue('#x-gamma0-by-protocol'), 'correlation=0.1');
  await page.fill('#x-gamma0-by-protocol', 'hinge=1');
  assert.match(await page.textContent('#x-error'), /γ₀ per protocol: 'hinge': not a protocol \(mse, correlation or adaptive\)/);
  assert.equal(await page.isDisabled('#x-run'), true);
  await page.fill('#x-gamma0-by-protocol', 'correlation=0.1');
  assert.equal(await page.textContent('#x-error'), '');
  await page.goto(`${site.url}#view=explorer&sweep=${encodeURIComponent('{"d": "x"}')}`);
  await labReady(page);
  await page.reload();
  await labReady(page);
  assert.match(await page.textContent('#x-error'), /URL parameter sweep: d: expected a whole number in \[4, 1000000000\]/);
  await page.close();
});
