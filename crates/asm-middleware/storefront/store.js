// Demo storefront: no framework, no build step, no inline script (the page runs under a strict
// CSP). One page whose view is chosen by `?page=`; every navigation is a real same-origin link, so
// the ASM overlay restores itself on each page load.
//
// Three modes:
// - anonymous shopper: an anonymous cart kept by the store's own API (`/store/carts/...`);
// - signed-in customer: the shopper signed in with e-mail and password and shops as themselves
//   (`/store/customer/...`: cart, vouchers, orders);
// - emulating: an agent emulates a customer through the overlay, and the store acts as that
//   customer through the middleware's acting-as-customer API (`/asm/users/{id}/...`).
// An agent and a customer are never both signed in in one browser (the server enforces it: a
// customer cannot sign in beside an agent, and an agent signing in signs the customer out).
// The store learns the mode from the overlay's host events and, because this script may run
// before or after the overlay restores itself, also from `GET /asm/agents/me` (then
// `GET /store/customer/me`) on page load.
//
// All data (customer names above all) is rendered with `textContent`, never as HTML.
const API = '/asm';
const STORE_API = '/store';
const CUSTOMER_API = '/store/customer';
// The guest cart's handle: its code in the demo shop (not a secret there: it is the "cart number"
// the shopper reads to the agent on the phone), SAP's guid on SAP Commerce (the code is only shown).
const CART_KEY = 'demo-store-cart';

const $ = (id) => document.getElementById(id);

/** `el('li', {className: 'x'}, child, 'text')`: an element with properties and children (text as text nodes). */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-') || key === 'for' || key === 'role') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child == null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

const link = (href, text, props = {}) => el('a', { href, ...props }, text);

/** An API failure: the server's own message. */
class ApiError extends Error {
  constructor(status, body) {
    const first = body?.errors?.[0];
    super(first?.message || `The server answered ${status}.`);
    this.status = status;
    this.type = first?.type || '';
    this.subject = first?.subject || '';
  }
}

/**
 * One JSON request. `asm`: a call to the ASM API (state-changing calls carry `X-ASM-Request`).
 * Writes always say `Content-Type: application/json`. Resolves to the body; throws `ApiError`.
 */
