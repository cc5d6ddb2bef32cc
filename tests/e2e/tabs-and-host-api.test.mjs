// Two tabs of one browser (one context, two pages) stay in step: an emulation started, ended or a
// sign-out in one tab shows in the other within a second, and the message between the tabs
// carries no secret. And the host page's API: window.asmOverlay.state/subscribe/open/close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  closeContext,
  events,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  store,
  ui,
  waitForEvent,
} from './helpers.mjs';

/**
 * Waits for `locator` in the other tab and reports how long it took (the issue asks for "within
 * a second"; the tabs tell each other at once over a BroadcastChannel, then ask the server). The
 * wait itself uses the default timeout: no test depends on the machine's speed.
 */
async function followed(t, what, locator) {
  const started = Date.now();
  await locator.waitFor();
  t.diagnostic(`${what}: other tab followed in ${Date.now() - started} ms`);
}

describe('tabs of one browser', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('follow an emulation and a sign-out done in another tab, and the message carries no secret', async (t) => {
    const context = await newContext(browser);
    try {
      // Record what goes over the overlay's BroadcastChannel, as any script of the site could.
      await context.addInitScript(() => {
        window.__tabMessages = [];
        new BroadcastChannel('asm-overlay').onmessage = (e) => window.__tabMessages.push(e.data);
      });
      const one = await context.newPage();
      const two = await context.newPage();
      await openSignIn(one, server);
      await openSignIn(two, server);

      // Sign in in tab one: tab two follows.
      await signIn(one, AGENT);
      await followed(t, 'sign-in', ui.search(two));

      // Emulate Linda in tab one: tab two shows her, in the bar and in the storefront.
      await searchCustomers(one, 'linda');
      await ui.results(one).first().click();
      await ui.emulation(one).waitFor();
      await followed(t, 'emulation start', ui.emulation(two));
      assert.equal(await ui.emulation(two).locator('.asm-name').textContent(), LINDA.name);
      await store.banner(two).waitFor();

      // End the session in tab two: tab one is back on the customer search.
      await ui.endSessionButton(two).click();
      await ui.search(two).waitFor();
      await followed(t, 'emulation end', ui.search(one));
      assert.equal(await ui.emulation(one).count(), 0);
      const ended = await waitForEvent(one, 'asm:emulation-ended');
      assert.equal(ended.detail.customerId, LINDA.customerId);

      // Sign out in tab one: tab two shows the sign-in form and says why.
      await ui.signOutButton(one).click();
      await ui.signInForm(one).waitFor();
      await followed(t, 'sign-out', ui.signInForm(two));
      await ui.notice(two).waitFor();
      assert.match(await ui.notice(two).textContent(), /signed out in another tab/);
      assert.equal((await events(two, 'asm:agent-signed-out')).length, 1);

      // What went between the tabs: words only, no token, no customer data.
      const cookies = await context.cookies();
      const token = cookies.find((c) => c.name === 'asm_session')?.value;
      for (const page of [one, two]) {
        const messages = await page.evaluate(() => window.__tabMessages);
        assert.ok(messages.length > 0, 'the tabs talked');
        for (const m of messages) {
          assert.equal(typeof m, 'string');
          assert.match(m, /^(signed-in|signed-out|emulation-started|emulation-ended)$/);
          if (token) assert.ok(!m.includes(token));
          assert.ok(!m.includes(LINDA.customerId) && !m.includes(LINDA.email));
        }
      }
    } finally {
      await closeContext(context, server);
    }
  });
});

describe('window.asmOverlay, the host API', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens the overlay without ?asm=true, reports state to subscribers, and closes only when signed out', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(server.url + '/');
      await page.waitForFunction(() => window.asmOverlay?.version === 1);
      assert.deepEqual(await page.evaluate(() => window.asmOverlay.state()), {
        enabled: false,
        agent: null,
        emulation: null,
      });
      assert.equal(await ui.host(page).count(), 0, 'nothing mounted yet');
      await page.evaluate(() => {
        window.__states = [];
        window.asmOverlay.subscribe((s) => window.__states.push(s));
      });

      // open(): loads and mounts the overlay; ASM is now on in this tab.
      await page.evaluate(() => window.asmOverlay.open());
      await ui.signInForm(page).waitFor();
      assert.equal((await page.evaluate(() => window.asmOverlay.state())).enabled, true);

      await signIn(page, AGENT);
      await searchCustomers(page, 'linda');
      await ui.results(page).first().click();
      await ui.emulation(page).waitFor();
      const state = await page.evaluate(() => window.asmOverlay.state());
      assert.equal(state.agent.agentId, AGENT.username);
      assert.equal(state.emulation.customerId, LINDA.customerId);
      assert.equal(state.emulation.name, LINDA.name);
      const seen = await page.evaluate(() => window.__states.map((s) => [s.agent?.agentId ?? null, s.emulation?.customerId ?? null]));
      assert.deepEqual(seen[0], [null, null], 'called at once on subscribe');
      assert.ok(seen.some(([a, e]) => a === AGENT.username && e === null), 'told about the sign-in');
      assert.deepEqual(seen[seen.length - 1], [AGENT.username, LINDA.customerId], 'told about the emulation');

      // close() is ignored while an agent is signed in.
      await page.evaluate(() => window.asmOverlay.close());
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      assert.equal(await ui.host(page).count(), 1, 'still there while signed in');

      // A collapsed bar comes back with open().
      await page.getByRole('button', { name: 'Hide' }).click();
      await ui.emulation(page).waitFor({ state: 'detached' });
      await page.evaluate(() => window.asmOverlay.open());
      await ui.emulation(page).waitFor();

      // Signed out, close() removes the overlay and turns ASM off for the tab.
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      await ui.signOutButton(page).click();
      await ui.signInForm(page).waitFor();
      await page.evaluate(() => window.asmOverlay.close());
      await ui.host(page).waitFor({ state: 'detached' });
      assert.deepEqual(await page.evaluate(() => window.asmOverlay.state()), {
        enabled: false,
        agent: null,
        emulation: null,
      });
      await waitForEvent(page, 'asm:closed');
      // Off after a reload too.
      await page.reload();
      await page.waitForFunction(() => window.asmOverlay?.version === 1);
      assert.equal(await ui.host(page).count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });
});
