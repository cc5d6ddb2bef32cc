// The agent's flow on SAP Commerce: the middleware on the SAP simulator (`--commerce sapcc`,
// crates/sapcc-sim, written to SAP-CONTRACT.md), driven through the overlay on the demo
// storefront — sign in with SAP's password grant, search, emulate, the customer's SAP cart in
// the store, Customer 360° with a coupon applied at SAP, a shopper's guest cart (an anonymous
// cart at SAP) bound to a customer, sign out;
// and SAP answering garbage or too slowly shown in the bar with a Retry that works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort, startSapServer, startSim } from './server.mjs';
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

  it('signs in at SAP, emulates Linda with her SAP cart, applies a coupon in Customer 360°, binds a shopper\'s guest cart, signs out', async () => {
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

      // A shopper (another browser) fills a guest cart in the store: an anonymous cart at SAP,
      // kept by its guid, shown by its code.
      const shopperContext = await newContext(browser);
      let shopper;
      try {
        shopper = await shopperContext.newPage();
        shopper.on('pageerror', (err) => pageErrors.push(err));
        await shopper.goto(`${server.url}/?page=product&code=278688`);
        await waitForText(shopper.locator('#view-title'), 'PowerShot A480');
        await shopper.locator('#quantity').fill('2');
        await shopper.locator('#add-to-cart').click();
        const [, code] = /^Cart (\d{8}): 2 item\(s\)$/.exec(await waitForText(store.cartStatus(shopper), /^Cart \d{8}: 2 item\(s\)$/));
        const handle = await shopper.evaluate(() => localStorage.getItem('demo-store-cart'));
        assert.ok(handle && handle !== code, `the store keeps SAP's guid, not the code: ${handle}`);
        await shopper.reload();
        await waitForText(store.cartStatus(shopper), `Cart ${code}: 2 item(s)`);

        // End Linda's session; emulate Aaron and bind the shopper's cart by the number read out.
        await ui.endSessionButton(page).click();
        await ui.emulation(page).waitFor({ state: 'detached' });
        const aaron = await searchCustomers(page, 'aaron', AARON.name);
        await aaron.first().click();
        await waitForText(ui.emulation(page).locator('.asm-name'), AARON.name);
        await page.getByLabel('Cart number', { exact: true }).fill(code);
        await page.locator('#asm-bind-cart-button').click();
        await waitForText(page.locator('.asm-bind-cart-done'), `Cart ${code} is now ${AARON.name}'s cart.`);
        await waitForText(store.cartStatus(page), `Cart ${code}: 2 item(s)`);

        // The shopper's next page load forgets the cart that is Aaron's now.
        await shopper.reload();
        await waitForText(store.cartStatus(shopper), 'Your cart is empty.');
        assert.equal(await shopper.evaluate(() => localStorage.getItem('demo-store-cart')), null);
      } finally {
        await shopperContext.close();
      }

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

describe('SAP Commerce 2211-jdk21: agents sign in on SAP\'s own page (authorization code + PKCE)', () => {
  let sim;
  let server;
  let browser;

  before(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    sim = await startSim({ args: ['--auth', 'pkce', '--redirect-uri', `${publicUrl}/asm/agents/sso/callback`] });
    [server, browser] = await Promise.all([
      startSapServer(sim, { listen: `127.0.0.1:${port}`, args: ['--sapcc-auth', 'pkce', '--public-url', publicUrl] }),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await sim?.stop();
  });

  it('"Sign in with SAP Commerce" goes to SAP\'s page and back to the deep link, signed in with only the session cookie', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server, `/?asm=true&customerId=${LINDA.customerId}&ticketId=00000001`);
      // This line has no password grant: the bar offers SAP's page only.
      const sapButton = page.getByRole('button', { name: 'Sign in with SAP Commerce', exact: true });
      await sapButton.waitFor();
      assert.equal(await ui.username(page).count(), 0, 'no password form on 2211-jdk21');
      await sapButton.click();

      // SAP's hosted page refuses a wrong password itself; the agent tries again there.
      await page.waitForURL((u) => u.href.startsWith(`${sim.url}/authorizationserver/`));
      await page.getByLabel('Username').fill(SAP_AGENT.username);
      await page.getByLabel('Password').fill('not-it');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForText(page.locator('p.error[role=alert]'), 'Invalid username or password.');
      await page.getByLabel('Username').fill(SAP_AGENT.username);
      await page.getByLabel('Password').fill(SAP_AGENT.password);
      const started = page.waitForResponse((r) => r.url().endsWith('/asm/sessions') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();

      // Back on the storefront page, ASM on, signed in; the deep link goes on with the ticket.
      await page.waitForURL((u) => u.origin === server.origin);
      assert.equal(new URL(page.url()).searchParams.get('asm'), 'true', 'ASM stays on');
      await waitForText(ui.agent(page), SAP_AGENT.name);
      const res = await started;
      // (The store then opens the ticket's page: the answer's body is gone with the navigation.)
      assert.equal(res.status(), 201);
      assert.equal(res.request().postDataJSON().reason, 'Ticket 00000001');
      await waitForText(page.locator('#view-title'), 'Ticket 00000001');
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
      await waitForText(store.cartStatus(page), 'Cart 00001001: 2 item(s)');

      // Only the httpOnly session cookie at the middleware; SAP's tokens never reach the browser.
      const cookies = (await context.cookies(server.url)).filter((c) => c.value && c.name !== 'JSESSIONID');
      assert.deepEqual(cookies.map((c) => c.name), ['asm_session']);
      assert.equal(cookies[0].httpOnly, true);
      const readable = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
      assert.ok(!/access_token|refresh_token|Bearer/i.test(readable), `no token readable by the page: ${readable}`);

      // End the session and sign out: the bar offers SAP's page again.
      await ui.endSessionButton(page).click();
      await ui.emulation(page).waitFor({ state: 'detached' });
      await ui.signOutButton(page).click();
      await page.getByRole('button', { name: 'Sign in with SAP Commerce', exact: true }).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });
});
