// Support tickets and product reviews in the demo store while an agent emulates Linda, on either
// backend. The demo shop lets the agent open a ticket about an order, reply, and close it with a
// last message (a closed ticket takes no more), each marked as written by the agent; SAP Commerce
// keeps ticket writes to the customer, so the store shows SAP's refusal and keeps what was typed.
// A review posted as Linda shows on the product page on both. Customer 360° Feedback opens the
// ticket and the reviewed product in the store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COMMERCE, startServer } from './server.mjs';
import {
  LINDA,
  closeContext,
  emulateLinda,
  launchBrowser,
  newContext,
  waitForText,
} from './helpers.mjs';

/** Linda's seeded tickets and a product she reviewed, on each backend. */
const SEED = {
  embedded: { openTicket: '00050001', closedTicket: null, canWriteTickets: true, reviewed: null },
  sapcc: { openTicket: '00000001', closedTicket: '00000002', canWriteTickets: false, reviewed: '300938' },
}[COMMERCE];

const ticket = {
  list: (page) => page.locator('#ticket-list li'),
  subject: (page) => page.locator('#ticket-subject'),
  category: (page) => page.locator('#ticket-category'),
  order: (page) => page.locator('#ticket-order'),
  message: (page) => page.locator('#ticket-message'),
  submit: (page) => page.locator('#ticket-submit'),
  events: (page) => page.locator('#ticket-events > li'),
  reply: (page) => page.locator('#ticket-reply'),
  send: (page) => page.locator('#ticket-send'),
  close: (page) => page.locator('#ticket-close'),
  status: (page) => page.locator('#ticket-status'),
  closed: (page) => page.locator('#ticket-closed'),
};

const c360 = {
  open: (page) => page.getByRole('button', { name: 'Customer 360°', exact: true }),
  tab: (page, name) => page.locator('dialog#asm-c360').getByRole('tab', { name, exact: true }),
  panel: (page) => page.locator('#asm-c360-panel'),
};

async function openFeedback(page) {
  await c360.open(page).click();
  await c360.tab(page, 'Feedback').click();
  await c360.panel(page).locator('.asm-c360-tickets').waitFor();
}

const message = (page) => page.locator('#store-message');
const notice = (page) => page.locator('#store-notice');

