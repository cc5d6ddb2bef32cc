// Browser helpers shared by the end-to-end tests: Chromium via playwright-core, the personas,
// an event recorder for the overlay's host events, and condition waits (never fixed sleeps).
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { COMMERCE } from './server.mjs';

export { COMMERCE };

export const CHROMIUM = process.env.ASM_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** How long a single condition may take before a test fails. */
export const TIMEOUT_MS = 15_000;

/**
 * The personas of each backend (`COMMERCE`, see server.mjs): the demo shop's seed
 * (`commerce/embedded/seed.rs`) and the SAP simulator's (`crates/sapcc-sim/src/model.rs`, SAP's
 * sample data: one password for all, agents named by their uid since SAP has no call that reads
 * an employee's name with the agent's token).
 */
const PERSONAS = {
  embedded: {
    AGENT: { username: 'asagent', password: 'Agent#2026', name: 'Avery Agent' },
    MANAGER: { username: 'asmanager', password: 'Manager#2026', name: 'Morgan Manager' },
    CUSTOMER: { username: 'linda.wolf@example.com', password: 'Customer#2026' },
    LINDA: { customerId: 'C-LINDA', name: 'Linda Wolf', email: 'linda.wolf@example.com' },
    SHOP: {
      disabled: { query: 'Dan Disabled', name: 'Dan Disabled' },
      noConsent: { query: 'Nora Noconsent', name: 'Nora Noconsent' },
      cartVoucher: 'SAVE10',
      unknownVoucherMessage: 'This voucher code is not valid for this customer.',
      customerCoupon: { code: 'VIP25', filter: 'vip', expiresInDays: 5 },
      // Linda's coupon that has ended (the store and Customer 360° say "Expired").
      expiredCoupon: 'AUTUMN20',
      assignedCoupon: 'LOYALTY20',
      // The store keeps an anonymous cart by its number; new ones follow the 20 seeded ones.
      guestCart: { keptByCode: true, after: 90000020 },
      anonymousCart: '90000001',
      unknownCartMessage: (code) => `There is no cart ${code}.`,
      // Whether an unknown cart number is refused before the "replace the active cart?" question.
      bindChecksCartFirst: true,
    },
  },
  sapcc: {
    AGENT: { username: 'asagent', password: 'pw4all', name: 'asagent' },
    MANAGER: { username: 'asmanager', password: 'pw4all', name: 'asmanager' },
    CUSTOMER: { username: 'linda.wolf@rustic-hw.com', password: 'pw4all' },
    LINDA: { customerId: '8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601', name: 'Linda Wolf', email: 'linda.wolf@rustic-hw.com' },
    SHOP: {
      disabled: { query: 'hans', name: 'Hans Dampf' },
      // SAP Commerce has no consent to assisted service: everyone may be served.
      noConsent: null,
      cartVoucher: 'SUMMER10',
      unknownVoucherMessage: 'Voucher not found: NOPE',
      customerCoupon: { code: 'CAMERA15', filter: 'camera', expiresInDays: 20 },
      expiredCoupon: null,
      assignedCoupon: 'FREESHIP',
      // SAP's anonymous carts are addressed by guid (the store keeps it), read out by code.
      guestCart: { keptByCode: false, after: 0 },
      anonymousCart: '00002001',
      // SAP's bind-cart cannot tell an unknown cart from a customer's (SAP-CONTRACT.md §3.5).
      unknownCartMessage: () => 'SAP Commerce refused to bind this cart: Cart not found or cart is not anonymous.',
      // SAP cannot look an anonymous cart up by its number: only bind-cart itself, after the question.
      bindChecksCartFirst: false,
    },
  },
};
/** `SHOP`: the seeded data a test relies on beyond the personas (per backend, as above). */
export const { AGENT, MANAGER, CUSTOMER, LINDA, SHOP } = PERSONAS[COMMERCE];

export const HOST_EVENTS = [
  'asm:ready',
  'asm:agent-signed-in',
  'asm:agent-signed-out',
  'asm:emulation-started',
  'asm:emulation-ended',
  'asm:closed',
  'asm:navigate',
  'asm:customer-created',
  'asm:cart-bound',
  'asm:customer-changed',
  'asm:error',
];

export function launchBrowser() {
  // `headless: false` because `--headless=new` is passed explicitly (Playwright would add the old mode).
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: false });
}