async function request(method, url, body, { asm = false } = {}) {
  const headers = {};
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json';
    if (asm) headers['X-ASM-Request'] = '1';
  }
  const res = await fetch(url, {
    method,
    headers,
    credentials: 'include',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

const asm = (method, path, body) => request(method, `${API}${path}`, body, { asm: true });
const enc = encodeURIComponent;

// ---------------------------------------------------------------------------------------------
// Mode: who is shopping.

/**
 * `{kind: 'unknown'}` until known, `{kind: 'guest'}`, `{kind: 'self', customerId, name, email}`
 * for a customer signed in on the store, or `{kind: 'customer', customerId, name, email,
 * cartId}` while an agent emulates that customer.
 */
let mode = { kind: 'unknown' };
/** Bumped on every mode change: answers for an older mode are dropped. */
let generation = 0;
/** Bumped on every overlay event: a `/agents/me` answer older than an event is dropped. */
let eventSeq = 0;
/** The cart shown (the anonymous cart or the customer's active cart), or null if none yet. */
let cart = null;
let resolveKnown;
const known = new Promise((resolve) => { resolveKnown = resolve; });

const emulating = () => mode.kind === 'customer';
/** A customer signed in on the store, shopping on their own. */
const selfShopping = () => mode.kind === 'self';
const userPath = () => `/users/${enc(mode.customerId)}`;

function setMode(next) {
  const same = next.kind === mode.kind && next.customerId === mode.customerId;
  const wasSelf = mode.kind === 'self';
  mode = next;
  generation += 1;
  cart = null;
  if (emulating()) {
    $('emulated-name').textContent = mode.name;
    $('emulated-email').textContent = mode.email || '';
    $('emulation-banner').hidden = false;
    $('shopper').textContent = mode.name;
  } else {
    $('emulation-banner').hidden = true;
    $('shopper').textContent = selfShopping() ? mode.name : 'Guest';
  }
  renderAccountLinks();
  // Never leave one shopper's cart on screen while the other's loads.
  $('cart-lines').replaceChildren();
  $('cart-total').textContent = '';
  $('cart-status').textContent = 'Loading cart…';
  resolveKnown();
  if (!same) clearMessages();
  // The server ended the customer's own session because an agent signed in here.
  if (wasSelf && !selfShopping() && mode.kind !== 'unknown') {
    showNotice('You were signed out of the store: a customer support agent signed in in this browser.');
  }
  refresh();
}

/** "Sign in" for a shopper, "Sign out" for a signed-in customer, nothing while an agent emulates. */
function renderAccountLinks() {
  const slot = $('store-account');
  if (selfShopping()) {
    const out = el('button', { type: 'button', id: 'customer-sign-out', className: 'link-button' }, 'Sign out');
    out.addEventListener('click', () => act(out, async () => {
      await request('POST', `${CUSTOMER_API}/logout`, {});
      location.assign('/');
    }));
    slot.replaceChildren(out);
  } else if (mode.kind === 'guest') {
    slot.replaceChildren(link('/?page=signin', 'Sign in', { id: 'customer-sign-in' }));
  } else {
    slot.replaceChildren();
  }
}

function customerMode({ customerId, name, email, cartId }) {
  return { kind: 'customer', customerId, name, email: email || '', cartId: cartId || null };
}

/** Asks the server whether an agent emulates someone in this browser (401: a plain shopper). */
async function checkServer() {
  const seq = eventSeq;
  let next = { kind: 'guest' };
  // Both at once: an agent's session (emulating someone or not), else the customer's own.
  const [agent, customer] = await Promise.allSettled([
    request('GET', `${API}/agents/me`),
    request('GET', `${CUSTOMER_API}/me`),
  ]);
  if (agent.status === 'fulfilled') {
    const e = agent.value?.emulation;
    if (e) {
      next = customerMode({
        customerId: e.customerId,
        name: e.customerName,
        email: e.customerEmail,
        cartId: e.cartId,
      });
    }
  } else if (customer.status === 'fulfilled' && agent.reason instanceof ApiError && agent.reason.status === 401) {
    // No agent here: the shopper signed in on the store (401 there too: anonymous).
    const me = customer.value;
    next = { kind: 'self', customerId: me.customerId, name: me.name, email: me.email };
  }
  if (seq !== eventSeq) return; // an overlay event said something newer
  if (next.kind !== mode.kind || next.customerId !== mode.customerId) setMode(next);
}

function onEvent(next) {
  eventSeq += 1;
  // The overlay announces a restored emulation on every page load, often after the server already
  // told: the same shopper with the same cart is not loaded (nor the view drawn) again.
  const same = next.kind === mode.kind && next.customerId === mode.customerId
    && (next.kind !== 'customer' || next.cartId === mode.cartId);
  if (!same) {
    setMode(next);
  } else if (emulating() && next.name) {
    mode.name = next.name;
    mode.email = next.email;
    $('emulated-name').textContent = mode.name;
    $('emulated-email').textContent = mode.email;
    $('shopper').textContent = mode.name;
  }
}

window.addEventListener('asm:emulation-started', (e) => onEvent(customerMode(e.detail || {})));
window.addEventListener('asm:emulation-ended', () => onEvent({ kind: 'guest' }));
window.addEventListener('asm:agent-signed-out', () => onEvent({ kind: 'guest' }));
window.addEventListener('asm:agent-signed-in', () => {
  if (!emulating()) {
    // The server signed a customer of this browser out: the store forgets them at once.
    if (selfShopping()) onEvent({ kind: 'guest' });
    checkServer();
  }
});

// The overlay asks the store to open something of the emulated customer's (a deep link's
// target, a list shortcut): every view is a real page, so this is a navigation.
window.addEventListener('asm:navigate', (e) => {
  const { target, id } = e.detail || {};
  // The cart worked with opens the cart page; another one (saved, say) its own page.
  if (target === 'cart' && id && id !== mode.cartId) location.assign(`/?page=savedcart&code=${enc(id)}`);
  else if (target === 'cart') location.assign('/?page=cart');
  else if (target === 'orders') location.assign('/?page=orders');
  else if (target === 'order' && id) location.assign(`/?page=order&code=${enc(id)}`);
  else if (target === 'ticket' && id) location.assign(`/?page=ticket&id=${enc(id)}`);
  else if (target === 'product' && id) location.assign(`/?page=product&code=${enc(id)}#reviews`);
  else if (target === 'addresses') location.assign('/?page=addresses');
});

// The agent bound an anonymous cart to the emulated customer: it is their cart now.
window.addEventListener('asm:cart-bound', (e) => {
  const { customerId, cartId } = e.detail || {};
  if (!emulating() || customerId !== mode.customerId || !cartId) return;
  mode.cartId = cartId;
  cart = null;
  cartSeq += 1; // an older read of the previous cart must not win
  refresh();
});

// The agent changed the customer's cart or coupons from the overlay (Customer 360°): draw the
// cart and the current page again from the server.
window.addEventListener('asm:customer-changed', (e) => {
  const { customerId } = e.detail || {};
  if (!emulating() || customerId !== mode.customerId) return;
  cartSeq += 1; // an older read of the cart must not win
  refresh();
});

/** After an ASM call failed because the session or emulation is gone: ask the server again. */
function recheckOn(err) {
  if (err instanceof ApiError && (err.status === 401 || err.type === 'NotEmulatingError')) checkServer();
}

// ---------------------------------------------------------------------------------------------
// Carts.

function forgetGuestCart() {
  try { localStorage.removeItem(CART_KEY); } catch { /* storage unavailable */ }
}

/** A guest cart's handle: SAP's guid when there is one, else its code. */
const guestHandle = (c) => c.guid || c.code;

function guestCartHandle() {
  try { return localStorage.getItem(CART_KEY); } catch { return null; }
}

/** The current cart of the current mode, or null when there is none yet. */
async function fetchCart() {
  if (selfShopping()) return request('GET', `${CUSTOMER_API}/cart`);
  if (emulating()) {
    if (!mode.cartId) return null;
    try {
      const c = await asm('GET', `${userPath()}/carts/${enc(mode.cartId)}`);
      return c.status === 'ACTIVE' ? c : null; // an ordered or saved cart is not the one to shop with
    } catch (err) {
      if (err.status === 404) return null;
      throw err;
    }
  }
  const handle = guestCartHandle();
  if (!handle) return null;
  try {
    return await request('GET', `${STORE_API}/carts/${enc(handle)}`);
  } catch (err) {
    // Bound to a customer by an agent, or gone: start a new cart next time.
    if (err.status === 404) forgetGuestCart();
    if (err.status === 404) return null;
    throw err;
  }
}

/** The cart to add to, created if there is none. */
async function ensureCart() {
  if (cart) return cart;
  const existing = await fetchCart(); // the page may still be loading it
  if (existing) return existing;
  if (emulating()) {
    const c = await asm('POST', `${userPath()}/carts`);
    mode.cartId = c.code;
    return c;
  }
  const c = await request('POST', `${STORE_API}/carts`);
  try { localStorage.setItem(CART_KEY, guestHandle(c)); } catch { /* kept for this page only */ }
  return c;
}

function cartUrl(c) {
  if (selfShopping()) return `${CUSTOMER_API}/cart/${enc(c.code)}`;
  return emulating()
    ? `${userPath()}/carts/${enc(c.code)}`
    : `${STORE_API}/carts/${enc(guestHandle(c))}`;
}

function cartCall(method, suffix, body) {
  const url = cartUrl(cart) + suffix;
  return emulating() ? asm(method, url, body) : request(method, url, body);
}

async function addToCart(productCode, quantity) {
  const gen = generation;
  if (selfShopping()) {
    // The server adds to the customer's active cart, making one when there is none.
    const next = await request('POST', `${CUSTOMER_API}/cart/entries`, { productCode, quantity });
    if (gen === generation) showCart(next);
    return next;
  }
  cart = await ensureCart();
  let next;
  try {
    next = await cartCall('POST', '/entries', { productCode, quantity });
  } catch (err) {
    // An anonymous cart bound meanwhile by an agent: start a new one, once.
    if (emulating() || err.status !== 404 || err.subject !== 'cartId') throw err;
    forgetGuestCart();
    cart = null;
    cart = await ensureCart();
    next = await cartCall('POST', '/entries', { productCode, quantity });
  }
  if (gen === generation) showCart(next);
  return next;
}

/** Bumped whenever the shopper changes the cart: a page-load read older than that is dropped. */
let cartSeq = 0;

function showCart(next) {
  cartSeq += 1;
  cart = next;
  renderMiniCart();
}

function renderMiniCart() {
  const status = $('cart-status');
  const lines = $('cart-lines');
  const total = $('cart-total');
  if (!cart || cart.entries.length === 0) {
    status.textContent = emulating() ? `${mode.name}'s cart is empty.` : 'Your cart is empty.';
    lines.replaceChildren();
    total.textContent = '';
  } else {
    status.textContent = `Cart ${cart.code}: ${cart.totalItems} item(s)`;
    lines.replaceChildren(
      ...cart.entries.map((e) => el('li', {}, lineSummary(e))),
    );
    total.textContent = `Total: ${cart.totalPrice.formattedValue}`;
  }
  $('nav-cart').textContent = cart && cart.totalItems > 0 ? `Cart (${cart.totalItems})` : 'Cart';
}

// ---------------------------------------------------------------------------------------------
// Messages.

function clearMessages() {
  $('store-message').hidden = true;
  $('store-message').textContent = '';
  $('store-notice').hidden = true;
  $('store-notice').textContent = '';
}

function showError(err) {
  $('store-notice').hidden = true;
  $('store-message').textContent = err instanceof Error ? err.message : String(err);
  $('store-message').hidden = false;
  recheckOn(err);
}

function showNotice(text) {
  $('store-message').hidden = true;
  $('store-notice').textContent = text;
  $('store-notice').hidden = false;
}

/** Runs a user action with its button disabled; shows the server's message if it fails. */
async function act(button, action) {
  clearMessages();
  if (button) button.disabled = true;
  try {
    await action();
  } catch (err) {
    showError(err);
  } finally {
    if (button) button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Views.

const params = new URLSearchParams(location.search);
const page = params.get('page') || 'home';

function setView(title, ...children) {
  $('view-title').textContent = title;
  document.title = `${title} — Demo Electronics`;
  // Optional parts are passed as null/false: left out, never printed as "null".
  $('view-body').replaceChildren(...children.filter((c) => c != null && c !== false));
}

function signInNeeded(what) {
  if (selfShopping()) {
    return el('p', { className: 'sign-in-needed' },
      `To ${what}, call customer support: an agent does it with you through Assisted Service Mode. (Signed in, this demo store lets you shop and see your orders.)`);
  }
  return el('p', { className: 'sign-in-needed' },
    'To ', link('/?page=signin', 'sign in'), ` and ${what}, or call customer support: an agent can help you through Assisted Service Mode.`);
}

/** The orders API of the shopper: their own (signed in) or the emulated customer's. */
const ordersUrl = () => (selfShopping() ? `${CUSTOMER_API}/orders` : `${userPath()}/orders`);
const ordersCall = (method, url, body) => (selfShopping() ? request(method, url, body) : asm(method, url, body));

async function signInView(show) {
  if (emulating() || selfShopping()) {
    show('Sign in', el('p', { id: 'signed-in-already' }, `Signed in as ${mode.name}.`), link('/', 'Go shopping'));
    return;
  }
  const email = el('input', { id: 'signin-email', type: 'email', autocomplete: 'username', required: true });
  const password = el('input', { id: 'signin-password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = el('button', { type: 'submit', id: 'signin-submit' }, 'Sign in');
  const form = el('form', { id: 'signin-form', className: 'profile-form' },
    el('p', {}, el('label', { for: 'signin-email' }, 'E-mail '), email),
    el('p', {}, el('label', { for: 'signin-password' }, 'Password '), password),
    submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(submit, async () => {
      await request('POST', `${CUSTOMER_API}/login`, { email: email.value, password: password.value });
      // What was in a guest cart stays with that cart (the store keeps its number).
      location.assign('/');
    });
  });
  show('Sign in', form,
    el('p', { className: 'hint' }, 'Customers of the demo shop sign in with their e-mail and password.'));
}

let products = null;
async function catalogue() {
  products ??= request('GET', `${API}/products`).then((r) => r.products);
  return products;
}

async function productList(show, title) {
  const list = await catalogue();
  show(title, el('ul', { className: 'product-grid', id: 'product-list' },
    ...list.map((p) => el('li', { className: 'product', dataset: { code: p.code } },
      el('h2', {}, link(`/?page=product&code=${enc(p.code)}`, p.name)),
      el('p', { className: 'price' }, p.price.formattedValue)))));
}

async function productPage(show) {
  const code = params.get('code') || '';
  const p = (await catalogue()).find((x) => x.code === code);
  if (!p) {
    show('Product not found', el('p', {}, 'This product does not exist. '), link('/?page=cameras', 'See all products'));
    return;
  }
  const quantity = el('input', { id: 'quantity', type: 'number', min: '1', max: '99', value: '1', required: true });
  const add = el('button', { type: 'submit', id: 'add-to-cart' }, 'Add to cart');
  const form = el('form', { className: 'add-to-cart' },
    el('label', { for: 'quantity' }, 'Quantity '), quantity, ' ', add);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(add, async () => {
      await known;
      const n = Number(quantity.value);
      const c = await addToCart(p.code, n);
      showNotice(`Added ${n} × ${p.name} to cart ${c.code}.`);
    });
  });
  show(p.name,
    el('p', { className: 'product-code' }, `Product code ${p.code}`),
    el('p', { className: 'price', id: 'product-price' }, p.price.formattedValue),
    form,
    el('p', {}, link('/?page=cart', 'Go to the cart')),
    reviewsSection(p));
}

/** "(added by the support agent)" after what an agent wrote for the customer. */
const byAgent = (x) => (x.addedByAgent ? el('span', { className: 'by-agent' }, ' (added by the support agent)') : null);

const stars = (n) => {
  const k = Math.max(0, Math.min(5, Math.round(n)));
  return el('span', { className: 'stars', role: 'img', 'aria-label': `${k} of 5 stars` }, '★'.repeat(k) + '☆'.repeat(5 - k));
};

/**
 * Draws the review form for the shopper of the moment (the product page is not drawn again when
 * an agent starts or ends an emulation on it). Set by the product page.
 */
let drawReviewForm = () => {};

/**
 * The product's reviews (public) and, while an agent emulates a customer, a form to write one as
 * that customer. The section shows at once and fills in; a list that fails to load says so and
 * the rest of the page stays usable.
 */
function reviewsSection(p) {
  const list = el('ul', { id: 'review-list', className: 'review-list' }, el('li', { className: 'hint' }, 'Loading reviews…'));
  const slot = el('div', { id: 'review-form-slot' });
  const section = el('section', { id: 'reviews', className: 'reviews', 'aria-labelledby': 'reviews-title' },
    el('h2', { id: 'reviews-title' }, 'Reviews'), list, slot);
  const drawList = async () => {
    const { reviews } = await request('GET', `${API}/products/${enc(p.code)}/reviews`);
    if (reviews.length === 0) {
      list.replaceChildren(el('li', { id: 'no-reviews' }, 'No reviews yet.'));
      return;
    }
    list.replaceChildren(...reviews.map((r) => el('li', { className: 'review', dataset: { id: r.id } },
      stars(r.rating), ' ', el('strong', {}, r.headline), ` — ${r.alias || 'Anonymous'}, ${date(r.date)}`, byAgent(r),
      el('p', { className: 'review-comment' }, r.comment))));
  };
  drawList().catch((err) => {
    list.replaceChildren(el('li', { className: 'hint' }, `The reviews could not be loaded: ${err.message}`));
  });
  let drawnFor = null;
  drawReviewForm = () => {
    // Drawn again only for another shopper: a refresh for the same one keeps what is typed.
    const shopper = `${mode.kind}:${mode.customerId || ''}`;
    if (shopper === drawnFor) return;
    drawnFor = shopper;
    if (mode.kind === 'unknown') {
      slot.replaceChildren();
      return;
    }
    if (!emulating()) {
      slot.replaceChildren(el('p', { className: 'hint', id: 'review-sign-in' }, 'Sign in to write a review.'));
      return;
    }
    const gen = generation;
    const rating = el('select', { id: 'review-rating', required: true },
      el('option', { value: '' }, 'Choose'),
      ...[5, 4, 3, 2, 1].map((n) => el('option', { value: String(n) }, `${n} of 5`)));
    const headline = el('input', { id: 'review-headline', maxLength: 255, required: true, autocomplete: 'off' });
    const comment = el('textarea', { id: 'review-comment', rows: 4, maxLength: 5000, required: true });
    const submit = el('button', { type: 'submit', id: 'review-submit' }, 'Post review');
    const form = el('form', { id: 'review-form', className: 'review-form' },
      el('h3', {}, `Write a review as ${mode.name}`),
      el('p', {}, el('label', { for: 'review-rating' }, 'Rating '), rating),
      el('p', {}, el('label', { for: 'review-headline' }, 'Headline '), headline),
      el('p', {}, el('label', { for: 'review-comment' }, 'Review '), el('br'), comment),
      submit);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(submit, async () => {
        if (gen !== generation) throw new Error('The shopper changed: reload the page to write this review.');
        const r = await asm('POST', `${userPath()}/products/${enc(p.code)}/reviews`, {
          rating: Number(rating.value), headline: headline.value, comment: comment.value,
        });
        // Only a review that was accepted clears the form.
        form.reset();
        await drawList().catch(() => {});
        showNotice(`Your review "${r.headline}" was posted.`);
      });
    });
    slot.replaceChildren(form);
  };
  drawReviewForm();
  return section;
}

function money(label, price, id) {
  return el('tr', {}, el('th', { scope: 'row' }, label), el('td', { id }, price.formattedValue));
}

/** The delivery row: "Free" when it costs nothing. */
function delivery(price, id) {
  return el('tr', {}, el('th', { scope: 'row' }, 'Delivery'),
    el('td', { id }, price.valueCents === 0 ? 'Free' : price.formattedValue));
}

/** What an applied voucher gives: "−$12.00", "gift: Secure Digital Card 2GB", "free shipping". */
function voucherGives(v) {
  if (v.kind === 'GIFT_PRODUCT') {
    const gift = cart?.entries.find((e) => e.giveAway && e.productCode === v.giftProduct);
    return `gift: ${gift ? gift.productName : v.giftProduct || 'a product'}`;
  }
  if (v.kind === 'FREE_SHIPPING') return 'free shipping';
  return `−${v.discount.formattedValue}`;
}

/** "2 × Tripod Stand — $79.80", or "1 × Tripod Stand — free (gift)". */
const lineSummary = (e) => `${e.quantity} × ${e.productName} — ${e.giveAway ? 'free (gift)' : e.totalPrice.formattedValue}`;

function cartView() {
  if (!cart || cart.entries.length === 0) {
    setView('Your cart',
      el('p', { id: 'cart-empty' }, emulating() ? `${mode.name}'s cart is empty.` : 'Your cart is empty.'),
      cart ? el('p', { id: 'cart-number' }, `Cart number ${cart.code}`) : null,
      link('/?page=cameras', 'Continue shopping'));
    return;
  }
  const rows = cart.entries.map((e) => {
    // A gift comes and goes with its voucher: no quantity, no Remove of its own.
    if (e.giveAway) {
      const by = cart.vouchers.find((v) => v.giftProduct === e.productCode);
      return el('tr', { className: 'cart-entry gift', dataset: { product: e.productCode, gift: 'true' } },
        el('td', { className: 'entry-name' }, link(`/?page=product&code=${enc(e.productCode)}`, e.productName), ' ',
          el('span', { className: 'gift-mark' }, 'Gift')),
        el('td', { className: 'entry-price' }, 'Free'),
        el('td', {}, String(e.quantity)),
        el('td', { className: 'entry-total' }, e.totalPrice.formattedValue),
        el('td', { className: 'hint' }, by ? `With voucher ${by.code}` : ''));
    }
    const qty = el('input', {
      type: 'number', min: '0', max: '99', value: String(e.quantity), className: 'qty',
      'aria-label': `Quantity of ${e.productName}`,
    });
    const update = el('button', { type: 'submit', className: 'update' }, 'Update');
    const form = el('form', { className: 'qty-form' }, qty, ' ', update);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      act(update, async () => {
        showCart(await cartCall('PATCH', `/entries/${enc(e.productCode)}`, { quantity: Number(qty.value) }));
        cartView();
      });
    });
    const remove = el('button', { type: 'button', className: 'remove', 'aria-label': `Remove ${e.productName}` }, 'Remove');
    remove.addEventListener('click', () => act(remove, async () => {
      showCart(await cartCall('DELETE', `/entries/${enc(e.productCode)}`));
      cartView();
    }));
    return el('tr', { className: 'cart-entry', dataset: { product: e.productCode } },
      el('td', { className: 'entry-name' }, link(`/?page=product&code=${enc(e.productCode)}`, e.productName)),
      el('td', { className: 'entry-price' }, e.basePrice.formattedValue),
      el('td', {}, form),
      el('td', { className: 'entry-total' }, e.totalPrice.formattedValue),
      el('td', {}, remove));
  });
  const table = el('table', { className: 'cart-table', id: 'cart-entries' },
    el('thead', {}, el('tr', {}, ...['Product', 'Price', 'Quantity', 'Total', ''].map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows));

  const totals = el('table', { className: 'totals', id: 'cart-totals' }, el('tbody', {},
    money('Subtotal', cart.subTotal, 'cart-subtotal'),
    ...cart.promotions.map((p) => el('tr', { className: 'promotion' },
      el('th', { scope: 'row' }, p.description), el('td', {}, `−${p.discount.formattedValue}`))),
    ...cart.vouchers.filter((v) => v.discount.valueCents > 0).map((v) => el('tr', { className: 'voucher-discount' },
      el('th', { scope: 'row' }, `Voucher ${v.code}`), el('td', {}, `−${v.discount.formattedValue}`))),
    money('Discounts', cart.totalDiscounts, 'cart-discounts'),
    cart.deliveryCost ? delivery(cart.deliveryCost, 'cart-delivery') : null,
    money('Total', cart.totalPrice, 'cart-grand-total')));

  // Shoppers type voucher codes too; one valid only during a support call is the agent's to give.
  const input = el('input', { id: 'voucher-code', name: 'voucher', autocomplete: 'off' });
  const apply = el('button', { type: 'submit', id: 'apply-voucher' }, 'Apply');
  const form = el('form', { className: 'voucher-form' }, el('label', { for: 'voucher-code' }, 'Voucher code '), input, ' ', apply);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(apply, async () => {
      const code = input.value.trim();
      showCart(await cartCall('POST', '/vouchers', { voucherId: code }));
      cartView();
      showNotice(`Voucher ${code} applied.`);
    });
  });
  const vouchers = el('section', { className: 'vouchers' }, el('h2', {}, 'Vouchers'),
    el('ul', { id: 'cart-vouchers' }, ...cart.vouchers.map((v) => {
      const remove = el('button', { type: 'button', className: 'remove-voucher', 'aria-label': `Remove voucher ${v.code}` }, 'Remove');
      remove.addEventListener('click', () => act(remove, async () => {
        showCart(await cartCall('DELETE', `/vouchers/${enc(v.code)}`));
        cartView();
        showNotice(`Voucher ${v.code} removed.`);
      }));
      return el('li', { dataset: { code: v.code } }, `${v.code}: ${v.name} (${voucherGives(v)}) `,
        v.sessionOnly ? el('span', { className: 'session-only' }, 'valid only during this call ') : null, remove);
    })),
    form);
  setView('Your cart',
    el('p', { id: 'cart-number', className: 'cart-number' }, `Cart number ${cart.code}`),
    mode.kind === 'guest' ? el('p', { className: 'hint' }, 'Calling us? Tell the agent this cart number.') : null,
    table, totals, vouchers,
    el('p', {}, link('/?page=checkout', 'Proceed to checkout', { id: 'to-checkout' })),
    emulating() ? saveForLater(cart) : null);
}

