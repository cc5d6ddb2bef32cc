// A storefront's use of asm-overlay, written against the shipped declarations the way the guide
// (docs/embedding.md) says: reference the file, then use `window.asmOverlay` and the events.
/// <reference path="../../loader/asm-overlay.d.ts" />
import type { AsmEmulation, AsmState } from '../../loader/asm-overlay';

const header = { text: '' };
const cart = { reload(customerId: string | null, cartId: string | null) { header.text = `${customerId}:${cartId}`; } };

// The host API.
const api = window.asmOverlay;
const version: 1 = api.version;
const unsubscribe: () => void = api.subscribe((state: AsmState) => {
  const enabled: boolean = state.enabled;
  const agent: string | undefined = state.agent?.agentId;
  const emulating: AsmEmulation | null = state.emulation;
  header.text = `${enabled} ${agent ?? ''} ${emulating?.name ?? ''}`;
});
unsubscribe();
const opened: Promise<void> = api.open();
void opened.then(() => api.close());
api.refresh();
const now = api.state();
header.text = String(now.emulation?.sessionId ?? version);

// Every event, with the payload the overlay sends.
addEventListener('asm:ready', () => { header.text = 'ready'; });
addEventListener('asm:agent-signed-in', (e) => { header.text = `${e.detail.agentId} ${e.detail.name}`; });
addEventListener('asm:agent-signed-out', () => cart.reload(null, null));
addEventListener('asm:emulation-started', (e) => {
  const { customerId, name, email, cartId, sessionId } = e.detail;
  header.text = `${name} <${email}> ${sessionId}`;
  cart.reload(customerId, cartId);
});
addEventListener('asm:emulation-ended', (e) => cart.reload(e.detail.customerId, null));
addEventListener('asm:navigate', (e) => {
  switch (e.detail.target) {
    case 'cart': case 'order': case 'ticket': case 'product': header.text = e.detail.id ?? ''; break;
    case 'orders': case 'addresses': header.text = e.detail.customerId; break;
  }
});
addEventListener('asm:customer-created', (e) => { header.text = `${e.detail.customerId} ${e.detail.name} ${e.detail.email}`; });
addEventListener('asm:cart-bound', (e) => cart.reload(e.detail.customerId, e.detail.cartId));
addEventListener('asm:customer-changed', (e) => {
  const what: 'cart' | 'coupons' = e.detail.what;
  if (what === 'cart') cart.reload(e.detail.customerId, null);
});
addEventListener('asm:closed', () => { header.text = ''; });
addEventListener('asm:error', (e) => { header.text = e.detail.message; });
removeEventListener('asm:error', () => {});

// What the declarations must refuse.
// @ts-expect-error an emulation's cart may be null
addEventListener('asm:emulation-started', (e) => { const id: string = e.detail.cartId; header.text = id; });
// @ts-expect-error there is no `customer` field
addEventListener('asm:emulation-ended', (e) => { header.text = e.detail.customer; });
// @ts-expect-error no such navigation target
addEventListener('asm:navigate', (e) => { if (e.detail.target === 'wishlist') header.text = ''; });
// @ts-expect-error the API is read-only
window.asmOverlay.version = 1;
// @ts-expect-error open() takes no arguments
void window.asmOverlay.open('now');
