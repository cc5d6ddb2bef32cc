// Types for storefront developers: the host API the asm-overlay loader defines on `window`, and
// the events the overlay dispatches there. Shipped next to the bundle as `asm-overlay.d.ts`;
// reference it with `/// <reference path="asm-overlay.d.ts" />` or copy it into your project.

/** The signed-in agent (`asm:agent-signed-in`). */
export interface AsmAgent {
  /** Agent id, e.g. `asagent`. */
  agentId: string;
  /** Full name. */
  name: string;
}

/** The emulated customer (`asm:emulation-started`). */
export interface AsmEmulation {
  /** Customer id: the `{userId}` of the middleware's `/asm/users/{userId}/...` operations. */
  customerId: string;
  /** Full name. Customer data: render it as text, never as HTML. */
  name: string;
  /** E-mail. */
  email: string;
  /** The cart the agent works with, if any. */
  cartId: string | null;
  /** The assisted session's id. */
  sessionId: string;
}

/** What the overlay asks the storefront to open for the emulated customer (`asm:navigate`). */
export interface AsmNavigation {
  /**
   * `cart` (id: cart code), `orders` (id: null), `order` (id: order code), `ticket` (id: ticket id),
   * `product` (id: product code; a review's "Open" in Customer 360°: the product and its reviews),
   * `addresses` (id: null; the customer's address book).
   */
  target: 'cart' | 'orders' | 'order' | 'ticket' | 'product' | 'addresses';
  /** What to open, by the storefront's ids. */
  id: string | null;
  /** The emulated customer. */
  customerId: string;
}

/** A customer the agent created (`asm:customer-created`). */
export interface AsmCreatedCustomer {
  /** The new customer's id. */
  customerId: string;
  /** Full name. Customer data: render it as text, never as HTML. */
  name: string;
  /** E-mail (the new customer's login). */
  email: string;
}

/** What the overlay last reported. */
export interface AsmState {
  /** ASM is on in this tab (the loader loads the overlay on every page until it is closed). */
  enabled: boolean;
  /** The signed-in agent, or null. */
  agent: AsmAgent | null;
  /** The emulation in progress, or null. */
  emulation: AsmEmulation | null;
}

/** `window.asmOverlay`, defined by `asm-loader.js` on every page that embeds it. */
export interface AsmOverlayApi {
  /** API version (1). */
  readonly version: 1;
  /** The current state. Known once the overlay has reported it (after `asm:ready`). */
  state(): AsmState;
  /** Calls `listener` now and on every change; returns a function that unsubscribes. */
  subscribe(listener: (state: AsmState) => void): () => void;
  /** Turns ASM on in this tab and shows the bar (loading the overlay if needed). */
  open(): Promise<void>;
  /** Closes the overlay and turns ASM off in this tab; ignored while an agent is signed in. */
  close(): void;
  /** Makes the bar ask the server again, e.g. after the storefront renamed the emulated customer. */
  refresh(): void;
}

/** Events on `window`, all `CustomEvent`s. */
export interface AsmEventMap {
  /** The overlay is mounted. */
  'asm:ready': CustomEvent<Record<string, never>>;
  /** An agent signed in, or was found signed in on page load. */
  'asm:agent-signed-in': CustomEvent<AsmAgent>;
  /** The agent signed out, or the session ended (timeout, another tab, the server). */
  'asm:agent-signed-out': CustomEvent<Record<string, never>>;
  /** Emulation started, or is in progress on page load: act as this customer now. */
  'asm:emulation-started': CustomEvent<AsmEmulation>;
  /** Emulation ended: the storefront is the anonymous shopper's again. */
  'asm:emulation-ended': CustomEvent<{ customerId: string }>;
  /** Open this for the emulated customer (a deep link's target, a list shortcut, an order found by id). */
  'asm:navigate': CustomEvent<AsmNavigation>;
  /** The agent created a customer; `asm:emulation-started` for them follows when emulation starts. */
  'asm:customer-created': CustomEvent<AsmCreatedCustomer>;
  /** The agent bound an anonymous cart to the emulated customer: reload their cart. */
  'asm:cart-bound': CustomEvent<{ customerId: string; cartId: string }>;
  /** The agent changed the customer's cart (coupon) or coupons from Customer 360°: reload them. */
  'asm:customer-changed': CustomEvent<{ customerId: string; what: 'cart' | 'coupons' }>;
  /** The agent closed ASM in this tab. */
  'asm:closed': CustomEvent<Record<string, never>>;
  /** The overlay failed to load. */
  'asm:error': CustomEvent<{ message: string }>;
}

declare global {
  interface Window {
    asmOverlay: AsmOverlayApi;
  }
  // eslint-disable-next-line @typescript-eslint/no-empty-interface
  interface WindowEventMap extends AsmEventMap {}
}
