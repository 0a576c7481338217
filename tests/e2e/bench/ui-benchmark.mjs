// Browser benchmark of the page (not a test: it prints figures for BENCHMARKS.md).
// Run: make bench-ui. Measures, in headless Chromium on this machine:
//  - time to the first drawn chart after navigation start (performance mark 'first-chart'),
//    and for the default (an ensemble) to its first drawn band,
//  - main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while the panels run each
//    setting to completion, split into those before and after the first chart,
//  - redraw time of one panel (data-redraw-ms: its three parts, drawn in three frames) at the
//    end, with the points streamed so far,
//  - bundle sizes of the built site,
//  - attribution: the default setting once more under Chrome tracing, with what ran in every
//    main-thread task over 30 ms and the main thread's CPU time by kind of task (animation
//    frames, worker messages, GC, start-up). Tracing slows the page, so its durations are
//    longer than in the untraced runs above. Skip it with BENCH_ATTRIBUTE=0.
import fs from 'node:fs';
import path from 'node:path';
import { serve } from '../server.mjs';
import { launch } from '../browser.mjs';

const dist = process.env.E2E_DIST || path.resolve('../../../target/e2e-dist');
const publicUrl = process.env.E2E_PUBLIC_URL || '/online-sgd-lab/demo/';
const site = await serve(dist, publicUrl);
const browser = await launch();
const VIEW = { viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 2 };
const round = (x) => Math.round(x * 10) / 10;

async function observeLongTasks(page) {
  await page.addInitScript(() => {
    window.__longtasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longtasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
    // the first ensemble band drawn (data-bands of an overlap chart turning non-zero)
    new MutationObserver(() => {
      if (window.__firstBand === undefined && [...document.querySelectorAll('canvas[data-bands]')].some((c) => Number(c.dataset.bands) > 0)) {
        window.__firstBand = performance.now();
      }
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-bands'] });
  });
}

async function runToCompletion(page) {
  await page.waitForFunction(() => {
    const s = [...document.querySelectorAll('#panels .stats')];
    return s.length > 0 && s.every((e) => e.dataset.state === 'finished');
  }, null, { timeout: 300000 });
  await page.waitForTimeout(500);
}

const results = {};
for (const [name, hash] of [['default: the batch-size story (2 protocols x 3 batch sizes x 8 seeds = 48 runs)', ''], ['fig2-mu1 (4e4 steps)', '#preset=fig2-mu1'], ['adaptive, 3 panels', '#preset=adaptive']]) {
  const page = await browser.newPage(VIEW);
  await observeLongTasks(page);
  await page.goto(site.url + hash);
  await runToCompletion(page);
  const r = await page.evaluate(() => {
    const first = performance.getEntriesByName('first-chart')[0]?.startTime;
    const load = window.__longtasks.filter(([t]) => t < first);
    const running = window.__longtasks.filter(([t]) => t >= first);
    // what each long task contained, from the page's marks
    const marks = [...performance.getEntriesByType('mark')].filter((m) => m.name.startsWith('lab: ') || m.name === 'first-chart');
    const nav = performance.getEntriesByType('navigation')[0];
    const label = (t, d) => {
      const inside = marks.filter((m) => m.startTime >= t && m.startTime <= t + d).map((m) => m.name);
      if (inside.length) return inside.join(' + ');
      const start = marks.find((m) => m.name === 'lab: start')?.startTime ?? Infinity;
      if (t + d < start) return t < nav.domContentLoadedEventEnd ? 'page load (HTML parse, first layout)' : 'before the wasm start';
      return t >= first ? 'after the first chart' : 'between start-up and first chart';
    };
    const list = (l) => l.map(([t, d]) => `${Math.round(d)} ms at ${Math.round(t)} ms (${label(t, d)})`);
    return {
      firstChartMs: first,
      firstEnsembleBandMs: window.__firstBand ?? null,
      allRunsDoneMs: Math.round(performance.now()),
      longTasksDuringLoad: load.length,
      maxLongTaskDuringLoadMs: Math.max(0, ...load.map(([, d]) => d)),
      longTasksWhileRunning: running.length,
      maxLongTaskWhileRunningMs: Math.max(0, ...running.map(([, d]) => d)),
      longTasks: list(window.__longtasks),
      startUpMs: Object.fromEntries(performance.getEntriesByType('measure')
        .filter((m) => m.name.startsWith('lab: ')).map((m) => [m.name, Math.round(m.duration * 10) / 10])),
    };
  });
  // redraw again with the final data to time it a few times
  const redraws = [];
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => { document.getElementById('panels').removeAttribute('data-redraw-ms'); window.dispatchEvent(new Event('resize')); });
    await page.waitForFunction(() => document.getElementById('panels').hasAttribute('data-redraw-ms'), null, { timeout: 10000 });
    redraws.push(Number(await page.getAttribute('#panels', 'data-redraw-ms')));
    await page.waitForTimeout(300);
  }
  r.redrawMsMedian = redraws.sort((a, b) => a - b)[2];
  results[name] = r;
  await page.close();
}
const sizes = Object.fromEntries(fs.readdirSync(dist).filter((f) => /\.(wasm|js)$/.test(f)).map((f) => [f, fs.statSync(path.join(dist, f)).size]));
const out = { results, sizes };
if (process.env.BENCH_ATTRIBUTE !== '0') out.attribution = await attribute();
console.log(JSON.stringify(out, null, 2));
await browser.close();
await site.close();

