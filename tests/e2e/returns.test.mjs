// Order cancellation and returns in the demo store while an agent emulates Linda, on either
// backend: part of a not-yet-shipped order cancelled, then the rest from a second tab, and the
// first tab's stale Cancel refused with the server's message; a line of a delivered order
// returned with a reason, listed with its status on the order and in "Your returns", and the
// return cancelled there; Customer 360° Activity shows the order's and the return's status.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  emulateLinda,
  LINDA,
  closeContext,
  launchBrowser,
  newContext,
  store,
  waitForText,
} from './helpers.mjs';

/** Linda's seeded orders on each backend: one not yet shipped, one delivered. */
const ORDERS = {
  embedded: {
    // 30000001: PROCESSING, one line of 2; 30000000: COMPLETED, 2 + 1.
    cancellable: { code: '30000001', status: 'PROCESSING', cancelled: 'CANCELLED' },
    delivered: '30000000',
  },
  sapcc: {
    // 00005002: CREATED, lines of 1 and 2; 00005001: COMPLETED, 1.
    cancellable: { code: '00005002', status: 'created', cancelled: 'cancelled' },
    delivered: '00005001',
  },
}[COMMERCE];

const c360 = {
  open: (page) => page.getByRole('button', { name: 'Customer 360°', exact: true }),
  dialog: (page) => page.locator('dialog#asm-c360'),
  tab: (page, name) => page.locator('dialog#asm-c360').getByRole('tab', { name, exact: true }),
  panel: (page) => page.locator('#asm-c360-panel'),
};


async function openOrder(page, server, code) {
  await page.goto(`${server.url}/?page=order&code=${code}`);
  await waitForText(page.locator('#order-code'), `Order ${code}`);
}

describe('order cancellation and returns in the store', () => {
  let server;
  let browser;
  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('cancels part of an order, then the rest; a stale Cancel is refused with the server\'s message', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      const { code } = ORDERS.cancellable;
      await openOrder(page, server, code);
      await page.locator('#cancel-form').waitFor();
      // The quantities offered are what is left of each line.
      const inputs = page.locator('#cancel-form input[type=number]');
      const lines = await inputs.count();
      assert.ok(lines >= 1, 'a line to cancel');
      // A line of which at least 2 are left (part of it is cancelled).
      let pick = -1;
      let max = 0;
      for (let i = 0; i < lines; i += 1) {
        const m = Number(await inputs.nth(i).getAttribute('max'));
        if (m > max) [pick, max] = [i, m];
      }
      assert.ok(max >= 2, `a line with at least 2 left: ${max}`);
      const first = inputs.nth(pick);
      const entry = await first.getAttribute('data-entry');
      await first.fill('1');
      await page.locator('#cancel-form-some').click();
      await waitForText(page.locator('#store-notice'), `Cancelled 1 item(s) of order ${code}.`);
      await waitForText(page.locator('#order-lines'), /1 cancelled/);
      assert.equal(
        Number(await page.locator(`#cancel-form input[data-entry="${entry}"]`).getAttribute('max')),
        max - 1,
        'one less left to cancel',
      );

      // A second tab cancels the rest; the first tab's form is now stale.
      const other = await context.newPage();
      await openOrder(other, server, code);
      await other.locator('#cancel-form-all').click();
      await waitForText(other.locator('#order-status'), new RegExp(`— ${ORDERS.cancellable.cancelled}$`, 'i'));
      await waitForText(other.locator('#order-actions-none'), 'This order can no longer be cancelled or returned.');
      await page.locator('#cancel-form input[type=number]').first().fill('1');
      await page.locator('#cancel-form-some').click();
      await waitForText(page.locator('#store-message'), /can no longer be cancelled/);

      // Customer 360° Activity shows the order cancelled.
      await c360.open(page).click();
      await c360.tab(page, 'Activity').click();
      const row = c360.panel(page).locator('tbody tr', { hasText: code }).first();
      await waitForText(row, new RegExp(ORDERS.cancellable.cancelled, 'i'));
    } finally {
      await closeContext(context, server);
    }
  });

  it('returns a line of a delivered order with a reason, lists it with its status, and cancels the return', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      const code = ORDERS.delivered;
      await openOrder(page, server, code);
      await page.locator('#return-form').waitFor();
      assert.equal(await page.locator('#cancel-form').count(), 0, 'a delivered order is not cancellable');
      await page.locator('#return-form input[type=number]').first().fill('1');
      // Without a reason: the store says so and nothing is sent.
      await page.locator('#return-form-some').click();
      await waitForText(page.locator('#store-message'), 'Choose the reason for the return.');
      await page.locator('#return-reason').selectOption('Damaged in transit');
      await page.locator('#return-form-some').click();
      await waitForText(page.locator('#store-notice'), /^Return request \S+ was created \(APPROVAL_PENDING\)\.$/);
      const notice = await page.locator('#store-notice').textContent();
      const rma = /Return request (\S+) was created/.exec(notice)[1];
      const onOrder = page.locator(`#order-returns li[data-code="${rma}"]`);
      await waitForText(onOrder.locator('.return-status'), 'APPROVAL_PENDING');
      await waitForText(page.locator('#order-lines'), /1 returned/);

      // Customer 360° Activity shows the return's status (its row opens the order).
      await c360.open(page).click();
      await c360.tab(page, 'Activity').click();
      const row = c360.panel(page).locator('tbody tr', { hasText: rma }).first();
      await waitForText(row, /APPROVAL_PENDING/);
      await page.keyboard.press('Escape');
      await c360.dialog(page).waitFor({ state: 'detached' });

      // All returns: cancel it there; it is cancelled for good.
      await page.goto(`${server.url}/?page=returns`);
      const item = page.locator(`#return-list li[data-code="${rma}"]`);
      await waitForText(item.locator('.return-status'), 'APPROVAL_PENDING');
      await item.getByRole('button', { name: `Cancel return ${rma}` }).click();
      await waitForText(page.locator('#store-notice'), `Return ${rma} was cancelled (CANCELED).`);
      await waitForText(page.locator(`#return-list li[data-code="${rma}"] .return-status`), 'CANCELED');
      assert.equal(await page.locator(`#return-list li[data-code="${rma}"] button`).count(), 0, 'no Cancel any more');
    } finally {
      await closeContext(context, server);
    }
  });
});