/**
 * A fresh context (own cookies and storage) whose pages record the overlay's host events in
 * `window.__asmEvents` (reset on every page load, like the page itself).
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(TIMEOUT_MS);
  // Every text any page of this context shows — the storefront and the overlay's shadow root,
  // across navigations — is watched for values printed by mistake ("null", "undefined",
  // "NaN", "[object Object]"); closing the context fails the test when one was shown.
  const badText = [];
  await context.exposeBinding('__asmBadText', (_source, url, text) => { badText.push(`${url}: ${JSON.stringify(text)}`); });
  await context.addInitScript(() => {
    const BAD = /\b(null|undefined|NaN)\b|\[object Object\]/;
    const check = (node) => {
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      for (let t = node.nodeType === Node.TEXT_NODE ? node : walker.nextNode(); t; t = walker.nextNode()) {
        const parent = t.parentNode?.nodeName;
        if (parent === 'SCRIPT' || parent === 'STYLE') continue;
        if (BAD.test(t.data)) window.__asmBadText(location.href, t.data.trim().slice(0, 200));
        if (node.nodeType === Node.TEXT_NODE) break;
      }
    };
    const observe = (root) => new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'characterData') check(r.target);
        else r.addedNodes.forEach(check);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true });
    observe(document);
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function attachShadow(init) {
      const root = attach.call(this, init);
      observe(root);
      return root;
    };
  });
  const close = context.close.bind(context);
  context.close = async (...args) => {
    await close(...args);
    assert.deepEqual(badText, [], 'no page showed "null", "undefined", "NaN" or "[object Object]"');
  };
  await context.addInitScript((types) => {
    window.__asmEvents = [];
    for (const type of types) {
      window.addEventListener(type, (e) => {
        window.__asmEvents.push({ type, detail: e.detail == null ? null : JSON.parse(JSON.stringify(e.detail)) });
      });
    }
  }, HOST_EVENTS);
  return context;
}

/** Host events recorded since the page loaded. */
export function events(page, type) {
  return page.evaluate((t) => window.__asmEvents.filter((e) => !t || e.type === t), type);
}

/** Waits until the page has recorded a host event of `type`; returns the latest one. */
export async function waitForEvent(page, type) {
  await page.waitForFunction((t) => window.__asmEvents.some((e) => e.type === t), type, {
    timeout: TIMEOUT_MS,
  });
  const all = await events(page, type);
  return all[all.length - 1];
}

