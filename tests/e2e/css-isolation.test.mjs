// Styles are isolated both ways: hostile host-page CSS cannot hide or break the bar, the bar's
// CSS does not leak into the page, and the page can theme the bar through custom properties.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  closeContext,
  AGENT,
  assertVisible,
  launchBrowser,
  newContext,
  openSignIn,
  store,
  ui,
  waitForEvent,
} from './helpers.mjs';

const HOSTILE = '* { all: unset !important } div { display: none !important }';
const ACCENT = 'rgb(10, 110, 209)'; // the overlay's default --asm-accent, #0a6ed1
const DANGER = 'rgb(187, 0, 0)'; // the overlay's default --asm-danger, #bb0000

/** Whether the element at the centre of `locator` is the overlay (not covered by the page). */
async function onTop(page, locator) {
  const box = await locator.boundingBox();
  assert.ok(box, 'has a box');
  return page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.id, {
    x: box.x + box.width / 2,
    y: box.y + box.height / 2,
  });
}

async function computed(locator, property) {
  return locator.evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), property);
}

describe('CSS isolation', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const when of ['after the page loaded', 'before any script ran']) {
    it(`keeps the bar visible and usable under \`${HOSTILE}\` injected ${when}`, async () => {
      const context = await newContext(browser);
      try {
        if (when === 'before any script ran') {
          await context.addInitScript((css) => {
            const add = () => {
              const style = document.createElement('style');
              style.id = 'hostile';
              style.textContent = css;
              document.documentElement.appendChild(style);
            };
            if (document.documentElement) {
              add();
            } else {
              const watch = new MutationObserver(() => {
                if (document.documentElement) {
                  watch.disconnect();
                  add();
                }
              });
              watch.observe(document, { childList: true });
            }
          }, HOSTILE);
        }
        const page = await context.newPage();
        await page.goto(`${server.url}/?asm=true`);
        if (when === 'after the page loaded') {
          await page.addStyleTag({ content: HOSTILE });
        }
        await ui.signInForm(page).waitFor();

        // The hostile sheet really applies to the page.
        assert.equal(await page.locator('style').evaluateAll((els) => els.some((s) => s.textContent.includes('all: unset'))), true);
        assert.equal(await computed(page.locator('main'), 'display'), 'inline', 'page elements are unset');
        assert.equal(await computed(page.locator('header.store-header'), 'display'), 'inline');

        // The bar and the sign-in inputs are visible, styled and on top.
        await assertVisible(ui.bar(page), 'the bar');
        await assertVisible(ui.username(page), 'the username input');
        await assertVisible(ui.password(page), 'the password input');
        await assertVisible(ui.signInButton(page), 'the Sign In button');
        assert.equal(await computed(ui.host(page), 'display'), 'block', 'the host element keeps its own display');
        assert.equal(await computed(ui.signInButton(page), 'background-color'), ACCENT, 'overlay styles still apply');
        assert.ok(!['inline', 'none'].includes(await computed(ui.username(page), 'display')), 'the input is not unset');
        assert.equal(await computed(ui.username(page), 'min-width'), '224px', 'the input keeps its 16em width');
        assert.equal(await onTop(page, ui.username(page)), 'asm-overlay-host', 'nothing covers the input');

        // Usable with a real mouse and keyboard.
        await ui.username(page).click();
        await page.keyboard.type(AGENT.username);
        await ui.password(page).click();
        await page.keyboard.type(AGENT.password);
        assert.equal(await ui.username(page).inputValue(), AGENT.username);
        await ui.signInButton(page).click();
        await ui.search(page).waitFor();
        await waitForEvent(page, 'asm:agent-signed-in');
        await assertVisible(ui.search(page), 'the customer search');
        await assertVisible(ui.signOutButton(page), 'the Sign Out button');
        assert.match(await ui.timer(page).innerText(), /^\d\d:\d\d$/);

        await ui.reason(page).click();
        await page.keyboard.type('Ticket 4711');
        await ui.search(page).click();
        await page.keyboard.type('linda');
        await ui.results(page).first().waitFor();
        await assertVisible(ui.results(page).first(), 'the search result');
        await ui.results(page).first().click();
        await ui.emulation(page).waitFor();
        await assertVisible(ui.endSessionButton(page), 'the End Session button');
        assert.equal(await computed(ui.endSessionButton(page), 'background-color'), DANGER);
        // The storefront got the event (its banner is a div, hidden by the hostile sheet).
        await waitForEvent(page, 'asm:emulation-started');
        await store.banner(page).waitFor({ state: 'attached' });
        assert.equal(await store.banner(page).evaluate((el) => el.hidden), false);

        await ui.endSessionButton(page).click();
        await ui.search(page).waitFor();
        await ui.signOutButton(page).click();
        await ui.signInForm(page).waitFor();
        await assertVisible(ui.username(page), 'the username input after signing out');
      } finally {
        await closeContext(context, server);
      }
    });
  }

  it("does not leak the bar's CSS into the page, and takes the page's theme", async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server);
      // Page elements that reuse the overlay's class names and element types.
      await page.evaluate(() => {
        const p = document.createElement('p');
        p.className = 'asm-error';
        p.id = 'page-error';
        p.textContent = 'page text';
        const b = document.createElement('button');
        b.className = 'asm-button asm-primary';
        b.id = 'page-button';
        b.textContent = 'page button';
        const i = document.createElement('input');
        i.id = 'page-input';
        document.querySelector('main').append(p, b, i);
      });
      assert.notEqual(await computed(page.locator('#page-error'), 'color'), DANGER);
      assert.notEqual(await computed(page.locator('#page-button'), 'background-color'), ACCENT);
      assert.notEqual(await computed(page.locator('#page-input'), 'min-width'), '16em');
      assert.notEqual(await computed(page.locator('#page-input'), 'padding-left'), '8px');
      assert.equal(await page.evaluate(() => document.styleSheets.length), 1, 'only the store stylesheet in the page');

      // Theming through a custom property on the host element.
      await page.addStyleTag({ content: 'asm-overlay { --asm-accent: #8a2be2; }' });
      assert.equal(await computed(ui.signInButton(page), 'background-color'), 'rgb(138, 43, 226)');
    } finally {
      await closeContext(context, server);
    }
  });
});
