//! "Save inactive cart" (Spartacus's deep link with `cartType=inactive`): the cart the link
//! named, offered in the bind-cart form while its customer is emulated; a dialog shows its
//! number, items and total and saves it for later (an empty cart cannot be saved). Once saved
//! the storefront is asked to open it.

use crate::components::deep_link::use_pending_link;
use crate::components::Dialog;
use crate::host::{self, event, target};
use crate::state::use_asm;
use asm_types::CartSummary;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The offer to save the deep link's inactive cart, and its dialog.
#[component]
pub fn SaveInactiveCart() -> impl IntoView {
    let asm = use_asm();
    let pending = use_pending_link();
    let open = RwSignal::new(false);
    // What the dialog knows of the cart: `None` while it loads, `Ok(None)` when it is not one
    // of the customer's active carts.
    let loaded = RwSignal::new(None::<Result<Option<CartSummary>, String>>);
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    // The offer is for one customer: another emulation (a switch) or none drops it.
    let offer = move || {
        let customer = asm
            .emulation
            .with(|e| e.as_ref().map(|e| e.customer_id.clone()));
        pending
            .cart_to_save
            .get()
            .filter(|c| Some(&c.customer_id) == customer.as_ref())
    };
    Effect::new(move |_| {
        if asm.emulation.with(Option::is_some)
            && pending.cart_to_save.with(Option::is_some)
            && offer().is_none()
        {
            pending.forget_cart_to_save();
        }
    });

    let load = move || {
        let Some(save) = offer() else { return };
        loaded.set(None);
        spawn_local(async move {
            let result = match asm.api().customer_carts(&save.customer_id).await {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    Ok(reply
                        .body
                        .carts
                        .into_iter()
                        .find(|c| c.code == save.cart_id))
                }
                Err(e) if asm.session_lost(&e) => return,
                Err(e) => Err(e.message()),
            };
            loaded.set(Some(result));
        });
    };
    let show = move |_| {
        error.set(None);
        open.set(true);
        load();
    };
    let close = move || open.set(false);
    let savable = move || loaded.with(|l| matches!(l, Some(Ok(Some(c))) if c.total_items > 0));

    let save = move |_| {
        let Some(cart) = offer() else { return };
        if saving.get_untracked() || !savable() {
            return;
        }
        saving.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().save_cart(&cart.customer_id, &cart.cart_id).await {
                Ok(()) => {
                    open.set(false);
                    pending.forget_cart_to_save();
                    asm.announcement
                        .set(format!("Cart {} is saved for later.", cart.cart_id));
                    host::emit(
                        event::NAVIGATE,
                        &[
                            ("target", Some(target::CART)),
                            ("id", Some(&cart.cart_id)),
                            ("customerId", Some(&cart.customer_id)),
                        ],
                    );
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message())),
            }
            saving.set(false);
        });
    };

    // What the dialog says of the cart, as (text, is an error).
    let described = move || -> (String, bool) {
        let cart = offer().map(|c| c.cart_id).unwrap_or_default();
        match loaded.get() {
            None => ("Loading the cart…".into(), false),
            Some(Err(message)) => (format!("Cannot load cart {cart}: {message}"), true),
            Some(Ok(None)) => (
                format!("Cart {cart} is not one of the customer's active carts now (saved, ordered or deleted already)."),
                true,
            ),
            Some(Ok(Some(c))) if c.total_items == 0 => (
                format!("Cart {cart} is empty: there is nothing to save."),
                true,
            ),
            Some(Ok(Some(c))) => (
                format!(
                    "Cart {} — {} item{} — {}",
                    c.code,
                    c.total_items,
                    if c.total_items == 1 { "" } else { "s" },
                    c.total
                ),
                false,
            ),
        }
    };
    let failed_to_load = move || loaded.with(|l| matches!(l, Some(Err(_))));

    view! {
        <Show when=move || offer().is_some()>
            <div class="asm-save-inactive" role="group" aria-label="Inactive cart">
                <span class="asm-save-inactive-text">
                    {move || {
                        format!(
                            "The link names the inactive cart {}.",
                            offer().map(|c| c.cart_id).unwrap_or_default(),
                        )
                    }}
                </span>
                <button
                    type="button"
                    id="asm-save-inactive-cart"
                    class="asm-button"
                    on:click=show
                >
                    "Save inactive cart"
                </button>
            </div>
        </Show>
        <Show when=move || open.get() && offer().is_some()>
            <Dialog
                id="asm-save-cart"
                title="Save the inactive cart for later"
                class="asm-dialog-small"
                on_close=move |_| close()
            >
                <p
                    class=move || {
                        if described().1 { "asm-save-cart-summary asm-error" } else { "asm-save-cart-summary" }
                    }
                    role="status"
                >
                    {move || described().0}
                </p>
                <Show when=move || error.with(Option::is_some)>
                    <p class="asm-error asm-save-cart-error" role="alert">
                        {move || error.get().unwrap_or_default()}
                    </p>
                </Show>
                <div class="asm-dialog-actions">
                    <button type="button" class="asm-button" on:click=move |_| close()>
                        "Cancel"
                    </button>
                    <Show when=failed_to_load>
                        <button type="button" class="asm-button" on:click=move |_| load()>
                            "Retry"
                        </button>
                    </Show>
                    <button
                        type="button"
                        class="asm-button asm-primary asm-save-cart-confirm"
                        autofocus
                        aria-disabled=move || (!savable() || saving.get()).to_string()
                        on:click=save
                    >
                        {move || if saving.get() { "Saving…" } else { "Save for Later" }}
                    </button>
                </div>
            </Dialog>
        </Show>
    }
}