/** Polls `check` (which throws while the condition does not hold) until it passes. */
export async function eventually(check, { timeout = TIMEOUT_MS, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits until `locator` (first match) has text matching `expected` (string: contains). */
export async function waitForText(locator, expected) {
  await eventually(async () => {
    const text = (await locator.first().textContent({ timeout: 1_000 })) ?? '';
    if (typeof expected === 'string') assert.ok(text.includes(expected), `expected ${JSON.stringify(text)} to contain ${JSON.stringify(expected)}`);
    else assert.match(text, expected);
  });
  return (await locator.first().textContent()) ?? '';
}

/** Overlay parts (Playwright's CSS engine pierces the open shadow root). */
export const ui = {
  host: (page) => page.locator('asm-overlay#asm-overlay-host'),
  bar: (page) => page.locator('.asm-bar'),
  signInForm: (page) => page.locator('form.asm-sign-in'),
  username: (page) => page.locator('.asm-sign-in input[name=username]'),
  password: (page) => page.locator('.asm-sign-in input[name=password]'),
  signInButton: (page) => page.getByRole('button', { name: 'Sign In', exact: true }),
  signOutButton: (page) => page.getByRole('button', { name: 'Sign Out', exact: true }),
  endSessionButton: (page) => page.getByRole('button', { name: 'End Session', exact: true }),
  search: (page) => page.locator('#asm-customer-search'),
  reason: (page) => page.locator('#asm-emulation-reason'),
  results: (page) => page.locator('.asm-result'),
  emulation: (page) => page.locator('.asm-emulation'),
  error: (page) => page.locator('.asm-error'),
  notice: (page) => page.locator('.asm-sign-in .asm-notice'),
  timer: (page) => page.locator('.asm-timer-value'),
  agent: (page) => page.locator('.asm-agent'),
};

/** Storefront parts. */
export const store = {
  banner: (page) => page.locator('#emulation-banner'),
  emulatedName: (page) => page.locator('#emulated-name'),
  cartStatus: (page) => page.locator('#cart-status'),
  cartLines: (page) => page.locator('#cart-lines li'),
  cartTotal: (page) => page.locator('#cart-total'),
  shopper: (page) => page.locator('#shopper'),
};

/** Opens the storefront with ASM on and waits for the sign-in form. */
export async function openSignIn(page, server, pathAndQuery = '/?asm=true') {
  await page.goto(server.url + pathAndQuery);
  await ui.signInForm(page).waitFor();
  return page;
}

/**
 * Opens the store with ASM on, signs `who` in, finds Linda and emulates her; resolves to the
 * `asm:emulation-started` detail once the store shows the emulation banner.
 */
export async function emulateLinda(page, server, who = AGENT) {
  await openSignIn(page, server);
  await signIn(page, who);
  const results = await searchCustomers(page, 'linda', LINDA.name);
  await results.first().click();
  await ui.emulation(page).waitFor();
  const started = await waitForEvent(page, 'asm:emulation-started');
  assert.equal(started.detail.customerId, LINDA.customerId);
  await store.banner(page).waitFor();
  return started.detail;
}

/** The emulation reason the tests give (the server requires one). */
export const REASON = 'Ticket 4711';

/** Signs in through the form, waits for the customer search and gives the emulation reason. */
export async function signIn(page, who = AGENT) {
  await ui.username(page).fill(who.username);
  await ui.password(page).fill(who.password);
  await ui.signInButton(page).click();
  await ui.search(page).waitFor();
  await ui.reason(page).fill(REASON);
}

/**
 * Types a query into the customer search and waits for the answer to *this* query: a result
 * containing `expected` (default: the query; case-insensitive) in a list that is not stale.
 * Until the new answer arrives the previous query's results may still be on screen.
 */
export async function searchCustomers(page, query, expected = query) {
  // Each emulation needs its reason: give it again if the last emulation used it up.
  if ((await ui.reason(page).inputValue()) === '') await ui.reason(page).fill(REASON);
  await ui.search(page).fill(query);
  await ui.results(page).filter({ hasText: expected }).first().waitFor();
  await page.locator('#asm-search-results:not(.asm-stale)').waitFor();
  return ui.results(page);
}

/** `GET /asm/agents/me` from the page (with its cookie): status and body. */
export function fetchMe(page) {
  return page.evaluate(async () => {
    const res = await fetch('/asm/agents/me', { credentials: 'include' });
    return { status: res.status, body: await res.json().catch(() => null) };
  });
}

/**
 * Signs the context's agent out on the server (ends any emulation), whatever the page shows,
 * with the context's cookies. Returns whether a session was signed out.
 */
export async function signOutOnServer(context, server) {
  const me = () => context.request.get(`${server.url}/asm/agents/me`);
  const before = (await me()).status();
  const res = await context.request.post(`${server.url}/asm/agents/logout`, {
    headers: { 'X-ASM-Request': '1', Origin: server.origin },
  });
  assert.equal(res.status(), 204, `sign-out answered ${res.status()}`);
  assert.equal((await me()).status(), 401, 'signed out on the server');
  return before === 200;
}

/**
 * Ends a test's context: signs its agent out on the server first (best effort), so that an
 * emulation left behind by a failed test does not leak into the next test (emulation state is
 * per agent on the server, not per browser).
 */
export async function closeContext(context, server) {
  await signOutOnServer(context, server).catch(() => {});
  await context.close();
}

/** Whether the element is rendered with a non-empty box. */
export async function assertVisible(locator, what) {
  assert.ok(await locator.isVisible(), `${what} should be visible`);
  const box = await locator.boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0, `${what} should have a non-empty box, got ${JSON.stringify(box)}`);
}

/**
 * Stops the page's clock (installed with `page.clock.install()`) a moment from now: from then on
 * only the test moves time in the page. The page's clock keeps running between reading it and
 * pausing it, so on a busy machine "now + a little" can already be past; then it reads it again.
 */
export async function pauseClockSoon(page) {
  for (let attempt = 0; ; attempt++) {
    const ahead = Math.min(10 * 2 ** attempt, 200);
    try {
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + ahead);
      return;
    } catch (e) {
      if (attempt >= 20 || !/fast-forward to the past/.test(String(e))) throw e;
    }
  }
}