// --- attribution under Chrome tracing -------------------------------------------------------

/** Bucket of a trace event name (its self time is added to that bucket). */
function bucket(name) {
  if (/^(FunctionCall|v8\.callFunction|v8\.run|EvaluateScript|v8\.evaluateModule|FireAnimationFrame|TimerFire|AsyncTask Run)$/.test(name)) return 'page code (wasm + JS)';
  if (/^(wasm\.|v8\.wasm\.)|FlushInstructionCache|v8\.newInstance/.test(name)) return 'wasm compile/instantiate';
  if (/^V8\.(Compile|Parse|PreParse)|^v8\.compile/.test(name)) return 'JS compile';
  if (/GC|Scavenge|MarkCompact/i.test(name)) return 'GC';
  if (/SerializedScriptValue|HandlePostMessage|EventDispatch/.test(name)) return 'worker message (deserialise, dispatch)';
  if (/Canvas2D|Canvas/.test(name)) return 'canvas resource (commit)';
  if (/^Commit$|Compositing|pushPaintArtifact|Layerize/.test(name)) return 'commit to compositor';
  if (/Layout|Style|Shape|Lifecycle|layout/i.test(name)) return 'style & layout';
  if (/Paint/.test(name)) return 'paint';
  if (/Parse|Navigation|DocumentLoader|Frame::|WindowProxy|Script/.test(name)) return 'page load (HTML, navigation)';
  return 'other';
}

/** The kind of a top-level task, from the events inside it. */
function kind(names) {
  if (names.has('FireAnimationFrame')) return 'animation frame (chart drawing)';
  if (names.has('HandlePostMessage')) return 'worker message';
  if ([...names].some((n) => /^(v8\.wasm\.compileConsume|wasm\.(FinishStreaming|AsyncInstantiate|SyncInstantiate))/.test(n))) return 'wasm instantiation + page set-up';
  if (names.has('TimerFire')) return 'timer (start-up steps: first run, chart warm-up; sweep timer)';
  if ([...names].some((n) => /GC/.test(n))) return 'GC';
  if (names.has('WebFrameWidgetImpl::UpdateLifecycle') || names.has('Commit')) return 'rendering only';
  if ([...names].some((n) => /Parse|DocumentLoader|Navigation/.test(n))) return 'page load';
  return 'other';
}

