// Code splitting (the release bundle of `cargo xtask bundle`): the sign-in form needs no chunk;
// the agent's desk (search, emulation) is fetched while the agent signs in, the other chunks once
// signed in; a chunk that cannot be loaded says so with Retry (the overlay goes on working), and
// Retry loads it once the network lets it through.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  LINDA,
  REASON,
  closeContext,
  eventually,
  launchBrowser,
  newContext,
  openSignIn,
  searchCustomers,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const CHUNK = /\/asm-overlay\/asm-[a-z0-9_]+-[0-9a-f]{16}_bg\.wasm$/;
const C360_CHUNK = /\/asm-overlay\/asm-split_customer360-[0-9a-f]{16}_bg\.wasm$/;
/** A chunk (the main module `asm-overlay-<hash>_bg.wasm` matches CHUNK too). */
const isChunk = (path) => CHUNK.test(path) && !/\/asm-overlay-/.test(path);
/** A feature's chunk (not the desk's, and not a small shared one). */
const FEATURE_CHUNK = /\/asm-split_(?!agent_desk-)[a-z0-9_]+-[0-9a-f]{16}_bg\.wasm$/;

describe('split chunks', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with every chunk refused, fetches the desk first and the rest once signed in; a failed chunk shows Retry and Retry loads it', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const chunks = [];
      const errors = [];
      page.on('request', (req) => {
        const path = new URL(req.url()).pathname;
        if (isChunk(path)) chunks.push(path);
      });
      page.on('pageerror', (err) => errors.push(String(err)));
      let block = true;
      let blockAll = true;
      await page.route(C360_CHUNK, (route) => (block ? route.abort() : route.continue()));
      await page.route((url) => isChunk(url.pathname), (route) => (blockAll ? route.abort() : route.fallback()));

      // Every chunk refused: the sign-in form still works, and only the desk was asked for.
      await openSignIn(page, server);
      await ui.username(page).fill(AGENT.username);
      await ui.password(page).fill(AGENT.password);
      await eventually(() => assert.ok(chunks.some((p) => /asm-split_agent_desk-/.test(p)), 'the desk is fetched before sign-in'));
      assert.deepEqual(chunks.filter((p) => FEATURE_CHUNK.test(p)), [], 'no feature chunk before sign-in');

      // Signed in without the desk's chunk: the bar says so and offers Retry; Retry brings the search.
      await ui.signInButton(page).click();
      await waitForText(page.locator('.asm-chunk-error'), /The customer search could not be loaded/);
      assert.equal(await ui.signOutButton(page).count(), 1, 'signed in: the header works without the desk');
      blockAll = false;
      await page.locator('.asm-chunk-error').getByRole('button', { name: 'Retry', exact: true }).click();
      await ui.search(page).waitFor();
      await ui.reason(page).fill(REASON);

      await eventually(() => assert.ok(chunks.some((p) => /asm-split_customer_lists-/.test(p)), 'prefetched when idle'));
      const results = await searchCustomers(page, 'linda', LINDA.name);
      await results.first().click();
      await ui.emulation(page).waitFor();
      await waitForEvent(page, 'asm:emulation-started');

      // Customer 360°'s chunk is refused: the dialog says so and offers Retry.
      await page.getByRole('button', { name: 'Customer 360°', exact: true }).click();
      const dialog = page.locator('dialog#asm-c360');
      await dialog.waitFor();
      await waitForText(dialog.locator('.asm-chunk-error'), /Customer 360° could not be loaded/);

      // The network is back: Retry loads the chunk and the view shows.
      block = false;
      await dialog.getByRole('button', { name: 'Retry', exact: true }).click();
      await waitForText(page.locator('.asm-c360-name'), LINDA.name);
      assert.equal(await dialog.locator('.asm-chunk-error').count(), 0, 'the message is gone');
      assert.deepEqual(errors, [], 'no page error (a panic would kill the overlay)');
    } finally {
      await closeContext(context, server);
    }
  });
});
