// The demo storefront behind the ASM bar: an anonymous shopper's cart (with the cart number the
// shopper reads to the agent), and the store acting as the emulated customer: cart, vouchers,
// profile, coupons, order history, checkout refused for a plain agent and placed by a sales
// manager; the audit log agrees with what the test did.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  emulateLinda,
  LINDA,
  MANAGER,
  SHOP,
  closeContext,
  launchBrowser,
  newContext,
  store,
  ui,
  waitForText,
} from './helpers.mjs';

const CART_STATUS = /^Cart (\d{8}): (\d+) item\(s\)$/;

/** The store keeps the shopper's anonymous cart `code`: by that number, or by SAP's guid. */
async function assertKept(page, code) {
  const handle = await page.evaluate(() => localStorage.getItem('demo-store-cart'));
  if (SHOP.guestCart.keptByCode) assert.equal(handle, code);
  else assert.ok(handle && handle !== code, `kept by its guid, not the number ${code}: ${handle}`);
}
const REFUSED = 'Only sales managers may place orders for a customer. Nothing was ordered.';

/** Cents of a formatted price such as `$1,234.50` or `−$3.00`. */
function cents(text) {
  const m = /(-|−)?\$([\d,]+)\.(\d\d)/.exec(text);
  assert.ok(m, `a price in ${JSON.stringify(text)}`);
  return Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]);
}

/** Clicks a same-origin storefront link and waits for the new page's view. */
async function follow(page, locator, url) {
  await Promise.all([page.waitForURL(url), locator.click()]);
}

const nav = (page, name) => page.locator('.store-nav').getByRole('link', { name, exact: true });

/** Signs `who` in through the overlay and emulates Linda; returns the emulation-started detail. */

/** A product that is not in `cart` (from the public catalogue). */
async function productNotIn(page, cart) {
  const { products } = await page.evaluate(() => fetch('/asm/products').then((r) => r.json()));
  const inCart = new Set((cart?.entries ?? []).map((e) => e.productCode));
  const product = products.find((p) => !inCart.has(p.code));
  assert.ok(product, 'a product not in the cart');
  return product;
}

/** Opens the product list, then the product's page, and adds `quantity` of it to the cart. */
async function addFromProductPage(page, product, quantity) {
  await follow(page, nav(page, 'Cameras'), /\?page=cameras$/);
  await follow(page, page.locator(`#product-list li[data-code="${product.code}"] a`), /\?page=product&code=/);
  await waitForText(page.locator('#view-title'), product.name);
  await page.locator('#quantity').fill(String(quantity));
  await page.locator('#add-to-cart').click();
  await waitForText(page.locator('#store-notice'), `Added ${quantity} × ${product.name} to cart`);
}

/** Audit records about Linda (newest first), read with a sales manager's own session. */
async function lindaAudit(browser, server) {
  const context = await newContext(browser);
  try {
    const headers = { 'X-ASM-Request': '1', Origin: server.origin };
    const login = await context.request.post(`${server.url}/asm/agents/login`, {
      headers,
      data: { username: MANAGER.username, password: MANAGER.password },
    });
    assert.equal(login.status(), 200, 'the manager signs in');
    const res = await context.request.get(`${server.url}/asm/audit?customerId=${LINDA.customerId}&pageSize=100`);
    assert.equal(res.status(), 200);
    return (await res.json()).entries;
  } finally {
    await closeContext(context, server);
  }
}

