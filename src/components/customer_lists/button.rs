//! The "Customers" button of the find-customer step; it opens the customer lists dialog, whose
//! "Create customer" opens the create-customer dialog in its place.

use super::CustomerListsDialog;
use crate::components::create_customer_view;
use crate::i18n::{tr, Msg};
use crate::lazy::{Lazy, SplitLoaderError};
use leptos::prelude::*;

/// Opens the customer lists dialog; focus comes back here when the dialog closes.
#[component]
pub fn CustomerListsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    let creating = RwSignal::new(false);
    view! {
        <button
            type="button"
            id="asm-lists-open"
            class="asm-button asm-lists-open"
            aria-haspopup="dialog"
            on:click=move |_| open.set(true)
        >
            {tr(Msg::CustomersLabel)}
        </button>
        <Show when=move || open.get()>
            <Lazy load=move || customer_lists_view(open, creating) what=crate::i18n::Msg::PartCustomerLists />
        </Show>
        <Show when=move || creating.get()>
            <Lazy
                load=move || create_customer_view(Callback::new(move |()| creating.set(false)))
                what=crate::i18n::Msg::PartCreateCustomer
            />
        </Show>
    }
}

crate::split_fn!(
    customer_lists,
    preload_customer_lists,
    /// The customer lists dialog, from its chunk.
    pub fn customer_lists_view(
        open: RwSignal<bool>,
        creating: RwSignal<bool>,
    ) -> Result<AnyView, SplitLoaderError> {
        Ok(view! { <CustomerListsDialog open creating /> }.into_any())
    }
);
