// Customer 360° on the demo storefront, against the real middleware: the agent emulating Linda
// opens the view from the bar, walks the tabs, applies and removes a cart coupon (the store's
// cart total follows), assigns a customer coupon (it shows in Linda's "My coupons") and opens an
// order of her activity in the storefront.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  LINDA,
  emulateLinda,
  SHOP,
  closeContext,
  launchBrowser,
  newContext,
  store,
  waitForText,
} from './helpers.mjs';

/** Cents of a formatted price such as `$1,234.50`. */
function cents(text) {
  const m = /\$([\d,]+)\.(\d\d)/.exec(text);
  assert.ok(m, `a price in ${JSON.stringify(text)}`);
  return Number(m[1].replaceAll(',', '')) * 100 + Number(m[2]);
}

const c360 = {
  open: (page) => page.getByRole('button', { name: 'Customer 360°', exact: true }),
  dialog: (page) => page.locator('dialog#asm-c360'),
  tab: (page, name) => page.locator('dialog#asm-c360').getByRole('tab', { name, exact: true }),
  panel: (page) => page.locator('#asm-c360-panel'),
};


/** Puts a product into Linda's active cart through the API the storefront uses. */
async function ensureCartHasItems(page, cartId) {
  const status = await page.evaluate(async ({ customerId, cartId }) => {
    const { products } = await fetch('/asm/products').then((r) => r.json());
    const res = await fetch(`/asm/users/${customerId}/carts/${cartId}/entries`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'content-type': 'application/json', 'x-asm-request': '1' },
      body: JSON.stringify({ productCode: products[0].code, quantity: 2 }),
    });
    return res.status;
  }, { customerId: LINDA.customerId, cartId });
  assert.ok(status < 300, `added to the cart: ${status}`);
}

