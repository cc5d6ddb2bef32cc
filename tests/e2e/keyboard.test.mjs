// The agent's whole flow with the keyboard only (issue 16 item 5), on the release bundle: sign in,
// the reason, search, choose, emulate, Customer 360° and its tabs, bind a cart, end the session,
// sign out. Every step is a key press; the test asserts where focus is after each step (the
// order Tab walks) and what the bar's live region announces.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import { AGENT, LINDA, REASON, SHOP, TIMEOUT_MS, closeContext, launchBrowser, newContext, ui, waitForText } from './helpers.mjs';

/** What has focus, followed into the overlay's shadow root: id, else name, else label or text. */
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return 'body';
    if (el.id) return `#${el.id}`;
    if (el.getAttribute('name')) return `[name=${el.getAttribute('name')}]`;
    return (el.getAttribute('aria-label') || el.textContent || '').trim();
  });
}

/** Runs `check` until it returns true (else a string saying what is wrong), at most TIMEOUT_MS. */
async function until(check) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const result = await check();
    if (result === true) return;
    if (Date.now() > deadline) assert.fail(String(result));
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The bar's announcement (its polite live region). */
const announced = (page) => page.locator('.asm-announcer').textContent().then((t) => t.trim());

/** Presses `key` and waits until focus is on `expected`. */
async function press(page, key, expected) {
  await page.keyboard.press(key);
  if (expected !== undefined) await until(async () => (await focused(page)) === expected || `${await focused(page)} ≠ ${expected}`);
}

/** Presses Tab once per expected element, asserting focus moves through them in order. */
async function tabs(page, ...order) {
  for (const expected of order) {
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), expected, `Tab order: expected ${expected}`);
  }
}

/** What the bar says in each locale (locales/*.json), for the walk below. */
const WORDS = {
  en: {
    hide: 'Hide', close: 'Close Assisted Service Mode', showPassword: 'Show password', signIn: 'Sign In',
    signedIn: (n) => `Signed in as ${n}.`, emulatedCustomer: 'Emulated customer', emulating: (n) => `Emulating ${n}.`,
    switchCustomer: 'Switch customer', c360: 'Customer 360°', closeDialog: 'Close dialog',
    tabs: ['Overview', 'Profile', 'Activity', 'Feedback', 'Store locations', 'Promotions'], nextTab: 'ArrowRight',
    endSession: 'End Session', replace: 'Replace', bound: (c, n) => `Cart ${c} is now ${n}'s cart.`,
    ended: (n) => `Emulation of ${n} ended.`, signOut: 'Sign Out', signedOut: 'Signed out.',
  },
  de: {
    hide: 'Ausblenden', close: 'Assisted Service Mode schließen', showPassword: 'Passwort anzeigen', signIn: 'Anmelden',
    signedIn: (n) => `Angemeldet als ${n}.`, emulatedCustomer: 'Emulierter Kunde', emulating: (n) => `${n} wird emuliert.`,
    switchCustomer: 'Kunden wechseln', c360: 'Kunde 360°', closeDialog: 'Dialog schließen',
    tabs: ['Übersicht', 'Profil', 'Aktivität', 'Feedback', 'Filialen', 'Aktionen'], nextTab: 'ArrowRight',
    endSession: 'Sitzung beenden', replace: 'Ersetzen', bound: (c, n) => `Warenkorb ${c} gehört jetzt ${n}.`,
    ended: (n) => `Emulation von ${n} beendet.`, signOut: 'Abmelden', signedOut: 'Abgemeldet.',
  },
  // Right to left: Arrow Left is the next tab.
  ar: {
    hide: 'إخفاء', close: 'إغلاق وضع الخدمة المساعدة', showPassword: 'إظهار كلمة المرور', signIn: 'تسجيل الدخول',
    signedIn: (n) => `تم تسجيل الدخول باسم ${n}.`, emulatedCustomer: 'العميل الذي تتم محاكاته', emulating: (n) => `تتم محاكاة ${n}.`,
    switchCustomer: 'تبديل العميل', c360: 'العميل 360°', closeDialog: 'إغلاق النافذة',
    tabs: ['نظرة عامة', 'الملف الشخصي', 'النشاط', 'الملاحظات', 'المتاجر', 'العروض'], nextTab: 'ArrowLeft',
    endSession: 'إنهاء الجلسة', replace: 'استبدال', bound: (c, n) => `السلة ${c} أصبحت الآن سلة ${n}.`,
    ended: (n) => `انتهت محاكاة ${n}.`, signOut: 'تسجيل الخروج', signedOut: 'تم تسجيل الخروج.',
  },
};

