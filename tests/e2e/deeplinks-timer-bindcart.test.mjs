// Deep links, the session-timer warning with Extend, and bind cart, end to end on the demo store:
// a link opened signed out waits through the sign-in, starts the emulation and the store opens
// its target (order, cart, ticket); an unknown customer is refused; an anonymous shopper's cart is
// bound to Linda after the replace question and the store shows it; the server's refusals are
// shown; the last minute of the session warns and Extend renews it on the server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  SHOP,
  closeContext,
  eventually,
  events,
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

/** Linda's open ticket on each backend (the store opens its page). */
const TICKET = COMMERCE === 'sapcc' ? '00000001' : '00050001';

const CART_STATUS = /^Cart (\d{8}): (\d+) item\(s\)$/;

const link = {
  panel: (page) => page.locator('.asm-deep-link'),
  title: (page) => page.locator('.asm-deep-link-title'),
  reason: (page) => page.locator('#asm-link-reason'),
  start: (page) => page.getByRole('button', { name: 'Start', exact: true }),
  dismiss: (page) => page.getByRole('button', { name: 'Dismiss', exact: true }),
  error: (page) => page.locator('.asm-deep-link-error'),
};

const bind = {
  field: (page) => page.getByLabel('Cart number', { exact: true }),
  button: (page) => page.locator('#asm-bind-cart-button'),
  error: (page) => page.locator('.asm-bind-cart-error'),
  done: (page) => page.locator('.asm-bind-cart-done'),
  dialog: (page) => page.locator('dialog#asm-bind-conflict'),
  question: (page) => page.locator('.asm-bind-conflict-question'),
};

/** Signs in through the form only (a pending deep link replaces the customer search). */
async function signInOnly(page, who = AGENT) {
  await ui.username(page).fill(who.username);
  await ui.password(page).fill(who.password);
  await ui.signInButton(page).click();
  await ui.agent(page).waitFor();
}

/** Linda's customer summary (recent orders, active carts), read with an agent session of its own. */
async function lindaSummary(browser, server) {
  const context = await newContext(browser);
  try {
    const headers = { 'X-ASM-Request': '1', Origin: server.origin };
    const login = await context.request.post(`${server.url}/asm/agents/login`, {
      headers,
      data: { username: AGENT.username, password: AGENT.password },
    });
    assert.equal(login.status(), 200);
    const res = await context.request.get(`${server.url}/asm/customers/${LINDA.customerId}?baseSite=electronics`);
    assert.equal(res.status(), 200);
    const carts = await context.request.get(`${server.url}/asm/customers/${LINDA.customerId}/carts?baseSite=electronics`);
    assert.equal(carts.status(), 200);
    return { ...(await res.json()), carts: await carts.json() };
  } finally {
    await closeContext(context, server);
  }
}

/** Opens the store with a deep link, signed out; checks the note and that the address is cleaned. */
async function openLink(page, server, query, expectedTitle) {
  await openSignIn(page, server, `/?asm=true&${query}`);
  await waitForText(link.title(page), `After you sign in: open ${expectedTitle}`);
  await eventually(() => assert.equal(new URL(page.url()).search, '?asm=true', 'link parameters removed'));
}