// ---------------------------------------------------------------------------------------------
// Saved carts (while emulating): save for later, the list, restore and delete.

const FLASH_KEY = 'store_notice';

/** A notice for the page the store opens next (after an action that navigates). */
function flash(text) {
  try { sessionStorage.setItem(FLASH_KEY, text); } catch { /* shown nowhere: the page says it */ }
}

function takeFlash() {
  try {
    const text = sessionStorage.getItem(FLASH_KEY);
    sessionStorage.removeItem(FLASH_KEY);
    return text;
  } catch {
    return null;
  }
}

// A notice an action left for this page (e.g. "Cart … was saved for later"), shown once the
// page's view is drawn for its shopper (a change of shopper clears the messages).
let flashed = takeFlash();

/** "Save for later" for one of the emulated customer's active carts: a name and a description. */
function saveForLater(c) {
  const name = el('input', { id: 'save-cart-name', name: 'name', maxLength: 255, autocomplete: 'off', placeholder: c.code });
  const description = el('textarea', { id: 'save-cart-description', name: 'description', rows: 2, maxLength: 5000 });
  const save = el('button', { type: 'submit', id: 'save-cart' }, 'Save for later');
  const form = el('form', { id: 'save-cart-form', className: 'profile-form' },
    el('h2', {}, 'Save this cart for later'),
    el('p', {}, el('label', { for: 'save-cart-name' }, 'Name'), ' ', name),
    el('p', {}, el('label', { for: 'save-cart-description' }, 'Description'), ' ', description),
    el('p', { className: 'hint' }, 'A saved cart is kept in the account; it is no longer the cart being shopped with.'),
    save);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(save, async () => {
      const saved = await asm('PATCH', `${userPath()}/carts/${enc(c.code)}/save`,
        { name: name.value, description: description.value });
      if (mode.cartId === saved.code) mode.cartId = null;
      flash(`Cart ${saved.code} was saved for later as “${saved.saved?.name ?? saved.code}”.`);
      location.assign(`/?page=savedcart&code=${enc(saved.code)}`);
    });
  });
  return form;
}

