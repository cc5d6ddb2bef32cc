// The loader: a storefront page without ASM costs nothing (no overlay JS, no wasm, no element);
// once ASM is turned on it stays on for the tab across navigation, until ?asm=false.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import { AGENT, launchBrowser, newContext, signIn, ui, waitForEvent } from './helpers.mjs';

// The glue and the wasm, by their content-hashed names (or Trunk's fixed ones, unhashed builds).
const OVERLAY_FILE = /\/asm-overlay\/asm-overlay(-[0-9a-f]{16})?(\.js|_bg\.wasm)(\?|$)/;

/** Records every request of `page`; `overlay()` lists the ones for the overlay bundle. */
function recordRequests(page) {
  const urls = [];
  page.on('request', (req) => urls.push(req.url()));
  return {
    urls,
    overlay: () => urls.filter((u) => OVERLAY_FILE.test(u)),
    loader: () => urls.filter((u) => u.endsWith('/asm-overlay/asm-loader.js')),
    clear: () => urls.splice(0),
  };
}

/**
 * Loads `url` and waits until the page is settled: the load event (module scripts, the loader
 * included, have run by then) and no network activity. Returns the page's own resource list too.
 */
async function loadSettled(page, url) {
  await page.goto(url, { waitUntil: 'networkidle' });
  return page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
}

async function assertNoOverlay(page, requests, resources, where) {
  assert.equal(requests.loader().length, 1, `${where}: the loader itself is requested (the page embeds it)`);
  assert.deepEqual(requests.overlay(), [], `${where}: no overlay JS or wasm requested`);
  assert.deepEqual(resources.filter((u) => OVERLAY_FILE.test(u)), [], `${where}: no overlay resource loaded`);
  assert.equal(await page.locator('asm-overlay').count(), 0, `${where}: no <asm-overlay> element`);
  assert.equal(await page.evaluate(() => window.__asmEvents.length), 0, `${where}: no host events`);
}

describe('loader', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads no overlay JS or wasm and adds no element without ?asm=true', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const requests = recordRequests(page);
      const resources = await loadSettled(page, `${server.url}/`);
      await assertNoOverlay(page, requests, resources, 'plain page');
      // The storefront itself works.
      assert.equal(await page.locator('#shopper').textContent(), 'Guest');
      assert.equal(await page.locator('#emulation-banner').isHidden(), true);

      // Other query values do not turn it on either.
      requests.clear();
      const other = await loadSettled(page, `${server.url}/?asm=1&page=cameras`);
      await assertNoOverlay(page, requests, other, '?asm=1');
    } finally {
      await context.close();
    }
  });

  it('keeps ASM on across navigation in the same tab until ?asm=false', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const requests = recordRequests(page);

      await page.goto(`${server.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      await waitForEvent(page, 'asm:ready');
      assert.equal(requests.overlay().length, 2, 'overlay JS and wasm requested once ASM is on');
      assert.equal(await page.locator('asm-overlay').count(), 1, 'exactly one overlay element');

      // Navigate by clicking a storefront link: the URL no longer says asm=true.
      requests.clear();
      await Promise.all([page.waitForURL(/\?page=cameras$/), page.getByRole('link', { name: 'Cameras' }).click()]);
      assert.ok(!page.url().includes('asm='), 'the storefront link has no asm parameter');
      await ui.signInForm(page).waitFor();
      await waitForEvent(page, 'asm:ready');
      assert.equal(requests.overlay().length, 2, 'overlay loaded again after navigation');

      // A plain URL in the same tab keeps it on too.
      await page.goto(`${server.url}/`);
      await ui.signInForm(page).waitFor();

      // Another tab of the same browser is not in ASM mode (the flag is per tab).
      const otherTab = await context.newPage();
      const otherRequests = recordRequests(otherTab);
      const otherResources = await loadSettled(otherTab, `${server.url}/`);
      await assertNoOverlay(otherTab, otherRequests, otherResources, 'other tab');
      await otherTab.close();

      // ?asm=false turns it off, and it stays off on the next plain page.
      requests.clear();
      const offResources = await loadSettled(page, `${server.url}/?asm=false`);
      await assertNoOverlay(page, requests, offResources, '?asm=false');
      requests.clear();
      const afterOff = await loadSettled(page, `${server.url}/?page=cameras`);
      await assertNoOverlay(page, requests, afterOff, 'after ?asm=false');
      assert.equal(await page.evaluate(() => sessionStorage.getItem('asm_enabled')), null);
    } finally {
      await context.close();
    }
  });

  it('closing the bar turns ASM off for the tab', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const requests = recordRequests(page);
      await page.goto(`${server.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      await page.getByRole('button', { name: 'Close Assisted Service Mode' }).click();
      await page.locator('asm-overlay').waitFor({ state: 'detached' });
      await waitForEvent(page, 'asm:closed');

      requests.clear();
      const resources = await loadSettled(page, `${server.url}/`);
      await assertNoOverlay(page, requests, resources, 'after closing');
    } finally {
      await context.close();
    }
  });
  // A page of the storefront's origin with nothing but the loader (no demo-store script, which
  // asks the server for the session on its own): every `/asm/agents/me` is the overlay's.
  const bare = async (page) => {
    await page.route((url) => url.pathname === '/bare-page', (route) => route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><html lang="en"><body><h1>Bare</h1><script type="module" src="/asm-overlay/asm-loader.js" data-asm-api="/asm"></script></body></html>',
    }));
  };
  const isMe = (u) => new URL(u).pathname === '/asm/agents/me';
  const isMainWasm = (u) => /\/asm-overlay\/asm-overlay(-[0-9a-f]{16})?_bg\.wasm$/.test(new URL(u).pathname);

  it('asks for the session beside the overlay download, once, and the restore uses that answer', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await bare(page);
      await page.goto(`${server.url}/bare-page?asm=true`);
      await ui.signInForm(page).waitFor();
      await signIn(page, AGENT);

      const requests = recordRequests(page);
      await page.goto(`${server.url}/bare-page`);
      await ui.signOutButton(page).waitFor();
      assert.equal(await ui.signInForm(page).count(), 0, 'restored signed in');
      const me = requests.urls.filter(isMe);
      assert.equal(me.length, 1, `one session request on a restore: ${requests.urls.join(' ')}`);
      const wasm = requests.urls.findIndex(isMainWasm);
      assert.ok(wasm >= 0, 'the overlay was loaded');
      assert.ok(requests.urls.findIndex(isMe) < wasm, 'the session was asked for before the wasm');
    } finally {
      await context.close();
    }
  });

  it('a failed early session request says so on the sign-in form, and signing in works', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await bare(page);
      await page.route((url) => isMe(url.href), (route) => route.abort('connectionrefused'), { times: 1 });
      await page.goto(`${server.url}/bare-page?asm=true`);
      await ui.signInForm(page).waitFor();
      await assert.doesNotReject(ui.notice(page).filter({ hasText: 'Cannot reach the ASM service' }).waitFor());
      await signIn(page, AGENT);
      await ui.signOutButton(page).waitFor();
    } finally {
      await context.close();
    }
  });
});
