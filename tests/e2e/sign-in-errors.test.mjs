// Sign-in failures the agent must understand: wrong password, customer credentials, empty
// fields, and a middleware that is gone. Nothing typed is lost, and nobody gets signed in.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer } from './server.mjs';
import {
  AGENT,
  CUSTOMER,
  MANAGER,
  events,
  fetchMe,
  launchBrowser,
  newContext,
  openSignIn,
  ui,
  waitForText,
} from './helpers.mjs';

/** Fills the form and submits it with the Enter key (the form's submit). */
async function submit(page, username, password) {
  await ui.username(page).fill(username);
  await ui.password(page).fill(password);
  await ui.password(page).press('Enter');
}

async function assertNotSignedIn(page, server, context) {
  assert.equal(await ui.search(page).count(), 0, 'no customer search');
  assert.equal(await ui.signOutButton(page).count(), 0, 'no Sign Out button');
  assert.equal((await events(page, 'asm:agent-signed-in')).length, 0, 'no asm:agent-signed-in event');
  const cookies = await context.cookies(server.url);
  assert.equal(cookies.filter((c) => c.name === 'asm_session' && c.value).length, 0, 'no session cookie');
}

describe('sign-in errors', () => {
  let server;
  let browser;
  let context;
  let page;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
    context = await newContext(browser);
    page = await context.newPage();
    await openSignIn(page, server);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('says the password is wrong and keeps what was typed', async () => {
    await submit(page, AGENT.username, 'not-the-password');
    const message = await waitForText(ui.error(page), 'The agent ID or password is wrong.');
    assert.equal(await ui.error(page).getAttribute('role'), 'alert');
    assert.ok(!message.includes('not-the-password'), 'the password is never echoed');
    assert.equal(await ui.username(page).inputValue(), AGENT.username);
    assert.equal(await ui.password(page).inputValue(), 'not-the-password');
    await assertNotSignedIn(page, server, context);
  });

  it('says the same for an unknown agent (no user enumeration)', async () => {
    await submit(page, 'nobody-here', 'whatever');
    await waitForText(ui.error(page), 'The agent ID or password is wrong.');
    await assertNotSignedIn(page, server, context);
  });

  it('refuses customer credentials with a clear message', async () => {
    await submit(page, CUSTOMER.username, CUSTOMER.password);
    const message = await waitForText(ui.error(page), 'Only customer support agents');
    assert.match(message, /customer credentials/i);
    await assertNotSignedIn(page, server, context);
    assert.equal((await fetchMe(page)).status, 401);
  });

  it('asks for both fields when one is empty, without calling the server', async () => {
    const logins = [];
    const onRequest = (req) => {
      if (req.url().includes('/asm/agents/login')) logins.push(req.url());
    };
    page.on('request', onRequest);
    try {
      const cases = [['', ''], [AGENT.username, ''], ['', AGENT.password], ['   ', AGENT.password]];
      for (const [n, [username, password]] of cases.entries()) {
        // Replace the previous message first so each case proves its own (an unknown account
        // each time: failures of one account are throttled).
        await submit(page, `unknown-agent-${n}`, 'wrong');
        await waitForText(ui.error(page), 'wrong');
        await submit(page, username, password);
        await waitForText(ui.error(page), 'Enter your agent ID or e-mail and your password.');
        assert.equal(await ui.username(page).inputValue(), username);
        assert.equal(await ui.password(page).inputValue(), password);
      }
      // Every login request seen came from the "wrong password" resets, one per case.
      assert.equal(logins.length, 4, `only the four reset submissions reached the server: ${logins}`);
    } finally {
      page.off('request', onRequest);
    }
    await assertNotSignedIn(page, server, context);
  });

  it('tells the agent to wait after too many wrong passwords, without locking out others', async () => {
    const throttled = await startServer();
    const ctx = await newContext(browser);
    try {
      const p = await ctx.newPage();
      await openSignIn(p, throttled);
      const statuses = [];
      p.on('response', (r) => { if (r.url().endsWith('/asm/agents/login')) statuses.push(r.status()); });
      for (let i = 0; i < 5; i++) {
        const answered = p.waitForResponse((r) => r.url().endsWith('/asm/agents/login'));
        await submit(p, MANAGER.username, `wrong-${i}`);
        await answered;
        await waitForText(ui.error(p), 'The agent ID or password is wrong.');
      }
      // Locked now: even the right password is refused, with a clear message.
      await submit(p, MANAGER.username, MANAGER.password);
      const message = await waitForText(ui.error(p), 'Too many failed sign-ins');
      assert.match(message, /Try again in \d+ minutes?\./);
      assert.equal(statuses.at(-1), 429);
      assert.equal(await ui.username(p).inputValue(), MANAGER.username);
      await assertNotSignedIn(p, throttled, ctx);

      // Another agent at the same address is not locked out.
      await submit(p, AGENT.username, AGENT.password);
      await ui.search(p).waitFor();
      await waitForText(ui.agent(p), AGENT.name);
    } finally {
      await ctx.close();
      await throttled.stop();
    }
  });

  it('says the service cannot be reached when the middleware is dead, keeping the username', async () => {
    // A page loaded from a server that then dies.
    const doomed = await startServer();
    const ctx = await newContext(browser);
    try {
      const p = await ctx.newPage();
      await openSignIn(p, doomed);
      await ui.username(p).fill(AGENT.username);
      await ui.password(p).fill(AGENT.password);
      await doomed.stop();
      assert.equal(doomed.alive(), false);
      await ui.signInButton(p).click();
      const message = await waitForText(ui.error(p), 'Cannot reach');
      assert.match(message, /Cannot reach the ASM service/);
      assert.equal(await ui.username(p).inputValue(), AGENT.username, 'the typed username is kept');
      assert.equal(await ui.password(p).inputValue(), AGENT.password, 'the typed password is kept');
      // The button is usable again for a retry (not stuck in "Signing in…").
      await waitForText(ui.signInButton(p), 'Sign In');
      assert.equal(await ui.signInButton(p).isEnabled(), true);
      assert.equal(await ui.search(p).count(), 0);
    } finally {
      await ctx.close();
      await doomed.stop();
    }
  });
});