describe('deep links and bind cart', () => {
  let server;
  let browser;
  let summary;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    summary = await lindaSummary(browser, server);
    assert.ok(summary.recentOrders.length > 0, 'Linda has orders');
    assert.ok(summary.carts.carts.some((c) => c.totalItems > 0), 'Linda has a cart with items');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an order link opened signed out: sign in, give the reason, the store opens the order', async () => {
    const order = summary.recentOrders[0].code;
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openLink(page, server, `customerId=${LINDA.customerId}&orderId=${order}`, `customer ${LINDA.customerId}, order ${order}`);
      await signInOnly(page);
      await waitForText(link.title(page), `Link: open customer ${LINDA.customerId}, order ${order}`);
      assert.equal(await ui.search(page).count(), 0, 'the link is the customer to find');
      assert.equal((await events(page, 'asm:emulation-started')).length, 0, 'nothing starts without a reason');

      await link.reason(page).fill('Caller asks about an order');
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'order' && u.searchParams.get('code') === order);
      await link.start(page).click();
      await opened;
      await waitForText(page.locator('#order-code'), `Order ${order}`);
      await waitForText(store.emulatedName(page), LINDA.name);
      await ui.emulation(page).waitFor();
      assert.equal(await link.panel(page).count(), 0, 'the link is used up');
      // A reload does not start anything again.
      await page.reload();
      await ui.emulation(page).waitFor();
      await waitForText(page.locator('#order-code'), `Order ${order}`);
      assert.equal(await link.panel(page).count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a ticket link starts at once after sign-in, with the ticket as reason', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openLink(page, server, `customerId=${LINDA.customerId}&ticketId=${TICKET}`, `customer ${LINDA.customerId}, ticket ${TICKET}`);
      const started = page.waitForResponse((r) => r.url().endsWith('/asm/sessions') && r.request().method() === 'POST');
      // The overlay asks the store to open the ticket (`asm:navigate`, target `ticket`): its page.
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'ticket' && u.searchParams.get('id') === TICKET);
      await signInOnly(page);
      const res = await started;
      assert.equal(res.status(), 201);
      assert.equal(res.request().postDataJSON().reason, `Ticket ${TICKET}`);
      await opened;
      await ui.emulation(page).waitFor();
      await waitForText(page.locator('#view-title'), `Ticket ${TICKET}`);
      await waitForText(store.emulatedName(page), LINDA.name);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a cart link starts the emulation on that cart and the store opens it', async () => {
    const cart = summary.carts.carts[0].code;
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openLink(page, server, `customerId=${LINDA.customerId}&cartId=${cart}&cartType=active`, `customer ${LINDA.customerId}, cart ${cart}`);
      await signInOnly(page);
      await link.reason(page).fill('Help with the cart');
      const started = page.waitForResponse((r) => r.url().endsWith('/asm/sessions') && r.request().method() === 'POST');
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'cart');
      await link.start(page).click();
      const res = await started;
      assert.equal(res.status(), 201);
      assert.equal(res.request().postDataJSON().cartId, cart);
      // The store navigates at once (the answer's body is gone with the old page): the restored
      // emulation on the new page says which cart it is on.
      await opened;
      assert.equal((await waitForEvent(page, 'asm:emulation-started')).detail.cartId, cart);
      await waitForText(page.locator('#cart-number'), `Cart number ${cart}`);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a link to an unknown customer is refused with the reason and dismissed', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openLink(page, server, 'customerId=C-NOBODY&orderId=00000001', 'customer C-NOBODY, order 00000001');
      await signInOnly(page);
      await link.reason(page).fill('Wrong link');
      await link.start(page).click();
      await waitForText(link.error(page), 'Cannot open the link for customer C-NOBODY:');
      assert.match(await link.error(page).textContent(), /not found/i);
      assert.equal(await link.start(page).count(), 0, 'it cannot be started again');
      assert.equal((await events(page, 'asm:navigate')).length, 0);
      assert.equal(await ui.emulation(page).count(), 0);
      await link.dismiss(page).click();
      await ui.search(page).waitFor();
      assert.equal(await link.panel(page).count(), 0);
      // Gone for the tab: a reload does not bring it back.
      await page.reload();
      await ui.search(page).waitFor();
      assert.equal(await link.panel(page).count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });

  it("binds a shopper's anonymous cart to Linda after the replace question; the store shows it", async () => {
    // The shopper, in a browser of their own, fills an anonymous cart and reads its number.
    const shopper = await newContext(browser);
    let code;
    try {
      const page = await shopper.newPage();
      const { products } = await (await shopper.request.get(`${server.url}/asm/products`)).json();
      await page.goto(`${server.url}/?page=product&code=${encodeURIComponent(products[0].code)}`);
      await page.locator('#quantity').fill('2');
      await page.locator('#add-to-cart').click();
      const status = await waitForText(store.cartStatus(page), CART_STATUS);
      [, code] = CART_STATUS.exec(status);
    } finally {
      await shopper.close();
    }

    const before = summary.carts.carts.find((c) => c.totalItems > 0);
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.first().click();
      await ui.emulation(page).waitFor();
      await store.banner(page).waitFor();
      await waitForText(store.cartStatus(page), CART_STATUS);

      // Her current cart has items: the agent is asked first.
      await bind.field(page).fill(code);
      await bind.button(page).click();
      await bind.dialog(page).waitFor();
      await waitForText(
        bind.question(page),
        `${LINDA.name}'s current cart has ${before.totalItems} item${before.totalItems === 1 ? '' : 's'}. Replace it with cart ${code}?`,
      );
      // Escape cancels: nothing bound, focus back on the button, the number kept.
      await page.keyboard.press('Escape');
      await bind.dialog(page).waitFor({ state: 'detached' });
      assert.equal(await page.evaluate(() => document.getElementById('asm-overlay-host').shadowRoot.activeElement?.id), 'asm-bind-cart-button');
      assert.equal(await bind.field(page).inputValue(), code);
      assert.equal((await events(page, 'asm:cart-bound')).length, 0);

      await bind.button(page).click();
      await bind.dialog(page).waitFor();
      const replaced = page.waitForResponse((r) => r.url().endsWith('/asm/bind-cart') && r.status() === 200);
      await page.getByRole('button', { name: 'Replace', exact: true }).click();
      const res = await replaced;
      assert.equal(res.request().postDataJSON().replace, true);
      await waitForText(bind.done(page), `Cart ${code} is now ${LINDA.name}'s cart.`);
      const bound = await waitForEvent(page, 'asm:cart-bound');
      assert.deepEqual(bound.detail, { customerId: LINDA.customerId, cartId: code });
      // The store shows the bound cart (2 items) as Linda's.
      await waitForText(store.cartStatus(page), `Cart ${code}: 2 item(s)`);
      // And it stays hers after a reload (the emulation's cart is the bound one).
      await page.reload();
      await waitForText(store.cartStatus(page), `Cart ${code}: 2 item(s)`);

      // Her old cart is a saved cart now: binding it is refused with the server's message.
      await bind.field(page).fill(before.code);
      await bind.button(page).click();
      await waitForText(bind.error(page), 'This cart already belongs to this customer.');
      assert.equal(await bind.field(page).inputValue(), before.code);

      // An unknown number.
      await bind.field(page).fill('99999999');
      await bind.field(page).press('Enter');
      if (!SHOP.bindChecksCartFirst) {
        // Asked first (her active cart has items); refused once the agent replaces.
        await bind.dialog(page).waitFor();
        await page.getByRole('button', { name: 'Replace', exact: true }).click();
      }
      await waitForText(bind.error(page), SHOP.unknownCartMessage('99999999'));
      assert.equal(await bind.field(page).inputValue(), '99999999');
      assert.equal((await events(page, 'asm:cart-bound')).length, 0, 'nothing bound since the reload');
    } finally {
      await closeContext(context, server);
    }
  });
});

