// End-to-end tests of the settings form (issue #12): stale results after an edit, Enter
// starts the run, the batch given as mu by default, every error shown at once with its real
// range, ARIA tabs with arrow keys, and a tap on a chart shows the read-out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch, collectErrors, labReady } from './browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
let site, browser;

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no built site in ${dist}: run make test-e2e`);
  site = await serve(dist, publicUrl);
  browser = await launch();
});
after(async () => { await browser?.close(); await site?.close(); });

const finished = (page, panel = 'panel-mse') => page.waitForFunction(
  (p) => document.getElementById(`${p}-stats`)?.dataset.state === 'finished', panel, { timeout: 30000 });

test('an edit marks the results stale until Enter in a field reruns them', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#steps=2000&log=0`);
  await labReady(page);
  await finished(page);
  assert.equal(await page.$eval('#panels', (e) => e.classList.contains('stale')), false);
  assert.equal(await page.isVisible('#stale-note'), false);
  // a view option is not a new run
  await page.uncheck('#log').catch(() => {});
  await page.check('#log');
  assert.equal(await page.$eval('#panels', (e) => e.classList.contains('stale')), false);
  await page.fill('#d', '512');
  assert.equal(await page.$eval('#panels', (e) => e.classList.contains('stale')), true);
  assert.ok(await page.isVisible('#stale-note'));
  assert.match(await page.textContent('#stale-note'), /Settings changed — press Start \(or Enter\) to rerun/);
  const dimmed = await page.$eval('#panels', (e) => Number(getComputedStyle(e).opacity));
  assert.ok(dimmed < 1, `stale panels are dimmed (opacity ${dimmed})`);
  // editing back to the shown settings clears the mark
  await page.fill('#d', '1024');
  assert.equal(await page.$eval('#panels', (e) => e.classList.contains('stale')), false);
  await page.fill('#d', '512');
  await page.press('#d', 'Enter');
  await page.waitForFunction(() => !document.getElementById('panels').classList.contains('stale'));
  assert.equal(await page.isVisible('#stale-note'), false);
  await page.waitForFunction(() => /n_b = 512/.test(document.getElementById('panel-mse-stats')?.textContent || ''), null, { timeout: 30000 });
  assert.match(page.url(), /d=512/);
  await finished(page);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the batch is given as mu by default, so d keeps mu; nb= links keep the n_b mode', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}#autostart=0`);
  await labReady(page);
  assert.equal(await page.inputValue('#batch-mode'), 'mu');
  assert.equal(await page.inputValue('#n0'), '1');
  assert.equal(await page.inputValue('#mu'), '1');
  assert.match(await page.textContent('#resolved'), /n_b = 1024 \(μ = 1\.000\)/);
  await page.fill('#d', '4096');
  assert.match(await page.textContent('#resolved'), /n_b = 4096 \(μ = 1\.000\)/);
  await page.goto(`${site.url}#d=4096&nb=1024&autostart=0`);
  await page.reload();
  await labReady(page);
  assert.equal(await page.inputValue('#batch-mode'), 'nb');
  assert.equal(await page.inputValue('#nb'), '1024');
  assert.match(await page.textContent('#resolved'), /n_b = 1024 \(μ = 0\.833\)/);
  await page.close();
});

test('every error is shown at once, whole numbers with their real range', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}#mu=abc&steps=0&eta=2&autostart=0`);
  await labReady(page);
  const box = await page.textContent('#url-errors');
  for (const key of ['mu', 'steps', 'eta']) assert.match(box, new RegExp(`URL parameter ${key}:`), box);
  await page.fill('#mu', 'abc');
  await page.fill('#steps', '0');
  await page.fill('#eta', '2');
  assert.match(await page.textContent('#mu-error'), /not a number/);
  assert.match(await page.textContent('#steps-error'), /\[1, 1000000000\]/);
  assert.match(await page.textContent('#eta-error'), /\[1e-9, 1\]/);
  assert.ok(await page.isDisabled('#start'));
  for (const [value, range] of [['1e99', /\[4, 1000000000\] \(at least 2\(p \+ k\)\)/], ['-5', /\[4, 1000000000\]/]]) {
    await page.fill('#d', value);
    const text = await page.textContent('#d-error');
    assert.match(text, range, text);
    assert.doesNotMatch(text, />= 0/);
    // the other fields' messages stay
    assert.match(await page.textContent('#steps-error'), /\[1, 1000000000\]/);
  }
  await page.close();
});

