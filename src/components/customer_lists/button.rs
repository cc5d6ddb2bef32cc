//! The "Customers" button of the find-customer step; it opens the customer lists dialog.

use super::CustomerListsDialog;
use leptos::prelude::*;

/// Opens the customer lists dialog; focus comes back here when the dialog closes.
#[component]
pub fn CustomerListsButton() -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            id="asm-lists-open"
            class="asm-button asm-lists-open"
            aria-haspopup="dialog"
            on:click=move |_| open.set(true)
        >
            "Customers"
        </button>
        <Show when=move || open.get()>
            <CustomerListsDialog open />
        </Show>
    }
}
