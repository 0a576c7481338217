// End-to-end tests of embedding the lab in a course page: the copied snippet at 700 px shows
// both panels inside the iframe (it sizes itself from the page's height message, and its
// stated height fits too), embeds start when scrolled into view, autostart=0 waits for Start,
// hide=export hides the panels' export buttons. Screenshots at 1400 px, in the 700 px iframe
// and at 390 px go to target/e2e-screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch, collectErrors, labReady } from './browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const shots = path.resolve('../../target/e2e-screenshots');
const coursePages = [];
let site, browser;

before(async () => {
  fs.mkdirSync(shots, { recursive: true });
  site = await serve(dist, publicUrl);
  browser = await launch();
});
after(async () => {
  for (const f of coursePages) fs.rmSync(f, { force: true });
  await browser?.close();
  await site?.close();
});

/** Serves a course page (same origin as the lab) with `body` and returns its URL. */
function coursePage(name, body) {
  const file = path.join(dist, `${name}.html`);
  fs.writeFileSync(file, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Course</title><link rel="icon" href="data:,">
<style>body{font-family:serif;margin:0 20px;max-width:740px}</style></head><body>
<h1>Lecture 3: batch size and online SGD</h1><p>Press Start below and compare the two protocols.</p>
${body}
<p>After the lab.</p></body></html>`);
  coursePages.push(file);
  return `${site.url}${name}.html`;
}

/** The snippet the lab's "Copy embed snippet" button gives for `hash`. */
async function copiedSnippet(hash) {
  const context = await browser.newContext();
  const page = await context.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${site.url}#${hash}`);
  await labReady(page);
  await page.click('#copy-embed');
  const snippet = await page.inputValue('#share-text');
  await context.close();
  return snippet;
}

/** Frame of the lab inside `page`. */
async function labFrame(page) {
  await page.waitForFunction(() => document.querySelector('iframe')?.contentDocument?.body?.hasAttribute('data-lab-ready'), null, { timeout: 30000 });
  return page.frames().find((f) => f !== page.mainFrame());
}

/** Steps done by each panel of the frame. */
function steps(frame) {
  return frame.$$eval('#panels .panel .stats', (els) => els.map((e) => Number(e.dataset.steps || 0)));
}

/** Both panels' canvases inside the iframe's viewport (no scrolling of the iframe). */
async function canvasesInside(frame) {
  return frame.evaluate(() => {
    const boxes = [...document.querySelectorAll('#panels canvas')].filter((c) => !c.hidden).map((c) => {
      const r = c.getBoundingClientRect();
      return { id: c.id, top: r.top, left: r.left, bottom: r.bottom, right: r.right };
    });
    return { boxes, width: innerWidth, height: innerHeight, scrollY };
  });
}

