//! "Cart number" + "Bind cart": gives an anonymous cart (the number a shopper reads out on the
//! phone) to the emulated customer. When the customer's current cart has items a dialog asks
//! before replacing it (it is kept as a saved cart). Errors are shown by the field, the number
//! stays. A deep link's inactive cart (`cartType=inactive`) is offered for saving above the
//! field, until the emulation ends: the same dialog shows its number, items and total and saves
//! it for later (an empty or vanished cart cannot be saved), then the storefront opens it.

use crate::bind::{bind_error, check_cart_number, conflict_question, current_items, save_question};
use crate::components::deep_link::use_pending_link;
use crate::components::Dialog;
use crate::host::{self, event, target};
use crate::i18n::{tr, Msg};
use crate::state::use_asm;
use asm_types::error_type;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A question waiting for the agent's answer, about `cart` of `customer_id`.
#[derive(Clone, Debug, PartialEq)]
struct Question {
    customer_id: String,
    cart: String,
    /// Replace the customer's current cart by the bound one, or save an inactive cart.
    save: bool,
    title: Msg,
    text: String,
    /// The confirming button's label, and whether it may be pressed.
    confirm: Msg,
    ready: bool,
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
    let conflict = RwSignal::new(None::<Question>);
    let i18n = asm.i18n;
    let pending_link = use_pending_link();
    // The deep link's inactive cart, offered while its customer is emulated (the pending link
    // forgets it when that emulation ends).
    let offer = move || pending_link.cart_to_save.get();

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
                    done.set(Some(i18n.bind_done(&reply.body.code, &who)));
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
                    let text = conflict_question(i18n, &name, items, &cart);
                    conflict.set(Some(Question {
                        customer_id,
                        cart,
                        save: false,
                        title: Msg::ReplaceTitle,
                        text,
                        confirm: Msg::ReplaceConfirm,
                        ready: true,
                    }));
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(bind_error(i18n, &e, &cart))),
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
            i18n,
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

    // "Save inactive cart": the cart's number, items and total in the question first.
    let ask_save = move |_| {
        let Some(c) = offer() else { return };
        pending.set(true);
        error.set(None);
        done.set(None);
        spawn_local(async move {
            match asm.api().customer_carts(&c.customer_id).await {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    let found = reply.body.carts.into_iter().find(|x| x.code == c.cart_id);
                    let (text, ready) = save_question(i18n, &c.cart_id, found.as_ref());
                    conflict.set(Some(Question {
                        customer_id: c.customer_id,
                        cart: c.cart_id,
                        save: true,
                        title: Msg::SaveTitle,
                        text,
                        confirm: Msg::SaveConfirm,
                        ready,
                    }));
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message_in(i18n))),
            }
            pending.set(false);
        });
    };
    let save = move |customer_id: String, cart: String| {
        pending.set(true);
        spawn_local(async move {
            match asm.api().save_cart(&customer_id, &cart).await {
                Ok(()) => {
                    pending_link.forget_cart_to_save();
                    done.set(Some(i18n.save_done(&cart)));
                    host::emit(
                        event::NAVIGATE,
                        &[
                            ("target", Some(target::CART)),
                            ("id", Some(&cart)),
                            ("customerId", Some(&customer_id)),
                        ],
                    );
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message_in(i18n))),
            }
            pending.set(false);
        });
    };

    let replace = move |_| {
        if let Some(c) = conflict.get_untracked().filter(|c| c.ready) {
            conflict.set(None);
            if c.save {
                save(c.customer_id, c.cart);
            } else {
                bind(c.customer_id, c.cart, true);
            }
        }
    };
    let cancel = move || conflict.set(None);

    view! {
        <form class="asm-bind-cart" on:submit=submit novalidate>
            {move || {
                offer()
                    .map(|c| {
                        view! {
                            <p class="asm-save-inactive">
                                {i18n.save_offer(&c.cart_id)}
                                " "
                                <button
                                    type="button"
                                    id="asm-save-inactive-cart"
                                    class="asm-button"
                                    on:click=ask_save
                                >
                                    {tr(Msg::SaveInactiveButton)}
                                </button>
                            </p>
                        }
                    })
            }}
            <label class="asm-label" for="asm-cart-number">
                {tr(Msg::CartNumberLabel)}
            </label>
            <div class="asm-bind-cart-field">
                <input
                    id="asm-cart-number"
                    class="asm-input"
                    type="text"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="64"
                    placeholder=tr(Msg::CartNumberPlaceholder)
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
                    {move || i18n.t(if pending.get() { Msg::Binding } else { Msg::BindButton })}
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
        <Show when=move || conflict.with(Option::is_some)>
            <Dialog
                id="asm-bind-conflict"
                title=Signal::derive(move || {
                    conflict.with(|c| c.as_ref().map(|c| i18n.t(c.title)).unwrap_or_default())
                })
                class="asm-dialog-small"
                on_close=move |_| cancel()
            >
                <p class="asm-bind-conflict-question">
                    {move || conflict.with(|c| c.as_ref().map(|c| c.text.clone()))}
                </p>
                <div class="asm-dialog-actions">
                    <button type="button" class="asm-button" on:click=move |_| cancel()>
                        {tr(Msg::Cancel)}
                    </button>
                    <button
                        type="button"
                        class="asm-button asm-primary asm-bind-confirm"
                        autofocus
                        aria-disabled=move || {
                            (!conflict.with(|c| c.as_ref().is_some_and(|c| c.ready))).to_string()
                        }
                        on:click=replace
                    >
                        {move || conflict.with(|c| c.as_ref().map(|c| i18n.t(c.confirm)))}
                    </button>
                </div>
            </Dialog>
        </Show>
    }
}
