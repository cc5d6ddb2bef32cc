// The session timer end to end, against a server with a 3-second idle timeout: when it runs
// out the agent is signed out in the bar, the storefront is told, and the server session is gone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  closeContext,
  AGENT,
  LINDA,
  events,
  eventually,
  fetchMe,
  launchBrowser,
  newContext,
  openSignIn,
  signIn,
  store,
  pauseClockSoon,
  ui,
  waitForEvent,
  waitForText,
} from './helpers.mjs';

const IDLE_SECONDS = 3;
const TIMED_OUT = 'Your ASM session timed out and the agent was signed out.';

/** Signs in and emulates Linda as fast as the UI allows (the idle window is short). */
async function emulateLinda(page) {
  await signIn(page, AGENT);
  await ui.search(page).fill('linda');
  await ui.results(page).first().click();
  await ui.emulation(page).waitFor();
  await store.banner(page).waitFor();
  const started = await waitForEvent(page, 'asm:emulation-started');
  assert.equal(started.detail.customerId, LINDA.customerId);
}

/** The bar is back at the sign-in form with the timed-out notice; the storefront knows. */
async function assertTimedOut(page) {
  await ui.signInForm(page).waitFor();
  await waitForText(ui.notice(page), TIMED_OUT);
  assert.equal(await ui.emulation(page).count(), 0, 'no emulation panel');
  assert.equal(await ui.signOutButton(page).count(), 0, 'no Sign Out button');
  assert.equal((await events(page, 'asm:agent-signed-out')).length, 1, 'asm:agent-signed-out once');
  const ended = await events(page, 'asm:emulation-ended');
  assert.equal(ended.length, 1, 'asm:emulation-ended once');
  assert.equal(ended[0].detail.customerId, LINDA.customerId);
  await store.banner(page).waitFor({ state: 'hidden' });
  assert.equal(await store.shopper(page).textContent(), 'Guest');
  assert.equal(await store.cartLines(page).count(), 0, 'the customer cart is no longer shown');
}

describe('session timeout', () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer({ idleTimeout: IDLE_SECONDS }), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs the agent out when the timer runs out (page clock fast-forwarded)', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await page.clock.install();
      await openSignIn(page, server);
      await emulateLinda(page);

      // Stop the page's clock: from here on only the test moves time in the page.
      await pauseClockSoon(page);
      const left = await ui.timer(page).textContent();
      assert.match(left, /^00:0[1-3]$/, `the timer mirrors the ${IDLE_SECONDS} s idle timeout: ${left}`);
      assert.equal(await ui.emulation(page).isVisible(), true, 'still emulating before the timer runs out');
      assert.equal((await events(page, 'asm:agent-signed-out')).length, 0);

      const loggedOut = page.waitForResponse((r) => r.url().endsWith('/asm/agents/logout'));
      await page.clock.fastForward((IDLE_SECONDS + 2) * 1000);
      await assertTimedOut(page);

      // The overlay signed out on the server too, and the server session is gone.
      assert.equal((await loggedOut).status(), 204);
      const me = await fetchMe(page);
      assert.equal(me.status, 401);
      assert.equal(me.body.errors[0].type, 'InvalidTokenError');

      // Signing in again works and starts fresh (no emulation carried over).
      await signIn(page, AGENT);
      assert.equal(await ui.emulation(page).count(), 0);
      assert.equal(await ui.notice(page).count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });

  it('the server expires the session on its own clock and ends the emulation (overlay sign-out blocked)', async () => {
    // The same agent signed in in another browser a moment earlier and left: that session
    // idles out too and must not keep the emulation going (it did: see the report).
    const other = await newContext(browser);
    const otherPage = await other.newPage();
    await openSignIn(otherPage, server);
    await signIn(otherPage, AGENT);
    await other.close();

    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      // The overlay's best-effort sign-out at zero never reaches the server: whatever ends the
      // session must be the server's own idle timeout.
      const blocked = [];
      await page.route('**/asm/agents/logout', (route) => {
        blocked.push(route.request().url());
        return route.abort();
      });
      await openSignIn(page, server);
      await emulateLinda(page);

      // Real time: the bar's countdown ends no earlier than the server's idle window.
      await ui.signInForm(page).waitFor({ timeout: (IDLE_SECONDS + 15) * 1000 });
      await assertTimedOut(page);
      await eventually(() => assert.equal(blocked.length, 1, 'the overlay tried to sign out (and was blocked)'));

      // The server's own clock decides. A storefront call that landed after the overlay's last
      // answer (a busy machine) may have moved the server's expiry past the bar's zero, and this
      // check then uses the session once more: left alone for one idle window, it is over.
      let me = await fetchMe(page);
      if (me.status === 200) {
        await new Promise((r) => setTimeout(r, (IDLE_SECONDS + 1) * 1000));
        me = await fetchMe(page);
      }
      assert.equal(me.status, 401, 'the server timed the session out by itself');

      // The emulation ended with the session (the other, also idle, session does not keep it
      // alive): a new sign-in finds none.
      const login = page.waitForResponse((r) => r.url().endsWith('/asm/agents/login'));
      await ui.username(page).fill(AGENT.username);
      await ui.password(page).fill(AGENT.password);
      await ui.signInButton(page).click();
      const body = await (await login).json();
      assert.equal(body.emulation?.customerId ?? null, null, 'no emulation left on the server');
      await ui.search(page).waitFor();
      assert.equal(await ui.emulation(page).count(), 0);
    } finally {
      await closeContext(context, server);
    }
  });
});
