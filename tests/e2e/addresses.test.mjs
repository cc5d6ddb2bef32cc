// The customer's address book in the demo store while an agent emulates Linda, on either backend
// (SAP's ASM e2e: "creates an address as the customer"): a bad country is refused with the
// server's message and nothing typed is lost; an address is added as the default, changed, another
// one made the default again, and deleted.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import { closeContext, emulateLinda, launchBrowser, newContext, waitForText } from './helpers.mjs';

const list = (page) => page.locator('#address-list > li');
const entry = (page, text) => list(page).filter({ hasText: text });

describe(`the address book in the store (${COMMERCE})`, () => {
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

  it('an address is added as the default, changed, replaced as the default and deleted', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      // Customer 360° Profile opens the address book.
      await page.getByRole('button', { name: 'Customer 360°', exact: true }).click();
      await page.locator('dialog#asm-c360').getByRole('tab', { name: 'Profile', exact: true }).click();
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('page') === 'addresses'),
        page.getByRole('button', { name: 'Open the address book', exact: true }).click(),
      ]);
      await page.locator('#address-form').waitFor();
      const before = await list(page).count();

      await page.locator('#address-line1').fill('5 Harbor Rd');
      await page.locator('#address-postal-code').fill('02110');
      await page.locator('#address-town').fill('Boston');
      await page.locator('#address-country').fill('U1');
      await page.locator('#address-default').check();
      await page.locator('#address-save').click();
      await waitForText(page.locator('#store-message'), 'two-letter code');
      assert.equal(await page.locator('#address-line1').inputValue(), '5 Harbor Rd', 'nothing typed is lost');

      await page.locator('#address-country').fill('us');
      await page.locator('#address-save').click();
      await waitForText(page.locator('#store-notice'), 'The address was added.');
      assert.equal(await list(page).count(), before + 1);
      await waitForText(list(page).first(), '5 Harbor Rd');
      await waitForText(list(page).first(), '(default)');
      await waitForText(list(page).first(), 'US');

      // Changed.
      await entry(page, '5 Harbor Rd').getByRole('button', { name: 'Edit 5 Harbor Rd' }).click();
      await page.locator('#address-line1').fill('7 Harbor Rd');
      await page.locator('#address-save').click();
      await waitForText(page.locator('#store-notice'), 'The address was changed.');
      await entry(page, '7 Harbor Rd').waitFor();
      assert.equal(await entry(page, '5 Harbor Rd').count(), 0);

      // Another one made the default again (Linda has one seeded on both backends).
      if (before > 0) {
        const other = list(page).nth(1);
        await other.locator('.make-default').click();
        await waitForText(page.locator('#store-notice'), 'is the default address now.');
        assert.equal(await entry(page, '7 Harbor Rd').locator('.default-address').count(), 0);
        assert.equal(await page.locator('.default-address').count(), 1);
      }

      // Deleted.
      await entry(page, '7 Harbor Rd').getByRole('button', { name: 'Delete 7 Harbor Rd' }).click();
      await waitForText(page.locator('#store-notice'), '7 Harbor Rd was deleted.');
      assert.equal(await entry(page, '7 Harbor Rd').count(), 0);
      assert.equal(await list(page).count(), before);
    } finally {
      await closeContext(context, server);
    }
  });
});
