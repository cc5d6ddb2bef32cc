// The agent's whole day in one test: sign in, find Linda with the keyboard, emulate her (bar,
// storefront banner and her cart), survive a page reload, end the session, sign out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  closeContext,
  AGENT,
  LINDA,
  events,
  fetchMe,
  launchBrowser,
  newContext,
  openSignIn,
  signIn,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

describe('agent flow', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in, emulates a customer found with the keyboard, survives a reload, ends the session and signs out', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      assert.equal(await ui.signOutButton(page).count(), 0, 'no Sign Out before signing in');

      // Sign in.
      await signIn(page, AGENT);
      await waitForText(ui.agent(page), AGENT.name);
      const signedIn = await waitForEvent(page, 'asm:agent-signed-in');
      assert.deepEqual(signedIn.detail, { agentId: AGENT.username, name: AGENT.name });
      assert.match(await ui.timer(page).textContent(), /^\d\d:\d\d$/, 'session timer shows mm:ss');
      assert.equal(await ui.signInForm(page).count(), 0, 'the sign-in form is gone');

      // Search as you type; choose with ArrowDown + Enter.
      const search = ui.search(page);
      await search.fill('linda');
      const first = ui.results(page).first();
      await first.waitFor();
      await waitForText(first, LINDA.name);
      assert.ok((await first.textContent()).includes(LINDA.email));
      assert.equal(await search.getAttribute('aria-expanded'), 'true');
      await search.press('ArrowDown');
      await page.locator('.asm-result.asm-active').waitFor();
      assert.equal(await first.getAttribute('aria-selected'), 'true', 'ArrowDown highlights the first result');
      // A grid row: the highlighted cell is the customer (the 360° button is the next cell).
      assert.equal(await search.getAttribute('aria-activedescendant'), await first.locator('[role=gridcell]').first().getAttribute('id'));
      await search.press('Enter');

      // Emulating: the bar, the host event, the storefront banner and Linda's cart.
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      await waitForText(ui.emulation(page).locator('.asm-email'), LINDA.email);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, LINDA.customerId);
      assert.equal(started.detail.name, LINDA.name);
      assert.equal(started.detail.email, LINDA.email);
      assert.ok(started.detail.sessionId, 'event carries the session id');
      assert.ok(started.detail.cartId, 'Linda has a cart: the event carries its id');
      await store.banner(page).waitFor();
      assert.equal(await store.emulatedName(page).textContent(), LINDA.name);
      assert.match(await store.banner(page).innerText(), /Shopping as Linda Wolf/);
      const cartStatus = await waitForText(store.cartStatus(page), /^Cart \S+: \d+ item\(s\)$/);
      assert.ok(cartStatus.includes(started.detail.cartId), `cart status names the emulated cart: ${cartStatus}`);
      assert.ok((await store.cartLines(page).count()) > 0, 'cart lines listed');
      assert.match(await store.cartTotal(page).textContent(), /^Total: /);
      assert.equal(await store.shopper(page).textContent(), LINDA.name);

      // Reload: the server remembers the agent and the emulation.
      await page.reload();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      await waitForText(ui.agent(page), AGENT.name);
      const restored = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(restored.detail.customerId, LINDA.customerId);
      assert.equal(restored.detail.sessionId, started.detail.sessionId, 'the same emulation session');
      await store.banner(page).waitFor();
      assert.equal(await store.emulatedName(page).textContent(), LINDA.name);
      await waitForText(store.cartStatus(page), started.detail.cartId);
      assert.equal(await ui.signInForm(page).count(), 0, 'no sign-in form after the reload');

      // End Session: back to the search, banner and cart gone.
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      await store.banner(page).waitFor({ state: 'hidden' });
      const ended = await waitForEvent(page, 'asm:emulation-ended');
      assert.equal(ended.detail.customerId, LINDA.customerId);
      assert.equal(await ui.emulation(page).count(), 0);
      assert.equal(await store.shopper(page).textContent(), 'Guest');
      assert.equal(await store.cartLines(page).count(), 0);
      const me = await fetchMe(page);
      assert.equal(me.status, 200, 'still signed in after ending the emulation');
      assert.equal(me.body.emulation ?? null, null, 'no emulation on the server');

      // Sign Out: back to the sign-in form; the server session is gone.
      await ui.signOutButton(page).click();
      await ui.signInForm(page).waitFor();
      await waitForEvent(page, 'asm:agent-signed-out');
      assert.equal(await ui.signOutButton(page).count(), 0);
      assert.equal(await ui.username(page).inputValue(), '', 'the form starts empty');
      assert.equal((await fetchMe(page)).status, 401);
      const cookie = (await context.cookies(server.url)).find((c) => c.name === 'asm_session');
      assert.ok(!cookie || cookie.value === '', 'the session cookie is cleared');

      // A reload after signing out shows the sign-in form again (ASM still on in this tab).
      await page.reload();
      await ui.signInForm(page).waitFor();
      assert.deepEqual((await events(page, 'asm:agent-signed-in')).length, 0);

      assert.deepEqual(pageErrors, [], 'no uncaught page errors');
    } finally {
      await closeContext(context, server);
    }
  });

  it('Hide collapses the bar body and Show brings it back, kept across a reload', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const hide = page.getByRole('button', { name: 'Hide', exact: true });
      await hide.click();
      await ui.search(page).waitFor({ state: 'detached' });
      const show = page.getByRole('button', { name: 'Show', exact: true });
      assert.equal(await show.getAttribute('aria-expanded'), 'false');
      await page.reload();
      await show.waitFor();
      await waitForText(ui.agent(page), AGENT.name);
      assert.equal(await ui.search(page).count(), 0, 'still collapsed after the reload');
      await show.click();
      await ui.search(page).waitFor();
      assert.equal(await hide.getAttribute('aria-expanded'), 'true');
    } finally {
      await closeContext(context, server);
    }
  });
});
