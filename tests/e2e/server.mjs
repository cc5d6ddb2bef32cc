// Starts and stops a real asm-middleware process for the end-to-end tests: one per test file
// (or per test that needs special flags), on a free port, with a fresh temporary database.
//
//   ASM_MIDDLEWARE_BIN  the server binary   (default target/server/asm-middleware)
//   ASM_DIST            the overlay bundle  (default dist, built by `cargo xtask bundle`)
//   ASM_E2E_COMMERCE    `embedded` (default: the demo shop) or `sapcc`: every `startServer()`
//                       then runs the middleware on its own SAP simulator (`crates/sapcc-sim`)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.resolve(ROOT, process.env.ASM_MIDDLEWARE_BIN || 'target/server/asm-middleware');
export const DIST = path.resolve(ROOT, process.env.ASM_DIST || 'dist');

/** Which backend `startServer()` puts behind the middleware: `embedded` or `sapcc`. */
export const COMMERCE = process.env.ASM_E2E_COMMERCE || 'embedded';
if (!['embedded', 'sapcc'].includes(COMMERCE)) throw new Error(`ASM_E2E_COMMERCE: \`embedded\` or \`sapcc\`, not ${COMMERCE}`);

const READY = /listening on (http:\/\/\S+?)\/?(\s|$)/;
const START_TIMEOUT_MS = 60_000;

/**
 * Starts the middleware. Options: `customers` (default 300), `idleTimeout` (seconds), `listen`
 * (default `127.0.0.1:0`: a free port), `args` (extra command-line flags), `commerce` (default
 * `COMMERCE`; on `sapcc` a simulator is started first, with `simArgs`, and stopped with the
 * middleware; the simulator has its own seed, so `customers` does not apply). Resolves to
 * `{ url, origin, stop(), alive(), sim? }` once it listens; `url` ends without a slash
 * (`http://127.0.0.1:PORT`).
 */
export async function startServer({ commerce = COMMERCE, simArgs = [], ...options } = {}) {
  if (commerce === 'embedded') return startMiddleware(options);
  const sim = await startSim({ args: simArgs });
  try {
    const server = await startSapServer(sim, options);
    const stop = server.stop;
    return { ...server, sim, stop: async () => { await stop(); await sim.stop(); } };
  } catch (err) {
    await sim.stop();
    throw err;
  }
}

async function startMiddleware({ customers = 300, idleTimeout, listen = '127.0.0.1:0', args = [] } = {}) {
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

export const SIM_BIN = path.resolve(ROOT, process.env.ASM_SAPCC_SIM_BIN || 'target/server/sapcc-sim');
const SIM_READY = /sapcc-sim listening on (http:\/\/\S+)/;

/** A free loopback port (the simulator is told where to listen). */
export async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the SAP Commerce simulator (`crates/sapcc-sim`) on a free loopback port with `args`.
 * Resolves to `{ url, stop(), faults(mode, latencyMs) }`.
 */
export async function startSim({ args = [] } = {}) {
  if (!existsSync(SIM_BIN)) {
    throw new Error(`no simulator binary at ${SIM_BIN}: run \`cargo build -p sapcc-sim --profile server\``);
  }
  const port = await freePort();
  const child = spawn(SIM_BIN, ['--listen', `127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let output = '';
  const exit = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sapcc-sim did not start:\n${output}`)), START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
      const m = SIM_READY.exec(output);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    exit.then((code) => { clearTimeout(timer); reject(new Error(`sapcc-sim exited (${code}):\n${output}`)); });
  }).catch((err) => { child.kill('SIGKILL'); throw err; });
  return {
    url,
    /** Makes the simulator answer with a fault (`none`, `html`, `garbage`) and/or slowly. */
    async faults(mode, latencyMs = 0) {
      const res = await fetch(`${url}/_sim/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ mode, latencyMs }),
      });
      if (res.status !== 204) throw new Error(`faults: ${res.status}`);
    },
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    },
  };
}

/** The middleware on a running simulator (`--commerce sapcc`), plus `args` and the other options of `startServer`. */
export function startSapServer(sim, { args = [], ...options } = {}) {
  return startMiddleware({
    ...options,
    args: [
      '--commerce', 'sapcc', '--sapcc-url', sim.url,
      '--sapcc-client-id', 'mobile_android', '--sapcc-client-secret', 'secret',
      '--sapcc-sales-managers', 'asmanager', '--sapcc-timeout-ms', '2000',
      '--token-key', '22'.repeat(32),
      ...args,
    ],
  });
}
