// `cargo xtask bench overlay` (issue 13 item 6): how long the overlay makes a storefront page
// take, in headless Chromium, against a bare page load. Not a test: it asserts no timing.
//
// One middleware (tests/e2e/server.mjs: loopback, free port, fresh database, demo store, the
// release bundle of `dist/`) and ONE Chromium process; three measures, each RUNS times with a
// warm cache (one browser context reused: the normal case, an agent navigates all day) and RUNS
// times cold (a fresh context per run: empty HTTP cache, new renderer process):
//
//   (a) bare     `/` without ASM: navigation start → `loadEventEnd`
//   (b) sign-in  `/?asm=true`, not signed in: navigation start → the username input of the sign-in
//                form is in the overlay's shadow root and enabled
//   (c) restore  `/` with ASM on in the tab (sessionStorage) while the agent emulates Linda:
//                navigation start → "End Session" is in the overlay's shadow root
//
// Times are read in the page (a MutationObserver installed before any script, in every shadow
// root: `performance.now()` when the element appears), not by polling from here. Bytes are CDP
// `Network.loadingFinished` `encodedDataLength` (what came over the wire, headers included; 0 for
// a cache hit) of every request of the navigation until the network is quiet (300 ms without a
// request in flight), split into the bundle's first load, its lazy chunks (prefetched when idle
// after sign-in) and the rest (storefront page and API). Then one traced restore, warm and cold, says
// how V8 got the compiled wasm (compiled, from its in-process cache, or from the code cache).
//
// Environment: ASM_BENCH_RUNS (default 20, at least 15 for figures), ASM_BENCH_DEADLINE_S
// (default 600: the whole run stops, cleaned up, after this), plus server.mjs's ASM_MIDDLEWARE_BIN,
// ASM_DIST and helpers.mjs's ASM_CHROMIUM. Prints one table; JSON of all samples with --json.
import { chromium } from 'playwright-core';
import os from 'node:os';
import { startServer } from '../../tests/e2e/server.mjs';
import { AGENT, CHROMIUM, CHROMIUM_ARGS, LINDA, signIn, searchCustomers, ui } from '../../tests/e2e/helpers.mjs';

const RUNS = Math.max(1, Number.parseInt(process.env.ASM_BENCH_RUNS || '20', 10) || 20);
const DEADLINE_S = Math.max(30, Number.parseInt(process.env.ASM_BENCH_DEADLINE_S || '600', 10) || 600);
const STEP_MS = 15_000;
const QUIET_MS = 300;
const QUIET_CAP_MS = 10_000;
const TARGETS = { signIn: 1.5, restore: 1.3 };

let server;
let browser;
let cleaning;
const cleanup = () => (cleaning ??= (async () => {
  await browser?.close().catch(() => {});
  await server?.stop().catch(() => {});
})());
const stopOn = (code, why) => {
  console.error(`bench overlay: ${why}; stopping`);
  cleanup().finally(() => process.exit(code));
};
process.on('SIGINT', () => stopOn(130, 'interrupted'));
process.on('SIGTERM', () => stopOn(143, 'terminated'));
const deadline = setTimeout(() => stopOn(2, `deadline of ${DEADLINE_S} s reached`), DEADLINE_S * 1000);

/** Runs in every page before its scripts: records when the overlay's elements first appear. */
function marks() {
  const t = { signIn: null, endSession: null, ready: null };
  window.__bench = t;
  addEventListener('asm:ready', () => { t.ready ??= performance.now(); });
  const check = (root) => {
    if (t.signIn === null) {
      const u = root.querySelector('form.asm-sign-in input[name=username]');
      if (u && !u.disabled) t.signIn = performance.now();
    }
    if (t.endSession === null) {
      for (const b of root.querySelectorAll('button')) {
        if (b.textContent.trim() === 'End Session') { t.endSession = performance.now(); break; }
      }
    }
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = attach.call(this, init);
    new MutationObserver(() => check(root)).observe(root, { childList: true, subtree: true, attributes: true });
    return root;
  };
}