/** The emulated customer's saved carts, newest first. */
async function savedCartsView(show) {
  if (!emulating()) {
    show('Saved carts', signInNeeded('see your saved carts'));
    return;
  }
  const { carts } = await asm('GET', `${userPath()}/carts`);
  const saved = carts.filter((c) => c.status === 'SAVED');
  if (saved.length === 0) {
    show('Saved carts', el('p', { id: 'saved-carts-empty' }, 'No saved carts.'),
      el('p', { className: 'hint' }, 'Save the cart for later from the cart page.'));
    return;
  }
  const row = (c) => el('tr', { dataset: { code: c.code } },
    el('td', {}, link(`/?page=savedcart&code=${enc(c.code)}`, c.saved?.name || c.code)),
    el('td', {}, c.code),
    el('td', {}, c.saved ? date(c.saved.time) : date(c.modified)),
    el('td', {}, String(c.totalItems)),
    el('td', {}, c.totalPrice.formattedValue),
    el('td', {}, c.saved?.description || ''));
  show('Saved carts', el('table', { id: 'saved-carts', className: 'cart-table' },
    el('thead', {}, el('tr', {}, ...['Name', 'Cart number', 'Saved', 'Items', 'Total', 'Description']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...saved.map(row))));
}

/** "Make this cart active" and "Delete" (asked twice) for a cart of the emulated customer's. */
function cartActions(c) {
  const actions = el('p', { className: 'cart-actions' });
  if (c.status === 'SAVED') {
    const restore = el('button', { type: 'button', id: 'restore-cart' }, 'Make this cart active');
    restore.addEventListener('click', () => act(restore, async () => {
      const restored = await asm('PATCH', `${userPath()}/carts/${enc(c.code)}/restoresavedcart`);
      mode.cartId = restored.code;
      flash(`Cart ${restored.code} is the active cart again.`);
      location.assign('/?page=cart');
    }));
    actions.append(restore, ' ');
  }
  const remove = el('button', { type: 'button', id: 'delete-cart' }, 'Delete this cart');
  const sure = el('span', { id: 'delete-cart-confirm', hidden: true },
    `Delete cart ${c.code} and everything in it? `);
  const yes = el('button', { type: 'button', id: 'delete-cart-yes' }, 'Delete');
  const no = el('button', { type: 'button', id: 'delete-cart-no' }, 'Keep it');
  sure.append(yes, ' ', no);
  remove.addEventListener('click', () => { remove.hidden = true; sure.hidden = false; yes.focus(); });
  no.addEventListener('click', () => { sure.hidden = true; remove.hidden = false; remove.focus(); });
  yes.addEventListener('click', () => act(yes, async () => {
    await asm('DELETE', `${userPath()}/carts/${enc(c.code)}`);
    if (mode.cartId === c.code) mode.cartId = null;
    flash(`Cart ${c.code} was deleted.`);
    location.assign('/?page=savedcarts');
  }));
  actions.append(remove, sure);
  return actions;
}

/** One of the emulated customer's carts that is not the one worked with (a saved cart, say). */
async function otherCartView(show) {
  if (!emulating()) {
    show('Cart', signInNeeded('see your saved carts'));
    return;
  }
  const code = params.get('code') || '';
  const c = await asm('GET', `${userPath()}/carts/${enc(code)}`);
  const state = { ACTIVE: 'Active', SAVED: 'Saved for later', ORDERED: 'Ordered' }[c.status] || c.status;
  const current = c.code === mode.cartId;
  show(c.saved ? `Saved cart “${c.saved.name}”` : `Cart ${c.code}`,
    el('p', { id: 'other-cart-status' }, `${state} — ${c.totalItems} item(s) — last changed ${date(c.modified)}`),
    c.saved ? el('p', { id: 'saved-cart-info' },
      `Cart number ${c.code}, saved ${date(c.saved.time)}${c.saved.description ? `: ${c.saved.description}` : ''}`) : null,
    c.entries.length === 0
      ? el('p', { id: 'other-cart-empty' }, 'This cart is empty.')
      : el('ul', { id: 'other-cart-lines' }, ...c.entries.map((e) => el('li', { dataset: { product: e.productCode } }, lineSummary(e)))),
    el('table', { className: 'totals' }, el('tbody', {},
      money('Subtotal', c.subTotal, 'other-cart-subtotal'),
      money('Total', c.totalPrice, 'other-cart-total'))),
    current
      ? el('p', {}, link('/?page=cart', 'This is the cart being worked with: open it'))
      : el('p', { className: 'hint' }, 'This is not the cart being worked with now.'),
    c.status !== 'ORDERED' ? cartActions(c) : null,
    // An inactive cart (active, not the one worked with) may be kept for later.
    c.status === 'ACTIVE' && !current && c.entries.length > 0 ? saveForLater(c) : null,
    el('p', {}, link('/?page=savedcarts', 'All saved carts'), ' · ', link('/?page=cart', 'Go to the active cart')));
}

function checkoutView() {
  if (!emulating() && !selfShopping()) {
    setView('Checkout', signInNeeded('check out'));
    return;
  }
  if (!cart || cart.entries.length === 0) {
    setView('Checkout', el('p', {}, `${mode.name}'s cart is empty: add products before placing the order.`),
      link('/?page=cameras', 'Continue shopping'));
    return;
  }
  const place = el('button', { type: 'button', id: 'place-order' }, 'Place order');
  const gen = generation;
  place.addEventListener('click', () => act(place, async () => {
    const order = await ordersCall('POST', ordersUrl(), { cartId: cart.code });
    if (gen !== generation) return;
    // The cart is ordered now: the next product starts a new cart.
    mode.cartId = null;
    showCart(null);
    setView('Order placed',
      el('p', { id: 'order-confirmation', className: 'confirmation' },
        `Thank you! Order ${order.code} was placed (total ${order.totalPrice.formattedValue}). `,
        link(`/?page=order&code=${enc(order.code)}`, 'See the order')));
  }));
  setView('Checkout',
    el('p', {}, `Cart ${cart.code} for ${mode.name}`),
    el('ul', { id: 'checkout-lines' }, ...cart.entries.map((e) => el('li', {}, lineSummary(e)))),
    cart.deliveryCost ? el('p', { id: 'checkout-delivery' }, `Delivery: ${cart.deliveryCost.valueCents === 0 ? 'free' : cart.deliveryCost.formattedValue}`) : null,
    el('p', { id: 'checkout-total' }, `Total: ${cart.totalPrice.formattedValue}`),
    place);
}

function date(rfc3339) {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : d.toISOString().slice(0, 10);
}

async function ordersView(show) {
  if (!emulating() && !selfShopping()) {
    show('Your orders', signInNeeded('see your orders'));
    return;
  }
  const history = await ordersCall('GET', `${ordersUrl()}${selfShopping() ? '' : '?pageSize=50'}`);
  if (history.orders.length === 0) {
    show('Your orders', el('p', { id: 'no-orders' }, 'No orders yet.'));
    return;
  }
  show('Your orders', el('ul', { id: 'order-list', className: 'order-list' },
    ...history.orders.map((o) => el('li', { dataset: { code: o.code } },
      link(`/?page=order&code=${enc(o.code)}`, `Order ${o.code}`),
      ` — ${date(o.placed)} — ${o.status} — ${o.total}`))));
}

/** The customer's return requests (newest first), at most 100. */
async function returnRequests() {
  const list = await asm('GET', `${userPath()}/orderReturns?pageSize=100`);
  return list.returnRequests;
}

/** "Return 50000001 — APPROVAL_PENDING — 2 item(s), $20.00", with Cancel while not yet received. */
function returnItem(r, redraw) {
  const items = r.returnEntries.reduce((n, e) => n + e.expectedQuantity, 0);
  const li = el('li', { className: 'return-request', dataset: { code: r.code } },
    el('strong', {}, `Return ${r.code}`),
    ` — order ${r.orderCode} — `,
    el('span', { className: 'return-status' }, r.status),
    ` — ${items} item(s), ${r.totalPrice.formattedValue}`,
    r.reason ? ` — reason: ${r.reason}` : null);
  if (r.cancellable) {
    const cancel = el('button', { type: 'button', className: 'cancel-return', 'aria-label': `Cancel return ${r.code}` }, 'Cancel return');
    cancel.addEventListener('click', () => act(cancel, async () => {
      const done = await asm('PATCH', `${userPath()}/orderReturns/${enc(r.code)}`, { status: 'CANCELLING' });
      await redraw();
      showNotice(`Return ${done.code} was cancelled (${done.status}).`);
    }));
    li.append(' ', cancel);
  }
  return li;
}

/**
 * A form choosing a quantity of each line (0..what is left), for a cancellation or a return.
 * `submit(entries)` gets the chosen `{orderEntryNumber, quantity}` (none chosen: a message).
 */
function linesForm(o, { id, legend, left, all, some, extra = [], submit }) {
  const inputs = o.entries.filter((e) => left(e) > 0).map((e) => {
    const input = el('input', {
      type: 'number', min: '0', max: String(left(e)), value: '0', className: 'qty',
      id: `${id}-qty-${e.entryNumber}`, dataset: { entry: String(e.entryNumber) },
    });
    return { e, input };
  });
  const chosen = () => inputs
    .map(({ e, input }) => ({ orderEntryNumber: e.entryNumber, quantity: Number(input.value) || 0 }))
    .filter((x) => x.quantity > 0);
  const allButton = el('button', { type: 'button', id: `${id}-all` }, all);
  const someButton = el('button', { type: 'submit', id: `${id}-some` }, some);
  const form = el('form', { className: 'lines-form', id },
    el('fieldset', {}, el('legend', {}, legend),
      el('ul', { className: 'lines-choice' }, ...inputs.map(({ e, input }) => el('li', {},
        el('label', { for: input.id }, `${e.productName} (${left(e)} of ${e.quantity} left) `), input))),
      ...extra,
      el('p', {}, allButton, ' ', someButton)));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(someButton, async () => {
      const entries = chosen();
      if (entries.length === 0) throw new Error('Choose a quantity of at least one line.');
      await submit(entries);
    });
  });
  allButton.addEventListener('click', () => act(allButton, async () => {
    await submit(inputs.map(({ e }) => ({ orderEntryNumber: e.entryNumber, quantity: left(e) })));
  }));
  return form;
}

