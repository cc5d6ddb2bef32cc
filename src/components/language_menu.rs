//! The bar's language menu: the locales the loader offers, each in its own name. Choosing one
//! re-renders the overlay in it without a reload (what the agent typed stays), fetching its
//! catalogue first, and keeps the choice for the tab.

use crate::i18n::{tr, use_i18n, Msg};
use crate::locale::Locale;
use leptos::prelude::*;

/// A `<select>` of the available locales; nothing when English is the only one.
#[component]
pub fn LanguageMenu() -> impl IntoView {
    let i18n = use_i18n();
    // Every locale the loader names (it names them all; an older loader none: English alone).
    let offered = i18n.available().len() > 1;
    let shown = move || i18n.switching.get().unwrap_or_else(|| i18n.locale());
    view! {
        <Show when=move || offered>
            <label class="asm-language">
                <span class="asm-visually-hidden">{tr(Msg::LanguageLabel)}</span>
                <select
                    class="asm-language-select"
                    name="locale"
                    on:change=move |ev| {
                        if let Some(locale) = Locale::parse(&event_target_value(&ev)) {
                            i18n.choose(locale);
                        }
                    }
                >
                    // Written out, not collected: a list view costs its own code in the first load.
                    {option(Locale::En, shown)}
                    {option(Locale::De, shown)}
                    {option(Locale::Ar, shown)}
                </select>
            </label>
        </Show>
        <Show when=move || i18n.switching.get().is_some()>
            <span class="asm-language-loading" role="status">
                {move || i18n.switching.get().map(|l| i18n.language_loading(l.autonym()))}
            </span>
        </Show>
        <Show when=move || i18n.failed.get().is_some()>
            <span class="asm-language-error" role="alert">
                {move || i18n.failed.get().map(|l| i18n.language_failed(l.autonym()))}
            </span>
        </Show>
    }
}

/// One locale of the menu, selected while it is the one shown.
fn option(l: Locale, shown: impl Fn() -> Locale + Send + Sync + 'static) -> impl IntoView {
    view! {
        <option value=l.tag() lang=l.tag() prop:selected=move || shown() == l>
            {l.autonym()}
        </option>
    }
}
