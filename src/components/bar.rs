//! The ASM bar: title, agent, timer, sign-out, collapse and close, and the body for the agent's
//! current step (sign in, find a customer, emulating).

use crate::components::deep_link::{deep_link_view, provide_pending_link};
use crate::components::LanguageMenu;
use crate::components::{
    find_customer_view, preload_agent_desk, Customer360Dialog, EmulationPanel, SessionTimer,
    SignInForm,
};
use crate::host::{self, COLLAPSED_KEY};
use crate::i18n::{tr, Msg};
use crate::lazy::Lazy;
use crate::state::{use_asm, Focus};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Restoring,
    SignIn,
    FindCustomer,
    Emulating,
}

/// Once signed in, the chunks an agent needs next are fetched when the browser is idle.
fn prefetch_chunks() {
    use crate::components::deep_link::preload_deep_link;
    use crate::components::{
        preload_bind_cart, preload_create_customer, preload_customer360, preload_customer_lists,
        preload_switch_customer,
    };
    crate::lazy::prefetch_when_idle(|| async {
        // A failure is logged by the loader; the view that needs the chunk offers Retry.
        let _ = preload_customer360().await;
        let _ = preload_customer_lists().await;
        let _ = preload_bind_cart().await;
        let _ = preload_create_customer().await;
        let _ = preload_switch_customer().await;
        let _ = preload_deep_link().await;
    });
}

/// The bar at the top of the page.
#[component]
pub fn Bar() -> impl IntoView {
    let asm = use_asm();
    let collapsed = RwSignal::new(host::flag(COLLAPSED_KEY));
    let signing_out = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let link = provide_pending_link(asm);
    let signed_in = move || asm.agent.with(Option::is_some);
    // Back from a failed single sign-on: the middleware says why in `asmSsoError`; show it and
    // take it out of the address bar (a reload must not show it again).
    let sso_error = RwSignal::new(None::<String>);
    if let Some((e, rest)) = crate::sso::take_error(&host::location_search()) {
        sso_error.set(Some(crate::sso::error_text(asm.i18n, e)));
        host::replace_search(&rest);
    }
    Effect::new(move |_| {
        if signed_in() {
            sso_error.set(None);
        }
    });
    let step = Memo::new(move |_| {
        if asm.restoring.get() {
            Step::Restoring
        } else if asm.agent.with(Option::is_none) {
            Step::SignIn
        } else if asm.emulation.with(Option::is_some) {
            Step::Emulating
        } else {
            Step::FindCustomer
        }
    });

    // Chunks are fetched when the browser is idle once the bar shows the agent's step, never
    // while a restore waits for the server: the browser is idle then, and starting ~50 chunks
    // (cached or not) took ~15 ms of the page's main thread just before the emulation could show
    // (docs/benchmarks.md). The customer search first (while the agent types the password),
    // the rest once signed in.
    let prefetched = StoredValue::new((false, false));
    Effect::new(move |_| {
        let now = step.get();
        let (desk, rest) = prefetched.get_value();
        if now == Step::Restoring {
            return;
        }
        if !desk {
            crate::lazy::prefetch_when_idle(|| async {
                let _ = preload_agent_desk().await;
            });
        }
        let signed = now != Step::SignIn;
        if signed && !rest {
            prefetch_chunks();
        }
        prefetched.set_value((true, rest || signed));
    });

    // The host page's `window.asmOverlay.open()` / `.close()` / `.refresh()`.
    let on_open = window_event_listener_untyped(host::request::OPEN, move |_| {
        collapsed.set(false);
        host::set_flag(COLLAPSED_KEY, false);
    });
    let on_close = window_event_listener_untyped(host::request::CLOSE, move |_| {
        if asm.agent.with_untracked(Option::is_none) {
            host::close();
        }
    });
    let on_refresh = window_event_listener_untyped(host::request::REFRESH, move |_| {
        if asm.agent.with_untracked(Option::is_some) {
            asm.resync();
        }
    });
    on_cleanup(move || {
        on_open.remove();
        on_close.remove();
        on_refresh.remove();
    });

    let toggle = move |_| {
        let now = !collapsed.get_untracked();
        collapsed.set(now);
        host::set_flag(COLLAPSED_KEY, now);
    };
    let sign_out = move |_| {
        if signing_out.get_untracked() {
            return;
        }
        signing_out.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().sign_out().await {
                Ok(()) => {
                    asm.stepped(Focus::SignIn, asm.i18n.t(Msg::SignedOut));
                    asm.signed_out(None);
                    asm.tell_other_tabs(host::tab_message::SIGNED_OUT);
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(asm.i18n.sign_out_failed(&e.message_in(asm.i18n)))),
            }
            signing_out.set(false);
        });
    };

    view! {
        <section class="asm-bar" aria-label=tr(Msg::AsmTitle)>
            <header class="asm-header">
                <span class="asm-title">{tr(Msg::AsmTitle)}</span>
                <Show when=signed_in>
                    <span class="asm-agent">
                        {move || asm.agent.with(|a| a.as_ref().map(|a| a.name.clone()).unwrap_or_default())}
                    </span>
                    <SessionTimer />
                    <button
                        class="asm-button asm-sign-out"
                        on:click=sign_out
                        disabled=move || signing_out.get()
                    >
                        {tr(Msg::SignOutButton)}
                    </button>
                </Show>
                <LanguageMenu />
                <button
                    class="asm-button asm-toggle"
                    aria-expanded=move || (!collapsed.get()).to_string()
                    on:click=toggle
                >
                    {move || asm.i18n.t(if collapsed.get() { Msg::BarShow } else { Msg::BarHide })}
                </button>
                <Show when=move || !signed_in() && !asm.restoring.get()>
                    <button
                        class="asm-button asm-close"
                        aria-label=tr(Msg::CloseOverlay)
                        on:click=move |_| host::close()
                    >
                        "×"
                    </button>
                </Show>
            </header>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || sso_error.get().is_some()>
                <p class="asm-error asm-sso-error" role="alert">
                    {move || sso_error.get().unwrap_or_default()}
                </p>
            </Show>
            <Show when=move || !collapsed.get()>
                <div class="asm-body">
                    <Show when=move || link.is_pending()>
                        <Lazy load=deep_link_view what=Msg::PartDeepLink quiet=true />
                    </Show>
                    {move || match step.get() {
                        Step::Restoring => {
                            view! { <p class="asm-muted" role="status">{tr(Msg::Loading)}</p> }.into_any()
                        }
                        Step::SignIn => view! { <SignInForm /> }.into_any(),
                        // A pending deep link is the customer to find.
                        Step::FindCustomer => {
                            view! {
                                <Show when=move || !link.is_pending()>
                                    <Lazy load=find_customer_view what=Msg::PartCustomerSearch />
                                </Show>
                            }
                                .into_any()
                        }
                        Step::Emulating => view! { <EmulationPanel /> }.into_any(),
                    }}
                </div>
            </Show>
            <Customer360Dialog />
            <p class="asm-visually-hidden asm-announcer" role="status" aria-atomic="true">
                {move || asm.announcement.get()}
            </p>
        </section>
    }
}
