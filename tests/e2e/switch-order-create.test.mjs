// Search by order id, switching the emulated customer, and creating a customer, against the real
// middleware and demo storefront: a seeded order finds its customer and emulating them asks the
// store to open the order; a switch is confirmed naming both customers (Cancel keeps the first);
// a created customer is emulated at once and audited; a taken e-mail is refused under the field.
// It runs on both backends (ASM_E2E_COMMERCE): the facts that differ are in FIXTURES.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  COMMERCE,
  LINDA,
  MANAGER,
  REASON,
  closeContext,
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

/**
 * Runs `fn(request)` with a sales manager's own API session (signed out afterwards; a manager,
 * so that the agent's emulation under test is never touched).
 */
async function asManager(browser, server, fn) {
  const context = await newContext(browser);
  try {
    const login = await context.request.post(`${server.url}/asm/agents/login`, {
      headers: { 'X-ASM-Request': '1', Origin: server.origin },
      data: { username: MANAGER.username, password: MANAGER.password },
    });
    assert.equal(login.status(), 200, 'the manager signs in');
    return await fn(context.request);
  } finally {
    await closeContext(context, server);
  }
}

/**
 * What each backend's seed offers. `otherSearch`: the customer search (query string) that finds
 * a seeded customer other than Linda with orders, `isOther` picks them from its entries;
 * `cartSearch`: whether a cart number finds its customer.
 */
const FIXTURES = {
  // The demo shop (commerce/embedded/seed.rs): any seeded customer (`C` and digits) with orders
  // among the first 100; its search finds customers by cart number too.
  embedded: {
    otherSearch: 'pageSize=100',
    isOther: (e) => /^C\d+$/.test(e.customerId),
    cartSearch: true,
  },
  // The simulator (crates/sapcc-sim/src/model.rs): William Hunter placed order 00005003, and
  // SAP's customer search finds the customer of an order (§3.1 `orderId`). SAP's search knows
  // no cart number (§3.1), so the middleware refuses one.
  sapcc: {
    otherSearch: 'orderId=00005003&pageSize=20',
    isOther: (e) => e.uid === 'william.hunter@pronto-hw.com' && e.orderId === '00005003',
    cartSearch: false,
  },
};
const FIXTURE = FIXTURES[COMMERCE];

/** A seeded customer other than Linda who can be emulated and has orders, with an order code. */
async function customerWithOrder(browser, server) {
  return asManager(browser, server, async (request) => {
    const res = await request.get(`${server.url}/asm/customers/search?baseSite=electronics&${FIXTURE.otherSearch}`);
    assert.equal(res.status(), 200);
    const entry = (await res.json()).entries.find(
      (e) => e.customerId !== LINDA.customerId && e.hasOrder && !e.emulationBlocked && FIXTURE.isOther(e),
    );
    assert.ok(entry, 'the seed has a customer with orders');
    const detail = await request.get(`${server.url}/asm/customers/${entry.customerId}?baseSite=electronics`);
    assert.equal(detail.status(), 200);
    const orders = (await detail.json()).recentOrders;
    assert.ok(orders.length > 0, `${entry.customerId} has orders`);
    return { customerId: entry.customerId, name: entry.name, email: entry.uid, order: orders[0].code };
  });
}

const dialog = (page, id) => page.locator(`dialog#${id}`);
const createField = (page, name) => page.locator(`#asm-create-${name}`);

