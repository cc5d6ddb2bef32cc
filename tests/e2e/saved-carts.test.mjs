// Saved carts in the demo store while an agent emulates Linda, on either backend (Spartacus's
// saved-cart pages; SAP OCC's save, restoresavedcart and cart delete): the cart is saved for
// later under a name, listed, opened, made the active cart again, and deleted after a second
// question; a bad name is refused with the server's message and nothing typed is lost.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import { closeContext, emulateLinda, launchBrowser, LINDA, newContext, ui, waitForText } from './helpers.mjs';

/** A product both backends sell. */
const PRODUCT = COMMERCE === 'sapcc' ? '280916' : '3708646';

async function addProduct(page, server) {
  await page.goto(`${server.url}/?page=product&code=${PRODUCT}`);
  await page.locator('#add-to-cart').click();
  await waitForText(page.locator('#store-notice'), 'Added 1 ×');
}

const onPage = (name) => (u) => u.searchParams.get('page') === name;

/** The middleware API from the page, as the storefront calls it (its cookie, the ASM header). */
async function api(page, method, path, body) {
  const res = await page.evaluate(async ({ method, path, body }) => {
    const r = await fetch(`/asm${path}`, {
      method,
      credentials: 'include',
      headers: { 'X-ASM-Request': '1', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { method, path, body });
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

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

  it('an inactive-cart deep link offers the cart in the bar and saves it for later', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      // An inactive cart: one of Linda's active carts that is not her current one. Her current
      // cart is saved, an empty one started, the saved one restored (the empty one stays, not
      // current), and a product put into the empty one (now current again).
      const user = `/users/${encodeURIComponent(LINDA.customerId)}/carts`;
      const first = await api(page, 'POST', user);
      if (first.entries.length === 0) {
        await api(page, 'POST', `${user}/${first.code}/entries`, { productCode: PRODUCT });
      }
      await api(page, 'PATCH', `${user}/${first.code}/save`, {});
      const second = await api(page, 'POST', user);
      assert.notEqual(second.code, first.code);
      await api(page, 'PATCH', `${user}/${first.code}/restoresavedcart`);
      await api(page, 'POST', `${user}/${second.code}/entries`, { productCode: PRODUCT });
      const inactive = await api(page, 'GET', `${user}/${first.code}`);
      assert.equal(inactive.status, 'ACTIVE');
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();

      // The link, as a ticketing tool would send it.
      await page.goto(`${server.url}/?asm=true&customerId=${encodeURIComponent(LINDA.customerId)}&cartId=${first.code}&cartType=inactive`);
      await page.locator('#asm-link-reason').fill('Caller wants to keep her old cart');
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('page') === 'savedcart' && u.searchParams.get('code') === first.code),
        page.locator('.asm-deep-link-start').click(),
      ]);
      await waitForText(page.locator('#other-cart-status'), 'Active');
      await waitForText(page.locator('.asm-save-inactive'), `The link names the inactive cart ${first.code}.`);

      // Spartacus's dialog: number, items and total, then Save for Later.
      await page.locator('#asm-save-inactive-cart').click();
      const question = page.locator('dialog#asm-bind-conflict .asm-bind-conflict-question');
      await waitForText(question, `Cart ${first.code} — ${inactive.totalItems} item`);
      assert.match(await question.textContent(), / — \$[\d,]+\.\d\d\. Save it for later\?$/, 'its total');
      await waitForText(page.locator('#asm-bind-conflict-title'), 'Save the inactive cart for later');
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('.asm-bind-confirm').click(),
      ]);
      await waitForText(page.locator('#other-cart-status'), 'Saved for later');
      await waitForText(page.locator('#saved-cart-info'), `Cart number ${first.code}, saved `);
      assert.equal(await page.locator('.asm-save-inactive').count(), 0, 'offered no more');
      const saved = await api(page, 'GET', `${user}/${first.code}`);
      assert.equal(saved.status, 'SAVED');
      assert.equal(saved.saved.name, first.code, 'saved under its number');
    } finally {
      await closeContext(context, server);
    }
  });
});
