// Saved carts in the demo store while an agent emulates Linda, on either backend (Spartacus's
// saved-cart pages; SAP OCC's save, restoresavedcart and cart delete): the cart is saved for
// later under a name, listed, opened, made the active cart again, and deleted after a second
// question; a bad name is refused with the server's message and nothing typed is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import { closeContext, emulateLinda, launchBrowser, LINDA, newContext, waitForText } from './helpers.mjs';

/** A product both backends sell. */
const PRODUCT = COMMERCE === 'sapcc' ? '280916' : '3708646';

async function addProduct(page, server) {
  await page.goto(`${server.url}/?page=product&code=${PRODUCT}`);
  await page.locator('#add-to-cart').click();
  await waitForText(page.locator('#store-notice'), 'Added 1 ×');
}

const onPage = (name) => (u) => u.searchParams.get('page') === name;

describe(`saved carts in the store (${COMMERCE})`, () => {
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

  it('the cart is saved for later, listed, made active again and deleted', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      await addProduct(page, server);
      await page.goto(`${server.url}/?page=cart`);
      const code = (await waitForText(page.locator('#cart-number'), 'Cart number ')).replace('Cart number ', '').trim();
      const line = page.locator(`#cart-entries tr[data-product="${PRODUCT}"]`);
      await line.waitFor();

      // A name on two lines cannot be typed into an input; one over 255 characters is cut by
      // the field; a bidi override is refused by the server, and what was typed stays.
      await page.locator('#save-cart-name').fill('Gifts\u202Egnp.exe');
      await page.locator('#save-cart-description').fill('For May');
      await page.locator('#save-cart').click();
      await waitForText(page.locator('#store-message'), 'without control characters');
      assert.equal(await page.locator('#save-cart-description').inputValue(), 'For May', 'nothing typed is lost');

      await page.locator('#save-cart-name').fill('Birthday presents');
      await Promise.all([page.waitForURL(onPage('savedcart')), page.locator('#save-cart').click()]);
      await waitForText(page.locator('#store-notice'), `Cart ${code} was saved for later as “Birthday presents”.`);
      await waitForText(page.locator('#view-title'), 'Saved cart “Birthday presents”');
      await waitForText(page.locator('#other-cart-status'), 'Saved for later');
      await waitForText(page.locator('#saved-cart-info'), `Cart number ${code}, saved `);
      await waitForText(page.locator('#saved-cart-info'), 'For May');
      await page.locator(`#other-cart-lines li[data-product="${PRODUCT}"]`).waitFor();

      // It is no longer the cart shopped with: the emulation has none now.
      await page.goto(`${server.url}/?page=cart`);
      await waitForText(page.locator('#cart-empty'), `${LINDA.name}'s cart is empty.`);

      // Listed with its name, number and items; its page makes it the active cart again.
      await page.goto(`${server.url}/?page=savedcarts`);
      const row = page.locator(`#saved-carts tr[data-code="${code}"]`);
      await waitForText(row, 'Birthday presents');
      await waitForText(row, code);
      await waitForText(row, 'For May');
      await Promise.all([page.waitForURL(onPage('savedcart')), row.getByRole('link', { name: 'Birthday presents' }).click()]);
      await Promise.all([page.waitForURL(onPage('cart')), page.locator('#restore-cart').click()]);
      await waitForText(page.locator('#store-notice'), `Cart ${code} is the active cart again.`);
      await waitForText(page.locator('#cart-number'), `Cart number ${code}`);
      await line.waitFor();
      await page.goto(`${server.url}/?page=savedcarts`);
      await page.locator('#saved-carts-empty, #saved-carts').first().waitFor();
      assert.equal(await row.count(), 0, 'no longer a saved cart');

      // Deleted after a second question ("Keep it" keeps it).
      await page.goto(`${server.url}/?page=savedcart&code=${code}`);
      await page.locator('#delete-cart').click();
      await waitForText(page.locator('#delete-cart-confirm'), `Delete cart ${code} and everything in it?`);
      await page.locator('#delete-cart-no').click();
      assert.ok(await page.locator('#delete-cart-confirm').isHidden());
      await page.locator('#delete-cart').click();
      await Promise.all([page.waitForURL(onPage('savedcarts')), page.locator('#delete-cart-yes').click()]);
      await waitForText(page.locator('#store-notice'), `Cart ${code} was deleted.`);
      await page.goto(`${server.url}/?page=cart`);
      await waitForText(page.locator('#cart-empty'), `${LINDA.name}'s cart is empty.`);
    } finally {
      await closeContext(context, server);
    }
  });
});