/** A context with the marks; `asmOn`: ASM already on in its tabs (as after `?asm=true` earlier). */
async function newContext({ asmOn = false, cookies = [] } = {}) {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_MS);
  await context.addInitScript(marks);
  if (asmOn) await context.addInitScript(() => sessionStorage.setItem('asm_enabled', '1'));
  if (cookies.length) await context.addCookies(cookies);
  return context;
}

/** A page whose network traffic is counted per navigation. */
async function countedPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let reqs = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (!reqs.has(e.requestId)) reqs.set(e.requestId, { url: e.request.url, bytes: 0, done: false, at: Date.now() });
  });
  const finish = (e, bytes) => {
    const r = reqs.get(e.requestId);
    if (r) { r.bytes = bytes; r.done = true; r.at = Date.now(); }
  };
  cdp.on('Network.loadingFinished', (e) => finish(e, e.encodedDataLength));
  cdp.on('Network.loadingFailed', (e) => finish(e, 0));
  return {
    page,
    reset() { reqs = new Map(); },
    /** Waits until no request is in flight for QUIET_MS (at most QUIET_CAP_MS), then sums. */
    async settle() {
      const until = Date.now() + QUIET_CAP_MS;
      for (;;) {
        const all = [...reqs.values()];
        const last = Math.max(0, ...all.map((r) => r.at));
        if ((all.every((r) => r.done) && Date.now() - last >= QUIET_MS) || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const bytes = { total: 0, first: 0, chunks: 0, other: 0 };
      for (const r of reqs.values()) {
        const p = new URL(r.url).pathname;
        const kind = /^\/asm-overlay\/asm-(chunk|split_)/.test(p) ? 'chunks' : p.startsWith('/asm-overlay/') ? 'first' : 'other';
        bytes[kind] += r.bytes;
        bytes.total += r.bytes;
      }
      return bytes;
    },
  };
}

/** One navigation of `counted` to `path`; resolves to { ms, bytes }. */
async function measure(counted, path, what) {
  const { page } = counted;
  counted.reset();
  if (what === 'bare') {
    await page.goto(server.url + path, { waitUntil: 'load' });
    const ms = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      return n.loadEventEnd || n.loadEventStart;
    });
    return { ms, bytes: await counted.settle() };
  }
  const key = what === 'signIn' ? 'signIn' : 'endSession';
  await page.goto(server.url + path, { waitUntil: 'commit' });
  await page.waitForFunction((k) => window.__bench && window.__bench[k] !== null, key, { timeout: STEP_MS, polling: 20 });
  const { ms, phases } = await page.evaluate((k) => {
    const t = window.__bench;
    const entries = (re) => performance.getEntriesByType('resource').filter((e) => re.test(new URL(e.name).pathname));
    // The overlay's own question (the storefront asks too, earlier): the first after mounting.
    const me = entries(/^\/asm\/agents\/me$/).find((e) => t.ready !== null && e.startTime >= t.ready);
    const wasm = entries(/^\/asm-overlay\/asm-overlay-[0-9a-f]{16}_bg\.wasm$/)[0];
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      ms: t[k],
      phases: {
        domContentLoaded: nav?.domContentLoadedEventEnd ?? null,
        wasmFetched: wasm ? wasm.responseEnd : null,
        mounted: t.ready,
        meAsked: me ? me.startTime : null,
        meAnswered: me ? me.responseEnd : null,
      },
    };
  }, key);
  return { ms, phases, bytes: await counted.settle() };
}

const CASES = [
  { id: 'a', name: 'bare page load (no ASM)', what: 'bare', path: '/' },
  { id: 'b', name: '?asm=true → sign-in form interactive', what: 'signIn', path: '/?asm=true' },
  { id: 'c', name: 'navigation while emulating → End Session', what: 'restore', path: '/' },
];

function quantile(xs, q) {
  const s = [...xs].sort((x, y) => x - y);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}

