//! The customer search — where a signed-in agent finds a customer (with the customer lists
//! button), and where an emulating agent finds the customer to switch to — in a chunk of its
//! own, so that the first load is little more than what it takes until the sign-in form works.
//! The chunk is fetched as soon as the browser is idle after the overlay starts (while a restore
//! still waits for the server, or while the agent types the password), so it is usually there
//! before it is needed. The emulation panel itself stays in the first load: a storefront
//! navigation while emulating — what an agent does all day — restores it without waiting for a
//! chunk (a chunk cost ~300 ms there, `cargo xtask bench overlay`).

use crate::components::{CustomerListsButton, CustomerSearch};
use crate::state::use_asm;
use leptos::prelude::*;

crate::split_fn!(
    agent_desk,
    preload_agent_desk,
    /// Find a customer: the search and the customer lists button, from the desk's chunk.
    pub fn find_customer_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        let asm = use_asm();
        Ok(view! {
            <div class="asm-find">
                // The visible confirmation of an ended session (the live region said it; empty
                // and hidden otherwise).
                <p class="asm-success asm-session-ended">{move || asm.ended_note()}</p>
                <CustomerSearch />
                <div class="asm-find-actions">
                    <CustomerListsButton />
                </div>
            </div>
        }
        .into_any())
    }
);

crate::split_fn!(
    agent_desk,
    preload_switch_search,
    /// The search for the customer to switch to while emulating, from the desk's chunk.
    pub fn switch_search_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <CustomerSearch autofocus=true /> }.into_any())
    }
);
