// The demo store's own customer sign-in, and "an agent or a customer in a browser, never both"
// (SAP's ASM course: only one user session can be active at a time). Linda signs in with her
// e-mail and password and shops as herself — a call-only coupon is refused, an ordinary one
// works, she places an order and sees it; then an agent signs in in the same browser and her
// store session ends with a notice; while the agent is signed in she cannot sign in, and the
// store shows the server's reason with what she typed kept. On SAP Commerce customers sign in
// at the storefront itself: the store's sign-in says so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  CUSTOMER,
  closeContext,
  launchBrowser,
  newContext,
  openSignIn,
  signIn,
  store,
  waitForText,
} from './helpers.mjs';

const MESSAGE = 'Cannot sign in as a customer while a customer support agent is signed in. Emulate the customer or sign the agent out.';

async function signInAsCustomer(page, server) {
  await page.goto(`${server.url}/`);
  await page.locator('#customer-sign-in').click();
  await page.waitForURL((u) => u.searchParams.get('page') === 'signin');
  await page.locator('#signin-email').fill(CUSTOMER.username);
  await page.locator('#signin-password').fill(CUSTOMER.password);
  await page.locator('#signin-submit').click();
}

describe(`the customer's own sign-in (${COMMERCE})`, () => {
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

  it('a customer signs in and shops as herself; an agent signing in here signs her out; beside an agent she cannot sign in', { skip: COMMERCE === 'sapcc' && 'customers sign in at SAP\'s storefront' }, async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await signInAsCustomer(page, server);
      await page.waitForURL((u) => u.searchParams.get('page') === null);
      await waitForText(store.shopper(page), 'Linda Wolf');
      await page.locator('#customer-sign-out').waitFor();
      assert.ok(await store.banner(page).isHidden(), 'no emulation banner: she shops as herself');

      // Her cart: a product, a call-only coupon refused, an ordinary one applied.
      await page.goto(`${server.url}/?page=product&code=300938`);
      await page.locator('#add-to-cart').click();
      await waitForText(page.locator('#store-notice'), 'Added 1 ×');
      await page.goto(`${server.url}/?page=cart`);
      await page.locator('#voucher-code').fill('CALL10');
      await page.locator('#apply-voucher').click();
      await waitForText(page.locator('#store-message'), 'valid only during a call with customer support');
      assert.equal(await page.locator('#voucher-code').inputValue(), 'CALL10');
      await page.locator('#voucher-code').fill('SAVE10');
      await page.locator('#apply-voucher').click();
      await waitForText(page.locator('#store-notice'), 'Voucher SAVE10 applied.');

      // She places the order herself and finds it in her orders.
      await page.locator('#to-checkout').click();
      await page.locator('#place-order').click();
      const confirmation = await waitForText(page.locator('#order-confirmation'), /Order (\d+) was placed/);
      const code = /Order (\d+) was placed/.exec(confirmation)[1];
      await page.goto(`${server.url}/?page=orders`);
      await page.locator(`#order-list li[data-code="${code}"]`).waitFor();
      await page.goto(`${server.url}/?page=order&code=${code}`);
      await waitForText(page.locator('#order-placed-by'), 'Placed by the customer');
      assert.equal(await page.locator('#cancel-form').count(), 0, 'cancelling is done with an agent');

      // An agent signs in in this browser: her store session ends, and the store says so.
      await openSignIn(page, server, '/?asm=true');
      await signIn(page);
      await waitForText(page.locator('#store-notice'), 'signed out of the store');
      await waitForText(store.shopper(page), 'Guest');
      const me = await page.evaluate(async () => (await fetch('/store/customer/me')).status);
      assert.equal(me, 409, 'beside an agent there is no customer session (the HTTP tests show it ended)');
      const cookies = await context.cookies();
      assert.ok(!cookies.some((c) => c.name === 'store_customer'), 'her cookie is gone');

      // Beside the agent she cannot sign in: the server's reason, her e-mail kept.
      await page.goto(`${server.url}/?page=signin`);
      await page.locator('#signin-email').fill(CUSTOMER.username);
      await page.locator('#signin-password').fill(CUSTOMER.password);
      await page.locator('#signin-submit').click();
      await waitForText(page.locator('#store-message'), MESSAGE);
      assert.equal(await page.locator('#signin-email').inputValue(), CUSTOMER.username);
    } finally {
      await closeContext(context, server);
    }
  });

  it('wrong credentials say so and keep the e-mail; on SAP Commerce the store says where customers sign in', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?page=signin`);
      await page.locator('#signin-email').fill(CUSTOMER.username);
      await page.locator('#signin-password').fill('not her password');
      await page.locator('#signin-submit').click();
      const expected = COMMERCE === 'sapcc' ? 'Customers sign in at the storefront' : 'Wrong e-mail or password.';
      await waitForText(page.locator('#store-message'), expected);
      assert.equal(await page.locator('#signin-email').inputValue(), CUSTOMER.username);
      await waitForText(store.shopper(page), 'Guest');
    } finally {
      await closeContext(context, server);
    }
  });
});