const RETURN_REASONS = ['Damaged in transit', 'Wrong item delivered', 'Not as described', 'No longer needed', 'Other'];

async function orderView(show) {
  if (!emulating() && !selfShopping()) {
    show('Order', signInNeeded('see your orders'));
    return;
  }
  const code = params.get('code') || '';
  const redraw = () => renderView();
  // Cancelling and returning are done with an agent: the customer alone sees the order.
  const [o, returns] = await Promise.all([
    ordersCall('GET', `${ordersUrl()}/${enc(code)}`),
    selfShopping() ? [] : returnRequests(),
  ]);
  const mine = returns.filter((r) => r.orderCode === o.code);
  const lineText = (e) => {
    const done = [
      e.cancelledQuantity ? `${e.cancelledQuantity} cancelled` : null,
      e.returnedQuantity ? `${e.returnedQuantity} returned` : null,
    ].filter(Boolean);
    return `${lineSummary(e)}${done.length ? ` (${done.join(', ')})` : ''}`;
  };
  let cancelForm = null;
  if (o.cancellable && emulating()) {
    cancelForm = linesForm(o, {
      id: 'cancel-form',
      legend: 'Cancel the order or some of it',
      left: (e) => e.cancellableQuantity,
      all: 'Cancel whole order',
      some: 'Cancel selected',
      submit: async (entries) => {
        await asm('POST', `${userPath()}/orders/${enc(o.code)}/cancellation`, { cancellationRequestEntryInputs: entries });
        await redraw();
        const n = entries.reduce((sum, x) => sum + x.quantity, 0);
        showNotice(`Cancelled ${n} item(s) of order ${o.code}.`);
      },
    });
  }
  let returnForm = null;
  if (o.returnable && emulating()) {
    const reason = el('select', { id: 'return-reason' },
      el('option', { value: '' }, 'Choose a reason'),
      ...RETURN_REASONS.map((r) => el('option', { value: r }, r)));
    returnForm = linesForm(o, {
      id: 'return-form',
      legend: 'Return items',
      left: (e) => e.returnableQuantity,
      all: 'Return everything',
      some: 'Return selected',
      extra: [el('p', {}, el('label', { for: 'return-reason' }, 'Reason '), reason)],
      submit: async (entries) => {
        if (!reason.value) throw new Error('Choose the reason for the return.');
        const r = await asm('POST', `${userPath()}/orderReturns`, {
          orderCode: o.code, returnRequestEntryInputs: entries, reason: reason.value,
        });
        await redraw();
        showNotice(`Return request ${r.code} was created (${r.status}).`);
      },
    });
  }
  show(`Order ${o.code}`,
    el('p', { id: 'order-code' }, `Order ${o.code}`),
    el('p', { id: 'order-status' }, `Placed ${date(o.placed)} — ${o.status}`),
    el('p', { id: 'order-placed-by' }, o.placedBy ? `Placed by ${o.placedBy} (assisted service)` : 'Placed by the customer'),
    el('ul', { id: 'order-lines' }, ...o.entries.map((e) => el('li', { dataset: { product: e.productCode, entry: String(e.entryNumber) } },
      lineText(e)))),
    el('table', { className: 'totals' }, el('tbody', {},
      money('Subtotal', o.subTotal, 'order-subtotal'),
      money('Discounts', o.totalDiscounts, 'order-discounts'),
      o.deliveryCost ? delivery(o.deliveryCost, 'order-delivery') : null,
      money('Total', o.totalPrice, 'order-total'))),
    o.vouchers.length ? el('p', { id: 'order-vouchers' }, `Vouchers: ${o.vouchers.join(', ')}`) : null,
    cancelForm,
    returnForm,
    !o.cancellable && !o.returnable
      ? el('p', { id: 'order-actions-none', className: 'hint' }, 'This order can no longer be cancelled or returned.')
      : null,
    selfShopping() && (o.cancellable || o.returnable)
      ? el('p', { id: 'order-actions-call', className: 'hint' }, 'To cancel or return some of it, call customer support.')
      : null,
    mine.length ? el('section', { id: 'order-returns' }, el('h2', {}, 'Returns of this order'),
      el('ul', { className: 'return-list' }, ...mine.map((r) => returnItem(r, redraw)))) : null,
    el('p', {}, link('/?page=orders', 'All orders'), ' · ', link('/?page=returns', 'All returns')));
}

