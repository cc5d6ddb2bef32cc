//! The emulated customer in the bar, the notice that actions now affect their account,
//! "Switch customer" (the customer search, then a confirmation) and "End Session".

use crate::components::{bind_cart_view, switch_search_view, use_customer360};
use crate::host::tab_message;
use crate::i18n::{tr, Msg};
use crate::lazy::Lazy;
use crate::state::{use_asm, Focus};
use asm_types::error_type;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Shown while the agent emulates a customer.
#[component]
pub fn EmulationPanel() -> impl IntoView {
    let asm = use_asm();
    let customer360 = use_customer360();
    let ending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let switching = RwSignal::new(false);
    // Another emulation started (a switch, another tab): the search has done its work.
    Effect::new(move |before: Option<Option<String>>| {
        let now = asm
            .emulation
            .with(|e| e.as_ref().map(|e| e.session_id.clone()));
        if before.is_some_and(|before| before != now) {
            switching.set(false);
        }
        now
    });
    let field = move |f: fn(&asm_types::AssistedSession) -> String| {
        move || {
            asm.emulation
                .with(|e| e.as_ref().map(f).unwrap_or_default())
        }
    };

    let ended = move |name: &str| {
        asm.stepped_ended(name);
        asm.emulation_ended();
        asm.tell_other_tabs(tab_message::EMULATION_ENDED);
    };
    let customer = NodeRef::<leptos::html::Div>::new();
    asm.focus_when_shown(Focus::Emulation, move || customer.get().map(Into::into));

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
                    ended(&session.customer_name);
                }
                // Already gone on the server: reflect it.
                Err(e) if e.kind() == Some(error_type::NOT_FOUND) => ended(&session.customer_name),
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message_in(asm.i18n))),
            }
            ending.set(false);
        });
    };

    view! {
        <div class="asm-emulation">
            <div class="asm-customer" role="group" aria-label=tr(Msg::EmulatedCustomer) tabindex="-1" node_ref=customer>
                <span class="asm-name">{field(|s| s.customer_name.clone())}</span>
                <span class="asm-email">{field(|s| s.customer_email.clone())}</span>
            </div>
            <p class="asm-notice" role="status">
                {tr(Msg::EmulationNotice)}
            </p>
            <div class="asm-emulation-actions">
                <button
                    type="button"
                    class="asm-button asm-switch"
                    aria-expanded=move || switching.get().to_string()
                    aria-controls="asm-switch-search"
                    on:click=move |_| switching.update(|s| *s = !*s)
                >
                    {move || asm.i18n.t(if switching.get() { Msg::SwitchCancel } else { Msg::SwitchCustomer })}
                </button>
                <button
                    type="button"
                    class="asm-button asm-c360-open-button"
                    on:click=move |_| {
                        if let Some(s) = asm.emulation.get_untracked() {
                            customer360.show(&s.customer_id, &s.customer_name);
                        }
                    }
                >
                    {tr(Msg::Customer360Button)}
                </button>
                <button
                    type="button"
                    class="asm-button asm-danger"
                    on:click=end
                    disabled=move || ending.get()
                >
                    {tr(Msg::EndSession)}
                </button>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || switching.get()>
                <div id="asm-switch-search" class="asm-switch-search">
                    <Lazy load=switch_search_view what=Msg::PartCustomerSearch />
                </div>
            </Show>
            <Lazy load=bind_cart_view what=Msg::PartBindCart quiet=true />
        </div>
    }
}