describe('session timer warning', () => {
  const IDLE_SECONDS = 70;
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer({ idleTimeout: IDLE_SECONDS }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('warns in the last minute and Extend renews the server session', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.clock.install();
      await openSignIn(page, server);
      const login = page.waitForResponse((r) => r.url().endsWith('/asm/agents/login'));
      await signIn(page, AGENT);
      const firstExpiry = (await (await login).json()).expiresAt;
      assert.equal(await page.locator('.asm-timer-warning').count(), 0, 'no warning with more than a minute left');

      // Fifteen seconds later (page clock) less than a minute is left.
      await page.clock.fastForward(15_000);
      const warning = page.locator('.asm-timer-warning');
      await warning.waitFor();
      assert.equal(await warning.getAttribute('role'), 'alert');
      await waitForText(warning, 'less than a minute');
      assert.match(await ui.timer(page).textContent(), /^00:5\d$/);

      // Extend is the explicit renewal (an ordinary request within a second of the last write
      // does not move the server's expiry; this one, right after the sign-in, must).
      const renewed = page.waitForResponse((r) => r.url().endsWith('/asm/agents/me/session') && r.request().method() === 'POST');
      await page.getByRole('button', { name: 'Extend the ASM session' }).click();
      const me = await renewed;
      assert.equal(me.status(), 200);
      const body = await me.json();
      assert.ok(body.expiresAt > firstExpiry, `the server's expiry moved: ${firstExpiry} → ${body.expiresAt}`);
      await warning.waitFor({ state: 'detached' });
      assert.match(await ui.timer(page).textContent(), /^01:(0\d|10)$/);
      // Still signed in, in the bar and on the server.
      await ui.search(page).waitFor();
      assert.equal(await ui.signOutButton(page).count(), 1);
      assert.equal((await events(page, 'asm:agent-signed-out')).length, 0);
    } finally {
      await closeContext(context, server);
    }
  });
});
