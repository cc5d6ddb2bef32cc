//! The emulated customer in the bar, the notice that actions now affect their account, and
//! "End Session".

use crate::components::BindCart;
use crate::host::tab_message;
use crate::state::use_asm;
use asm_types::error_type;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shown while the agent emulates a customer.
#[component]
pub fn EmulationPanel() -> impl IntoView {
    let asm = use_asm();
    let ending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let field = move |f: fn(&asm_types::AssistedSession) -> String| {
        move || {
            asm.emulation
                .with(|e| e.as_ref().map(f).unwrap_or_default())
        }
    };

    let end = move |_| {
        let Some(session) = asm.emulation.get_untracked() else {
            return;
        };
        ending.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().end_emulation(&session.session_id).await {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    asm.emulation_ended();
                    asm.tell_other_tabs(tab_message::EMULATION_ENDED);
                }
                // Already gone on the server: reflect it.
                Err(e) if e.kind() == Some(error_type::NOT_FOUND) => {
                    asm.emulation_ended();
                    asm.tell_other_tabs(tab_message::EMULATION_ENDED);
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message())),
            }
            ending.set(false);
        });
    };

    view! {
        <div class="asm-emulation">
            <div class="asm-customer">
                <span class="asm-name">{field(|s| s.customer_name.clone())}</span>
                <span class="asm-email">{field(|s| s.customer_email.clone())}</span>
            </div>
            <p class="asm-notice" role="status">
                "Customer emulation has started. Any actions you do will reflect the effects on the customer account."
            </p>
            <button
                type="button"
                class="asm-button asm-danger"
                on:click=end
                disabled=move || ending.get()
            >
                "End Session"
            </button>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <BindCart />
        </div>
    }
}
