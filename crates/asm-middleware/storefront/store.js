// Demo storefront glue: no framework, no build step. It listens to the ASM overlay's events and,
// while an agent emulates a customer, shows that customer and their cart from the middleware.
const API = '/asm';
const SITE = 'electronics';

const $ = (id) => document.getElementById(id);

function showGuest() {
  $('emulation-banner').hidden = true;
  $('shopper').textContent = 'Guest';
  $('cart-status').textContent = 'Your cart is empty.';
  $('cart-lines').replaceChildren();
  $('cart-total').textContent = '';
}

async function showCustomer({ customerId, name, email }) {
  $('emulated-name').textContent = name;
  $('emulated-email').textContent = email || '';
  $('emulation-banner').hidden = false;
  $('shopper').textContent = name;
  $('cart-status').textContent = 'Loading cart…';
  try {
    const res = await fetch(`${API}/customers/${encodeURIComponent(customerId)}/carts?baseSite=${SITE}`, {
      credentials: 'include',
    });
    if (!res.ok) throw new Error(`cart request failed (${res.status})`);
    const { carts } = await res.json();
    const cart = carts[0];
    if (!cart) {
      $('cart-status').textContent = `${name}'s cart is empty.`;
      return;
    }
    $('cart-status').textContent = `Cart ${cart.code}: ${cart.totalItems} item(s)`;
    $('cart-lines').replaceChildren(
      ...cart.entries.map((e) => {
        const li = document.createElement('li');
        li.textContent = `${e.quantity} × ${e.productName} — ${e.total}`;
        return li;
      }),
    );
    $('cart-total').textContent = `Total: ${cart.total}`;
  } catch (err) {
    $('cart-status').textContent = `Could not load the cart: ${err.message}`;
  }
}

window.addEventListener('asm:emulation-started', (e) => showCustomer(e.detail));
window.addEventListener('asm:emulation-ended', showGuest);
window.addEventListener('asm:agent-signed-out', showGuest);
