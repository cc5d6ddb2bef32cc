//! "Cart number" + "Bind cart": gives an anonymous cart (the number a shopper reads out on the
//! phone) to the emulated customer. When the customer's current cart has items a dialog asks
//! before replacing it (it is kept as a saved cart). Errors are shown by the field, the number
//! stays. A deep link's inactive cart is offered for saving below it ([`SaveInactiveCart`]).

use crate::bind::{bind_error, check_cart_number, conflict_question, current_items};
use crate::components::{Dialog, SaveInactiveCart};
use crate::host::{self, event};
use crate::state::use_asm;
use asm_types::error_type;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A conflict waiting for the agent's answer.
#[derive(Clone, Debug, PartialEq)]
struct Conflict {
    customer_id: String,
    cart: String,
    question: String,
}

crate::split_fn!(
    bind_cart,
    preload_bind_cart,
    /// The bind-cart form, from its chunk.
    pub fn bind_cart_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <BindCart /> }.into_any())
    }
);

/// The bind-cart form in the emulation panel.
#[component]
pub fn BindCart() -> impl IntoView {
    let asm = use_asm();
    let typed = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(None::<Conflict>);

    let bind = move |customer_id: String, cart: String, replace: bool| {
        pending.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let api = asm.api();
            match api.bind_cart(&customer_id, &cart, replace).await {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    let name = asm.emulation.with_untracked(|e| {
                        e.as_ref()
                            .filter(|e| e.customer_id == customer_id)
                            .map(|e| e.customer_name.clone())
                    });
                    asm.emulation.update(|e| {
                        if let Some(e) = e.as_mut().filter(|e| e.customer_id == customer_id) {
                            e.cart_id = Some(reply.body.code.clone());
                        }
                    });
                    let who = name.unwrap_or_else(|| customer_id.clone());
                    done.set(Some(format!(
                        "Cart {} is now {who}'s cart.",
                        reply.body.code
                    )));
                    typed.set(String::new());
                    host::emit(
                        event::CART_BOUND,
                        &[
                            ("customerId", Some(&customer_id)),
                            ("cartId", Some(&reply.body.code)),
                        ],
                    );
                    asm.tell_other_tabs(host::tab_message::CART_BOUND);
                }
                Err(e) if e.kind() == Some(error_type::CART_CONFLICT) && !replace => {
                    let items = match api.customer_carts(&customer_id).await {
                        Ok(reply) => {
                            asm.touch(reply.expires_at);
                            current_items(&reply.body)
                        }
                        Err(_) => None,
                    };
                    let name = asm
                        .emulation
                        .with_untracked(|e| e.as_ref().map(|e| e.customer_name.clone()))
                        .unwrap_or_else(|| customer_id.clone());
                    let question = conflict_question(&name, items, &cart);
                    conflict.set(Some(Conflict {
                        customer_id,
                        cart,
                        question,
                    }));
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(bind_error(&e, &cart))),
            }
            pending.set(false);
        });
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(session) = asm.emulation.get_untracked() else {
            return;
        };
        match check_cart_number(
            &typed.get_untracked(),
            session.cart_id.as_deref(),
            &session.customer_name,
        ) {
            Ok(cart) => bind(session.customer_id, cart, false),
            Err(message) => {
                done.set(None);
                error.set(Some(message));
            }
        }
    };

    let replace = move |_| {
        if let Some(c) = conflict.get_untracked() {
            conflict.set(None);
            bind(c.customer_id, c.cart, true);
        }
    };
    let cancel = move || conflict.set(None);

    view! {
        <form class="asm-bind-cart" on:submit=submit novalidate>
            <label class="asm-label" for="asm-cart-number">
                "Cart number"
            </label>
            <div class="asm-bind-cart-field">
                <input
                    id="asm-cart-number"
                    class="asm-input"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="64"
                    placeholder="e.g. 90000003"
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    aria-describedby="asm-bind-cart-message"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                />
                <button
                    id="asm-bind-cart-button"
                    type="submit"
                    class="asm-button"
                    // Not `disabled`: a disabled button loses focus, and focus returns here
                    // when the conflict dialog closes.
                    aria-disabled=move || pending.get().to_string()
                >
                    {move || if pending.get() { "Binding…" } else { "Bind cart" }}
                </button>
            </div>
            <div id="asm-bind-cart-message">
                <Show when=move || error.with(Option::is_some)>
                    <p class="asm-error asm-bind-cart-error" role="alert">
                        {move || error.get().unwrap_or_default()}
                    </p>
                </Show>
                <Show when=move || done.with(Option::is_some)>
                    <p class="asm-success asm-bind-cart-done" role="status">
                        {move || done.get().unwrap_or_default()}
                    </p>
                </Show>
            </div>
        </form>
        <SaveInactiveCart />
        <Show when=move || conflict.with(Option::is_some)>
            <Dialog
                id="asm-bind-conflict"
                title="Replace the customer's cart?"
                class="asm-dialog-small"
                on_close=move |_| cancel()
            >
                <p class="asm-bind-conflict-question">
                    {move || conflict.with(|c| c.as_ref().map(|c| c.question.clone()))}
                </p>
                <div class="asm-dialog-actions">
                    <button type="button" class="asm-button" on:click=move |_| cancel()>
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class="asm-button asm-primary"
                        autofocus
                        on:click=replace
                    >
                        "Replace"
                    </button>
                </div>
            </Dialog>
        </Show>
    }
}
