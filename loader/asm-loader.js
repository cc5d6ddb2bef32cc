// asm-overlay loader: the one script a storefront embeds (docs/embedding.md; types: asm-overlay.d.ts).
// Nothing more is fetched until ?asm=true, asmOverlay.open(), or ASM on earlier in this tab.
const KEY = 'asm_enabled';
const params = new URLSearchParams(location.search);
const store = (() => { try { return sessionStorage; } catch { return null; } })();
const asm = params.get('asm');
if (asm === 'false') store?.removeItem(KEY);
// Our tag: the module script whose src is this file (modules have no currentScript).
const data = [...document.querySelectorAll('script[type=module]')].find((s) => s.src === import.meta.url)?.dataset || {};
const api = data.asmApi || new URL('../asm', import.meta.url).href;
const site = data.baseSite || 'electronics';
// The overlay's language (en, de, ar); without it the overlay follows <html lang>, then the browser.
// English is built in; the other catalogues are fetched when needed (`cargo xtask bundle` names them).
const locale = data.locale || null;
const catalogues = { de: './asm-locale-de.json', ar: './asm-locale-ar.json' };
for (const tag in catalogues) catalogues[tag] = new URL(catalogues[tag], import.meta.url).href;
let loading;
const start = () => loading ??= (async () => {
  // The session is asked for now, beside the overlay's download; the overlay reads the answer.
  const me = fetch(api + '/agents/me', { credentials: 'include', signal: AbortSignal.timeout?.(15e3) });
  me.catch(() => {});
  if (!document.body) await new Promise((r) => addEventListener('DOMContentLoaded', r, { once: true }));
  try {
    // The glue fetches the wasm next to it.
    const overlay = await import('./asm-overlay.js');
    await overlay.default();
    overlay.mount(api, site, me, { locale, catalogues });
  } catch (err) {
    loading = null;
    console.error('asm-overlay failed to start', err);
    dispatchEvent(new CustomEvent('asm:error', { detail: { message: String(err) } }));
  }
})();

// What the overlay said last (its events), for state() and subscribe().
const state = { agent: null, emulation: null };
const subs = new Set();
const snapshot = () => ({ enabled: store?.getItem(KEY) === '1', agent: state.agent, emulation: state.emulation });
const on = (name, change) => addEventListener('asm:' + name, (e) => {
  change(e.detail);
  for (const fn of subs) try { fn(snapshot()); } catch (err) { console.error(err); }
});
on('agent-signed-in', (d) => { state.agent = d; });
on('agent-signed-out', () => { state.agent = state.emulation = null; });
on('emulation-started', (d) => { state.emulation = d; });
on('emulation-ended', () => { state.emulation = null; });
on('closed', () => { loading = null; });

window.asmOverlay = Object.freeze({
  version: 1,
  state: snapshot,
  subscribe(fn) { subs.add(fn); fn(snapshot()); return () => subs.delete(fn); },
  open() {
    store?.setItem(KEY, '1');
    if (document.getElementById('asm-overlay-host')) dispatchEvent(new Event('asm:request-open'));
    return start();
  },
  close() { dispatchEvent(new Event('asm:request-close')); },
  refresh() { dispatchEvent(new Event('asm:request-refresh')); },
});

if (asm === 'true' || (asm !== 'false' && store?.getItem(KEY) === '1')) window.asmOverlay.open();
