// asm-overlay loader: the one script a storefront embeds.
//   <script type="module" src="https://asm.example/asm-overlay/asm-loader.js"
//           data-asm-api="https://asm.example/asm" data-base-site="electronics"></script>
// It does nothing (and fetches no wasm) unless the URL has ?asm=true, the page calls
// asmOverlay.open(), or ASM was turned on earlier in this tab. ?asm=false turns it off.
// It also defines window.asmOverlay, the host page's API (types: asm-overlay.d.ts).
const KEY = 'asm_enabled';
const params = new URLSearchParams(location.search);
const store = (() => { try { return sessionStorage; } catch { return null; } })();
const asm = params.get('asm');
if (asm === 'false') store?.removeItem(KEY);
const tag = document.querySelector('script[data-asm-api]');
const api = tag?.dataset.asmApi || new URL('../asm', import.meta.url).href;
const site = tag?.dataset.baseSite || 'electronics';
let loading;
const start = () => loading ??= (async () => {
  if (!document.body) await new Promise((r) => addEventListener('DOMContentLoaded', r, { once: true }));
  try {
    const overlay = await import(new URL('asm-overlay.js', import.meta.url).href);
    await overlay.default({ module_or_path: new URL('asm-overlay_bg.wasm', import.meta.url) });
    overlay.mount(api, site);
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
});

if (asm === 'true' || (asm !== 'false' && store?.getItem(KEY) === '1')) window.asmOverlay.open();
