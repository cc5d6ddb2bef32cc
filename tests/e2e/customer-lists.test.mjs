// The customer lists dialog against the real middleware and demo storefront: every list the
// server offers with its count, sort, search inside a list, the next page, a customer the server
// refuses (the seed puts a disabled customer in the in-store list), emulation from a row, and the
// keyboard (Tab stays in the dialog, Escape closes it, focus returns to the "Customers" button).
// It runs on both backends (ASM_E2E_COMMERCE): the facts that differ are in FIXTURES.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  COMMERCE,
  LINDA,
  REASON,
  closeContext,
  events,
  launchBrowser,
  newContext,
  openSignIn,
  signIn,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

/**
 * Each backend with 1,200 generated customers, and what its seed puts in the agent's lists.
 * `server`: the options of `startServer`; `listIds`: the lists the middleware offers (on SAP the
 * in-store and pick-up lists are SAP's `instoreCustomers` and `bopisCustomers`, see `sap_list` in
 * commerce/sapcc/mod.rs; "my sessions" is the middleware's own); `inStore`: the in-store list's
 * size; `disabled`: a disabled customer in it, by id and by what finds them in the list.
 */
const FIXTURES = {
  // The demo shop (commerce/embedded/seed.rs): Linda and every 100th customer (13, two pages
  // of 10), among them C0000402, who is disabled; the list search matches ids.
  embedded: {
    server: { customers: 1200 },
    listIds: ['instore', 'pickup', 'mysessions'],
    inStore: 13,
    disabled: { id: 'C0000402', query: 'c0000402' },
  },
  // The simulator (`--customers`, crates/sapcc-sim/src/model.rs): Linda, Gi Sun and every 100th
  // generated customer (14); customer 500 is deactivated (pinned in the simulator's tests,
  // tests/sim/generated.rs). SAP's search matches uids and names, not the opaque customerId.
  sapcc: {
    server: { simArgs: ['--customers', '1200'] },
    listIds: ['instore', 'pickup', 'mysessions'],
    inStore: 14,
    disabled: { id: 'dfdcb4ab-a4b8-452d-a11c-5f40fd1259c6', query: 'mia.baker500@' },
  },
};
const FIXTURE = FIXTURES[COMMERCE];
const PAGE_SIZE = 10;

const lists = {
  open: (page) => page.locator('#asm-lists-open'),
  dialog: (page) => page.locator('dialog#asm-customer-lists'),
  picker: (page) => page.locator('#asm-lists-list'),
  sort: (page) => page.locator('#asm-lists-sort'),
  search: (page) => page.locator('#asm-lists-search'),
  reason: (page) => page.locator('#asm-lists-reason'),
  count: (page) => page.locator('.asm-lists-count'),
  names: (page) => page.locator('.asm-list-row .asm-name'),
  row: (page, id) => page.locator(`.asm-list-row[data-customer-id="${id}"]`),
  pager: (page) => page.locator('.asm-pager-label'),
  next: (page) => page.locator('.asm-pager-next'),
  empty: (page) => page.locator('.asm-lists-empty'),
  fresh: (page) => page.locator('.asm-list-table:not(.asm-stale)'),
};

const isListPage = (res, params = {}) => {
  const url = new URL(res.url());
  if (url.pathname !== '/asm/customers/search' || !url.searchParams.has('customerListId')) return false;
  return Object.entries(params).every(([k, v]) => url.searchParams.get(k) === v);
};

const countLabel = (n) => (n === 1 ? '1 customer' : `${n} customers`);

/** The id of the element focused inside the overlay's shadow root, and whether it is in the dialog. */
function focusInOverlay(page) {
  return page.evaluate(() => {
    const host = document.querySelector('asm-overlay');
    const active = host?.shadowRoot?.activeElement ?? null;
    return {
      documentActive: document.activeElement?.tagName ?? null,
      id: active?.id ?? null,
      tag: active?.tagName ?? null,
      inDialog: !!active?.closest('dialog#asm-customer-lists'),
    };
  });
}

