// Starts and stops a real asm-middleware process for the end-to-end tests: one per test file
// (or per test that needs special flags), on a free port, with a fresh temporary database.
//
//   ASM_MIDDLEWARE_BIN  the server binary   (default target/server/asm-middleware)
//   ASM_DIST            the overlay bundle  (default dist, built by `cargo xtask bundle`)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.ASM_MIDDLEWARE_BIN || 'target/server/asm-middleware');
export const DIST = path.resolve(ROOT, process.env.ASM_DIST || 'dist');

const READY = /listening on (http:\/\/\S+?)\/?(\s|$)/;
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the middleware. Options: `customers` (default 300), `idleTimeout` (seconds), `listen`
 * (default `127.0.0.1:0`: a free port), `args` (extra command-line flags). Resolves to `{ url, origin, stop(), alive() }` once it listens;
 * `url` ends without a slash (`http://127.0.0.1:PORT`).
 */
export async function startServer({ customers = 300, idleTimeout, listen = '127.0.0.1:0', args = [] } = {}) {
  if (!existsSync(BIN)) {
    throw new Error(`no middleware binary at ${BIN}: run \`cargo build -p asm-middleware --profile server\` (or set ASM_MIDDLEWARE_BIN)`);
  }
  const wasm = existsSync(DIST) && readdirSync(DIST).some((f) => /^asm-overlay(-[0-9a-f]{16})?_bg\.wasm$/.test(f));
  if (!existsSync(path.join(DIST, 'asm-loader.js')) || !wasm) {
    throw new Error(`no overlay bundle in ${DIST}: run \`cargo xtask bundle\` (or set ASM_DIST)`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'asm-e2e-'));
  const argv = [
    '--listen', listen,
    '--db', path.join(dir, 'asm.sqlite'),
    '--customers', String(customers),
    '--dist', DIST,
  ];
  if (idleTimeout !== undefined) argv.push('--idle-timeout', String(idleTimeout));
  argv.push(...args);

  const child = spawn(BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let output = '';
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`asm-middleware did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk) => {
      output += chunk;
      const m = READY.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    exit.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`asm-middleware exited (code ${code}, signal ${signal}) before listening:\n${output}`));
    });
  }).catch(async (err) => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  });

  let stopped = null;
  const stop = () => {
    stopped ??= (async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exit;
        clearTimeout(killer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  return {
    url,
    origin: new URL(url).origin,
    /** Everything the server printed so far (for failure messages). */
    output: () => output,
    /** Whether the process is still running. */
    alive: () => !exited,
    stop,
  };
}