test('the views are ARIA tabs with a roving tabindex and arrow keys', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${site.url}#autostart=0`);
  await labReady(page);
  const tabs = () => page.$$eval('[role=tab]', (list) => list.map((t) => ({
    id: t.id, selected: t.getAttribute('aria-selected'), tabindex: t.getAttribute('tabindex'),
    controls: t.getAttribute('aria-controls'), focused: document.activeElement === t })));
  assert.equal(await page.getAttribute('#tabs', 'role'), 'tablist');
  let t = await tabs();
  assert.deepEqual(t.map((x) => [x.id, x.selected, x.tabindex, x.controls]),
    [['tab-compare', 'true', '0', 'compare'], ['tab-explorer', 'false', '-1', 'explorer']]);
  for (const id of ['compare', 'explorer']) assert.equal(await page.getAttribute(`#${id}`, 'role'), 'tabpanel');
  await page.focus('#tab-compare');
  await page.keyboard.press('ArrowRight');
  t = await tabs();
  assert.deepEqual(t.map((x) => [x.selected, x.tabindex, x.focused]), [['false', '-1', false], ['true', '0', true]]);
  assert.ok(await page.isVisible('#explorer'));
  assert.equal(await page.isVisible('#compare'), false);
  await page.keyboard.press('ArrowLeft');
  t = await tabs();
  assert.deepEqual(t.map((x) => [x.selected, x.tabindex, x.focused]), [['true', '0', true], ['false', '-1', false]]);
  assert.ok(await page.isVisible('#compare'));
  await page.keyboard.press('ArrowLeft'); // wraps round
  assert.equal(await page.getAttribute('#tab-explorer', 'aria-selected'), 'true');
  await page.keyboard.press('Home');
  assert.equal(await page.getAttribute('#tab-compare', 'aria-selected'), 'true');
  await page.close();
});

test('a tap on a chart shows the read-out on a phone', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const page = await context.newPage();
  await page.goto(`${site.url}#steps=2000&log=0`);
  await labReady(page);
  await finished(page);
  await page.$eval('#panel-mse-overlaps', (c) => c.scrollIntoView());
  assert.equal(await page.isVisible('#panel-mse-tooltip'), false);
  // a touch pointerdown alone (no mouse events) shows it
  await page.$eval('#panel-mse-overlaps', (c) => {
    const r = c.getBoundingClientRect();
    c.dispatchEvent(new PointerEvent('pointerdown', {
      bubbles: true, pointerType: 'touch', isPrimary: true, clientX: r.x + r.width * 0.6, clientY: r.y + r.height * 0.5 }));
  });
  await page.waitForSelector('#panel-mse-tooltip:not([hidden])', { timeout: 5000 });
  assert.match(await page.textContent('#panel-mse-tooltip'), /t = \d+ \(\d+ samples\)\nM = \[/);
  // and a real tap
  await page.$eval('#panel-mse-tooltip', (t) => { t.hidden = true; });
  const box = await page.$eval('#panel-mse-overlaps', (c) => { const r = c.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; });
  await page.touchscreen.tap(box.x + box.w * 0.4, box.y + box.h * 0.5);
  await page.waitForSelector('#panel-mse-tooltip:not([hidden])', { timeout: 5000 });
  await context.close();
});