describe('customer lists', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(FIXTURE.server), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows every list with its count, sorts, searches, pages, refuses a disabled customer and emulates from a row', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);

      const listsAnswer = page.waitForResponse((r) => new URL(r.url()).pathname === '/asm/customerlists');
      const firstPage = page.waitForResponse((r) => isListPage(r, { customerListId: 'instore', currentPage: '0' }));
      await lists.open(page).click();
      await lists.dialog(page).waitFor();
      const offered = (await (await listsAnswer).json()).customerLists;
      assert.deepEqual(offered.map((l) => l.id), FIXTURE.listIds);
      const first = await (await firstPage).json();
      assert.equal(first.pagination.pageSize, PAGE_SIZE);
      // The reason given in the bar is the dialog's too.
      assert.equal(await lists.reason(page).inputValue(), REASON);

      // Every list: its option says its size, and picking it shows that count.
      const options = await lists.picker(page).locator('option').allTextContents();
      assert.deepEqual(options, offered.map((l) => `${l.name} (${l.membersCount})`));
      for (const list of [...offered].reverse()) {
        const answered = page.waitForResponse((r) => isListPage(r, { customerListId: list.id, currentPage: '0' }));
        await lists.picker(page).selectOption(list.id);
        const body = await (await answered).json();
        assert.equal(body.pagination.totalResults, list.membersCount, `${list.id} count`);
        await waitForText(lists.count(page), countLabel(list.membersCount));
        if (list.membersCount === 0) {
          await waitForText(lists.empty(page), 'No customers in this list');
        } else {
          await lists.fresh(page).waitFor();
          assert.deepEqual(await lists.names(page).allTextContents(), body.entries.map((e) => e.name));
        }
      }
      const inStore = offered.find((l) => l.id === 'instore');
      assert.equal(inStore.membersCount, FIXTURE.inStore);
      // Two pages: a full one and the rest.
      const rest = FIXTURE.inStore - PAGE_SIZE;
      assert.ok(rest > 0 && rest < PAGE_SIZE, 'the in-store list fills two pages');
      assert.equal(await lists.picker(page).inputValue(), 'instore');
      await waitForText(lists.pager(page), 'Page 1 of 2');
      assert.equal(await lists.names(page).count(), PAGE_SIZE);

      // Sort: by name, Z to A.
      const sorted = page.waitForResponse((r) => isListPage(r, { customerListId: 'instore', sort: 'byNameDesc' }));
      await lists.sort(page).selectOption('byNameDesc');
      const desc = (await (await sorted).json()).entries.map((e) => e.name);
      assert.deepEqual(desc, [...desc].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' })));
      await lists.fresh(page).waitFor();
      await waitForText(lists.names(page).first(), desc[0]);
      assert.deepEqual(await lists.names(page).allTextContents(), desc);

      // Next page: the rest, still sorted.
      const second = page.waitForResponse((r) => isListPage(r, { customerListId: 'instore', sort: 'byNameDesc', currentPage: '1' }));
      await lists.next(page).click();
      const last = (await (await second).json()).entries.map((e) => e.name);
      assert.equal(last.length, rest);
      assert.deepEqual(last, [...last].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' })));
      assert.ok(desc[desc.length - 1].localeCompare(last[0], 'en', { sensitivity: 'base' }) >= 0, 'page 2 follows page 1');
      await waitForText(lists.pager(page), 'Page 2 of 2');
      await lists.fresh(page).waitFor();
      assert.deepEqual(await lists.names(page).allTextContents(), last);
      assert.ok(await lists.next(page).isDisabled());

      // The disabled customer in the list: the reason shows, nothing in the row works.
      const searchedDisabled = page.waitForResponse((r) => isListPage(r, { customerListId: 'instore', query: FIXTURE.disabled.query }));
      await lists.search(page).fill(FIXTURE.disabled.query);
      const disabledPage = await (await searchedDisabled).json();
      assert.ok(disabledPage.entries.some((e) => e.customerId === FIXTURE.disabled.id), 'the disabled customer is in the list');
      const dan = lists.row(page, FIXTURE.disabled.id);
      await dan.waitFor();
      await waitForText(dan.locator('.asm-blocked'), 'Account disabled: cannot be emulated');
      assert.ok(await dan.locator('.asm-row-name').isDisabled());
      await dan.locator('.asm-row-name').click({ force: true });
      assert.equal(await lists.dialog(page).count(), 1, 'the dialog stays');
      assert.equal((await events(page, 'asm:emulation-started')).length, 0);
      // The server refuses them too (on SAP: the customer's deactivationDate), not only the row.
      const refused = await context.request.post(`${server.url}/asm/sessions`, {
        headers: { 'X-ASM-Request': '1', Origin: server.origin },
        data: { customerId: FIXTURE.disabled.id, baseSite: 'electronics', reason: REASON },
      });
      assert.equal(refused.status(), 403);
      assert.equal((await refused.json()).errors[0].type, 'CustomerDisabledError');

      // Search inside the list, then emulate Linda from her row.
      const searched = page.waitForResponse((r) => isListPage(r, { customerListId: 'instore', query: 'wolf', currentPage: '0' }));
      await lists.search(page).fill('wolf');
      const found = await (await searched).json();
      assert.ok(found.entries.some((e) => e.customerId === LINDA.customerId));
      const linda = lists.row(page, LINDA.customerId);
      await linda.waitFor();
      await waitForText(linda.locator('.asm-name'), LINDA.name);
      const lindaEntry = found.entries.find((e) => e.customerId === LINDA.customerId);
      assert.ok(lindaEntry.phone, 'the seed gives Linda a phone');
      await waitForText(linda.locator('.asm-phone'), lindaEntry.phone);
      await waitForText(linda.locator('.asm-avatar'), 'LW');
      assert.equal(await linda.locator('.asm-row-cart').count(), lindaEntry.lastCartId ? 1 : 0);
      assert.equal(await linda.locator('.asm-row-orders').count(), 1);

      const started = page.waitForResponse((r) => r.url().endsWith('/asm/sessions') && r.request().method() === 'POST');
      await linda.locator('.asm-row-name').click();
      const res = await started;
      assert.equal(res.status(), 201);
      const sent = JSON.parse(res.request().postData() ?? '{}');
      assert.equal(sent.customerId, LINDA.customerId);
      assert.equal(sent.reason, REASON);
      await lists.dialog(page).waitFor({ state: 'detached' });
      const ev = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(ev.detail.customerId, LINDA.customerId);
      await ui.emulation(page).waitFor();
      await store.banner(page).waitFor();
      assert.match(await store.banner(page).innerText(), /Shopping as Linda Wolf/);

      // She is now in "My Recent Customer Sessions".
      await ui.endSessionButton(page).click();
      await ui.search(page).waitFor();
      const mine = page.waitForResponse((r) => new URL(r.url()).pathname === '/asm/customerlists');
      await lists.open(page).click();
      const again = (await (await mine).json()).customerLists;
      assert.equal(again.find((l) => l.id === 'mysessions').membersCount, 1);
      const recent = page.waitForResponse((r) => isListPage(r, { customerListId: 'mysessions' }));
      await lists.picker(page).selectOption('mysessions');
      await recent;
      await waitForText(lists.count(page), '1 customer');
      await waitForText(lists.names(page).first(), LINDA.name);
      await waitForText(lists.sort(page).locator('option:checked'), 'Last session (newest first)');
    } finally {
      await closeContext(context, server);
    }
  });

  it('keeps Tab inside the dialog, closes on Escape and gives focus back to the Customers button', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);

      // Opened from the keyboard.
      await lists.open(page).focus();
      await page.keyboard.press('Enter');
      await lists.dialog(page).waitFor();
      await lists.fresh(page).waitFor();
      const start = await focusInOverlay(page);
      assert.equal(start.id, 'asm-lists-list', 'the list picker has focus first');

      const seen = new Set();
      for (let i = 0; i < 100; i++) {
        await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
        const f = await focusInOverlay(page);
        assert.ok(f.inDialog, `Tab ${i + 1} left the dialog: ${JSON.stringify(f)}`);
        assert.equal(f.documentActive, 'ASM-OVERLAY', `Tab ${i + 1}: the page has focus`);
        seen.add(f.id || f.tag);
      }
      // It went round: the picker, the close button and the pager were all reached.
      for (const id of ['asm-lists-list', 'asm-lists-reason']) assert.ok(seen.has(id), `${id} reached: ${[...seen]}`);
      assert.ok(seen.has('BUTTON'), `buttons reached: ${[...seen]}`);

      await lists.next(page).focus();
      await page.keyboard.press('Escape');
      await lists.dialog(page).waitFor({ state: 'detached' });
      const back = await focusInOverlay(page);
      assert.equal(back.id, 'asm-lists-open');
      // Nothing was emulated.
      assert.equal((await events(page, 'asm:emulation-started')).length, 0);
    } finally {
      await closeContext(context, server);
    }
  });
});
