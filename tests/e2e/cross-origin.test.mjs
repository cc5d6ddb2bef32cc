// Embedding from another origin of the same site (docs/embedding.md, "Another origin of the same
// site"): a storefront on its own loopback port, under a strict CSP that names the middleware,
// embeds the middleware's loader by absolute URL; the middleware runs with
// `--allowed-origins <that origin>`. The bundle answers CORS (the module scripts and the wasm
// fetch are CORS requests), the API answers CORS with credentials, and the agent signs in,
// emulates, navigates the shop and ends the session there. A tag with only `data-base-site`
// finds its API next to the loader and keeps its base site.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import { shopPage, startShop } from './origins.mjs';
import {
  closeContext,
  LINDA,
  launchBrowser,
  newContext,
  searchCustomers,
  signIn,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const HASHED_GLUE = /\/asm-overlay\/asm-overlay-[0-9a-f]{16}\.js$/;
const HASHED_WASM = /\/asm-overlay\/asm-overlay-[0-9a-f]{16}_bg\.wasm$/;

/** Records the page's bundle responses (URL → all headers) and its console errors/warnings. */
function record(page) {
  const bundle = new Map();
  const console = [];
  page.on('response', async (res) => {
    if (res.url().includes('/asm-overlay/')) bundle.set(res.url(), { status: res.status(), headers: await res.allHeaders() });
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.push(msg.text());
  });
  page.on('pageerror', (err) => console.push(String(err)));
  return { bundle, console };
}

describe('embedding from another origin of the same site', () => {
  let shop;
  let server;
  let browser;

  before(async () => {
    [shop, browser] = await Promise.all([startShop(), launchBrowser()]);
    server = await startServer({ args: ['--allowed-origins', shop.origin, '--base-sites', 'electronics,apparel'] });
    assert.notEqual(shop.origin, server.origin, 'two origins');
    shop.csp = [
      "default-src 'self'",
      `script-src 'self' ${server.origin} 'wasm-unsafe-eval'`,
      `connect-src 'self' ${server.origin}`,
      "style-src 'self' 'unsafe-inline'",
      "object-src 'none'",
      "base-uri 'none'",
    ].join('; ');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await shop?.close();
  });

  it('loads the bundle with CORS and runs sign-in, search, emulation, navigation and End Session', async () => {
    shop.page = () => shopPage({
      title: 'Other-origin shop',
      tag: `<script type="module" src="${server.url}/asm-overlay/asm-loader.js" data-asm-api="${server.url}/asm" data-base-site="electronics"></script>`,
    });
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const seen = record(page);
      await page.goto(`${shop.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      await waitForEvent(page, 'asm:ready');

      // The bundle came from the middleware's origin, with CORS for the shop and the CDN headers.
      const urls = [...seen.bundle.keys()];
      const loader = seen.bundle.get(`${server.url}/asm-overlay/asm-loader.js`);
      const glueUrl = urls.find((u) => HASHED_GLUE.test(u));
      const wasmUrl = urls.find((u) => HASHED_WASM.test(u));
      assert.ok(loader && glueUrl && wasmUrl, `loader, hashed glue and hashed wasm fetched: ${urls.join(', ')}`);
      for (const [url, { status, headers }] of [[`${server.url}/asm-overlay/asm-loader.js`, loader], [glueUrl, seen.bundle.get(glueUrl)], [wasmUrl, seen.bundle.get(wasmUrl)]]) {
        assert.equal(status, 200, url);
        assert.equal(headers['access-control-allow-origin'], shop.origin, `${url}: CORS for the shop`);
        assert.match(headers.vary ?? '', /origin/i, `${url}: Vary: Origin`);
        assert.match(headers.vary ?? '', /accept-encoding/i, `${url}: Vary: Accept-Encoding`);
        assert.ok(['br', 'gzip'].includes(headers['content-encoding']), `${url}: compressed, got ${headers['content-encoding']}`);
      }
      assert.equal(loader.headers['cache-control'], 'public, max-age=300');
      const wasm = seen.bundle.get(wasmUrl).headers;
      assert.equal(wasm['content-type'], 'application/wasm', 'streaming compilation needs application/wasm');
      assert.equal(wasm['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(seen.bundle.get(glueUrl).headers['cache-control'], 'public, max-age=31536000, immutable');
      // (A 401 of the first `GET /agents/me`, before sign-in, is the one expected failure.)
      const unexpected = () => seen.console.filter((m) => !/status of 401/.test(m));
      assert.deepEqual(unexpected(), [], 'no CORS, CSP or wasm (instantiateStreaming fallback) messages');

      // Sign in (CORS with credentials; the SameSite=Strict cookie is sent: same site).
      await signIn(page);
      const signedIn = await waitForEvent(page, 'asm:agent-signed-in');
      assert.equal(signedIn.detail.agentId, 'asagent');

      // Search and emulate.
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.filter({ hasText: LINDA.name }).first().click();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, LINDA.customerId);
      assert.ok(started.detail.sessionId, 'the event carries the session id');

      // The shop's own fetch with the agent's cookie, cross-origin with credentials.
      const me = await page.evaluate(async (api) => {
        const res = await fetch(`${api}/agents/me`, { credentials: 'include' });
        return { status: res.status, body: await res.json() };
      }, `${server.url}/asm`);
      assert.equal(me.status, 200);
      assert.equal(me.body.emulation?.customerId, LINDA.customerId);

      // Navigate the shop: the overlay comes back on the other page and restores the emulation.
      await Promise.all([page.waitForURL(`${shop.url}/cameras`), page.getByRole('link', { name: 'Cameras' }).click()]);
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      const restored = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(restored.detail.sessionId, started.detail.sessionId, 'the same emulation');
      assert.equal(await ui.signInForm(page).count(), 0, 'still signed in');

      // End Session.
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      const ended = await waitForEvent(page, 'asm:emulation-ended');
      assert.equal(ended.detail.customerId, LINDA.customerId);
      const afterEnd = await page.evaluate(async (api) => (await fetch(`${api}/agents/me`, { credentials: 'include' })).json(), `${server.url}/asm`);
      assert.equal(afterEnd.emulation ?? null, null, 'no emulation on the server');
      assert.deepEqual(unexpected(), [], 'no errors or warnings in the whole run');
    } finally {
      await closeContext(context, server);
    }
  });

  it('a tag with only data-base-site finds the API next to the loader and keeps the base site', async () => {
    shop.page = () => shopPage({
      title: 'Apparel shop',
      tag: `<script type="module" src="${server.url}/asm-overlay/asm-loader.js" data-base-site="apparel"></script>`,
    });
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const api = [];
      page.on('request', (req) => {
        if (req.url().startsWith(`${server.url}/asm/`)) api.push(req.url());
      });
      await page.goto(`${shop.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      await signIn(page);
      const results = await searchCustomers(page, 'linda', LINDA.name);
      const searches = api.filter((u) => u.includes('/asm/customers/search') || u.includes('/asm/customers/autocomplete'));
      assert.ok(searches.length > 0, `the search went to the middleware next to the loader: ${api.join(', ')}`);
      for (const u of searches) assert.equal(new URL(u).searchParams.get('baseSite'), 'apparel', u);
      await results.filter({ hasText: LINDA.name }).first().click();
      await ui.emulation(page).waitFor();
      const me = await page.evaluate(async (url) => (await fetch(url, { credentials: 'include' })).json(), `${server.url}/asm/agents/me`);
      assert.equal(me.emulation?.customerId, LINDA.customerId);
      assert.equal(me.emulation?.baseSite, 'apparel', 'the emulation is on the tag\'s base site');
    } finally {
      await closeContext(context, server);
    }
  });
});
