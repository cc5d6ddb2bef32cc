// The README's pictures (issue 16 item 6), taken from the release bundle on the demo store so
// that they never go stale: `cargo xtask screenshots` runs this file and writes the PNGs to
// docs/screenshots/; `screenshots.test.mjs` takes them into a temporary folder on every e2e run.
//
//   node tests/e2e/screenshots.mjs [folder]     (default docs/screenshots)
//
// One middleware (server.mjs: loopback, fresh database, `dist/`), one Chromium, 1280 × 800:
//   bar.png           the storefront with `?asm=true`: the bar's sign-in form
//   search.png        signed in, results for "ann" (best matches first), the first highlighted
//   emulation.png     emulating Linda Wolf: the bar, the store's banner and her cart
//   customer360.png   Customer 360° on Linda's Promotions tab (coupons, an expiry notice)
//   search-ar.png     the search of search.png in Arabic: the bar right to left
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.mjs';
import { AGENT, LINDA, launchBrowser, openSignIn, searchCustomers, signIn, ui, waitForText } from './helpers.mjs';

/** The pictures, in the order they are taken. */
export const SHOTS = ['bar.png', 'search.png', 'emulation.png', 'customer360.png', 'search-ar.png'];
/** Their size in CSS pixels (device scale 1). */
export const VIEWPORT = { width: 1280, height: 800 };

/** Takes every picture of [`SHOTS`] into `dir` with `browser` against `server`. */
export async function takeScreenshots({ server, browser, dir }) {
  await fs.mkdir(dir, { recursive: true });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const shot = (page, name) => page.screenshot({ path: path.join(dir, name), animations: 'disabled', caret: 'hide' });
  try {
    const page = await context.newPage();
    await openSignIn(page, server);
    await shot(page, 'bar.png');

    await signIn(page);
    await searchCustomers(page, 'ann');
    await ui.search(page).press('ArrowDown');
    await page.locator('.asm-result.asm-active').waitFor();
    await shot(page, 'search.png');

    const linda = (await searchCustomers(page, 'linda wolf', LINDA.name)).filter({ hasText: LINDA.name }).first();
    await linda.locator('[role=gridcell]').first().click();
    await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
    await page.goto(`${server.url}/?page=cart`);
    await waitForText(ui.emulation(page).locator('.asm-name'), LINDA.name);
    await page.locator('#cart-lines li').first().waitFor();
    await shot(page, 'emulation.png');

    await page.getByRole('button', { name: 'Customer 360°', exact: true }).click();
    const dialog = page.locator('dialog#asm-c360');
    await waitForText(dialog.locator('.asm-c360-name'), LINDA.name);
    await dialog.getByRole('tab', { name: 'Promotions', exact: true }).click();
    await page.locator('.asm-c360-coupons li').first().waitFor();
    await shot(page, 'customer360.png');
  } finally {
    await context.close();
  }
  // The same search in Arabic (the agent's choice for the tab), in a browser of its own.
  const arabic = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  arabic.setDefaultTimeout(15_000);
  await arabic.addInitScript(() => sessionStorage.setItem('asm_locale', 'ar'));
  try {
    const page = await arabic.newPage();
    await openSignIn(page, server);
    await ui.username(page).fill(AGENT.username);
    await ui.password(page).fill(AGENT.password);
    await page.locator('.asm-sign-in button[type=submit]').click();
    // The agent's emulation of Linda (above) is still on: end it to show the search.
    await page.locator('#asm-customer-search, .asm-emulation .asm-danger').first().waitFor();
    if (await ui.emulation(page).count()) await page.locator('.asm-emulation .asm-danger').click();
    await ui.search(page).waitFor();
    await searchCustomers(page, 'ann');
    await ui.search(page).press('ArrowDown');
    await page.locator('.asm-result.asm-active').waitFor();
    await shot(page, 'search-ar.png');
  } finally {
    await arabic.close();
  }
  return SHOTS.map((name) => path.join(dir, name));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const dir = path.resolve(process.argv[2] || path.join(root, 'docs/screenshots'));
  const [server, browser] = await Promise.all([startServer({ commerce: 'embedded' }), launchBrowser()]);
  try {
    for (const file of await takeScreenshots({ server, browser, dir })) console.log(`screenshots: ${path.relative(process.cwd(), file)}`);
  } finally {
    await browser.close().catch(() => {});
    await server.stop().catch(() => {});
  }
}
