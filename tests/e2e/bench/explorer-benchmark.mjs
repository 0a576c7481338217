// Browser benchmark of the batch-size explorer's worker pool (not a test: it prints figures for
// BENCHMARKS.md). Run: make bench-explorer. The sweep of `cargo bench --bench sweep` (He3, correlation loss, d = 1024,
// mu = 0.5..2 step 0.25, 11 seeds = 77 runs, gamma0 = 0.01 at the optimal exponent) is run with
// 1, 2, ... navigator.hardwareConcurrency Web Workers; the page reports the wall time from Run to
// the last result (data-elapsed-ms) and the samples simulated, and every run must give the same
// points (the exported CSV is compared).
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '../server.mjs';
import { launch } from '../browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const site = await serve(dist, publicUrl);
const browser = await launch();
const sweep = { d: 1024, protocols: ["correlation"], mu: [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2], lr: { policy: "optimal", gamma0: 0.01 }, seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], max_steps: 1000000 };
const probe = await browser.newPage();
await probe.goto(site.url);
const cores = await probe.evaluate(() => navigator.hardwareConcurrency);
await probe.close();
const rows = [];
let reference = null;
for (let workers = 1; workers <= Math.max(2, cores); workers++) {
  const page = await browser.newPage({ acceptDownloads: true });
  await page.goto(`${site.url}#view=explorer&sweep=${encodeURIComponent(JSON.stringify(sweep))}`);
  await page.fill('#x-workers', String(workers));
  await page.click('#x-run');
  await page.waitForFunction(() => document.getElementById('x-status').textContent === 'finished', null, { timeout: 600000 });
  await page.waitForTimeout(300);
  const wallMs = Number(await page.getAttribute('#x-progress-text', 'data-elapsed-ms'));
  const samples = Number(await page.getAttribute('#x-progress-text', 'data-samples'));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#x-export-csv')]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  if (reference === null) reference = csv;
  else if (csv !== reference) throw new Error(`the sweep on ${workers} workers gave different points`);
  rows.push({ workers, wallS: wallMs / 1000, samplesPerS: samples / (wallMs / 1000), speedUp: rows.length ? rows[0].wallS / (wallMs / 1000) : 1 });
  await page.close();
}
console.log(JSON.stringify({ cores, jobs: 77, rows }, null, 2));
await browser.close();
await site.close();