test('the copied snippet shows both panels side by side inside a 700 px iframe', async () => {
  const snippet = await copiedSnippet('preset=fig2-mu1.5');
  assert.match(snippet, /<iframe src="[^"]*embed=1[^"]*" width="700" height="\d+"/);
  assert.match(snippet, /<script>.*sgdlab:height.*<\/script>/s);
  assert.ok(!/hide=[^&"]*batch/.test(snippet), `the default hide list keeps the batch size: ${snippet}`);
  const page = await browser.newPage({ viewport: { width: 760, height: 900 } });
  const errors = collectErrors(page);
  await page.goto(coursePage('course-embed', snippet));
  const frame = await labFrame(page);
  // it starts on its own once visible
  await frame.waitForFunction(() => [...document.querySelectorAll('#panels .stats')].every((e) => Number(e.dataset.steps || 0) >= 1), null, { timeout: 60000 });
  // the script sized the iframe to the page's height message
  await page.waitForFunction(() => document.querySelector('iframe').style.height !== '', null, { timeout: 10000 });
  const { boxes, width, height, scrollY } = await canvasesInside(frame);
  assert.equal(scrollY, 0);
  assert.equal(boxes.length, 6, JSON.stringify(boxes));
  for (const b of boxes) {
    assert.ok(b.top >= 0 && b.left >= 0 && b.bottom <= height + 0.5 && b.right <= width + 0.5,
      `${b.id} outside the ${width}x${height} iframe: ${JSON.stringify(b)}`);
  }
  const mse = boxes.find((b) => b.id === 'panel-mse-overlaps');
  const corr = boxes.find((b) => b.id === 'panel-correlation-overlaps');
  assert.ok(Math.abs(mse.top - corr.top) < 1 && corr.left > mse.right, 'panels side by side');
  assert.equal(await frame.isVisible('#tabs'), false, 'no tabs in an embed');
  assert.equal(await frame.isVisible('fieldset[data-group=batch]'), true);
  assert.ok((await frame.textContent('#preset-explanation')).length > 20, 'the caption stays');
  await page.waitForTimeout(1500);
  const iframeBox = await page.$eval('iframe', (f) => { const r = f.getBoundingClientRect(); return { y: r.y + scrollY, h: r.height }; });
  await page.setViewportSize({ width: 760, height: Math.ceil(iframeBox.y + iframeBox.h + 60) });
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(shots, 'embed-course-700.png'), fullPage: true });
  // the stated height (without the script) fits as well
  const stated = Number(snippet.match(/height="(\d+)"/)[1]);
  const content = await frame.$eval('#app-root', (e) => e.offsetHeight);
  assert.ok(content <= stated, `content ${content} px taller than the stated ${stated} px`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an embed starts when scrolled into view, not on load', async () => {
  const snippet = await copiedSnippet('steps=3000');
  const page = await browser.newPage({ viewport: { width: 760, height: 700 } });
  await page.goto(coursePage('course-embed-below', `<div style="height:2500px">long text</div>${snippet.replace('loading="lazy"', '')}`));
  const frame = await labFrame(page);
  await page.waitForTimeout(1500);
  assert.deepEqual(await steps(frame), [0, 0], 'ran before it was visible');
  await page.$eval('iframe', (f) => f.scrollIntoView());
  await frame.waitForFunction(() => [...document.querySelectorAll('#panels .stats')].every((e) => Number(e.dataset.steps || 0) >= 1), null, { timeout: 60000 });
  await page.close();
});

test('autostart=0 waits for Start; hide=export hides the panel export buttons', async () => {
  const page = await browser.newPage({ viewport: { width: 760, height: 1200 } });
  const errors = collectErrors(page);
  const src = `${site.url}#steps=3000&embed=1&autostart=0&hide=export,model`;
  await page.goto(coursePage('course-embed-options', `<iframe src="${src}" width="700" height="1050" style="border:0"></iframe>`));
  const frame = await labFrame(page);
  await page.waitForTimeout(2000);
  assert.deepEqual(await steps(frame), [0, 0], 'ran without Start');
  assert.match(await frame.textContent('#status'), /press Start/);
  assert.equal(await frame.locator('#panel-mse-export-csv').count(), 1);
  assert.equal(await frame.isVisible('#panel-mse-export-csv'), false, 'panel exports hidden');
  assert.equal(await frame.isVisible('#copy-embed'), false, 'share section hidden');
  assert.equal(await frame.isVisible('#start'), true);
  await frame.click('#start');
  await frame.waitForFunction(() => [...document.querySelectorAll('#panels .stats')].every((e) => Number(e.dataset.steps || 0) >= 1), null, { timeout: 60000 });
  assert.equal(await frame.isVisible('#panel-mse-export-csv'), false, 'still hidden after a run');
  assert.deepEqual(errors, []);
  await page.close();
});

test('hide=caption hides the preset explanation; screenshots of the normal page at 1400 and 390 px', async () => {
  const page = await browser.newPage({ viewport: { width: 760, height: 1100 } });
  const src = `${site.url}#preset=fig2-mu1&embed=1&autostart=0&hide=caption`;
  await page.goto(coursePage('course-embed-caption', `<iframe src="${src}" width="700" height="1000" style="border:0"></iframe>`));
  const frame = await labFrame(page);
  assert.equal(await frame.isVisible('#preset-explanation'), false);
  assert.equal(await frame.isVisible('#preset'), true);
  await page.close();
  for (const [width, height, name, hash] of [[1400, 1300, 'page-1400-wide-mu1.png', 'preset=wide-mu1&steps=20000'],
    [390, 844, 'page-390.png', 'preset=wide-mu1&steps=20000'], [1400, 1000, 'page-1400-samples.png', 'steps=10000&unit=samples']]) {
    const p = await browser.newPage({ viewport: { width, height } });
    const errors = collectErrors(p);
    await p.goto(`${site.url}#${hash}`);
    await labReady(p);
    await p.waitForFunction(() => [...document.querySelectorAll('#panels .stats')].every((e) => e.dataset.state === 'finished'), null, { timeout: 90000 });
    await p.waitForTimeout(800);
    await p.screenshot({ path: path.join(shots, name), fullPage: true });
    await p.locator('#panel-mse').screenshot({ path: path.join(shots, name.replace('.png', '-panel.png')) });
    assert.deepEqual(errors, []);
    await p.close();
  }
});
