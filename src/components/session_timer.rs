//! The session countdown (mm:ss) mirroring the server's expiry; in the last minute a warning
//! (announced once to screen readers) and "Extend", which renews the server session; at zero
//! the agent is signed out and emulation ends, in the overlay and on the server.

use crate::clock::{format_mm_ss, SessionClock};
use crate::host;
use crate::i18n::{tr, Msg};
use crate::state::use_asm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Counts down to the server's session expiry; "Reset" (or, in the last minute, "Extend")
/// renews the session.
#[component]
pub fn SessionTimer() -> impl IntoView {
    let asm = use_asm();
    let now = RwSignal::new(host::now_ms());
    let renewing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let tick =
        set_interval_with_handle(move || now.set(host::now_ms()), Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(tick) = tick {
            tick.clear();
        }
    });
    Effect::new(move |_| {
        if asm.clock.get().is_some_and(|c| c.expired(now.get())) {
            asm.expire();
        }
    });
    // Changes only when the warning starts or ends, so the alert below is inserted (and
    // announced) once, not every second.
    let warning = Memo::new(move |_| asm.clock.get().is_some_and(|c| c.warning(now.get())));
    let renew = move |_| {
        if renewing.get_untracked() {
            return;
        }
        renewing.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().me(true).await {
                // The answer has the server's time too: the countdown is re-based on it
                // (the local clock may have drifted or jumped since the sign-in).
                Ok(reply) => {
                    let s = reply.body;
                    asm.clock.set(Some(SessionClock::new(
                        s.expires_at,
                        s.server_time,
                        s.idle_timeout_seconds,
                        host::now_ms(),
                    )));
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(asm.i18n.timer_failed(&e.message_in(asm.i18n)))),
            }
            renewing.set(false);
        });
    };
    let left = move || {
        asm.clock
            .get()
            .map(|c| format_mm_ss(c.remaining_ms(now.get())))
            .unwrap_or_default()
    };
    view! {
        <span
            class="asm-timer"
            class:asm-timer-warn=move || warning.get()
            title=tr(Msg::TimerTitle)
        >
            <span class="asm-timer-value">{left}</span>
            <Show when=move || warning.get()>
                <span class="asm-timer-warning" role="alert">
                    {tr(Msg::TimerWarning)}
                </span>
            </Show>
            // One button, so focus stays on it when the warning ends.
            <button
                type="button"
                class="asm-button asm-timer-renew"
                class:asm-link=move || !warning.get()
                class:asm-primary=move || warning.get()
                aria-label=move || {
                    asm.i18n.t(if warning.get() { Msg::TimerExtendLabel } else { Msg::TimerResetLabel })
                }
                disabled=move || renewing.get()
                on:click=renew
            >
                {move || asm.i18n.t(if warning.get() { Msg::TimerExtend } else { Msg::TimerReset })}
            </button>
            <Show when=move || error.get().is_some()>
                <span class="asm-timer-error" role="alert">
                    {move || error.get().unwrap_or_default()}
                </span>
            </Show>
        </span>
    }
}