async function returnsView(show) {
  if (!emulating()) {
    show('Your returns', signInNeeded('see your returns'));
    return;
  }
  const returns = await returnRequests();
  show('Your returns', returns.length === 0
    ? el('p', { id: 'no-returns' }, 'No return requests yet.')
    : el('ul', { id: 'return-list', className: 'return-list' }, ...returns.map((r) => {
      const li = returnItem(r, () => renderView());
      li.append(' ', link(`/?page=order&code=${enc(r.orderCode)}`, `See order ${r.orderCode}`));
      return li;
    })));
}

/** A ticket's status, category and last change, as one line. */
const ticketFacts = (t) => `${t.status.name || t.status.id} — ${t.ticketCategory.name || t.ticketCategory.id} — updated ${date(t.modifiedAt)}`;

async function ticketsView(show) {
  if (!emulating()) {
    show('Support tickets', signInNeeded('see your support tickets'));
    return;
  }
  const [list, categories, history] = await Promise.all([
    asm('GET', `${userPath()}/tickets?pageSize=50`),
    request('GET', `${API}/ticketCategories`),
    asm('GET', `${userPath()}/orders?pageSize=50`).catch(() => ({ orders: [] })),
  ]);
  const subject = el('input', { id: 'ticket-subject', maxLength: 255, required: true, autocomplete: 'off' });
  const category = el('select', { id: 'ticket-category', required: true },
    el('option', { value: '' }, 'Choose a category'),
    ...categories.ticketCategories.map((c) => el('option', { value: c.id }, c.name || c.id)));
  const about = el('select', { id: 'ticket-order' },
    el('option', { value: '' }, 'No order'),
    ...history.orders.map((o) => el('option', { value: o.code }, `Order ${o.code} (${date(o.placed)})`)));
  const message = el('textarea', { id: 'ticket-message', rows: 4, maxLength: 5000, required: true });
  const submit = el('button', { type: 'submit', id: 'ticket-submit' }, 'Open ticket');
  const form = el('form', { id: 'ticket-form', className: 'ticket-form' },
    el('h2', {}, 'New ticket'),
    el('p', {}, el('label', { for: 'ticket-subject' }, 'Subject '), subject),
    el('p', {}, el('label', { for: 'ticket-category' }, 'Category '), category),
    el('p', {}, el('label', { for: 'ticket-order' }, 'About '), about),
    el('p', {}, el('label', { for: 'ticket-message' }, 'Message '), el('br'), message),
    submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(submit, async () => {
      const t = await asm('POST', `${userPath()}/tickets`, {
        subject: subject.value,
        message: message.value,
        ticketCategory: { id: category.value },
        associatedTo: about.value ? { code: about.value, type: 'Order' } : undefined,
      });
      location.assign(`/?page=ticket&id=${enc(t.id)}&created=1`);
    });
  });
  show('Support tickets',
    list.tickets.length === 0
      ? el('p', { id: 'no-tickets' }, 'No support tickets yet.')
      : el('ul', { id: 'ticket-list', className: 'ticket-list' }, ...list.tickets.map((t) => el('li', { dataset: { id: t.id } },
        link(`/?page=ticket&id=${enc(t.id)}`, `Ticket ${t.id}: ${t.subject}`), ` — ${ticketFacts(t)}`, byAgent(t)))),
    list.pagination.totalResults > list.tickets.length
      ? el('p', { className: 'hint' }, `The ${list.tickets.length} most recent of ${list.pagination.totalResults} tickets.`)
      : null,
    form);
}