function loadavg() {
  return os.loadavg().map((l) => l.toFixed(2)).join(', ');
}

async function main() {
  const started = new Date();
  const loadStart = loadavg();
  console.log(`bench overlay: ${RUNS} runs per case and cache state; load average ${loadStart}`);
  server = await startServer({ commerce: 'embedded' });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: false });
  console.log(`bench overlay: middleware ${server.url}, Chromium ${browser.version()}`);

  // The agent signs in and emulates Linda once, through the overlay; the cold runs of (c) carry
  // this context's session cookie (the server holds the session and the emulation).
  const agentCtx = await newContext();
  const setup = await agentCtx.newPage();
  await setup.goto(`${server.url}/?asm=true`);
  await ui.signInForm(setup).waitFor();
  await signIn(setup, AGENT);
  const results = await searchCustomers(setup, 'linda', LINDA.name);
  await results.first().click();
  await ui.endSessionButton(setup).waitFor();
  const cookies = await agentCtx.cookies();
  await setup.close();

  const samples = {};
  for (const c of CASES) {
    for (const cache of ['warm', 'cold']) {
      const list = (samples[`${c.id}-${cache}`] = []);
      if (cache === 'warm') {
        const ctx = c.what === 'restore' ? agentCtx : await newContext();
        const counted = await countedPage(ctx);
        if (c.what === 'restore') await counted.page.addInitScript(() => sessionStorage.setItem('asm_enabled', '1'));
        await measure(counted, c.path, c.what); // fills the cache; not counted
        for (let i = 0; i < RUNS; i++) list.push(await measure(counted, c.path, c.what));
        await counted.page.close();
        if (ctx !== agentCtx) await ctx.close();
      } else {
        for (let i = 0; i < RUNS; i++) {
          const ctx = await newContext(c.what === 'restore' ? { asmOn: true, cookies } : {});
          const counted = await countedPage(ctx);
          list.push(await measure(counted, c.path, c.what));
          await ctx.close();
        }
      }
      const ms = list.map((s) => s.ms);
      console.log(`bench overlay: (${c.id}) ${cache}: median ${quantile(ms, 0.5).toFixed(1)} ms (${loadavg()})`);
    }
  }

  // How V8 got the compiled wasm on a restore: one traced navigation, warm and cold.
  const cacheTrace = await codeCacheTrace(agentCtx, cookies);
  await agentCtx.close();
  const loadEnd = loadavg();
  print({ samples, started, loadStart, loadEnd, cacheTrace, chromium: browser.version() });
  if (process.argv.includes('--json')) console.log(JSON.stringify({ samples, cacheTrace }, null, 1));
}

/**
 * How V8 got the compiled wasm on a restore, from a Chromium trace of one navigation: `warm` in
 * the agent's page (same tab, same renderer process, warm HTTP cache), `cold` in a fresh context.
 * Counts of the trace events that tell: modules compiled (`wasm.BaselineFinished`), functions
 * compiled lazily on first call (`wasm.CompileLazy`), Blink's code cache consumed
 * (`v8.wasm.moduleCacheHit`) or written (`v8.wasm.cachedModule`), streaming compilations
 * (`v8.wasm.streamFromResponseCallback`: the response was streamable, no ArrayBuffer fallback).
 */
