// The page's JavaScript (the storefront, or a script injected into it) can never see the
// agent's session token: it lives only in an httpOnly cookie.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  closeContext,
  AGENT,
  LINDA,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  store,
  ui,
  waitForEvent,
} from './helpers.mjs';

/** Everything page JS can read that could hold a token. */
function readableByPage(page, token) {
  return page.evaluate((token) => {
    const dump = (s) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => [s.key(i), s.getItem(s.key(i))]));
    const host = document.getElementById('asm-overlay-host');
    return {
      cookie: document.cookie,
      local: dump(localStorage),
      session: dump(sessionStorage),
      html: document.documentElement.outerHTML + (host?.shadowRoot?.innerHTML ?? ''),
      events: JSON.stringify(window.__asmEvents),
      // Globals (own properties of window) whose value mentions the token.
      globals: Object.keys(window).filter((k) => {
        try {
          const v = window[k];
          return typeof v === 'string' ? v.includes(token) : JSON.stringify(v)?.includes(token);
        } catch {
          return false;
        }
      }),
    };
  }, token);
}

function assertNoToken(seen, token, where) {
  assert.ok(!seen.cookie.includes('asm_session'), `${where}: document.cookie has no asm_session (${seen.cookie})`);
  assert.ok(!seen.cookie.includes(token), `${where}: document.cookie has no token`);
  for (const [name, store] of [['localStorage', seen.local], ['sessionStorage', seen.session]]) {
    for (const [key, value] of Object.entries(store)) {
      assert.ok(!key.includes(token) && !String(value).includes(token), `${where}: ${name}[${key}] holds the token`);
    }
  }
  assert.ok(!seen.html.includes(token), `${where}: the token is not in the DOM`);
  assert.ok(!seen.events.includes(token), `${where}: the token is not in any host event`);
  assert.deepEqual(seen.globals, [], `${where}: no global holds the token`);
}

describe('session token', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is only in an httpOnly, SameSite cookie that page JS cannot read', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const loginResponse = page.waitForResponse((r) => r.url().endsWith('/asm/agents/login'));
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const login = await loginResponse;
      assert.equal(login.status(), 200);

      const cookies = await context.cookies(server.url);
      const cookie = cookies.find((c) => c.name === 'asm_session');
      assert.ok(cookie, `a session cookie is set: ${JSON.stringify(cookies.map((c) => c.name))}`);
      assert.ok(cookie.value.length >= 32, 'the token is a long random value');
      assert.equal(cookie.httpOnly, true, 'httpOnly');
      assert.equal(cookie.sameSite, 'Strict', 'SameSite=Strict');
      assert.equal(cookie.path, '/');
      const token = cookie.value;

      // The login answer's body does not carry the token either.
      assert.ok(!(await login.text()).includes(token), 'the login body does not contain the token');

      assertNoToken(await readableByPage(page, token), token, 'signed in');

      // Still true while emulating and after a reload (the overlay restores from the server).
      await searchCustomers(page, 'linda');
      await ui.results(page).first().click();
      await ui.emulation(page).waitFor();
      await store.banner(page).waitFor();
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, LINDA.customerId);
      assertNoToken(await readableByPage(page, token), token, 'emulating');

      await page.reload();
      await ui.emulation(page).waitFor();
      await waitForEvent(page, 'asm:emulation-started');
      assertNoToken(await readableByPage(page, token), token, 'after reload');

      // Page JS cannot overwrite the httpOnly cookie either.
      await page.evaluate(() => { document.cookie = 'asm_session=forged; path=/'; });
      const after = (await context.cookies(server.url)).filter((c) => c.name === 'asm_session');
      assert.deepEqual(after.map((c) => c.value), [token], 'the real cookie is unchanged and no forged one added');
    } finally {
      await closeContext(context, server);
    }
  });
});
