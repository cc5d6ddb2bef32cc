// The agent's flow on SAP Commerce: the middleware on the SAP simulator (`--commerce sapcc`,
// crates/sapcc-sim, written to SAP-CONTRACT.md), driven through the overlay on the demo
// storefront — sign in with SAP's password grant, search, emulate, the customer's SAP cart in
// the store, Customer 360° with a coupon applied at SAP, bind an anonymous SAP cart, sign out;
// and SAP answering garbage or too slowly shown in the bar with a Retry that works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSapServer, startSim } from './server.mjs';
import {
  closeContext,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const SAP_AGENT = { username: 'asagent', password: 'pw4all', name: 'asagent' };
const LINDA = { customerId: '8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601', name: 'Linda Wolf', email: 'linda.wolf@rustic-hw.com' };
const AARON = { name: 'Aaron Customer', email: 'aaron.customer@hybris.com' };

describe('SAP Commerce backend', () => {
  let sim;
  let server;
  let browser;

  before(async () => {
    sim = await startSim();
    [server, browser] = await Promise.all([startSapServer(sim), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sim?.stop();
  });

  it('signs in at SAP, emulates Linda with her SAP cart, applies a coupon in Customer 360°, binds an anonymous cart, signs out', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, SAP_AGENT);
      await waitForText(ui.agent(page), SAP_AGENT.name);

      // Search SAP's customers and emulate Linda: her active SAP cart is the store's cart.
      const results = await searchCustomers(page, 'linda', LINDA.name);
      assert.ok((await results.first().textContent()).includes(LINDA.email));
      await results.first().click();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, LINDA.customerId);
      assert.equal(started.detail.cartId, '00001001');
      await store.banner(page).waitFor();
      await waitForText(store.cartStatus(page), 'Cart 00001001: 2 item(s)');

      // Customer 360°: the header from SAP, then SUMMER10 applied to her cart at SAP.
      await page.getByRole('button', { name: 'Customer 360°', exact: true }).click();
      await page.locator('dialog#asm-c360').waitFor();
      await waitForText(page.locator('.asm-c360-name'), LINDA.name);
      await waitForText(page.locator('.asm-c360-email'), LINDA.email);
      await page.locator('dialog#asm-c360').getByRole('tab', { name: 'Promotions', exact: true }).click();
      const summer = page.locator('.asm-c360-vouchers li[data-code="SUMMER10"]');
      await summer.getByRole('button', { name: 'Apply coupon SUMMER10' }).click();
      await waitForText(page.locator('.asm-success'), 'Coupon SUMMER10 applied');
      await summer.getByRole('button', { name: 'Remove coupon SUMMER10' }).waitFor();
      await page.keyboard.press('Escape');
      await page.goto(`${server.url}/?page=cart`);
      await page.locator('#cart-vouchers li[data-code="SUMMER10"]').waitFor({ state: 'attached' });

      // End the session; emulate Aaron and give him SAP's anonymous cart 00002001.
      await ui.endSessionButton(page).click();
      await ui.emulation(page).waitFor({ state: 'detached' });
      const aaron = await searchCustomers(page, 'aaron', AARON.name);
      await aaron.first().click();
      await waitForText(ui.emulation(page).locator('.asm-name'), AARON.name);
      await page.getByLabel('Cart number', { exact: true }).fill('00002001');
      await page.locator('#asm-bind-cart-button').click();
      await waitForText(page.locator('.asm-bind-cart-done'), `Cart 00002001 is now ${AARON.name}'s cart.`);
      await waitForText(store.cartStatus(page), 'Cart 00002001: 1 item(s)');

      // Sign out: the bar offers the sign-in again.
      await ui.signOutButton(page).click();
      await ui.signInForm(page).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });

  it('shows SAP answering garbage or too slowly in the bar, and Retry works once SAP is back', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, SAP_AGENT);
      for (const [mode, latency, words] of [['garbage', 0, /answered something unexpected/], ['none', 4000, /did not answer/]]) {
        await sim.faults(mode, latency);
        await ui.search(page).fill(mode === 'none' ? 'gi.sun' : 'linda');
        const error = page.locator('.asm-error').filter({ hasText: words });
        await error.waitFor({ timeout: 15_000 });
        await sim.faults('none', 0);
        await error.getByRole('button', { name: 'Retry', exact: true }).click();
        await ui.results(page).first().waitFor();
        assert.equal(await page.locator('.asm-error').count(), 0, 'the error is gone after Retry');
      }
    } finally {
      await sim.faults('none', 0).catch(() => {});
      await closeContext(context, server);
    }
  });
});
