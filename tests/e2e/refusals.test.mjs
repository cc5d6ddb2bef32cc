// Customers the server will not let an agent emulate: search results carry the reason, the overlay
// shows it before the click, and choosing them starts nothing, in the bar, the storefront or the
// server. (The server's own refusal is covered by the HTTP tests and the overlay's browser tests.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  SHOP,
  events,
  fetchMe,
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

const CASES = [
  {
    what: 'a disabled customer',
    ...SHOP.disabled,
    message: 'Account disabled: cannot be emulated',
  },
  {
    what: 'a customer without consent',
    ...SHOP.noConsent,
    // SAP Commerce has no consent to assisted service.
    skip: SHOP.noConsent ? false : 'the backend has no consent to assisted service',
    message: 'No consent to assisted service: cannot be emulated',
  },
];

describe('refused emulation', () => {
  let server;
  let browser;
  let context;
  let page;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    context = await newContext(browser);
    page = await context.newPage();
    await openSignIn(page, server);
    await signIn(page, AGENT);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const c of CASES) {
    it(`shows why ${c.what} cannot be emulated, before and after the click, and starts nothing`, { skip: c.skip }, async () => {
      const emulationRequests = [];
      const onResponse = (res) => {
        if (res.url().endsWith('/asm/sessions') && res.request().method() === 'POST') emulationRequests.push(res.status());
      };
      page.on('response', onResponse);
      try {
        const results = await searchCustomers(page, c.query);
        const target = results.filter({ hasText: c.name });
        await waitForText(target, c.name);
        assert.equal(await target.first().getAttribute('aria-disabled'), 'true');
        assert.equal(await target.first().locator('.asm-blocked').textContent(), c.message);
        await target.first().click({ force: true });

        const message = await waitForText(page.locator('.asm-search .asm-error'), c.message);
        assert.ok(message.includes(`${c.name}: ${c.message}`), `the reason is shown: ${message}`);
        assert.equal(await ui.emulation(page).count(), 0, 'no emulation panel');
        assert.equal(await ui.search(page).isVisible(), true, 'still on the customer search');
        assert.equal(await store.banner(page).isHidden(), true, 'no storefront banner');
        assert.equal(await store.shopper(page).textContent(), 'Guest');
        assert.equal((await events(page, 'asm:emulation-started')).length, 0, 'no asm:emulation-started');
        const me = await fetchMe(page);
        assert.equal(me.status, 200, 'the agent is still signed in');
        assert.equal(me.body.emulation ?? null, null, 'no emulation on the server');
        assert.deepEqual(emulationRequests, [], 'no emulation request was sent');
      } finally {
        page.off('response', onResponse);
      }
    });
  }

  it('can still emulate an allowed customer afterwards (the error clears)', async () => {
    await searchCustomers(page, 'linda');
    await ui.results(page).first().click();
    await ui.emulation(page).waitFor();
    const started = await waitForEvent(page, 'asm:emulation-started');
    assert.equal(started.detail.customerId, LINDA.customerId);
    await store.banner(page).waitFor();
    assert.equal(await ui.error(page).count(), 0, 'no error left over');
  });
});
