//! The session countdown (mm:ss) mirroring the server's expiry; at zero the agent is signed out
//! and emulation ends, in the overlay and on the server.

use crate::clock::format_mm_ss;
use crate::host;
use crate::state::use_asm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::time::Duration;

/// Counts down to the server's session expiry; "Reset" renews the session.
#[component]
pub fn SessionTimer() -> impl IntoView {
    let asm = use_asm();
    let now = RwSignal::new(host::now_ms());
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
    let reset = move |_| {
        spawn_local(async move {
            match asm.api().me().await {
                Ok(reply) => asm.touch(Some(reply.body.expires_at)),
                Err(e) => {
                    asm.session_lost(&e);
                }
            }
        });
    };
    let left = move || {
        asm.clock
            .get()
            .map(|c| format_mm_ss(c.remaining_ms(now.get())))
            .unwrap_or_default()
    };
    view! {
        <span class="asm-timer" title="Time left in this ASM session">
            <span class="asm-timer-value">{left}</span>
            <button
                type="button"
                class="asm-button asm-link"
                aria-label="Reset session timer"
                on:click=reset
            >
                "Reset"
            </button>
        </span>
    }
}
