//! "Open" on a Customer 360° row: asks the storefront to show that cart, order, ticket, product
//! or page of the customer's
//! (`asm:navigate`) and closes the dialog. Enabled only while this customer is emulated: the
//! storefront shows what the emulated customer sees.

use super::use_customer360;
use crate::host::{self, event};
use crate::i18n::{current as i18n, Msg};
use crate::state::use_asm;
use leptos::prelude::*;

/// Whether `customer_id` is the customer being emulated.
pub fn emulating(customer_id: String) -> Signal<bool> {
    let asm = use_asm();
    Signal::derive(move || {
        asm.emulation
            .with(|e| e.as_ref().is_some_and(|e| e.customer_id == customer_id))
    })
}

/// An "Open" button for `id` of kind `target` (see [`crate::host::target`]); `label` names it for
/// screen readers ("Open Order 30000024").
#[component]
pub fn OpenInStorefront(
    /// The customer whose row this is.
    customer_id: String,
    /// Whether that customer is emulated (from [`emulating`], shared by a table's rows).
    emulated: Signal<bool>,
    /// A `host::target` constant.
    target: &'static str,
    /// What to open, by the storefront's ids (none for a page of the customer's, such as the
    /// address book).
    #[prop(optional)]
    id: Option<String>,
    /// The accessible name.
    label: String,
) -> impl IntoView {
    let open = use_customer360();
    let on_click = move |_| {
        host::emit(
            event::NAVIGATE,
            &[
                ("target", Some(target)),
                ("id", id.as_deref()),
                ("customerId", Some(&customer_id)),
            ],
        );
        open.close();
    };
    view! {
        <button
            type="button"
            class="asm-button asm-link asm-c360-open"
            aria-label=label
            disabled=move || !emulated.get()
            title=move || {
                (!emulated.get()).then(|| i18n().t(Msg::OpenNeedsEmulation))
            }
            on:click=on_click
        >
            {i18n().t(Msg::Open)}
        </button>
    }
}
