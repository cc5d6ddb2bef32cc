//! The root component: provides the state, restores the session, renders the bar.

use crate::api::Api;
use crate::components::Bar;
use crate::state::provide_asm;
use leptos::prelude::*;

/// The overlay. `restore` asks the server at once whether an agent is signed in in this browser.
#[component]
pub fn App(api: Api) -> impl IntoView {
    let asm = provide_asm(api);
    asm.restore();
    view! { <Bar /> }
}
