//! The root component: provides the state, restores the session, renders the bar.

use crate::api::Api;
use crate::components::{provide_customer360, Bar};
use crate::i18n::provide_i18n;
use crate::locale::Locale;
use crate::state::provide_asm;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// The overlay. `restore` asks the server at once whether an agent is signed in in this browser;
/// a word from another tab's overlay makes it ask again.
#[component]
pub fn App(api: Api, locale: Locale, sources: Vec<(Locale, String)>) -> impl IntoView {
    let i18n = provide_i18n(sources);
    i18n.start(locale);
    let asm = provide_asm(api, i18n);
    provide_customer360();
    asm.restore();
    asm.tabs.with_value(|channel| {
        if let Some(channel) = channel {
            let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| asm.resync());
            channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // The channel stops before the app is disposed, so the closure may live on.
            on_message.forget();
        }
    });
    // A handle of its own: the stored value may be gone by the time cleanups run.
    let channel = asm.tabs.with_value(Clone::clone);
    on_cleanup(move || {
        if let Some(channel) = channel {
            channel.set_onmessage(None);
            channel.close();
        }
    });
    // The locale's direction and language for everything inside (Arabic right to left); the
    // bar waits for the first catalogue so that it never flashes another language.
    view! {
        <div class="asm-locale" dir=move || i18n.locale().dir() lang=move || i18n.locale().tag()>
            <Show when=move || i18n.ready.get()>
                <Bar />
            </Show>
        </div>
    }
}