describe('demo storefront', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an anonymous shopper fills a numbered cart that survives a reload', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      await page.goto(`${server.url}/`);
      await page.locator('#product-list li').first().waitFor();
      assert.equal(await store.shopper(page).textContent(), 'Guest');
      await waitForText(store.cartStatus(page), 'Your cart is empty.');

      // Product list → product page → add 2 to the cart.
      const product = await productNotIn(page, null);
      await addFromProductPage(page, product, 2);
      const status = await waitForText(store.cartStatus(page), CART_STATUS);
      const [, code, items] = CART_STATUS.exec(status);
      assert.equal(items, '2');
      assert.ok(Number(code) > SHOP.guestCart.after, `a new cart after the seeded anonymous ones: ${code}`);
      await assertKept(page, code);
      await waitForText(page.locator('#nav-cart'), 'Cart (2)');

      // The cart page shows the cart number the shopper reads to the agent.
      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      await waitForText(page.locator('#cart-number'), `Cart number ${code}`);
      const row = page.locator(`.cart-entry[data-product="${product.code}"]`);
      assert.equal(await row.locator('input.qty').inputValue(), '2');
      assert.equal(cents(await row.locator('.entry-total').textContent()), 2 * product.price.valueCents);
      assert.equal(await page.locator('#voucher-code').count(), 1, 'a shopper can type a voucher code too');

      // Change the quantity.
      await row.locator('input.qty').fill('3');
      await row.getByRole('button', { name: 'Update' }).click();
      await waitForText(store.cartStatus(page), `Cart ${code}: 3 item(s)`);
      assert.equal(cents(await row.locator('.entry-total').textContent()), 3 * product.price.valueCents);
      assert.equal(cents(await page.locator('#cart-subtotal').textContent()), 3 * product.price.valueCents);

      // A reload keeps the cart (its number is in localStorage, its content on the server).
      await page.reload();
      await waitForText(page.locator('#cart-number'), `Cart number ${code}`);
      assert.equal(await row.locator('input.qty').inputValue(), '3');
      await waitForText(store.cartStatus(page), `Cart ${code}: 3 item(s)`);

      // Checkout needs a customer.
      await follow(page, page.locator('#to-checkout'), /\?page=checkout$/);
      await waitForText(page.locator('#view-body'), 'To sign in and check out');
      assert.equal(await page.locator('#place-order').count(), 0);

      // Remove the line: the cart is empty, on the server too.
      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      await row.getByRole('button', { name: `Remove ${product.name}` }).click();
      await page.locator('#cart-empty').waitFor();
      await waitForText(store.cartStatus(page), 'Your cart is empty.');
      const onServer = await page.evaluate(() => fetch(`/store/carts/${localStorage.getItem('demo-store-cart')}`).then((r) => r.json()));
      assert.equal(onServer.code, code);
      assert.deepEqual(onServer.entries, []);

      // Orders, account and coupons need a customer too.
      for (const [name, text] of [['Orders', 'To sign in and see your orders'], ['My account', 'To sign in and see your account'], ['My coupons', 'To sign in and see your coupons']]) {
        await follow(page, nav(page, name), /\?page=/);
        await waitForText(page.locator('#view-body'), text);
      }
      assert.deepEqual(pageErrors, [], 'no uncaught page errors');
    } finally {
      await context.close();
    }
  });

  it('a cart bound to a customer by an agent is forgotten and the next product starts a new cart', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?page=cameras`);
      await page.locator('#product-list li').first().waitFor();
      const product = await productNotIn(page, null);
      await addFromProductPage(page, product, 1);
      const [, code] = CART_STATUS.exec(await waitForText(store.cartStatus(page), CART_STATUS));
      // The shopper reads the number to an agent, who binds the cart to Linda (here through the API).
      const agent = await newContext(browser);
      const headers = { 'X-ASM-Request': '1', Origin: server.origin };
      const bind = async (cartId) => {
        const res = await agent.request.post(`${server.url}/asm/bind-cart`, {
          headers,
          data: { customerId: LINDA.customerId, cartId, baseSite: 'electronics', replace: true },
        });
        assert.equal(res.status(), 200, await res.text());
      };
      try {
        const login = await agent.request.post(`${server.url}/asm/agents/login`, { headers, data: { username: AGENT.username, password: AGENT.password } });
        assert.equal(login.status(), 200);
        await bind(code);

        // Adding again from the same page: the bound cart answers 404, a new cart takes the product.
        await page.locator('#add-to-cart').click();
        const other = new RegExp(`^Cart (?!${code})(\\d{8}): 1 item\\(s\\)$`);
        const [, second] = other.exec(await waitForText(store.cartStatus(page), other));
        assert.notEqual(second, code, 'a new anonymous cart');
        await assertKept(page, second);

        // Bound while the shopper is away: the next page load forgets it.
        await bind(second);
        await page.reload();
        await waitForText(store.cartStatus(page), 'Your cart is empty.');
        assert.equal(await page.evaluate(() => localStorage.getItem('demo-store-cart')), null, 'the bound cart is forgotten');
      } finally {
        await closeContext(agent, server);
      }
    } finally {
      await context.close();
    }
  });

  it('an agent emulating Linda shops as her: cart, vouchers, profile, coupons, orders; checkout is refused', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const pageErrors = [];
      page.on('pageerror', (err) => pageErrors.push(err));
      const started = await emulateLinda(page, server, AGENT);
      assert.ok(started.cartId, 'Linda has a cart');
      assert.equal(await store.emulatedName(page).textContent(), LINDA.name);

      // Her cart, after a real navigation (the overlay restores itself; the store asks the server).
      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      await waitForText(page.locator('#cart-number'), `Cart number ${started.cartId}`);
      await waitForText(store.banner(page), `Shopping as ${LINDA.name}`);
      await ui.emulation(page).waitFor();
      const linesBefore = await page.locator('.cart-entry').count();
      assert.ok(linesBefore > 0, 'Linda has items in her cart');
      const totalBefore = cents(await page.locator('#cart-grand-total').textContent());
      const cart = await page.evaluate(
        (u) => fetch(`/asm/users/${u.customerId}/carts/${u.cartId}`, { credentials: 'include' }).then((r) => r.json()),
        { customerId: LINDA.customerId, cartId: started.cartId },
      );
      const [, , itemsBefore] = CART_STATUS.exec(await waitForText(store.cartStatus(page), CART_STATUS));

      // Add a product, change its quantity, remove it.
      const product = await productNotIn(page, cart);
      await addFromProductPage(page, product, 1);
      await waitForText(store.cartStatus(page), `Cart ${started.cartId}: ${Number(itemsBefore) + 1} item(s)`);
      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      const row = page.locator(`.cart-entry[data-product="${product.code}"]`);
      await row.waitFor();
      await row.locator('input.qty').fill('2');
      await row.getByRole('button', { name: 'Update' }).click();
      await waitForText(store.cartStatus(page), `Cart ${started.cartId}: ${Number(itemsBefore) + 2} item(s)`);
      assert.equal(await row.locator('input.qty').inputValue(), '2');
      await row.getByRole('button', { name: `Remove ${product.name}` }).click();
      await row.waitFor({ state: 'detached' });
      await waitForText(store.cartStatus(page), `Cart ${started.cartId}: ${itemsBefore} item(s)`);
      assert.equal(await page.locator('.cart-entry').count(), linesBefore);

      // Vouchers: a wrong code shows the server's message; the voucher lowers the total; removing it restores it.
      const voucher = SHOP.cartVoucher;
      await page.locator('#voucher-code').fill('NOPE');
      await page.locator('#apply-voucher').click();
      await waitForText(page.locator('#store-message'), SHOP.unknownVoucherMessage);
      await page.locator('#voucher-code').fill(voucher);
      await page.locator('#apply-voucher').click();
      await page.locator(`#cart-vouchers li[data-code="${voucher}"]`).waitFor();
      await waitForText(page.locator('#store-notice'), `Voucher ${voucher} applied.`);
      assert.equal(await page.locator('#store-message').isHidden(), true, 'the earlier error is gone');
      const withVoucher = cents(await page.locator('#cart-grand-total').textContent());
      assert.ok(withVoucher < totalBefore, `${voucher} lowers the total: ${withVoucher} < ${totalBefore}`);
      assert.ok(cents(await page.locator('#cart-discounts').textContent()) > 0);
      await page.getByRole('button', { name: `Remove voucher ${voucher}` }).click();
      await page.locator(`#cart-vouchers li[data-code="${voucher}"]`).waitFor({ state: 'detached' });
      assert.equal(cents(await page.locator('#cart-grand-total').textContent()), totalBefore);

      // Profile: the last name changes (and shows in the banner), the e-mail is read-only.
      await follow(page, nav(page, 'My account'), /\?page=account$/);
      const last = page.locator('#last-name');
      await last.waitFor();
      assert.equal(await last.inputValue(), 'Wolf');
      assert.equal(await page.locator('#first-name').inputValue(), 'Linda');
      assert.equal(await page.locator('#email').inputValue(), LINDA.email);
      assert.equal(await page.locator('#email').evaluate((e) => e.readOnly), true, 'the e-mail is read-only');
      await last.fill('Wolf-Smith');
      await page.locator('#save-profile').click();
      await waitForText(page.locator('#store-notice'), 'Your details were saved.');
      await waitForText(store.emulatedName(page), 'Linda Wolf-Smith');
      // The bar follows at once (the store calls asmOverlay.refresh()), without a reload.
      await waitForText(ui.emulation(page).locator('.asm-name'), 'Linda Wolf-Smith');
      await page.reload();
      await waitForText(store.emulatedName(page), 'Linda Wolf-Smith');
      await last.waitFor();
      assert.equal(await last.inputValue(), 'Wolf-Smith', 'saved on the server');
      // Put it back for the other tests.
      await last.fill('Wolf');
      await page.locator('#save-profile').click();
      await waitForText(store.emulatedName(page), LINDA.name);
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);

      // My coupons.
      await follow(page, nav(page, 'My coupons'), /\?page=coupons$/);
      await waitForText(page.locator(`#coupon-list li[data-code="${SHOP.assignedCoupon}"]`), SHOP.assignedCoupon);

      // Order history, then a checkout that a plain agent may not do.
      await follow(page, nav(page, 'Orders'), /\?page=orders$/);
      await page.locator('#order-list li').first().waitFor();
      const ordersBefore = await page.locator('#order-list li').evaluateAll((lis) => lis.map((li) => li.dataset.code));
      assert.ok(ordersBefore.length > 0, 'Linda has seeded orders');

      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      await follow(page, page.locator('#to-checkout'), /\?page=checkout$/);
      await page.locator('#place-order').click();
      await waitForText(page.locator('#store-message'), REFUSED);
      assert.equal(await page.locator('#order-confirmation').count(), 0, 'no confirmation');
      await follow(page, nav(page, 'Orders'), /\?page=orders$/);
      await page.locator('#order-list li').first().waitFor();
      const ordersAfter = await page.locator('#order-list li').evaluateAll((lis) => lis.map((li) => li.dataset.code));
      assert.deepEqual(ordersAfter, ordersBefore, 'nothing was ordered');
      await waitForText(store.cartStatus(page), `Cart ${started.cartId}: ${itemsBefore} item(s)`);

      // An order's details.
      const first = ordersBefore[0];
      await follow(page, page.locator(`#order-list li[data-code="${first}"] a`), /\?page=order&code=/);
      await waitForText(page.locator('#order-code'), `Order ${first}`);
      assert.ok((await page.locator('#order-lines li').count()) > 0, 'the order has lines');
      assert.match(await page.locator('#order-lines li').first().textContent(), /^\d+ × .+ — \$[\d,]+\.\d\d$/);
      assert.match(await page.locator('#order-total').textContent(), /^\$[\d,]+\.\d\d$/);
      assert.deepEqual(pageErrors, [], 'no uncaught page errors');

      // The server recorded what the agent did as Linda.
      const audit = (await lindaAudit(browser, server)).filter((r) => r.agentId === AGENT.username);
      const actions = new Set(audit.map((r) => r.action));
      for (const action of ['cart-entry-add', 'cart-entry-update', 'cart-entry-remove', 'voucher-apply', 'voucher-remove', 'profile-update', 'order-refused']) {
        assert.ok(actions.has(action), `audit has ${action}: ${[...actions].join(', ')}`);
      }
      const added = audit.find((r) => r.action === 'cart-entry-add');
      assert.ok(added.detail.includes(product.code), `the added product is recorded: ${added.detail}`);
      assert.ok(audit.some((r) => r.action === 'voucher-apply' && r.detail.includes(SHOP.cartVoucher)));
    } finally {
      await closeContext(context, server);
    }
  });

  it('a sales manager emulating Linda places her order', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const started = await emulateLinda(page, server, MANAGER);
      const cart = started.cartId
        ? await page.evaluate(
          (u) => fetch(`/asm/users/${u.customerId}/carts/${u.cartId}`, { credentials: 'include' }).then((r) => r.json()),
          { customerId: LINDA.customerId, cartId: started.cartId },
        )
        : null;
      const product = await productNotIn(page, cart);
      await addFromProductPage(page, product, 1);
      await follow(page, page.locator('#nav-cart'), /\?page=cart$/);
      await page.locator(`.cart-entry[data-product="${product.code}"]`).waitFor();
      const total = await page.locator('#cart-grand-total').textContent();

      await follow(page, page.locator('#to-checkout'), /\?page=checkout$/);
      await waitForText(page.locator('#checkout-total'), total);
      await page.locator('#place-order').click();
      const confirmation = await waitForText(page.locator('#order-confirmation'), /Order \d{8} was placed/);
      const [, code] = /Order (\d{8})/.exec(confirmation);
      assert.ok(confirmation.includes(total), `the confirmation shows the total ${total}: ${confirmation}`);
      await waitForText(store.cartStatus(page), `${LINDA.name}'s cart is empty.`);

      // The details: placed by the manager, with the product.
      await follow(page, page.getByRole('link', { name: 'See the order' }), /\?page=order&code=/);
      await waitForText(page.locator('#order-code'), `Order ${code}`);
      await waitForText(page.locator('#order-placed-by'), `Placed by ${MANAGER.username}`);
      await page.locator(`#order-lines li[data-product="${product.code}"]`).waitFor();
      assert.equal(await page.locator('#order-total').textContent(), total);

      // First in the history.
      await follow(page, nav(page, 'Orders'), /\?page=orders$/);
      await waitForText(page.locator('#order-list li').first(), `Order ${code}`);

      // And in Linda's activity (customer 360).
      const c360 = await page.evaluate(async (customerId) => {
        const res = await fetch(`/asm/customers/${customerId}/customer360?baseSite=electronics`, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': 'application/json', 'x-asm-request': '1' },
          body: JSON.stringify({ queries: [{ type: 'activity' }] }),
        });
        return { status: res.status, body: await res.json() };
      }, LINDA.customerId);
      assert.equal(c360.status, 200, JSON.stringify(c360.body));
      const activity = c360.body.fragments[0].data.entries;
      assert.ok(
        activity.some((e) => e.type === 'ORDER' && e.id === code),
        `the new order is in Linda's activity: ${JSON.stringify(activity)}`,
      );

      const audit = await lindaAudit(browser, server);
      const placed = audit.find((r) => r.action === 'order-place');
      assert.ok(placed, 'the order is audited');
      assert.equal(placed.agentId, MANAGER.username);
      assert.ok(placed.detail.includes(code), placed.detail);
    } finally {
      await closeContext(context, server);
    }
  });
});