async function codeCacheTrace(agentCtx, cookies) {
  const EVENTS = {
    streamed: 'v8.wasm.streamFromResponseCallback',
    modulesCompiled: 'wasm.BaselineFinished',
    functionsCompiledLazily: 'wasm.CompileLazy',
    codeCacheHits: 'v8.wasm.moduleCacheHit',
    codeCacheWritten: 'v8.wasm.cachedModule',
  };
  const traced = async (page) => {
    await browser.startTracing(page, { categories: ['v8.wasm', 'disabled-by-default-devtools.timeline'] });
    await page.goto(server.url + '/');
    await page.waitForFunction(() => window.__bench?.endSession !== null, null, { timeout: STEP_MS });
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
    const counts = Object.fromEntries(Object.keys(EVENTS).map((k) => [k, 0]));
    for (const e of trace.traceEvents || []) {
      for (const [k, name] of Object.entries(EVENTS)) if (e.name === name && e.ph !== 'E') counts[k] += 1;
    }
    return counts;
  };
  const result = {};
  const counted = await countedPage(agentCtx);
  await counted.page.addInitScript(() => sessionStorage.setItem('asm_enabled', '1'));
  await measure(counted, '/', 'restore'); // and the idle prefetch after it, before the trace
  result.warm = await traced(counted.page);
  await counted.page.close();
  const ctx = await newContext({ asmOn: true, cookies });
  result.cold = await traced(await ctx.newPage());
  await ctx.close();
  return result;
}

function print({ samples, started, loadStart, loadEnd, cacheTrace, chromium: version }) {
  const med = (k) => quantile(samples[k].map((s) => s.ms), 0.5);
  const p90 = (k) => quantile(samples[k].map((s) => s.ms), 0.9);
  const bytes = (k, part) => quantile(samples[k].map((s) => s.bytes[part]), 0.5);
  const n = (x) => Math.round(x).toLocaleString('en-US');
  const rows = [
    '| case | cache | runs | median ms | p90 ms | × (a) median | target | bytes total | bundle first load | lazy chunks | page + API |',
    '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const c of CASES) {
    for (const cache of ['warm', 'cold']) {
      const k = `${c.id}-${cache}`;
      const ratio = med(k) / med(`a-${cache}`);
      const target = TARGETS[c.what];
      const verdict = target ? `≤ ${target}× ${ratio <= target ? 'PASS' : 'MISS'}` : '';
      rows.push(`| (${c.id}) ${c.name} | ${cache} | ${samples[k].length} | ${med(k).toFixed(1)} | ${p90(k).toFixed(1)} | ${c.id === 'a' ? '1.00' : ratio.toFixed(2)} | ${verdict} | ${n(bytes(k, 'total'))} | ${n(bytes(k, 'first'))} | ${n(bytes(k, 'chunks'))} | ${n(bytes(k, 'other'))} |`);
    }
  }
  console.log('');
  console.log(`bench overlay, ${started.toISOString()}, ${os.cpus().length} cores, Chromium ${version}, loopback`);
  console.log(`load average at start ${loadStart}; at end ${loadEnd}`);
  console.log('');
  for (const r of rows) console.log(r);
  console.log('');
  console.log('(bytes: medians of CDP encodedDataLength until the network is quiet; targets are issue 13\'s, warm cache the normal case)');
  for (const k of ['b-warm', 'c-warm', 'b-cold', 'c-cold']) {
    const phase = (name) => {
      const xs = samples[k].map((s) => s.phases?.[name]).filter((x) => typeof x === 'number' && x > 0);
      return xs.length ? quantile(xs, 0.5).toFixed(0) : '-';
    };
    console.log(`(${k}) medians from navigation start, ms: DOMContentLoaded ${phase('domContentLoaded')}, main wasm fetched ${phase('wasmFetched')}, overlay mounted (asm:ready) ${phase('mounted')}, GET /asm/agents/me sent ${phase('meAsked')} and answered ${phase('meAnswered')}, condition ${med(k).toFixed(0)}`);
  }
  for (const [cache, c] of Object.entries(cacheTrace)) {
    console.log(`traced ${cache} restore (until End Session): ${c.streamed} streaming compilations, ${c.modulesCompiled} modules and ${c.functionsCompiledLazily} functions compiled, code cache ${c.codeCacheHits} hits / ${c.codeCacheWritten} written`);
  }
}

try {
  await main();
} catch (err) {
  // After a signal or the deadline the browser was closed under the run: that said it already.
  if (cleaning) await new Promise(() => {});
  console.error(`bench overlay failed: ${err?.stack || err}`);
  if (server) console.error(`middleware output:\n${server.output().slice(-2000)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
  await cleanup();
}