test('the regime map marks the setting, and a click on it runs the (mu, delta) picked', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#steps=2000`);
  await labReady(page);
  await page.waitForFunction(() => document.getElementById('regime-map').dataset.plot);
  const [left, right, top, bottom] = (await page.getAttribute('#regime-map', 'data-plot')).split(',').map(Number);
  // the map spans mu in [0, 2.5] and delta in [-0.5, 1.5]
  const at = (mu, delta) => ({ x: left + (mu / 2.5) * (right - left), y: bottom - ((delta + 0.5) / 2) * (bottom - top) });
  await page.click('#regime-map', { position: at(1.5, 0.25) });
  await page.waitForFunction(() => document.getElementById('panel-mse-stats')?.dataset.state === 'finished', null, { timeout: 60000 });
  assert.equal(await page.inputValue('#mu'), '1.5');
  assert.equal(await page.inputValue('#delta'), '0.25');
  assert.equal(await page.inputValue('#lr-mode'), 'delta');
  const resolved = await page.textContent('#resolved');
  assert.match(resolved, /n_b = 32768 \(μ = 1\.500\).*δ = 0\.250.*population flow regime/);
  assert.match(await page.evaluate(() => location.hash), /mu=1\.5.*delta=0\.25|delta=0\.25.*mu=1\.5/);
  // below the Saad & Solla line: noise learning
  await page.click('#regime-map', { position: at(0.25, 0.25) });
  await page.waitForFunction(() => /noise learning regime/.test(document.getElementById('resolved').textContent));
  await page.screenshot({ path: path.resolve('../../target/e2e-screenshots/regime-map.png'), clip: { x: 0, y: 0, width: 1400, height: 700 } });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Copy CLI config gives the runs of the panels as a sgdlab run config', async () => {
  const page = await browser.newPage();
  await page.goto(`${site.url}#d=2048&mu=1.25&seed=7&steps=500`);
  await labReady(page);
  await page.click('#copy-cli');
  const config = JSON.parse(await page.inputValue('#share-text'));
  assert.equal(config.runs.length, 2);
  assert.deepEqual(config.runs.map((r) => r.loss), ['mse', 'correlation']);
  assert.equal(config.runs[0].d, 2048);
  assert.equal(config.runs[0].seed, 7);
  assert.deepEqual(config.runs[0].batch, { n0: 1, mu: 1.25 });
  assert.match(await page.textContent('#status'), /^CLI config copied/);
  await page.close();
});

test('the adaptive switch and the recursion\'s own weak recovery are marked', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#preset=adaptive`);
  await labReady(page);
  await page.waitForFunction(() => /switched to MSE at step \d+/.test(document.getElementById('panel-adaptive-stats')?.textContent || ''), null, { timeout: 60000 });
  await page.goto(`${site.url}#d=256&steps=20000&theory=1&panels=correlation`);
  await page.reload();
  await labReady(page);
  await page.waitForFunction(() => /theory: weak recovery at step \d+/.test(document.getElementById('panel-correlation-stats')?.textContent || ''), null, { timeout: 60000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('live sliders move their fields and restart the runs once they stop', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(`${site.url}#steps=300&seed=2&gamma0=0.01&delta=optimal`);
  await labReady(page);
  await finished(page);
  assert.equal(await page.inputValue('#live-logd'), '10');
  assert.equal(await page.inputValue('#live-rate'), '-2');
  const move = (id, value) => page.evaluate(([id, value]) => {
    const s = document.getElementById(id);
    s.value = value;
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, [id, value]);
  // three quick moves, one restart: the fields follow at once, the run after the debounce
  await move('live-mu', '1.2');
  await move('live-mu', '1.5');
  await move('live-logd', '11');
  assert.equal(await page.inputValue('#mu'), '1.5');
  assert.equal(await page.inputValue('#d'), '2048');
  assert.match(await page.textContent('#live-logd-label'), /d = 2\^11 = 2048/);
  assert.equal(await page.isVisible('#stale-note'), true, 'stale until the restart');
  await page.waitForFunction(() => /mu=1\.5/.test(location.hash) && /d=2048/.test(location.hash), null, { timeout: 5000 });
  // the restarted run's own stats (the last run's 'finished' stays shown until its first sweep)
  await page.waitForFunction(() => /n_b = 92681/.test(document.getElementById('panel-mse-stats')?.textContent || ''), null, { timeout: 30000 });
  await finished(page);
  assert.equal(await page.isVisible('#stale-note'), false);
  await move('live-rate', '-1');
  assert.equal(await page.inputValue('#gamma0'), '0.1');
  await page.waitForFunction(() => /gamma0=0\.1/.test(location.hash), null, { timeout: 5000 });
  assert.deepEqual(errors, []);
  await page.close();
});
