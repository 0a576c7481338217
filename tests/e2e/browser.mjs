// Headless Debian Chromium through playwright-core (never downloads a browser).
import { chromium } from 'playwright-core';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Collects console errors and page errors of `page`. */
export function collectErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

/** Pixel variance of a canvas (0 for a blank one). */
export async function canvasVariance(page, selector) {
  return page.$eval(selector, (c) => {
    const ctx = c.getContext('2d');
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let sum = 0, sum2 = 0, n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const v = 0.299 * data[i] + 0.587 * data[i + 1] + 0.114 * data[i + 2];
      sum += v; sum2 += v * v; n++;
    }
    const mean = sum / n;
    return sum2 / n - mean * mean;
  });
}

/** Waits until the page's wasm has started and the form holds the URL's state. */
export async function labReady(page) {
  await page.waitForSelector('body[data-lab-ready]', { state: 'attached', timeout: 30000 });
}

/**
 * Waits until the panel chart `selector` has been drawn from at least `steps` SGD steps
 * (`data-drawn-steps`; the stats text is drawn a frame or more before the charts).
 */
export async function chartDrawn(page, selector, steps = 1, timeout = 30000) {
  await page.waitForFunction(([sel, n]) => Number(document.querySelector(sel)?.dataset.drawnSteps || 0) >= n,
    [selector, steps], { timeout });
}
