// asm-overlay loader: the one script a storefront embeds.
//   <script type="module" src="https://asm.example/asm-overlay/asm-loader.js"
//           data-asm-api="https://asm.example/asm" data-base-site="electronics"></script>
// It does nothing (and fetches no wasm) unless the URL has ?asm=true, a customerId deep link,
// or ASM was turned on earlier in this tab. ?asm=false turns it off for the tab.
const KEY = 'asm_enabled';
const params = new URLSearchParams(location.search);
const store = (() => { try { return sessionStorage; } catch { return null; } })();
const asm = params.get('asm');
if (asm === 'false') store?.removeItem(KEY);
const on = asm === 'true' || (asm !== 'false' && store?.getItem(KEY) === '1');
if (on) {
  store?.setItem(KEY, '1');
  const tag = document.querySelector('script[data-asm-api]');
  const api = tag?.dataset.asmApi || new URL('../asm', import.meta.url).href;
  const site = tag?.dataset.baseSite || 'electronics';
  const start = async () => {
    try {
      const overlay = await import(new URL('asm-overlay.js', import.meta.url).href);
      await overlay.default({ module_or_path: new URL('asm-overlay_bg.wasm', import.meta.url) });
      overlay.mount(api, site);
    } catch (err) {
      console.error('asm-overlay failed to start', err);
      dispatchEvent(new CustomEvent('asm:error', { detail: { message: String(err) } }));
    }
  };
  if (document.body) start(); else addEventListener('DOMContentLoaded', start, { once: true });
}
