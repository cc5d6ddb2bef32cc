// Small node HTTP servers for the embedding tests: a storefront on another loopback origin (its own
// port), and the guide's same-origin recipe, a reverse proxy that serves the shop's pages and
// forwards /asm and /asm-overlay to the middleware.
import http from 'node:http';

/** Listens on 127.0.0.1, a free port; resolves to `{ url, origin, close() }`. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        origin: url,
        port,
        close: () => new Promise((r) => {
          server.closeAllConnections?.();
          server.close(() => r());
        }),
      });
    });
  });
}

/** A storefront page (`title`, a link to the other page, `tag`: the loader's script tag). */
export function shopPage({ title, tag }) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${title}</title>
  ${tag}
</head>
<body>
  <h1>${title}</h1>
  <nav><a href="/">Home</a> <a href="/cameras">Cameras</a></nav>
  <p id="shopper">Guest</p>
</body>
</html>
`;
}

/**
 * A storefront of its own origin. `page(url)` returns the HTML for a path (set after start, when the
 * middleware's URL is known); `csp` the page's Content-Security-Policy (optional).
 */
export async function startShop() {
  const shop = { page: () => '<!doctype html><title>not ready</title>', csp: null, requests: [] };
  const server = http.createServer((req, res) => {
    shop.requests.push(req.url);
    if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (shop.csp) headers['content-security-policy'] = shop.csp;
    res.writeHead(200, headers).end(shop.page(req.url));
  });
  return Object.assign(shop, await listen(server));
}

/**
 * The guide's reverse proxy: `/asm` and `/asm-overlay` (and below) go to `target` (the
 * middleware's URL) with the request's own `Host` header (nginx: `proxy_set_header Host $host`);
 * every other path is the shop's page from `page(url)`, under the policy `csp` if given.
 * `forwarded` lists the forwarded paths.
 */
export async function startProxy(target, page, csp) {
  const upstream = new URL(target);
  const forwarded = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    if (/^\/asm(-overlay)?(\/|\?|$)/.test(path)) {
      forwarded.push(path);
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.writeHead(502).end());
      req.pipe(out);
      return;
    }
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const headers = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
    if (csp) headers['content-security-policy'] = csp;
    res.writeHead(200, headers).end(page(path));
  });
  const proxy = await listen(server);
  return Object.assign(proxy, { forwarded });
}
