// Agent sign-in through a real OpenID provider (npm `oidc-provider`, tests/oidc/provider.mjs) in
// Chromium: the bar's "Sign in with …" button, the provider's own login and consent pages, and
// back on the storefront page the agent came from — ASM open, signed in, the deep link going on.
// Also: a wrong password at the provider, cancelled consent, a user who is not an agent, and the
// provider down. (Replayed callbacks, state mismatch and expired flows or codes are driven by
// hand in crates/asm-middleware/tests/oidc.rs.)
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { start as startIdp, CLIENT_ID, CLIENT_SECRET } from '../oidc/provider.mjs';
import { startServer } from './server.mjs';
import {
  LINDA,
  closeContext,
  eventually,
  events,
  launchBrowser,
  newContext,
  openSignIn,
  store,
  ui,
  waitForText,
} from './helpers.mjs';

const LABEL = 'Test IdP';

const sso = {
  button: (page) => page.getByRole('button', { name: `Sign in with ${LABEL}` }),
  error: (page) => page.locator('.asm-sso-error'),
  // The provider's pages (plain HTML, no shadow root).
  login: (page) => page.locator('input[name=login]'),
  password: (page) => page.locator('input[name=password]'),
  idpError: (page) => page.locator('p.error[role=alert]'),
};

/** A port nobody listens on now (bound, then released). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** At the provider's login page: signs in as `user` and, on the consent page, allows or denies. */
async function atProvider(page, idp, { user, password, allow = true }) {
  await page.waitForURL((u) => u.href.startsWith(idp.issuer));
  await sso.login(page).fill(user);
  await sso.password(page).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: allow ? 'Allow' : 'Deny', exact: true }).click();
}

describe('single sign-on through an OpenID provider', () => {
  let server;
  let idp;
  let browser;

  before(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    idp = await startIdp({ redirectUris: [`${publicUrl}/asm/agents/sso/callback`] });
    [server, browser] = await Promise.all([
      startServer({
        listen: `127.0.0.1:${port}`,
        args: [
          '--public-url', publicUrl,
          '--oidc-issuer', idp.issuer,
          '--oidc-client-id', CLIENT_ID,
          '--oidc-client-secret', CLIENT_SECRET,
          '--oidc-label', LABEL,
        ],
      }),
      launchBrowser(),
    ]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await idp?.close();
  });

  it('an agent with a deep link signs in at the provider and lands back with ASM open, the link going on', async () => {
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, server, `/?asm=true&customerId=${LINDA.customerId}&ticketId=T-4711`);
      await sso.button(page).click();

      // A wrong password is refused by the provider itself; the agent tries again there.
      await page.waitForURL((u) => u.href.startsWith(idp.issuer));
      await sso.login(page).fill('jdoe');
      await sso.password(page).fill('not-it');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await waitForText(sso.idpError(page), 'Wrong username or password.');

      const started = page.waitForResponse((r) => r.url().endsWith('/asm/sessions') && r.request().method() === 'POST');
      await atProvider(page, idp, { user: 'jdoe', password: 'Agent#2026' });
      await page.waitForURL((u) => u.origin === server.origin);
      assert.equal(new URL(page.url()).searchParams.get('asm'), 'true', 'ASM stays on');
      await waitForText(ui.agent(page), 'Jane Doe');

      // The deep link waited through the round trip and goes on: Linda, with the ticket as reason,
      // and the store opens the ticket's page.
      const res = await started;
      assert.equal(res.status(), 201);
      assert.equal(res.request().postDataJSON().reason, 'Ticket T-4711');
      await page.waitForURL((u) => u.searchParams.get('page') === 'ticket' && u.searchParams.get('id') === 'T-4711');
      await ui.emulation(page).waitFor();
      await waitForText(store.emulatedName(page), LINDA.name);

      // The browser holds the session cookie only (httpOnly); no provider token, no flow cookie.
      // (Cookies are per host, not per port: the provider's own `_session`/`_interaction`
      // cookies on 127.0.0.1 are left out.)
      const cookies = (await context.cookies(server.url)).filter((c) => c.value && !c.name.startsWith('_'));
      assert.deepEqual(cookies.map((c) => c.name), ['asm_session']);
      assert.equal(cookies[0].httpOnly, true);
      assert.equal(cookies[0].sameSite, 'Strict');
    } finally {
      await closeContext(context, server);
    }
  });

  it('cancelled consent and a user who is not an agent come back with a clear message', async () => {
    let context = await newContext(browser);
    try {
      let page = await context.newPage();
      await openSignIn(page, server, '/?asm=true');
      await sso.button(page).click();
      await atProvider(page, idp, { user: 'jdoe', password: 'Agent#2026', allow: false });
      await page.waitForURL((u) => u.origin === server.origin);
      await waitForText(sso.error(page), 'Single sign-on was cancelled');
      assert.equal(await sso.error(page).getAttribute('role'), 'alert');
      await eventually(() => assert.equal(new URL(page.url()).search, '?asm=true', 'asmSsoError removed'));
      assert.equal((await events(page, 'asm:agent-signed-in')).length, 0);

      // A customer of the provider (a fresh browser: the provider remembers jdoe in this one).
      await closeContext(context, server);
      context = await newContext(browser);
      page = await context.newPage();
      await openSignIn(page, server, '/?asm=true');
      await sso.button(page).click();
      await atProvider(page, idp, { user: 'linda', password: 'Customer#2026' });
      await page.waitForURL((u) => u.origin === server.origin);
      await waitForText(sso.error(page), 'not a customer support agent');
      await ui.signInForm(page).waitFor();
      assert.equal(await ui.search(page).count(), 0, 'not signed in');
      assert.equal((await context.cookies(server.url)).filter((c) => c.name === 'asm_session' && c.value).length, 0);
    } finally {
      await closeContext(context, server);
    }
  });

  it('a provider that is down sends the agent back with a message, the password form still there', async () => {
    // A middleware whose provider has never answered (nothing listens at its issuer).
    const [port, deadIssuer] = [await freePort(), await freePort()];
    const dead = await startServer({
      listen: `127.0.0.1:${port}`,
      args: [
        '--public-url', `http://127.0.0.1:${port}`,
        '--oidc-issuer', `http://127.0.0.1:${deadIssuer}`,
        '--oidc-client-id', CLIENT_ID,
        '--oidc-label', LABEL,
      ],
    });
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openSignIn(page, dead, '/?asm=true');
      const back = page.waitForResponse((r) => r.url().includes('/asm/agents/sso/start'));
      await sso.button(page).click();
      assert.equal((await back).status(), 302);
      await page.waitForURL((u) => u.origin === dead.origin && !u.searchParams.has('asmSsoError'));
      await waitForText(sso.error(page), 'cannot be reached');
      await ui.username(page).waitFor();
      assert.ok(dead.alive(), 'the middleware keeps running');
    } finally {
      await context.close();
      await dead.stop();
    }
  });
});