describe('keyboard only', () => {
  let browser;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [tag, w] of Object.entries(WORDS)) it(`signs in, emulates, walks Customer 360°, binds a cart, ends and signs out without a mouse (${tag})`, async () => {
    // A store of its own: the walk binds the shopper's cart, which can happen once per store.
    const server = await startServer();
    const context = await newContext(browser);
    if (tag !== 'en') await context.addInitScript((t) => sessionStorage.setItem('asm_locale', t), tag);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/?asm=true`);
      await ui.signInForm(page).waitFor();
      assert.equal(await focused(page), 'body', 'opening the bar takes no focus from the page');
      assert.equal(await announced(page), '');

      // The bar comes first in the page's tab order: its header, then the form.
      await tabs(page, '[name=locale]', w.hide, w.close, '[name=username]');
      await page.keyboard.type(AGENT.username);
      await tabs(page, '[name=password]');
      await page.keyboard.type(AGENT.password);
      await tabs(page, w.showPassword, w.signIn);
      await press(page, 'Enter', '#asm-emulation-reason');
      await waitForText(page.locator('.asm-announcer'), w.signedIn(AGENT.name));

      // The reason, then the search; Arrow Down highlights, Enter emulates.
      await page.keyboard.type(REASON);
      await tabs(page, '#asm-customer-search');
      await page.keyboard.type('linda');
      await ui.results(page).filter({ hasText: LINDA.name }).first().waitFor();
      await page.locator('#asm-search-results:not(.asm-stale)').waitFor();
      await page.keyboard.press('ArrowDown');
      await page.locator('.asm-result.asm-active').filter({ hasText: LINDA.name }).waitFor();
      await press(page, 'Enter', w.emulatedCustomer);
      await waitForText(page.locator('.asm-announcer'), w.emulating(LINDA.name));
      await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);

      // From the customer: Switch customer, Customer 360°; Enter opens the view on its first tab.
      await tabs(page, w.switchCustomer, w.c360);
      await page.keyboard.press('Enter');
      const dialog = page.locator('dialog#asm-c360');
      await dialog.waitFor();
      await waitForText(dialog.locator('.asm-c360-name'), LINDA.name);
      const tab = (name) => dialog.getByRole('tab', { name, exact: true });
      await until(async () => (await tab(w.tabs[0]).getAttribute('aria-selected')) === 'true' || 'first tab not selected');
      // Arrow Right walks every tab; each shows its panel without an error.
      // The dialog's first control has focus; Tab reaches the selected tab.
      assert.equal(await focused(page), w.closeDialog);
      await tabs(page, `#${await tab(w.tabs[0]).getAttribute('id')}`);
      for (const name of w.tabs.slice(1)) {
        await page.keyboard.press(w.nextTab);
        await until(async () => (await tab(name).getAttribute('aria-selected')) === 'true' || `${name} not selected`);
        assert.equal(await focused(page), `#${await tab(name).getAttribute('id')}`, `focus on the ${name} tab`);
        const loading = page.locator('#asm-c360-panel .asm-muted[role=status]');
        await until(async () => (await loading.count()) === 0 || `${name} still loading`);
        assert.equal(await page.locator('#asm-c360-panel .asm-error').count(), 0, `${name}: no error`);
      }
      // Escape closes it; focus is back on its button.
      await press(page, 'Escape', w.c360);
      await dialog.waitFor({ state: 'detached' });

      // Bind the shopper's cart: Tab past End Session to the cart number, Enter asks first.
      await tabs(page, w.endSession, '#asm-cart-number');
      await page.keyboard.type(SHOP.anonymousCart);
      await page.keyboard.press('Enter');
      const question = page.locator('dialog#asm-bind-conflict');
      await question.waitFor();
      await until(async () => {
        const at = await focused(page);
        if (at === w.replace) return true;
        await page.keyboard.press('Tab');
        return `focus on ${at}`;
      });
      await page.keyboard.press('Enter');
      await waitForText(page.locator('.asm-bind-cart-done[role=status]'), w.bound(SHOP.anonymousCart, LINDA.name));

      // End Session (Shift+Tab back to it), then the reason field again.
      await until(async () => {
        const at = await focused(page);
        if (at === w.endSession) return true;
        await page.keyboard.press('Shift+Tab');
        return `focus on ${at}`;
      });
      await press(page, 'Enter', '#asm-emulation-reason');
      await waitForText(page.locator('.asm-announcer'), w.ended(LINDA.name));

      // Sign Out: Shift+Tab up to the header.
      await until(async () => {
        const at = await focused(page);
        if (at === w.signOut) return true;
        await page.keyboard.press('Shift+Tab');
        return `focus on ${at}`;
      });
      await press(page, 'Enter', '[name=username]');
      await waitForText(page.locator('.asm-announcer'), w.signedOut);
      await ui.signInForm(page).waitFor();
    } finally {
      await closeContext(context, server);
      await server.stop();
    }
  });
});
