// Consent management in the demo store while an agent emulates Linda, on either backend (SAP's
// ASM e2e: "gives a consent"): the consent templates with their names, descriptions and Linda's
// seeded consent; one consent given and one withdrawn from the page, both still so after a
// reload; a withdrawal the page no longer knows about (done elsewhere) shows the server's message
// and the page stays usable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import { closeContext, emulateLinda, launchBrowser, newContext, waitForText } from './helpers.mjs';

const MARKETING = 'I approve to this sample MARKETING consent';
const STORE_INFO = 'I approve to this sample STORE USER INFORMATION consent';

const list = (page) => page.locator('#consent-list > li');
const item = (page, id) => page.locator(`#consent-list > li[data-id="${id}"]`);

describe(`consent management in the store (${COMMERCE})`, () => {
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

  it('a consent is given and another withdrawn as the customer, and so they stay', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const { customerId } = await emulateLinda(page, server);
      // From the store's navigation, next to the address book.
      await page.getByRole('link', { name: 'Consent management' }).click();
      await page.locator('#consent-list').waitFor();
      assert.equal(await page.locator('#view-title').textContent(), 'Consent management');
      assert.equal(await list(page).count(), 3);
      const marketing = item(page, 'MARKETING_NEWSLETTER');
      await waitForText(marketing, MARKETING);
      await waitForText(marketing, 'I would like to receive e-mails about new products and offers.');
      await waitForText(marketing.locator('.consent-state'), 'Not given');
      const storeInfo = item(page, 'STORE_USER_INFORMATION');
      await waitForText(storeInfo.locator('.consent-state'), /^Given on \d{4}-\d{2}-\d{2}$/);

      // Given.
      await page.getByRole('button', { name: `Give consent: ${MARKETING}` }).click();
      await waitForText(page.locator('#store-notice'), `The consent "${MARKETING}" was given.`);
      await waitForText(marketing.locator('.consent-state'), /^Given on \d{4}-\d{2}-\d{2}$/);
      assert.equal(await marketing.getAttribute('data-given'), 'true');
      await marketing.getByRole('button', { name: `Withdraw consent: ${MARKETING}` }).waitFor();

      // Withdrawn.
      await page.getByRole('button', { name: `Withdraw consent: ${STORE_INFO}` }).click();
      await waitForText(page.locator('#store-notice'), `The consent "${STORE_INFO}" was withdrawn.`);
      await waitForText(storeInfo.locator('.consent-state'), /^Withdrawn on \d{4}-\d{2}-\d{2}$/);
      assert.equal(await storeInfo.getAttribute('data-given'), 'false');
      await storeInfo.getByRole('button', { name: `Give consent: ${STORE_INFO}` }).waitFor();

      // Kept by the backend.
      await page.reload();
      await page.locator('#consent-list').waitFor();
      await waitForText(item(page, 'MARKETING_NEWSLETTER').locator('.consent-state'), 'Given on');
      await waitForText(item(page, 'STORE_USER_INFORMATION').locator('.consent-state'), 'Withdrawn on');
      await waitForText(item(page, 'PERSONALIZATION').locator('.consent-state'), 'Not given');

      // Withdrawn elsewhere meanwhile: the page's Withdraw gets the server's answer, shown, and
      // the page still works.
      const status = await page.evaluate(async (id) => {
        const base = `/asm/users/${encodeURIComponent(id)}`;
        const { consentTemplates } = await (await fetch(`${base}/consenttemplates`)).json();
        const code = consentTemplates.find((t) => t.id === 'MARKETING_NEWSLETTER').currentConsent.code;
        const res = await fetch(`${base}/consents/${encodeURIComponent(code)}`, {
          method: 'DELETE',
          headers: { 'X-ASM-Request': '1' },
        });
        return res.status;
      }, customerId);
      assert.equal(status, 204);
      await page.getByRole('button', { name: `Withdraw consent: ${MARKETING}` }).click();
      await waitForText(page.locator('#store-message'), 'already withdrawn');
      assert.equal(await list(page).count(), 3, 'the list stays');
      await page.reload();
      await waitForText(item(page, 'MARKETING_NEWSLETTER').locator('.consent-state'), 'Withdrawn on');
      await page.getByRole('button', { name: `Give consent: ${MARKETING}` }).click();
      await waitForText(page.locator('#store-notice'), `The consent "${MARKETING}" was given.`);
      await waitForText(item(page, 'MARKETING_NEWSLETTER').locator('.consent-state'), 'Given on');
    } finally {
      await closeContext(context, server);
    }
  });

  it('without an emulation the page asks to sign in and shows no consents', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?page=consents`);
      await waitForText(page.locator('.sign-in-needed'), 'manage your consents');
      assert.equal(await page.locator('#view-title').textContent(), 'Consent management');
      assert.equal(await page.locator('#consent-list').count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });
});