async function ticketView(show) {
  if (!emulating()) {
    show('Support ticket', signInNeeded('see your support tickets'));
    return;
  }
  const id = params.get('id') || '';
  const t = await asm('GET', `${userPath()}/tickets/${enc(id)}`);
  const closed = t.status.id === 'CLOSED';
  const canClose = t.availableStatusTransitions.some((s) => s.id === 'CLOSED');
  // Newest message first: what the agent needs on the phone is on top.
  // (A stable sort of the reversed list: of messages with the same time, the later one first.)
  const events = [...t.ticketEvents].reverse()
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  let reply = null;
  if (!closed) {
    const message = el('textarea', { id: 'ticket-reply', rows: 4, maxLength: 5000, required: true, 'aria-label': 'Your message' });
    const send = el('button', { type: 'submit', id: 'ticket-send' }, 'Send');
    const close = canClose ? el('button', { type: 'button', id: 'ticket-close' }, 'Send and close the ticket') : null;
    reply = el('form', { id: 'ticket-reply-form', className: 'ticket-form' },
      el('h2', {}, 'Reply'), message, el('p', {}, send, close ? ' ' : null, close));
    const post = (button, toStatus) => act(button, async () => {
      await asm('POST', `${userPath()}/tickets/${enc(t.id)}/events`, {
        message: message.value,
        toStatus: toStatus ? { id: toStatus } : undefined,
      });
      await renderView();
      showNotice(toStatus ? `Ticket ${t.id} was closed.` : 'Your message was sent.');
    });
    reply.addEventListener('submit', (ev) => {
      ev.preventDefault();
      post(send, null);
    });
    close?.addEventListener('click', () => {
      if (!message.value.trim()) {
        showError(new Error('Write a closing message first.'));
        message.focus();
        return;
      }
      post(close, 'CLOSED');
    });
  }
  const about = t.associatedTo;
  show(`Ticket ${t.id}`,
    el('p', { id: 'ticket-subject-line' }, el('strong', {}, t.subject), byAgent(t)),
    el('p', { id: 'ticket-status' }, ticketFacts(t)),
    about ? el('p', { id: 'ticket-about' }, 'About ',
      about.type === 'Order' ? link(`/?page=order&code=${enc(about.code)}`, `order ${about.code}`) : `${about.type} ${about.code}`) : null,
    events.length
      ? el('ol', { id: 'ticket-events', className: 'ticket-events', reversed: true }, ...events.map((e) => el('li', { dataset: { code: e.code } },
        el('p', { className: 'ticket-event-meta' }, `${e.author}, ${date(e.createdAt)}`, byAgent(e),
          e.toStatus ? ` — status: ${e.toStatus.name || e.toStatus.id}` : null),
        el('p', { className: 'ticket-event-message' }, e.message))))
      : el('p', { id: 'no-ticket-events', className: 'hint' }, 'No messages shown for this ticket.'),
    closed ? el('p', { id: 'ticket-closed', className: 'hint' }, 'This ticket is closed: it takes no more messages.') : reply,
    el('p', {}, link('/?page=tickets', 'All support tickets')));
  if (params.get('created')) {
    showNotice(`Ticket ${t.id} was opened.`);
    // A reload says it no more.
    params.delete('created');
    history.replaceState(null, '', `/?${params}`);
  }
}

/** One line of an address: "Linda Wolf, 5 Harbor Rd, 02110 Boston, US". */
const addressLine = (a) => [`${a.firstName} ${a.lastName}`, a.line1, a.line2, `${a.postalCode} ${a.town}`, a.country.isocode]
  .filter(Boolean).join(', ');

async function addressesView(show) {
  if (!emulating()) {
    show('Address book', signInNeeded('keep your address book'));
    return;
  }
  const path = `${userPath()}/addresses`;
  const { addresses } = await asm('GET', path);
  const field = (id, label, props = {}) => el('p', {},
    el('label', { for: id }, label), ' ', el('input', { id, name: id, autocomplete: 'off', ...props }));
  const form = el('form', { id: 'address-form', className: 'profile-form' },
    el('h2', { id: 'address-form-title' }, 'New address'),
    field('address-first-name', 'First name', { required: true, value: mode.name.split(' ')[0] || '' }),
    field('address-last-name', 'Last name', { required: true, value: mode.name.split(' ').slice(1).join(' ') }),
    field('address-line1', 'Street and number', { required: true }),
    field('address-line2', 'Second line'),
    field('address-postal-code', 'Postal code', { required: true }),
    field('address-town', 'Town', { required: true }),
    field('address-country', 'Country (two letters)', { required: true, maxLength: 2, value: 'US' }),
    field('address-phone', 'Phone', { type: 'tel' }),
    el('p', {}, el('input', { id: 'address-default', type: 'checkbox' }), ' ',
      el('label', { for: 'address-default' }, 'Make this the default address')),
    el('button', { type: 'submit', id: 'address-save' }, 'Save address'));
  let editing = null; // the id of the address being changed, or null for a new one
  const body = () => ({
    firstName: $('address-first-name').value,
    lastName: $('address-last-name').value,
    line1: $('address-line1').value,
    line2: $('address-line2').value || undefined,
    postalCode: $('address-postal-code').value,
    town: $('address-town').value,
    country: { isocode: $('address-country').value },
    phone: $('address-phone').value || undefined,
    defaultAddress: $('address-default').checked,
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act($('address-save'), async () => {
      if (editing) await asm('PUT', `${path}/${enc(editing)}`, body());
      else await asm('POST', path, body());
      const what = editing ? 'changed' : 'added';
      await renderView();
      showNotice(`The address was ${what}.`);
    });
  });
  const item = (a) => {
    const li = el('li', { dataset: { id: a.id } }, addressLine(a),
      a.phone ? ` — ${a.phone}` : null,
      a.defaultAddress ? el('strong', { className: 'default-address' }, ' (default)') : null, ' ');
    const input = () => ({ ...a, id: undefined, line2: a.line2 || undefined, phone: a.phone || undefined });
    if (!a.defaultAddress) {
      const makeDefault = el('button', { type: 'button', className: 'make-default', 'aria-label': `Make ${a.line1} the default address` }, 'Make default');
      makeDefault.addEventListener('click', () => act(makeDefault, async () => {
        await asm('PUT', `${path}/${enc(a.id)}`, { ...input(), defaultAddress: true });
        await renderView();
        showNotice(`${a.line1} is the default address now.`);
      }));
      li.append(makeDefault, ' ');
    }
    const edit = el('button', { type: 'button', className: 'edit-address', 'aria-label': `Edit ${a.line1}` }, 'Edit');
    edit.addEventListener('click', () => {
      editing = a.id;
      $('address-form-title').textContent = `Change ${a.line1}`;
      $('address-first-name').value = a.firstName;
      $('address-last-name').value = a.lastName;
      $('address-line1').value = a.line1;
      $('address-line2').value = a.line2 || '';
      $('address-postal-code').value = a.postalCode;
      $('address-town').value = a.town;
      $('address-country').value = a.country.isocode;
      $('address-phone').value = a.phone || '';
      $('address-default').checked = a.defaultAddress;
      $('address-line1').focus();
    });
    const remove = el('button', { type: 'button', className: 'delete-address', 'aria-label': `Delete ${a.line1}` }, 'Delete');
    remove.addEventListener('click', () => act(remove, async () => {
      await asm('DELETE', `${path}/${enc(a.id)}`);
      await renderView();
      showNotice(`${a.line1} was deleted.`);
    }));
    li.append(edit, ' ', remove);
    return li;
  };
  show('Address book',
    addresses.length === 0
      ? el('p', { id: 'no-addresses' }, 'No addresses yet.')
      : el('ul', { id: 'address-list', className: 'order-list' }, ...addresses.map(item)),
    form);
}

