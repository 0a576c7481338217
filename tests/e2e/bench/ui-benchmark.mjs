// Browser benchmark of the page (not a test: it prints figures for BENCHMARKS.md).
// Run: make bench-ui. Measures, in headless Chromium on this machine:
//  - time to the first drawn chart after navigation start (performance mark 'first-chart'),
//  - main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while both panels run the
//    default preset to completion,
//  - redraw time of all panels (data-redraw-ms) at the end, with the points streamed so far,
//  - bundle sizes of the built site.
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '../server.mjs';
import { launch } from '../browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const site = await serve(dist, publicUrl);
const browser = await launch();
const results = {};
for (const [name, hash] of [['default (He3, d = n_b = 1024, 3e4 steps)', ''], ['fig2-mu1 (4e4 steps)', '#preset=fig2-mu1'], ['adaptive, 3 panels', '#preset=adaptive']]) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 2 });
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(site.url + hash);
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('#panels .stats')];
    return s.length > 0 && s.every((e) => e.dataset.state === 'finished');
  }, null, { timeout: 300000 });
  await page.waitForTimeout(500);
  const r = await page.evaluate(() => {
    const first = performance.getEntriesByName('first-chart')[0]?.startTime;
    const load = window.__longtasks.filter(([t]) => t < first).map(([, d]) => d);
    const running = window.__longtasks.filter(([t]) => t >= first).map(([, d]) => d);
    return {
      firstChartMs: first,
      longTasksDuringLoad: load.length,
      maxLongTaskDuringLoadMs: Math.max(0, ...load),
      longTasksWhileRunning: running.length,
      maxLongTaskWhileRunningMs: Math.max(0, ...running),
    };
  });
  // redraw again with the final data to time it a few times
  const redraws = [];
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => window.dispatchEvent(new Event('resize')));
    await page.waitForTimeout(200);
    redraws.push(Number(await page.getAttribute('#panels', 'data-redraw-ms')));
  }
  r.redrawMsMedian = redraws.sort((a, b) => a - b)[2];
  results[name] = r;
  await page.close();
}
const sizes = Object.fromEntries(fs.readdirSync(dist).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => [f, fs.statSync(path.join(dist, f)).size]));
console.log(JSON.stringify({ results, sizes }, null, 2));
await browser.close();
await site.close();
