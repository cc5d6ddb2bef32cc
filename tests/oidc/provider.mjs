// A real, certified OpenID provider (npm `oidc-provider`) for the single sign-on tests, on
// loopback, with one confidential client (PKCE S256 required, exact redirect URIs) and three
// users with a `groups` claim. Its login and consent pages are plain HTML forms (the tests drive
// them with a browser, or by hand over HTTP).
//
//   node tests/oidc/provider.mjs --redirect-uri <uri> [--redirect-uri <uri>…] [--port <n>]
//
// Prints `oidc-provider listening on <issuer>` when ready (issuer: `http://127.0.0.1:<port>`).
// Test hooks (loopback only, this is a test fixture):
//   POST /test/expire-codes  makes every authorization code issued so far expired.
//
// Users (login / password):
//   jdoe      / Agent#2026     Jane Doe, groups asagentgroup, staff              → an agent
//   mmanager  / Manager#2026   Max Manager, groups asagentgroup, asagentsalesmanagergroup
//   linda     / Customer#2026  Linda Wolf, groups customers                      → not an agent
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'asm-test';
export const CLIENT_SECRET = 'asm-test-secret';

const USERS = {
  jdoe: {
    password: 'Agent#2026',
    claims: { name: 'Jane Doe', email: 'jane.doe@example.com', email_verified: true, groups: ['asagentgroup', 'staff'] },
  },
  mmanager: {
    password: 'Manager#2026',
    claims: { name: 'Max Manager', email: 'max.manager@example.com', email_verified: true, groups: ['asagentgroup', 'asagentsalesmanagergroup'] },
  },
  linda: {
    password: 'Customer#2026',
    claims: { name: 'Linda Wolf', email: 'linda.wolf@example.com', email_verified: true, groups: ['customers'] },
  },
};

function args(argv) {
  const out = { redirectUris: [], port: 0 };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--redirect-uri') out.redirectUris.push(argv[++i]);
    else if (argv[i] === '--port') out.port = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!out.redirectUris.length) throw new Error('at least one --redirect-uri is required');
  return out;
}

// The provider's storage: a plain map (so that the test hook can reach the codes).
const store = new Map();
const epoch = () => Math.floor(Date.now() / 1000);

class Adapter {
  constructor(model) { this.model = model; }
  key(id) { return `${this.model}:${id}`; }
  async upsert(id, payload, expiresIn) {
    store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (this.model === 'Session') store.set(`sessionUid:${payload.uid}`, { payload: id, expiresAt: Infinity });
    if (payload.grantId) {
      const k = `grant:${payload.grantId}`;
      const keys = store.get(k)?.payload ?? [];
      keys.push(this.key(id));
      store.set(k, { payload: keys, expiresAt: Infinity });
    }
  }
  async find(id) {
    const e = store.get(this.key(id));
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) { store.delete(this.key(id)); return undefined; }
    return e.payload;
  }
  async findByUid(uid) {
    const id = store.get(`sessionUid:${uid}`)?.payload;
    return id ? this.find(id) : undefined;
  }
  async findByUserCode() { return undefined; }
  async consume(id) {
    const e = store.get(this.key(id));
    if (e) e.payload.consumed = epoch();
  }
  async destroy(id) { store.delete(this.key(id)); }
  async revokeByGrantId(grantId) {
    for (const k of store.get(`grant:${grantId}`)?.payload ?? []) store.delete(k);
    store.delete(`grant:${grantId}`);
  }
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`);
}

function loginPage(res, uid, error) {
  page(res, error ? 401 : 200, 'Test IdP sign-in', `
    <form method="post" action="/interaction/${escape(uid)}/login" data-prompt="login">
      ${error ? `<p role="alert" class="error">${escape(error)}</p>` : ''}
      <label>Username <input name="login" autocomplete="username" autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password"></label>
      <button type="submit">Sign in</button>
    </form>
    <form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Cancel</button></form>`);
}

function consentPage(res, uid, client) {
  page(res, 200, 'Test IdP consent', `
    <p>Allow ${escape(client)} to know who you are?</p>
    <form method="post" action="/interaction/${escape(uid)}/confirm" data-prompt="consent"><button type="submit">Allow</button></form>
    <form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit">Deny</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params, session } = details;
  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return loginPage(res, uid);
    return consentPage(res, uid, params.client_id);
  }
  if (req.method !== 'POST') return page(res, 405, 'Method not allowed', '');
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && prompt.name === 'login') {
    const form = await readForm(req);
    const user = USERS[form.login];
    if (!user || user.password !== form.password) return loginPage(res, uid, 'Wrong username or password.');
    return provider.interactionFinished(req, res, { login: { accountId: form.login } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 400, 'Unexpected step', '');
}

export async function start({ redirectUris, port = 0 }) {
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    adapter: Adapter,
    // A fresh signing key per run (RS256).
    jwks: { keys: [{ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', use: 'sig', alg: 'RS256' }] },
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { methods: ['S256'], required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'groups'],
    },
    // The claims of the scopes go into the ID token too (the middleware reads its groups there).
    conformIdTokenClaims: false,
    cookies: { keys: ['asm-oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
    async findAccount(ctx, id) {
      const user = USERS[id];
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, preferred_username: id, ...user.claims }) };
    },
  });
  provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const url = new URL(req.url, issuer);
    const m = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (m) {
      interaction(provider, req, res, m[1], m[2]).catch((err) => {
        page(res, 400, 'Interaction failed', `<p>${escape(err.message)}</p>`);
      });
      return;
    }
    if (url.pathname === '/test/expire-codes' && req.method === 'POST') {
      const past = epoch() - 60;
      for (const [k, e] of store) {
        if (k.startsWith('AuthorizationCode:')) e.payload.exp = past;
      }
      res.writeHead(204).end();
      return;
    }
    callback(req, res);
  });
  const close = () => new Promise((resolve) => {
    server.close(() => resolve());
    // The middleware keeps connections alive: end them, or close would wait for them.
    server.closeAllConnections();
  });
  return { issuer, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { issuer } = await start(args(process.argv.slice(2)));
  console.log(`oidc-provider listening on ${issuer}`);
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