describe(`support tickets and reviews in the store (${COMMERCE})`, () => {
  let browser;
  let server;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the tickets page lists the customer\'s tickets; a new one is opened as the customer, or refused by SAP with the typed text kept', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      await page.goto(`${server.url}/?page=tickets`);
      await ticket.list(page).first().waitFor();
      const seeded = await ticket.list(page).evaluateAll((lis) => lis.map((li) => li.dataset.id));
      assert.ok(seeded.includes(SEED.openTicket), `Linda's open ticket is listed: ${seeded}`);

      await ticket.subject(page).fill('Strap broke after a week');
      await ticket.category(page).selectOption('COMPLAINT');
      const orders = await ticket.order(page).locator('option').evaluateAll((o) => o.map((x) => x.value).filter(Boolean));
      assert.ok(orders.length > 0, 'the customer\'s orders can be chosen');
      await ticket.order(page).selectOption(orders[0]);
      await ticket.message(page).fill('The strap of the camera broke.\nIt was never dropped.');

      if (!SEED.canWriteTickets) {
        await ticket.submit(page).click();
        await waitForText(message(page), 'SAP Commerce lets only the customer');
        assert.equal(await ticket.subject(page).inputValue(), 'Strap broke after a week', 'nothing typed is lost');
        assert.equal(await ticket.message(page).inputValue(), 'The strap of the camera broke.\nIt was never dropped.');
        assert.ok(await ticket.submit(page).isEnabled(), 'the agent can try again');
        return;
      }
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'ticket');
      await ticket.submit(page).click();
      await opened;
      await waitForText(notice(page), 'was opened');
      const id = new URL(page.url()).searchParams.get('id');
      assert.ok(!seeded.includes(id), 'a new ticket');
      await waitForText(page.locator('#view-title'), `Ticket ${id}`);
      await waitForText(page.locator('#ticket-subject-line'), 'Strap broke after a week (added by the support agent)');
      await waitForText(ticket.status(page), 'Complaint');
      await waitForText(page.locator('#ticket-about'), `About order ${orders[0]}`);
      assert.equal(await ticket.events(page).count(), 1);
      await waitForText(ticket.events(page).first(), 'The strap of the camera broke.');
      await waitForText(ticket.events(page).first(), '(added by the support agent)');

      // A reply: newest first.
      await ticket.reply(page).fill('We are sending a new strap.');
      await ticket.send(page).click();
      await waitForText(notice(page), 'Your message was sent.');
      await waitForText(ticket.events(page).first(), 'We are sending a new strap.');
      assert.equal(await ticket.events(page).count(), 2);

      // Closing needs a last message; the refusal is the store's, nothing is sent.
      await ticket.close(page).click();
      await waitForText(message(page), 'Write a closing message first.');
      assert.equal(await ticket.events(page).count(), 2);
      await ticket.reply(page).fill('The new strap arrived. Closing.');
      await ticket.close(page).click();
      await waitForText(notice(page), `Ticket ${id} was closed.`);
      await waitForText(ticket.status(page), 'Closed');
      await ticket.closed(page).waitFor();
      assert.equal(await ticket.reply(page).count(), 0, 'a closed ticket takes no more messages');
      await waitForText(ticket.events(page).first(), 'status: Closed');

      // The list shows it, with the agent's mark.
      await page.goto(`${server.url}/?page=tickets`);
      await waitForText(page.locator(`#ticket-list li[data-id="${id}"]`), '(added by the support agent)');
    } finally {
      await closeContext(context, server);
    }
  });

  it('a ticket page shows the messages; on SAP a reply is refused and kept, and a closed ticket takes none', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      await page.goto(`${server.url}/?page=ticket&id=${SEED.openTicket}`);
      await waitForText(page.locator('#view-title'), `Ticket ${SEED.openTicket}`);
      await ticket.reply(page).waitFor();
      if (SEED.canWriteTickets) {
        // The seeded ticket's first message is its subject.
        assert.ok((await ticket.events(page).count()) >= 1);
      } else {
        await ticket.reply(page).fill('Any news on the replacement?');
        await ticket.send(page).click();
        await waitForText(message(page), 'SAP Commerce lets only the customer');
        assert.equal(await ticket.reply(page).inputValue(), 'Any news on the replacement?');
      }
      if (SEED.closedTicket) {
        await page.goto(`${server.url}/?page=ticket&id=${SEED.closedTicket}`);
        await ticket.closed(page).waitFor();
        assert.equal(await ticket.reply(page).count(), 0);
      }
      // An unknown ticket: the server's message, no crash.
      await page.goto(`${server.url}/?page=ticket&id=99999999`);
      await message(page).waitFor();
      assert.ok((await message(page).textContent()).length > 0);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a review is posted as the customer and listed; a shopper without an agent is asked to sign in', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      // A shopper on their own: the reviews, but no form.
      await page.goto(`${server.url}/?page=cameras`);
      const code = await page.locator('#product-list li').nth(1).getAttribute('data-code');
      await page.goto(`${server.url}/?page=product&code=${code}`);
      await page.locator('#review-sign-in').waitFor();
      assert.equal(await page.locator('#review-form').count(), 0);

      await emulateLinda(page, server);
      await page.goto(`${server.url}/?page=product&code=${code}`);
      await page.locator('#review-form').waitFor();
      await page.locator('#review-rating').selectOption('4');
      await page.locator('#review-headline').fill('Solid little camera');
      await page.locator('#review-comment').fill('Good pictures in daylight.\nThe battery is weak.');
      await page.locator('#review-submit').click();
      await waitForText(notice(page), 'Your review "Solid little camera" was posted.');
      const mine = page.locator('#review-list li', { hasText: 'Solid little camera' });
      await waitForText(mine, 'Good pictures in daylight.');
      assert.equal(await mine.locator('[role=img]').getAttribute('aria-label'), '4 of 5 stars');
      assert.equal(await page.locator('#review-headline').inputValue(), '', 'the form is cleared once posted');
      if (COMMERCE === 'embedded') await waitForText(mine, '(added by the support agent)');
    } finally {
      await closeContext(context, server);
    }
  });

  it('Customer 360° Feedback opens a ticket and a reviewed product in the store', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await emulateLinda(page, server);
      await openFeedback(page);
      const opened = page.waitForURL((u) => u.searchParams.get('page') === 'ticket' && u.searchParams.get('id') === SEED.openTicket);
      await c360.panel(page).getByRole('button', { name: `Open ticket ${SEED.openTicket}`, exact: true }).click();
      await opened;
      await waitForText(page.locator('#view-title'), `Ticket ${SEED.openTicket}`);

      await openFeedback(page);
      const review = c360.panel(page).locator('.asm-c360-reviews li').first();
      await review.waitFor();
      const toProduct = page.waitForURL((u) => u.searchParams.get('page') === 'product');
      await review.locator('.asm-c360-open').click();
      await toProduct;
      const code = new URL(page.url()).searchParams.get('code');
      if (SEED.reviewed) assert.equal(code, SEED.reviewed);
      assert.equal(new URL(page.url()).hash, '#reviews');
      await page.locator('#review-list li.review').first().waitFor();
    } finally {
      await closeContext(context, server);
    }
  });
});