describe('customer 360', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows Linda in one place; a coupon applied from it changes the store cart; an assigned coupon is in her account', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const started = await emulateLinda(page, server);
      assert.ok(started.cartId, 'Linda has an active cart');
      await ensureCartHasItems(page, started.cartId);
      await page.goto(`${server.url}/?page=cart`);
      await page.locator('#cart-grand-total').waitFor();
      const before = cents(await page.locator('#cart-grand-total').textContent());

      // Open from the bar: header and overview.
      await c360.open(page).click();
      await c360.dialog(page).waitFor();
      await waitForText(page.locator('.asm-c360-name'), LINDA.name);
      await waitForText(page.locator('.asm-c360-email'), LINDA.email);
      await waitForText(page.locator('.asm-c360-active-cart'), new RegExp(`^${started.cartId} · `));
      await waitForText(c360.panel(page), /Active cart/);

      // Every tab answers (data or "none"), never an error.
      for (const [tab, text] of [['Profile', /Billing address/], ['Activity', /Type/], ['Feedback', /Support tickets/],
        ['Store locations', /Stores near the customer/], ['Promotions', new RegExp(SHOP.cartVoucher)]]) {
        await c360.tab(page, tab).click();
        await waitForText(c360.panel(page), text);
        assert.equal(await c360.panel(page).locator('.asm-error').count(), 0, `${tab} has no error`);
      }
      // Keyboard: Home goes back to the first tab.
      await c360.tab(page, 'Promotions').focus();
      await page.keyboard.press('Home');
      await waitForText(page.locator('[role=tab][aria-selected=true]'), 'Overview');
      await page.keyboard.press('End');
      await waitForText(page.locator('[role=tab][aria-selected=true]'), 'Promotions');

      // Apply the cart voucher to her cart from the view: the store's cart (behind the dialog) follows.
      const voucher = SHOP.cartVoucher;
      const row = page.locator(`.asm-c360-vouchers li[data-code="${voucher}"]`);
      await row.getByRole('button', { name: `Apply coupon ${voucher}` }).click();
      await waitForText(page.locator('.asm-success'), `Coupon ${voucher} applied`);
      await row.getByRole('button', { name: `Remove coupon ${voucher}` }).waitFor();
      await page.locator(`#cart-vouchers li[data-code="${voucher}"]`).waitFor({ state: 'attached' });
      const withVoucher = cents(await page.locator('#cart-grand-total').textContent());
      assert.ok(withVoucher < before, `${voucher} lowers the total: ${withVoucher} < ${before}`);

      // Remove it again: the total is back.
      await row.getByRole('button', { name: `Remove coupon ${voucher}` }).click();
      await waitForText(page.locator('.asm-success'), `Coupon ${voucher} removed`);
      await page.locator(`#cart-vouchers li[data-code="${voucher}"]`).waitFor({ state: 'detached' });
      assert.equal(cents(await page.locator('#cart-grand-total').textContent()), before);

      // Assign a customer coupon (found by searching the customer coupons).
      const coupon = SHOP.customerCoupon.code;
      await page.locator('#asm-c360-coupon-filter').fill(SHOP.customerCoupon.filter);
      const assignable = page.locator(`.asm-c360-coupons li[data-code="${coupon}"]`);
      await assignable.getByRole('button', { name: `Assign coupon ${coupon}` }).click();
      await waitForText(page.locator('.asm-success'), `Coupon ${coupon} assigned`);
      await assignable.getByRole('button', { name: `Unassign coupon ${coupon}` }).waitFor();
      if (SHOP.expiredCoupon) {
        assert.match(await assignable.locator('.asm-c360-expiry').textContent(), /^Expires in \d+ days$/);
        await page.locator('#asm-c360-coupon-filter').fill('');
        await waitForText(c360.panel(page).locator(`.asm-c360-coupons li[data-code="${SHOP.expiredCoupon}"] .asm-c360-expiry`), 'Expired');
      }
      const changed = await page.evaluate(() => window.__asmEvents.filter((e) => e.type === 'asm:customer-changed'));
      assert.deepEqual(changed.map((e) => e.detail.what), ['cart', 'cart', 'coupons']);

      // Escape closes the view; Linda's account shows the coupon.
      await page.keyboard.press('Escape');
      await c360.dialog(page).waitFor({ state: 'detached' });
      await page.goto(`${server.url}/?page=coupons`);
      await waitForText(page.locator(`#coupon-list li[data-code="${coupon}"]`), coupon);
      // Its end is near: the account says in how many calendar days (one fewer after midnight).
      const days = SHOP.customerCoupon.expiresInDays;
      const notice = (await page.locator(`#coupon-list li[data-code="${coupon}"] .expiry`).textContent()).trim();
      assert.ok([`Expires in ${days} days`, `Expires in ${days - 1} days`].includes(notice), notice);
      if (SHOP.expiredCoupon) {
        const ended = page.locator(`#coupon-list li[data-code="${SHOP.expiredCoupon}"] .expiry.expired`);
        await waitForText(ended, 'Expired');
      }
      assert.equal(await page.locator(`#coupon-list li[data-code="${SHOP.assignedCoupon}"] .expiry`).count(), 0,
        'no notice for a coupon that ends in more than 30 days');

      // The audit log has the coupon actions by the agent (read as the manager elsewhere; here the
      // activity tab lists her order, which opens in the store).
      await c360.open(page).click();
      await c360.tab(page, 'Activity').click();
      const orderRow = c360.panel(page).locator('tbody tr', { hasText: 'Order' }).first();
      await orderRow.waitFor();
      const code = (await orderRow.locator('td').nth(1).textContent()).trim();
      await Promise.all([
        page.waitForURL(new RegExp(`\\?page=order&code=${code}$`)),
        orderRow.getByRole('button', { name: `Open Order ${code}` }).click(),
      ]);
      await waitForText(page.locator('#order-code'), `Order ${code}`);
    } finally {
      await closeContext(context, server);
    }
  });
  it('Overview opens the active cart and a product of interest in the store', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const started = await emulateLinda(page, server);
      await ensureCartHasItems(page, started.cartId);
      await c360.open(page).click();
      const open = c360.panel(page).getByRole('button', { name: `Open cart ${started.cartId}`, exact: true });
      await Promise.all([page.waitForURL(/\?page=cart$/), open.click()]);
      await waitForText(page.locator('#cart-number'), `Cart number ${started.cartId}`);

      await c360.open(page).click();
      const interest = c360.panel(page).locator('.asm-c360-interests li').first();
      await interest.waitFor();
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('page') === 'product'),
        interest.locator('.asm-c360-open').click(),
      ]);
      await page.locator('#add-to-cart').waitFor();
      await page.locator('#reviews').waitFor();

      // A saved cart (SAP's seed has one of Linda's) opens its own page, not the active cart.
      if (COMMERCE === 'sapcc') {
        await c360.open(page).click();
        const saved = c360.panel(page).getByRole('button', { name: 'Open cart 00001002', exact: true });
        await Promise.all([page.waitForURL(/\?page=savedcart&code=00001002$/), saved.click()]);
        await waitForText(page.locator('#other-cart-status'), 'Saved for later');
        await page.locator('#other-cart-lines li[data-product="280916"]').waitFor();
      }
    } finally {
      await closeContext(context, server);
    }
  });
});
