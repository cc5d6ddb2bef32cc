//! The Customer 360° dialog: header, tab list (arrow keys, Home, End) and the selected tab.

use super::activity::ActivityTab;
use super::feedback::FeedbackTab;
use super::header::Header;
use super::overview::OverviewTab;
use super::profile::ProfileTab;
use super::promotions::PromotionsTab;
use super::stores::StoresTab;
use super::use_customer360;
use crate::components::Dialog;
use crate::customer360::Tab;
use crate::i18n::{current as i18n, Msg};
use crate::lazy::{Lazy, SplitLoaderError};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The open Customer 360° view (renders nothing while closed).
#[component]
pub fn Customer360Dialog() -> impl IntoView {
    let open = use_customer360();
    move || {
        open.0.get().map(|subject| {
            let title = i18n().c360_title(&subject.name);
            view! {
                <Dialog
                    id="asm-c360"
                    title=title
                    on_close=move || open.close()
                    class="asm-dialog-wide"
                >
                    <Lazy
                        load={
                            let id = subject.customer_id.clone();
                            move || customer360_view(id.clone())
                        }
                        what=crate::i18n::Msg::PartCustomer360
                    />
                </Dialog>
            }
        })
    }
}

crate::split_fn!(
    customer360,
    preload_customer360,
    /// Header and tabs of one customer, from the Customer 360° chunk.
    pub fn customer360_view(customer_id: String) -> Result<AnyView, SplitLoaderError> {
        Ok(view! { <Customer360 customer_id=customer_id /> }.into_any())
    }
);

/// Header and tabs of one customer.
#[component]
fn Customer360(customer_id: String) -> impl IntoView {
    super::fragments::provide_c360_cache();
    let selected = RwSignal::new(Tab::Overview);
    let tablist = NodeRef::<leptos::html::Div>::new();
    let on_keydown = move |ev: KeyboardEvent| {
        // Right to left the tabs run the other way: Arrow Left is the next one.
        let key = ev.key();
        let key = match (i18n().locale_untracked().dir(), key.as_str()) {
            ("rtl", "ArrowLeft") => "ArrowRight".to_owned(),
            ("rtl", "ArrowRight") => "ArrowLeft".to_owned(),
            _ => key,
        };
        if let Some(to) = selected.get_untracked().moved_by(&key) {
            ev.prevent_default();
            selected.set(to);
            // Roving focus: the newly selected tab takes focus.
            if let Some(list) = tablist.get_untracked() {
                let selector = format!("#asm-c360-tab-{}", to.slug());
                if let Ok(Some(el)) = list.query_selector(&selector) {
                    if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                        let _ = el.focus();
                    }
                }
            }
        }
    };
    let id = StoredValue::new(customer_id.clone());
    view! {
        <Header customer_id=customer_id />
        <div
            class="asm-c360-tabs"
            role="tablist"
            aria-label=i18n().t(Msg::C360Sections)
            node_ref=tablist
            on:keydown=on_keydown
        >
            {Tab::ALL
                .into_iter()
                .map(|tab| {
                    let is = move || selected.get() == tab;
                    view! {
                        <button
                            type="button"
                            role="tab"
                            class="asm-c360-tab"
                            id=format!("asm-c360-tab-{}", tab.slug())
                            aria-controls="asm-c360-panel"
                            aria-selected=move || is().to_string()
                            tabindex=move || if is() { "0" } else { "-1" }
                            on:click=move |_| selected.set(tab)
                        >
                            {i18n().t(tab.label())}
                        </button>
                    }
                })
                .collect_view()}
        </div>
        <div
            id="asm-c360-panel"
            class="asm-c360-panel"
            role="tabpanel"
            tabindex="0"
            aria-labelledby=move || format!("asm-c360-tab-{}", selected.get().slug())
        >
            {move || {
                let customer_id = id.get_value();
                match selected.get() {
                    Tab::Overview => view! { <OverviewTab customer_id /> }.into_any(),
                    Tab::Profile => view! { <ProfileTab customer_id /> }.into_any(),
                    Tab::Activity => view! { <ActivityTab customer_id /> }.into_any(),
                    Tab::Feedback => view! { <FeedbackTab customer_id /> }.into_any(),
                    Tab::Stores => view! { <StoresTab customer_id /> }.into_any(),
                    Tab::Promotions => view! { <PromotionsTab customer_id /> }.into_any(),
                }
            }}
        </div>
    }
}
