// Customer search states: nothing found, too short to search, cleared, and no stale answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  MANAGER,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  signOutOnServer,
  pauseClockSoon,
  ui,
  waitForText,
} from './helpers.mjs';

const isSearch = (url) => new URL(url).pathname === '/asm/customers/search';
const queryOf = (url) => new URL(url).searchParams.get('query');

/**
 * Resolves once every request the page started before now has been reported: a sentinel fetch
 * is issued from the page and Playwright reports requests in order.
 */
async function flushRequests(page, seen) {
  const marker = `/healthz?sentinel=${Math.random()}`;
  await page.evaluate((m) => fetch(m).then((r) => r.text()), marker);
  assert.ok(seen.some((u) => u.includes(marker)), 'the sentinel request was seen');
}

describe('customer search', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says "No customer found." for a nonsense query', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const answered = page.waitForResponse((r) => isSearch(r.url()) && queryOf(r.url()) === 'qxzzyv');
      await ui.search(page).fill('qxzzyv');
      const res = await answered;
      assert.equal(res.status(), 200);
      const body = await res.json();
      assert.equal(body.entries.length, 0, 'the server found nobody');
      const empty = page.locator('.asm-empty');
      await waitForText(empty, 'No customer found.');
      assert.equal(await empty.getAttribute('role'), 'status');
      assert.equal(await ui.results(page).count(), 0);
      assert.equal(await page.locator('#asm-search-results').count(), 0, 'no result list');
      assert.equal(await ui.error(page).count(), 0, 'not an error');

      // A real query afterwards replaces the notice with results.
      await searchCustomers(page, 'wolf');
      await waitForText(ui.results(page).first(), LINDA.name);
      assert.equal(await empty.count(), 0);
    } finally {
      await context.close();
    }
  });

  it('does not search, or show results, for fewer than three characters', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      // A controllable clock, so that "the debounce has passed" is a fact, not a sleep.
      await page.clock.install();
      const seen = [];
      page.on('request', (req) => seen.push(req.url()));
      await openSignIn(page, server);
      await signIn(page, AGENT);
      const search = ui.search(page);

      // Sanity: three characters do search (this is what the short cases must not do).
      await search.fill('lin');
      await page.clock.runFor(1_000);
      await ui.results(page).first().waitFor();
      assert.ok(seen.filter(isSearch).map(queryOf).includes('lin'));

      for (const typed of ['li', 'l', '  li  ', '']) {
        seen.length = 0;
        await search.fill(typed);
        // Any debounce timer would have fired by now; then make sure its request would be seen.
        await page.clock.runFor(2_000);
        await flushRequests(page, seen);
        assert.deepEqual(seen.filter(isSearch), [], `no search request for ${JSON.stringify(typed)}`);
        assert.equal(await ui.results(page).count(), 0, `no results for ${JSON.stringify(typed)}`);
        assert.equal(await page.locator('.asm-empty').count(), 0, `no "not found" for ${JSON.stringify(typed)}`);
        assert.equal(await search.getAttribute('aria-expanded'), 'false');
        assert.equal(await search.inputValue(), typed, 'what was typed stays');
      }
    } finally {
      await context.close();
    }
  });

  // The previous query's results stay on screen while a newer query is debounced or in flight;
  // Enter must not pick from them (the agent typed "mallory", not "linda").
  it('Enter while a newer query is pending does not emulate a result of the old query', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.clock.install();
      const seen = [];
      const emulationBodies = [];
      page.on('request', (req) => {
        seen.push(req.url());
        if (req.method() === 'POST' && req.url().endsWith('/asm/sessions')) emulationBodies.push(req.postData() ?? '');
      });
      await openSignIn(page, server);
      // The manager: an emulation this (buggy) test starts must not leak into the other tests.
      await signIn(page, MANAGER);
      await searchCustomers(page, 'linda');
      await ui.search(page).press('ArrowDown');
      await page.locator('.asm-result.asm-active').waitFor();

      // Freeze time so the new query stays pending (debounce not yet run), then press Enter.
      await pauseClockSoon(page);
      await ui.search(page).fill('mallory');
      await ui.search(page).press('Enter');
      await flushRequests(page, seen);
      assert.ok(
        !emulationBodies.some((b) => b.includes(LINDA.customerId)),
        `typed "mallory", but Enter started emulating ${LINDA.customerId}: ${emulationBodies}`,
      );
      assert.equal(await ui.emulation(page).count(), 0);
    } finally {
      assert.ok(await signOutOnServer(context, server), 'the manager was still signed in at the end');
      await context.close();
    }
  });

  it('never shows a late answer to an older query', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      await signIn(page, AGENT);

      // Hold the answer to "wolf" until the newer query has been answered and shown.
      let held;
      const heldSeen = new Promise((resolve) => {
        page.route((url) => isSearch(url.href) && queryOf(url.href) === 'wolf', (route) => {
          held = route;
          resolve();
        });
      });
      const settled = new Promise((resolve) => {
        const done = (req) => { if (isSearch(req.url()) && queryOf(req.url()) === 'wolf') resolve(req.failure()?.errorText ?? 'finished'); };
        page.on('requestfailed', done);
        page.on('requestfinished', done);
      });
      await ui.search(page).fill('wolf');
      await heldSeen;
      await ui.search(page).fill('mallory');
      await waitForText(ui.results(page).first(), 'mallory@example.com');

      // Now let the old request answer with a customer that must never appear.
      const stale = {
        entries: [{ customerId: 'C-STALE', uid: 'stale@example.com', name: 'Stale Answer', hasOrder: false }],
        pagination: { currentPage: 0, pageSize: 20, totalPages: 1, totalResults: 1 },
      };
      await held.fulfill({ json: stale }).catch(() => {}); // already aborted by the overlay: fine
      await settled;
      // Let the page run the tasks that would handle the stale answer.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
      assert.equal(await ui.results(page).count(), 1);
      await waitForText(ui.results(page).first(), 'mallory@example.com');
      assert.equal(await page.locator('.asm-result', { hasText: 'Stale Answer' }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
