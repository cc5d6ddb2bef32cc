// Customer data is text, never HTML: a customer whose name is an <img onerror> / <script>
// payload shows up literally in the search results, the bar and the storefront, and nothing runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  closeContext,
  AGENT,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  signIn,
  store,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const FIRST = '<img src=x onerror="window.__asmPwned=1">Mallory';
const LAST = '<script>window.__asmPwned=2</script>';
const EMAIL = 'mallory@example.com';

/** Elements the payload would create, anywhere: page and shadow root. */
function injectedElements(page) {
  return page.evaluate(() => {
    const root = document.getElementById('asm-overlay-host')?.shadowRoot;
    const inShadow = root ? [...root.querySelectorAll('img, script, [onerror]')].map((e) => e.outerHTML) : null;
    const inPage = [...document.querySelectorAll('img, [onerror]')].map((e) => e.outerHTML);
    const pageScripts = [...document.querySelectorAll('script')].filter((s) => !s.src).map((s) => s.outerHTML);
    return { inShadow, inPage, pageScripts, pwned: typeof window.__asmPwned };
  });
}

describe('HTML injection in customer data', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('renders the payload as text in results, the bar and the storefront, and runs nothing', async () => {
    // The demo store's CSP would block inline handlers anyway; bypass it so that an injection
    // would really execute and this test catches it.
    const context = await newContext(browser, { bypassCSP: true });
    try {
      const page = await context.newPage();
      const imageRequests = [];
      page.on('request', (req) => {
        if (new URL(req.url()).pathname === '/x') imageRequests.push(req.url());
      });
      await openSignIn(page, server);
      await signIn(page, AGENT);

      const results = await searchCustomers(page, 'mallory');
      assert.equal(await results.count(), 1, 'one customer matches');
      const text = await results.first().textContent();
      assert.ok(text.includes('<img'), `result shows the literal <img: ${text}`);
      assert.ok(text.includes(FIRST), 'the whole first name, literally');
      assert.ok(text.includes(LAST), 'the whole last name, literally');
      assert.ok(text.includes(EMAIL));
      let found = await injectedElements(page);
      assert.deepEqual(found.inShadow, [], 'no img/script element in the shadow root');
      assert.deepEqual(found.inPage, [], 'no img element in the page');
      assert.equal(found.pwned, 'undefined', 'window.__asmPwned is not set');

      // Emulate them: bar, host event and storefront banner all show the text.
      await results.first().click();
      await ui.emulation(page).waitFor();
      const name = await waitForText(ui.emulation(page).locator('.asm-name'), '<img');
      assert.equal(name, `${FIRST} ${LAST}`);
      const started = await waitForEvent(page, 'asm:emulation-started');
      assert.equal(started.detail.name, `${FIRST} ${LAST}`, 'the host event carries the raw text');
      await store.banner(page).waitFor();
      assert.equal(await store.emulatedName(page).textContent(), `${FIRST} ${LAST}`);
      assert.equal(await store.shopper(page).textContent(), `${FIRST} ${LAST}`);
      // The storefront finished loading their cart (shown or empty), as text too.
      await waitForText(store.cartStatus(page), /^Cart \S+: \d+ item\(s\)$|'s cart is empty\.$/);

      found = await injectedElements(page);
      assert.deepEqual(found.inShadow, [], 'no img/script element in the shadow root while emulating');
      assert.deepEqual(found.inPage, [], 'no img element in the page while emulating');
      assert.deepEqual(found.pageScripts, [], 'no inline script element in the page');
      assert.equal(found.pwned, 'undefined', 'window.__asmPwned is still not set');

      // A reload restores the emulation from the server: same result.
      await page.reload();
      await ui.emulation(page).waitFor();
      await waitForText(ui.emulation(page).locator('.asm-name'), '<img');
      await store.banner(page).waitFor();
      found = await injectedElements(page);
      assert.deepEqual(found.inShadow, []);
      assert.deepEqual(found.inPage, []);
      assert.equal(found.pwned, 'undefined');

      // Had an <img src=x> been created, the browser would have fetched /x.
      assert.deepEqual(imageRequests, [], 'no request for the payload image');
    } finally {
      await closeContext(context, server);
    }
  });
});
