//! Previous / "Page x of y" / Next under a customer list.

use crate::i18n::{tr, use_i18n, Msg};
use crate::lists::{has_next, has_previous, page_label};
use leptos::prelude::*;

/// The pager of the zero-based `current` page of `total_pages`; `on_page` gets the page to show.
#[component]
pub fn ListPager(
    /// The page shown (zero-based).
    #[prop(into)]
    current: Signal<u32>,
    /// How many pages the list has.
    #[prop(into)]
    total_pages: Signal<u32>,
    /// Asked for the previous or next page.
    #[prop(into)]
    on_page: Callback<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="asm-pager" aria-label=tr(Msg::PagesLabel)>
            <button
                type="button"
                class="asm-button asm-pager-prev"
                disabled=move || !has_previous(current.get())
                on:click=move |_| {
                    let now = current.get_untracked();
                    if has_previous(now) {
                        on_page.run(now - 1);
                    }
                }
            >
                {tr(Msg::Previous)}
            </button>
            <span class="asm-pager-label">
                {move || page_label(i18n, current.get(), total_pages.get())}
            </span>
            <button
                type="button"
                class="asm-button asm-pager-next"
                disabled=move || !has_next(current.get(), total_pages.get())
                on:click=move |_| {
                    let now = current.get_untracked();
                    if has_next(now, total_pages.get_untracked()) {
                        on_page.run(now + 1);
                    }
                }
            >
                {tr(Msg::Next)}
            </button>
        </nav>
    }
}