async function attribute() {
  const page = await browser.newPage(VIEW);
  await observeLongTasks(page);
  await browser.startTracing(page, {
    categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm',
      'blink.user_timing', 'disabled-by-default-v8.gc', 'v8.execute', 'loading', 'blink'],
  });
  await page.goto(site.url);
  await runToCompletion(page);
  const observed = await page.evaluate(() => window.__longtasks.map(([t, d]) => `${Math.round(d)} ms at ${Math.round(t)} ms`));
  const trace = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  await page.close();
  const threads = new Map(trace.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args.name]));
  const byThread = new Map();
  for (const e of trace) {
    if (e.ph !== 'X' || e.dur === undefined) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  // nest each thread's complete events by time
  const roots = new Map();
  for (const [key, events] of byThread) {
    events.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const stack = [], top = [];
    for (const e of events) {
      while (stack.length && e.ts >= stack.at(-1).ts + stack.at(-1).dur) stack.pop();
      e.kids = [];
      if (stack.length) stack.at(-1).kids.push(e); else top.push(e);
      stack.push(e);
    }
    roots.set(key, top);
  }
  // the page's main thread: the one that recorded the page's own mark (other renderers, e.g.
  // of pages closed earlier, are in the trace too)
  const mark = trace.find((e) => e.name === 'lab: start' && e.cat === 'blink.user_timing')
    ?? trace.find((e) => e.name === 'first-chart' && e.cat === 'blink.user_timing');
  const mainKey = `${mark.pid}:${mark.tid}`;
  const cpu = (e) => (e.tdur ?? 0) / 1000;
  const threadCpu = (name, pid) => [...roots].filter(([k]) => threads.get(k) === name && (pid === undefined || k.startsWith(`${pid}:`)))
    .reduce((s, [, top]) => s + top.reduce((t, e) => t + cpu(e), 0), 0);
  const tasks = roots.get(mainKey);
  const t0 = tasks[0].ts;
  const byKind = {};
  const described = [];
  for (const task of tasks) {
    const names = new Set(), self = {};
    const walk = (e) => {
      names.add(e.name);
      const childWall = e.kids.reduce((s, k) => s + k.dur, 0);
      const b = bucket(e.name);
      self[b] = (self[b] || 0) + Math.max(0, e.dur - childWall) / 1000;
      e.kids.forEach(walk);
    };
    walk(task);
    const k = kind(names);
    byKind[k] ??= { tasks: 0, wallMs: 0, cpuMs: 0, maxWallMs: 0 };
    Object.assign(byKind[k], { tasks: byKind[k].tasks + 1, wallMs: byKind[k].wallMs + task.dur / 1000, cpuMs: byKind[k].cpuMs + cpu(task), maxWallMs: Math.max(byKind[k].maxWallMs, task.dur / 1000) });
    if (task.dur > 30000) {
      const parts = Object.entries(self).filter(([b]) => b !== 'other' || self[b] > 2).sort((a, b) => b[1] - a[1]).slice(0, 4)
        .map(([b, ms]) => `${b} ${round(ms)}`).join(', ');
      described.push(`+${Math.round((task.ts - t0) / 1000)} ms: ${round(task.dur / 1000)} ms wall, ${round(cpu(task))} ms CPU, ${k}: ${parts}`);
    }
  }
  for (const v of Object.values(byKind)) for (const f of ['wallMs', 'cpuMs', 'maxWallMs']) v[f] = round(v[f]);
  return {
    note: 'default setting under Chrome tracing (slower than untraced); tasks over 30 ms of the main thread, self wall time (ms) by kind of work',
    longTasksObservedWhileTraced: observed,
    tasksOver30Ms: described,
    mainThreadByTaskKind: byKind,
    threadCpuMs: { 'page main thread': round(threadCpu('CrRendererMain', mark.pid)), 'simulation worker': round(threadCpu('DedicatedWorker thread', mark.pid)), compositor: round(threadCpu('Compositor', mark.pid)), 'GPU process (viz)': round(threadCpu('VizCompositorThread')) },
  };
}
