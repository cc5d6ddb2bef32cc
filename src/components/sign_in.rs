//! Agent sign-in form: clear errors, nothing typed is lost, one request at a time.

use crate::host::tab_message;
use crate::state::use_asm;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// "Agent ID or e-mail" + password, with a show/hide toggle for the password.
#[component]
pub fn SignInForm() -> impl IntoView {
    let asm = use_asm();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let show_password = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let (user, pass) = (username.get_untracked(), password.get_untracked());
        if user.trim().is_empty() || pass.is_empty() {
            error.set(Some(
                "Enter your agent ID or e-mail and your password.".into(),
            ));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().sign_in(user.trim(), &pass).await {
                Ok(reply) => {
                    asm.signed_in(reply.body);
                    asm.tell_other_tabs(tab_message::SIGNED_IN);
                }
                Err(e) => error.set(Some(e.message())),
            }
            pending.set(false);
        });
    };

    view! {
        <form class="asm-sign-in" on:submit=submit novalidate>
            <Show when=move || asm.notice.get().is_some()>
                <p class="asm-notice" role="status">{move || asm.notice.get().unwrap_or_default()}</p>
            </Show>
            <label class="asm-field">
                <span>"Agent ID or e-mail"</span>
                <input
                    name="username"
                    autocomplete="username"
                    required
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))
                />
            </label>
            <label class="asm-field">
                <span>"Password"</span>
                <input
                    name="password"
                    autocomplete="current-password"
                    required
                    type=move || if show_password.get() { "text" } else { "password" }
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </label>
            <button
                type="button"
                class="asm-button asm-link"
                aria-pressed=move || show_password.get().to_string()
                on:click=move |_| show_password.update(|s| *s = !*s)
            >
                {move || if show_password.get() { "Hide password" } else { "Show password" }}
            </button>
            <button type="submit" class="asm-button asm-primary" disabled=move || pending.get()>
                {move || if pending.get() { "Signing in…" } else { "Sign In" }}
            </button>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}
