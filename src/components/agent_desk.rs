//! What a signed-in agent works with in the bar — the customer search with the customer lists
//! button, and the emulation panel — in a chunk of its own: the first load is only what it takes
//! until the sign-in form works. The chunk is fetched as soon as the browser is idle after the
//! overlay starts (while a restore still waits for the server, or while the agent types the
//! password), so it is usually there before it is needed.

use crate::components::{CustomerListsButton, CustomerSearch, EmulationPanel};
use leptos::prelude::*;

crate::split_fn!(
    agent_desk,
    preload_agent_desk,
    /// Find a customer: the search and the customer lists button, from the desk's chunk.
    pub fn find_customer_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! {
            <div class="asm-find">
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
    preload_emulation,
    /// The emulation panel, from the desk's chunk.
    pub fn emulation_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <EmulationPanel /> }.into_any())
    }
);
