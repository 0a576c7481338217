import { serve } from './server.mjs';
import { launch, labReady } from './browser.mjs';
const site = await serve('/work/main/target/e2e-dist', '/online-sgd-lab/demo/');
const browser = await launch();
async function shot(name, width, hash, fn) {
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  await page.goto(`${site.url}${hash}`);
  await labReady(page);
  if (fn) await fn(page);
  await page.waitForTimeout(2500);
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: false });
  await page.close();
}
await shot('crash-1400', 1400, '#steps=1000000&d=4096&seed=11', async (p) => { await p.waitForTimeout(1500); await p.evaluate(() => window.sgdlabCrashWorker()); });
await shot('bigbatch-390', 390, '#nb=10000000000000&steps=1000000000&panels=correlation', async (p) => { await p.waitForTimeout(500); });
await shot('preset-1400', 1400, '#preset=fig2-mu1.75&seed=3');
const page = await browser.newPage({ viewport: { width: 760, height: 1300 } });
await page.setContent(`<html><body style="margin:20px;font-family:sans-serif"><h3>Course page</h3><iframe src="${site.url}#preset=fig2-mu1&embed=1" width="700" height="1200"></iframe></body></html>`);
await page.waitForTimeout(6000);
await page.screenshot({ path: '/tmp/shots/embed-700.png' });
await browser.close(); await site.close();