/** "Given on 2026-12-03", "Withdrawn on 2026-12-03" or "Not given" for a consent template. */
function consentState(t) {
  const c = t.currentConsent;
  if (!c) return 'Not given';
  if (c.consentWithdrawnDate) return `Withdrawn on ${date(c.consentWithdrawnDate)}`;
  return c.consentGivenDate ? `Given on ${date(c.consentGivenDate)}` : 'Given';
}

async function consentsView(show) {
  if (!emulating()) {
    show('Consent management', signInNeeded('manage your consents'));
    return;
  }
  const path = userPath();
  const { consentTemplates } = await asm('GET', `${path}/consenttemplates`);
  const item = (t) => {
    const given = Boolean(t.currentConsent) && !t.currentConsent.consentWithdrawnDate;
    const verb = given ? 'Withdraw' : 'Give';
    const button = el('button', {
      type: 'button',
      className: given ? 'withdraw-consent' : 'give-consent',
      'aria-label': `${verb} consent: ${t.name}`,
    }, verb);
    button.addEventListener('click', () => act(button, async () => {
      if (given) await asm('DELETE', `${path}/consents/${enc(t.currentConsent.code)}`);
      else await asm('POST', `${path}/consents`, { consentTemplateId: t.id, consentTemplateVersion: t.version });
      await renderView();
      showNotice(`The consent "${t.name}" was ${given ? 'withdrawn' : 'given'}.`);
    }));
    return el('li', { dataset: { id: t.id, given: String(given) } },
      el('strong', { className: 'consent-name' }, t.name),
      el('br'),
      el('span', { className: 'consent-description' }, t.description || ''),
      el('br'),
      el('span', { className: given ? 'consent-state given' : 'consent-state' }, consentState(t)), ' ',
      button);
  };
  show('Consent management',
    el('p', { className: 'hint' }, 'What the customer agrees to with this store; a change counts at once.'),
    consentTemplates.length === 0
      ? el('p', { id: 'no-consents' }, 'No consents to manage.')
      : el('ul', { id: 'consent-list', className: 'order-list' }, ...consentTemplates.map(item)));
}

async function accountView(show) {
  if (!emulating()) {
    show('My account', signInNeeded('see your account'));
    return;
  }
  const gen = generation;
  const profile = await asm('GET', userPath());
  const field = (id, label, value, props = {}) => el('p', {},
    el('label', { for: id }, label), ' ', el('input', { id, name: id, value: value ?? '', ...props }));
  const save = el('button', { type: 'submit', id: 'save-profile' }, 'Save');
  const form = el('form', { className: 'profile-form', id: 'profile-form' },
    field('first-name', 'First name', profile.firstName, { required: true, autocomplete: 'off' }),
    field('last-name', 'Last name', profile.lastName, { required: true, autocomplete: 'off' }),
    field('phone', 'Phone', profile.phone, { type: 'tel', autocomplete: 'off' }),
    field('email', 'E-mail', profile.email, { type: 'email', readOnly: true, 'aria-describedby': 'email-note' }),
    el('p', { id: 'email-note', className: 'hint' }, 'Only the customer can change their e-mail address.'),
    save);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    act(save, async () => {
      const updated = await asm('PATCH', userPath(), {
        firstName: $('first-name').value,
        lastName: $('last-name').value,
        phone: $('phone').value,
      });
      if (gen !== generation) return;
      $('first-name').value = updated.firstName;
      $('last-name').value = updated.lastName;
      $('phone').value = updated.phone ?? '';
      mode.name = updated.name;
      $('emulated-name').textContent = updated.name;
      $('shopper').textContent = updated.name;
      window.asmOverlay?.refresh(); // the bar shows the new name too
      showNotice('Your details were saved.');
    });
  });
  show('My account', form);
}

async function couponsView(show) {
  if (!emulating()) {
    show('My coupons', signInNeeded('see your coupons'));
    return;
  }
  const { coupons } = await asm('GET', `${userPath()}/customercoupons`);
  const mine = coupons.filter((c) => c.assigned);
  show('My coupons', mine.length === 0
    ? el('p', { id: 'no-coupons' }, 'No coupons yet.')
    : el('ul', { id: 'coupon-list', className: 'coupon-list' }, ...mine.map((c) => {
      const notice = expiry(c.endDate);
      return el('li', { dataset: { code: c.code } },
        el('strong', {}, c.code), ` — ${c.name}: ${c.description}${validity(c)}`,
        notice ? el('span', { className: notice.expired ? 'expiry expired' : 'expiry' }, ` ${notice.text}`) : null);
    })));
}

/** Coupons ending within this many days get a notice (as in the overlay's Customer 360°). */
const EXPIRY_NOTICE_DAYS = 30;

/**
 * "Expired", "Expires today", "Expires tomorrow", "Expires in 5 days" for a coupon ending at
 * `endDate` (calendar days here), or null when it ends later or the date is unknown.
 */
function expiry(endDate) {
  const ends = new Date(endDate ?? '');
  const now = new Date();
  if (Number.isNaN(ends.getTime())) return null;
  if (ends <= now) return { expired: true, text: 'Expired' };
  const day = (d) => Math.floor((d.getTime() - d.getTimezoneOffset() * 60_000) / 86_400_000);
  const days = day(ends) - day(now);
  if (days > EXPIRY_NOTICE_DAYS) return null;
  const text = days <= 0 ? 'Expires today' : days === 1 ? 'Expires tomorrow' : `Expires in ${days} days`;
  return { expired: false, text };
}

/** "(valid … to …)" from what the backend says of a coupon's dates (SAP's may have none). */
function validity({ startDate, endDate }) {
  if (startDate && endDate) return ` (valid ${date(startDate)} to ${date(endDate)})`;
  if (endDate) return ` (valid until ${date(endDate)})`;
  return startDate ? ` (valid from ${date(startDate)})` : '';
}

const VIEWS = {
  home: (show) => productList(show, 'Demo Electronics'),
  cameras: (show) => productList(show, 'Cameras and accessories'),
  product: productPage,
  cart: async () => cartView(),
  checkout: async () => checkoutView(),
  orders: ordersView,
  order: orderView,
  returns: returnsView,
  savedcart: otherCartView,
  savedcarts: savedCartsView,
  signin: signInView,
  tickets: ticketsView,
  ticket: ticketView,
  account: accountView,
  coupons: couponsView,
  addresses: addressesView,
  consents: consentsView,
};

/** Loads the cart of the current mode and renders the mini cart and the view. */
async function refresh() {
  const gen = generation;
  const seq = cartSeq;
  let loaded = null;
  try {
    loaded = await fetchCart();
  } catch (err) {
    if (gen !== generation) return;
    $('cart-status').textContent = `Could not load the cart: ${err.message}`;
    recheckOn(err);
  }
  if (gen !== generation) return;
  if (seq === cartSeq) cart = loaded;
  renderMiniCart();
  // The catalogue pages do not depend on the shopper: they are not drawn again (a quantity
  // being typed stays).
  if (!SHOPPER_FREE.has(page)) await renderView(gen);
  else drawReviewForm();
}

async function renderView(gen = generation) {
  const view = VIEWS[page] || VIEWS.home;
  // A view drawn for an older shopper (the answer came after the mode changed) is dropped;
  // the catalogue pages are the same for everyone.
  const show = (title, ...children) => {
    if (gen === generation || SHOPPER_FREE.has(page)) setView(title, ...children);
  };
  try {
    await view(show);
    if (flashed && gen === generation) {
      showNotice(flashed);
      flashed = null;
    }
  } catch (err) {
    if (gen === generation) showError(err);
  }
}

// Pages that do not depend on the shopper render at once; the rest once the mode is known.
const SHOPPER_FREE = new Set(['home', 'cameras', 'product']);
if (SHOPPER_FREE.has(page) || !VIEWS[page]) {
  SHOPPER_FREE.add(page);
  renderView();
}
checkServer();
