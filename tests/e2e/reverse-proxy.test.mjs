// The guide's recommended set-up (docs/embedding.md, "Same origin"): a reverse proxy in front of
// the middleware serves the shop's own pages and routes /asm and /asm-overlay to the middleware,
// passing the Host header on. The page embeds the loader by a path of its own origin, under a
// policy that allows only 'self' (plus 'wasm-unsafe-eval'); the middleware has no
// --allowed-origins (the proxy is on a loopback address, whose Host counts as the middleware's own
// origin; a real deployment names its origin with --public-url). No CORS is involved, the cookie just works: sign in, search, emulate, End
// Session, every request to the shop's origin.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import { shopPage, startProxy } from './origins.mjs';
import {
  LINDA,
  launchBrowser,
  newContext,
  searchCustomers,
  signIn,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

describe('same origin through a reverse proxy', () => {
  let server;
  let proxy;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    const page = () => shopPage({
      title: 'Proxied shop',
      tag: '<script type="module" src="/asm-overlay/asm-loader.js" data-asm-api="/asm" data-base-site="electronics"></script>',
    });
    proxy = await startProxy(server.url, page, CSP);
    assert.notEqual(proxy.origin, server.origin);
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.stop();
  });

  it('runs sign-in, search, emulation and End Session on the shop origin alone', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const requests = [];
      const problems = [];
      page.on('request', (req) => requests.push(req.url()));
      page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
      page.on('pageerror', (err) => problems.push(String(err)));

      await page.goto(`${proxy.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      await signIn(page);
      await waitForEvent(page, 'asm:agent-signed-in');
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.filter({ hasText: LINDA.name }).first().click();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, LINDA.customerId);

      // A reload through the proxy keeps the session (the cookie is the shop origin's).
      await page.reload();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);

      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      const ended = await waitForEvent(page, 'asm:emulation-ended');
      assert.equal(ended.detail.customerId, LINDA.customerId);
      const me = await page.evaluate(async () => {
        const res = await fetch('/asm/agents/me');
        return { status: res.status, body: await res.json() };
      });
      assert.equal(me.status, 200, 'still signed in');
      assert.equal(me.body.agent.uid, 'asagent');
      assert.equal(me.body.emulation ?? null, null, 'no emulation on the server');

      const elsewhere = requests.filter((u) => new URL(u).origin !== proxy.origin);
      assert.deepEqual(elsewhere, [], 'the page talked to its own origin only');
      for (const path of ['/asm-overlay/asm-loader.js', '/asm/agents/login', '/asm/sessions']) {
        assert.ok(proxy.forwarded.some((p) => p.startsWith(path)), `${path} went through the proxy: ${proxy.forwarded.join(', ')}`);
      }
      assert.ok(proxy.forwarded.some((p) => /^\/asm-overlay\/asm-overlay-[0-9a-f]{16}_bg\.wasm$/.test(p)), 'the hashed wasm too');
      // (A 401 of the first `GET /agents/me`, before sign-in, is the one expected failure.)
      assert.deepEqual(problems.filter((m) => !/status of 401/.test(m)), [], 'no errors (CSP, CORS) in the console');
    } finally {
      await context.close();
    }
  });
});
