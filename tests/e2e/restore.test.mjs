// Issue 13 item 5: on every storefront navigation the overlay starts afresh and asks the server
// (`GET /asm/agents/me`) who is signed in. Until the answer it must show a neutral state, never
// the sign-in form: an agent emulating a customer must not see "Sign In" flash on each page.
//
// A MutationObserver, installed by an init script before any page script (so before the loader
// and the overlay), watches the overlay's shadow root from its first node and logs every state
// the bar shows: the sign-in form, "Loading…", the customer search, the emulation. The server's
// answers are held back a while, so that a sign-in form rendered before the answer could not
// escape the observer; a control navigation after a server-side sign-out proves the observer
// does see the form when it is shown.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  closeContext,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  signOutOnServer,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

/** How long each `GET /asm/agents/me` is held back (a slow network, or a busy server). */
const ME_DELAY_MS = 400;

/**
 * Init script: `window.__barStates`, the bar's states in the order they first appeared on this
 * page ('sign-in', 'loading', 'search', 'emulating'). Added nodes are inspected themselves
 * too, so a form added and removed again before the observer ran is still seen.
 */
function recordBarStates() {
  const states = (window.__barStates = []);
  const SELECTORS = [
    ['sign-in', 'form.asm-sign-in'],
    ['loading', '.asm-body > p.asm-muted[role=status]'],
    ['search', '#asm-customer-search'],
    ['emulating', '.asm-emulation'],
  ];
  const seen = (state) => { if (!states.includes(state)) states.push(state); };
  const inspect = (node) => {
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
    for (const [state, selector] of SELECTORS) {
      if (node.matches?.(selector) || node.querySelector(selector)) seen(state);
    }
  };
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function attachShadow(init) {
    const root = attach.call(this, init);
    new MutationObserver((records) => {
      for (const r of records) r.addedNodes.forEach(inspect);
      inspect(root);
    }).observe(root, { childList: true, subtree: true });
    return root;
  };
}

describe('restoring the bar on a storefront navigation', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('never shows the sign-in form while the server confirms the agent and the emulation', async () => {
    const context = await newContext(browser);
    try {
      await context.addInitScript(recordBarStates);
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.filter({ hasText: LINDA.name }).first().click();
      await ui.endSessionButton(page).waitFor();
      await store.banner(page).waitFor();

      // From now on the server takes its time to answer who is signed in.
      let held = 0;
      await context.route('**/asm/agents/me', async (route) => {
        held += 1;
        await new Promise((r) => setTimeout(r, ME_DELAY_MS));
        await route.continue();
      });

      const navigations = [
        ['a link in the storefront', () => page.locator('.store-nav a', { hasText: 'Cameras' }).click()],
        ['a reload', () => page.reload()],
        ['a new address typed in', () => page.goto(`${server.url}/?page=orders`)],
      ];
      for (const [how, navigate] of navigations) {
        const before = held;
        await Promise.all([page.waitForEvent('load'), navigate()]);
        await ui.endSessionButton(page).waitFor();
        await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
        await waitForText(ui.agent(page), AGENT.name);
        await waitForEvent(page, 'asm:emulation-started');
        assert.ok(held > before, `${how}: the overlay asked the server (held back) who is signed in`);
        const states = await page.evaluate(() => window.__barStates);
        assert.ok(!states.includes('sign-in'), `${how}: no sign-in form before the emulation was restored (states: ${states})`);
        assert.ok(!states.includes('search'), `${how}: no customer search before the emulation was restored (states: ${states})`);
        assert.deepEqual(states, ['loading', 'emulating'], `${how}: "Loading…", then the emulation`);
      }

      // Signed in without an emulation: the search comes back, still without the form.
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      await Promise.all([page.waitForEvent('load'), page.reload()]);
      await ui.search(page).waitFor();
      assert.deepEqual(await page.evaluate(() => window.__barStates), ['loading', 'search'], 'signed in: "Loading…", then the search');

      // Control: the observer does see the form when the bar shows it (the server says signed out).
      assert.ok(await signOutOnServer(context, server), 'the agent was signed in on the server');
      await Promise.all([page.waitForEvent('load'), page.reload()]);
      await ui.signInForm(page).waitFor();
      assert.deepEqual(await page.evaluate(() => window.__barStates), ['loading', 'sign-in'], 'signed out: "Loading…", then the form');

      assert.deepEqual(pageErrors, [], 'no uncaught page errors');
    } finally {
      await context.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
      await closeContext(context, server);
    }
  });
});