describe('switch customer, search by order id, create customer', () => {
  let server;
  let browser;
  let other;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    other = await customerWithOrder(browser, server);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a full order code finds the customer of that order; emulating them asks the store to open it', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);

      // An order nobody placed: said plainly, not an error.
      await ui.search(page).fill('39999999');
      await waitForText(page.locator('.asm-empty'), 'No order 39999999 found.');
      assert.equal(await ui.error(page).count(), 0, 'no error for an unknown order');

      // A real order: one row with the order and its customer.
      const [searchAnswer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/asm/customers/search') && r.url().includes(`orderId=${other.order}`)),
        ui.search(page).fill(other.order),
      ]);
      assert.equal(searchAnswer.status(), 200);
      const row = ui.results(page).filter({ hasText: `Order ${other.order}` });
      await row.waitFor();
      assert.equal(await ui.results(page).count(), 1);
      assert.equal(await row.locator('.asm-name').textContent(), other.name);
      assert.equal(await row.locator('.asm-email').textContent(), other.email);

      await ui.search(page).press('ArrowDown');
      // The overlay sends `asm:navigate {target: 'order'}` and the store opens that order (a new
      // page, on which the overlay restores the emulation).
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'order' && u.searchParams.get('code') === other.order);
      await ui.search(page).press('Enter');
      await opened;
      await waitForText(page.locator('#order-code'), `Order ${other.order}`);
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), other.name);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, other.customerId);
      await store.banner(page).waitFor();
      await waitForText(store.emulatedName(page), other.name);
      const me = await fetchMe(page);
      assert.equal(me.body.emulation.customerId, other.customerId, 'the server emulates the order\'s customer');
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a cart number finds its customer; emulating them opens that cart; a guest cart is said to be one', { skip: !FIXTURE.cartSearch && 'SAP cannot find a customer by cart number' }, async () => {
    const owner = await asManager(browser, server, async (request) => {
      const res = await request.get(`${server.url}/asm/customers/search?baseSite=electronics&pageSize=100`);
      const entry = (await res.json()).entries.find(
        (e) => e.customerId !== LINDA.customerId && e.lastCartId && !e.emulationBlocked && FIXTURE.isOther(e),
      );
      assert.ok(entry, 'the seed has a customer with an active cart');
      return entry;
    });
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);

      // A shopper's guest cart has no customer yet: the bar says so (bind it after emulating).
      await ui.search(page).fill('90000001');
      await waitForText(page.locator('.asm-empty'), 'This is a guest cart');

      const code = owner.lastCartId;
      await ui.search(page).fill(code);
      const row = ui.results(page).filter({ hasText: `Cart ${code}` });
      await row.waitFor();
      assert.equal(await row.locator('.asm-name').textContent(), owner.name);
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'cart');
      await row.click();
      await opened;
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), owner.name);
      await waitForText(store.cartStatus(page), `Cart ${code}:`);
      const me = await fetchMe(page);
      assert.equal(me.body.emulation.customerId, owner.customerId);
      assert.equal(me.body.emulation.cartId, code, 'the emulation is on that cart');
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });

  it('on SAP a cart number finds nobody, and the bar says SAP cannot search by cart number', { skip: FIXTURE.cartSearch && 'this backend finds customers by cart number' }, async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);
      // Linda's active cart in the simulator's seed: the order search finds nothing, nor may the cart.
      const cartSearch = page.waitForResponse((r) => r.url().includes('/asm/customers/search') && r.url().includes('cartId=00001001'));
      await ui.search(page).fill('00001001');
      const refused = await cartSearch;
      assert.equal(refused.status(), 400);
      assert.equal((await refused.json()).errors[0].subject, 'cartId');
      await waitForText(page.locator('.asm-empty'), 'No order 00001001 found.');
      await waitForText(page.locator('.asm-empty'), 'cannot find a customer by cart number');
      assert.equal(await ui.results(page).count(), 0);
      assert.equal(await ui.error(page).count(), 0, 'no error for a cart number');
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });

  it('switching from Linda names both customers; Cancel keeps Linda, Switch emulates the other', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const lindaRows = await searchCustomers(page, 'linda', LINDA.name);
      await lindaRows.filter({ hasText: LINDA.email }).first().click();
      await waitForText(store.emulatedName(page), LINDA.name);
      const lindaSession = (await fetchMe(page)).body.emulation.sessionId;

      const chooseOther = async () => {
        const switchButton = page.getByRole('button', { name: 'Switch customer', exact: true });
        if (await switchButton.count()) await switchButton.click();
        await ui.search(page).waitFor();
        await ui.reason(page).fill(REASON);
        await ui.search(page).fill(other.email);
        await ui.results(page).filter({ hasText: other.email }).first().waitFor();
        await page.locator('#asm-search-results:not(.asm-stale)').waitFor();
        await ui.results(page).filter({ hasText: other.email }).first().click();
        await dialog(page, 'asm-switch-dialog').waitFor();
      };

      // The search is focused when it opens; Cancel: nothing changes.
      await chooseOther();
      assert.equal(
        (await dialog(page, 'asm-switch-dialog').locator('.asm-switch-question').textContent()).trim(),
        `End the session with ${LINDA.name} and start one with ${other.name}?`,
      );
      await dialog(page, 'asm-switch-dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
      await dialog(page, 'asm-switch-dialog').waitFor({ state: 'detached' });
      assert.equal(await ui.emulation(page).locator('.asm-customer .asm-name').textContent(), LINDA.name);
      assert.equal(await store.emulatedName(page).textContent(), LINDA.name);
      assert.equal((await fetchMe(page)).body.emulation.sessionId, lindaSession, 'Linda\'s session goes on');
      assert.equal((await events(page, 'asm:emulation-ended')).length, 0);

      // Escape cancels too (the platform's modal dialog).
      await ui.results(page).filter({ hasText: other.email }).first().click();
      await dialog(page, 'asm-switch-dialog').waitFor();
      await page.keyboard.press('Escape');
      await dialog(page, 'asm-switch-dialog').waitFor({ state: 'detached' });
      assert.equal((await fetchMe(page)).body.emulation.sessionId, lindaSession);

      // Switch: the server ends Linda's emulation and starts the other customer's.
      await ui.results(page).filter({ hasText: other.email }).first().click();
      await dialog(page, 'asm-switch-dialog').waitFor();
      await dialog(page, 'asm-switch-dialog').getByRole('button', { name: 'Switch', exact: true }).click();
      await waitForText(ui.emulation(page).locator('.asm-customer .asm-name'), other.name);
      await waitForText(store.emulatedName(page), other.name);
      const ended = await waitForEvent(page, 'asm:emulation-ended');
      assert.equal(ended.detail.customerId, LINDA.customerId);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, other.customerId);
      const me = await fetchMe(page);
      assert.equal(me.body.emulation.customerId, other.customerId);
      assert.notEqual(me.body.emulation.sessionId, lindaSession);
      assert.equal(await ui.search(page).count(), 0, 'the switch search closed');
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a created customer is emulated at once and audited; a taken e-mail is refused under the e-mail field', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await openSignIn(page, server);
      await signIn(page, AGENT);

      // A taken e-mail (Linda's, in other letters' case): the server's message under the field.
      const create = page.getByRole('button', { name: 'Create customer', exact: true });
      await create.click();
      const form = dialog(page, 'asm-create-dialog');
      await form.waitFor();
      assert.equal(await page.evaluate(() => document.getElementById('asm-overlay-host').shadowRoot.activeElement?.id), 'asm-create-first-name');
      assert.equal(await createField(page, 'reason').inputValue(), REASON, 'the reason given in the search');
      await form.getByLabel('First name', { exact: true }).fill('Linda');
      await form.getByLabel('Last name', { exact: true }).fill('Wolf');
      const takenEmail = LINDA.email.replace(/^linda\.wolf/, 'Linda.Wolf');
      assert.notEqual(takenEmail, LINDA.email);
      await form.getByLabel('E-mail', { exact: true }).fill(takenEmail);
      await form.getByRole('button', { name: 'Create and emulate' }).click();
      await waitForText(page.locator('#asm-create-email-error'), 'already exists');
      assert.equal(await page.locator('.asm-field-error').count(), 1);
      assert.equal(await ui.emulation(page).count(), 0);
      assert.equal((await events(page, 'asm:customer-created')).length, 0);
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });

      // A new customer.
      const email = `e2e.${Date.now()}@example.com`;
      await create.click();
      await form.waitFor();
      await form.getByLabel('First name', { exact: true }).fill('Erika');
      await form.getByLabel('Last name', { exact: true }).fill('Mustermann');
      await form.getByLabel('E-mail', { exact: true }).fill(email);
      await form.getByRole('button', { name: 'Create and emulate' }).click();
      const created = await waitForEvent(page, 'asm:customer-created');
      assert.equal(created.detail.name, 'Erika Mustermann');
      assert.equal(created.detail.email, email);
      assert.ok(created.detail.customerId);
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-customer .asm-name'), 'Erika Mustermann');
      await form.waitFor({ state: 'detached' });
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.customerId, created.detail.customerId);
      await waitForText(store.emulatedName(page), 'Erika Mustermann');
      const me = await fetchMe(page);
      assert.equal(me.body.emulation.customerId, created.detail.customerId);

      // The server wrote the creation, by this agent, into the audit log.
      const audit = await asManager(browser, server, async (request) => {
        const res = await request.get(`${server.url}/asm/audit?customerId=${created.detail.customerId}&pageSize=100`);
        assert.equal(res.status(), 200);
        return (await res.json()).entries;
      });
      const actions = audit.map((r) => r.action);
      assert.ok(actions.includes('customer-created'), `audit: ${actions.join(', ')}`);
      assert.ok(actions.includes('emulation-start'), `audit: ${actions.join(', ')}`);
      assert.equal(audit.find((r) => r.action === 'customer-created').agentId, AGENT.username);
      // The new customer is found by search at once.
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      const rows = await searchCustomers(page, email);
      assert.equal(await rows.count(), 1);
      assert.deepEqual(pageErrors, []);
    } finally {
      await closeContext(context, server);
    }
  });
});
