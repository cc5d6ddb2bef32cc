// Incentive coupons and coupons valid only during the support call, in the demo store with
// Customer 360° (the demo shop; SAP Commerce's own promotion engine keeps its ASM-only offers
// to the assisted session, and the simulator models none): the agent gives a gift product and
// free shipping and a call-only discount from the Promotions tab, the store's cart shows the gift
// at no cost, free delivery and which coupon lasts only for the call; after End Session the
// call-only coupons are gone from the cart while the gift stays; a shopper on their own is told
// that a call-only code is the agent's to give, and keeps what they typed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  LINDA,
  closeContext,
  emulateLinda,
  launchBrowser,
  newContext,
  searchCustomers,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const GIFT = 'GIFTCARD';
const GIFT_NAME = 'Secure Digital Card 2GB';
const FREE_SHIPPING = 'SHIPFREE';
const CALL_ONLY = 'CALL10';

const c360 = {
  open: (page) => page.getByRole('button', { name: 'Customer 360°', exact: true }),
  tab: (page, name) => page.locator('dialog#asm-c360').getByRole('tab', { name, exact: true }),
  voucher: (page, code) => page.locator(`.asm-c360-vouchers li[data-code="${code}"]`),
};

const cartVoucher = (page, code) => page.locator(`#cart-vouchers li[data-code="${code}"]`);

async function addProduct(page, server, code) {
  await page.goto(`${server.url}/?page=product&code=${code}`);
  await page.locator('#add-to-cart').click();
  await waitForText(page.locator('#store-notice'), 'Added 1 ×');
}

describe('incentive and call-only coupons', { skip: COMMERCE === 'sapcc' && 'SAP Commerce keeps its ASM-only offers itself' }, () => {
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

  it('the agent gives a gift, free shipping and a call-only discount; End Session takes the call-only ones back', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      await addProduct(page, server, '300938');
      await page.goto(`${server.url}/?page=cart`);
      await waitForText(page.locator('#cart-delivery'), '$9.99');

      // From Customer 360° Promotions: what each coupon gives, and which lasts only for the call.
      await c360.open(page).click();
      await c360.tab(page, 'Promotions').click();
      await waitForText(c360.voucher(page, GIFT), `Gift: ${GIFT_NAME}`);
      await waitForText(c360.voucher(page, FREE_SHIPPING), 'Only during this support session');
      for (const code of [GIFT, FREE_SHIPPING, CALL_ONLY]) {
        await c360.voucher(page, code).getByRole('button', { name: `Apply coupon ${code}` }).click();
        await waitForText(page.locator('.asm-success'), `Coupon ${code} applied`);
      }
      await page.keyboard.press('Escape');

      // The store's cart follows: the gift at no cost, free delivery, the call-only coupons marked.
      const gift = page.locator(`.cart-entry.gift[data-product="3708646"]`);
      await waitForText(gift, 'Gift');
      await waitForText(gift.locator('.entry-price'), 'Free');
      assert.equal(await gift.locator('input.qty').count(), 0, 'a gift has no quantity of its own');
      await waitForText(page.locator('#cart-delivery'), 'Free');
      await waitForText(cartVoucher(page, GIFT), `gift: ${GIFT_NAME}`);
      await waitForText(cartVoucher(page, CALL_ONLY), 'valid only during this call');
      await waitForText(cartVoucher(page, FREE_SHIPPING), 'valid only during this call');
      assert.equal(await cartVoucher(page, GIFT).locator('.session-only').count(), 0);

      // End Session; the next emulation of Linda finds the gift, not the call-only coupons.
      await ui.endSessionButton(page).click();
      await waitForEvent(page, 'asm:emulation-ended');
      await store.banner(page).waitFor({ state: 'hidden' });
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.first().click();
      await store.banner(page).waitFor();
      await page.goto(`${server.url}/?page=cart`);
      await cartVoucher(page, GIFT).waitFor();
      assert.equal(await cartVoucher(page, CALL_ONLY).count(), 0, 'the call-only discount is gone');
      assert.equal(await cartVoucher(page, FREE_SHIPPING).count(), 0, 'free shipping is gone');
      await waitForText(page.locator('#cart-delivery'), '$9.99');
      await page.locator('.cart-entry.gift').waitFor();
    } finally {
      await closeContext(context, server);
    }
  });

  it('a shopper alone cannot use a call-only code and keeps what was typed; an ordinary one works', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await addProduct(page, server, '300938');
      await page.goto(`${server.url}/?page=cart`);
      await page.locator('#voucher-code').fill(CALL_ONLY);
      await page.locator('#apply-voucher').click();
      await waitForText(page.locator('#store-message'), 'valid only during a call with customer support');
      assert.equal(await page.locator('#voucher-code').inputValue(), CALL_ONLY);
      await page.locator('#voucher-code').fill('SAVE10');
      await page.locator('#apply-voucher').click();
      await waitForText(page.locator('#store-notice'), 'Voucher SAVE10 applied.');
      await waitForText(cartVoucher(page, 'SAVE10'), 'SAVE10');
    } finally {
      await closeContext(context, server);
    }
  });
});
