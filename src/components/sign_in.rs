//! Agent sign-in form: clear errors, nothing typed is lost, one request at a time. Asks the
//! middleware how agents sign in here: the password form, a "Sign in with …" button for the
//! identity provider (single sign-on), or both.

use crate::host::tab_message;
use crate::i18n::{tr, Msg};
use crate::state::{use_asm, Focus};
use asm_types::SignInOptions;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// "Agent ID or e-mail" + password, with a show/hide toggle for the password; and the single
/// sign-on button when the middleware offers one.
#[component]
pub fn SignInForm() -> impl IntoView {
    let asm = use_asm();
    // Until the answer comes (or when it fails) the password form shows, as before SSO existed.
    let options = RwSignal::new(None::<SignInOptions>);
    spawn_local(async move {
        if let Ok(reply) = asm.api().sign_in_options().await {
            let _ = options.try_set(Some(reply.body));
        }
    });
    let sso = move || options.with(|o| o.as_ref().and_then(|o| o.sso.clone()));
    let password_offered = move || options.with(|o| o.as_ref().is_none_or(|o| o.password));
    let redirecting = RwSignal::new(false);
    let start_sso = move |_| {
        let Some(option) = sso() else { return };
        let Some(location) = web_sys::window().map(|w| w.location()) else {
            return;
        };
        let page = location.href().unwrap_or_default();
        redirecting.set(true);
        if location
            .set_href(&crate::sso::start_url(&option.start_url, &page))
            .is_err()
        {
            redirecting.set(false);
        }
    };
    let username = RwSignal::new(String::new());
    let username_input = NodeRef::<leptos::html::Input>::new();
    asm.focus_when_shown(Focus::SignIn, move || username_input.get().map(Into::into));
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
            error.set(Some(asm.i18n.t(Msg::SignInMissing)));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            match asm.api().sign_in(user.trim(), &pass).await {
                Ok(reply) => {
                    let session = reply.body;
                    let focus = if session.emulation.is_some() {
                        Focus::Emulation
                    } else {
                        Focus::Desk
                    };
                    asm.stepped(focus, asm.i18n.signed_in_as(&session.agent.name));
                    asm.signed_in(session);
                    asm.tell_other_tabs(tab_message::SIGNED_IN);
                }
                Err(e) => error.set(Some(e.message_in(asm.i18n))),
            }
            pending.set(false);
        });
    };

    view! {
        <form class="asm-sign-in" on:submit=submit novalidate>
            <Show when=move || asm.notice.get().is_some()>
                <p class="asm-notice" role="status">{move || asm.notice.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || sso().is_some()>
                <button
                    type="button"
                    class="asm-button asm-primary asm-sso"
                    disabled=move || redirecting.get()
                    on:click=start_sso
                >
                    {move || {
                        let label = sso().map(|o| o.label).unwrap_or_default();
                        if redirecting.get() {
                            asm.i18n.sso_opening(&label)
                        } else {
                            asm.i18n.sso_sign_in(&label)
                        }
                    }}
                </button>
            </Show>
            <Show when=password_offered>
                <label class="asm-field">
                    <span>{tr(Msg::UsernameLabel)}</span>
                    <input
                        name="username"
                        node_ref=username_input
                        autocomplete="username"
                        required
                        prop:value=move || username.get()
                        on:input=move |ev| username.set(event_target_value(&ev))
                    />
                </label>
                <label class="asm-field">
                    <span>{tr(Msg::PasswordLabel)}</span>
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
                    {move || asm.i18n.t(if show_password.get() { Msg::PasswordHide } else { Msg::PasswordShow })}
                </button>
                <button type="submit" class="asm-button asm-primary" disabled=move || pending.get()>
                    {move || asm.i18n.t(if pending.get() { Msg::SigningIn } else { Msg::SignInButton })}
                </button>
            </Show>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
        </form>
    }
}
