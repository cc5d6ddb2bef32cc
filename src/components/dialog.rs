//! A modal dialog for the overlay's larger tasks (customer lists, create customer, bind cart,
//! confirmations). It is the platform's `<dialog>` opened with `showModal()`: it sits in the top
//! layer above any storefront z-index, the rest of the page is inert so Tab stays inside it,
//! Escape closes it, and on close focus returns to the control that opened it.

use crate::host::HOST_ID;
use leptos::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// A modal dialog titled `title`; `on_close` runs on Escape, on the × button and when the
/// browser closes it. The caller removes it from the view to close it (e.g. a `Show`).
/// Give the control that should get focus first the `autofocus` attribute.
#[component]
pub fn Dialog(
    /// Element id of the `<dialog>`; its title gets `{id}-title`.
    id: &'static str,
    /// The dialog's title, read by screen readers when it opens.
    #[prop(into)]
    title: Signal<String>,
    /// Runs when the agent dismisses the dialog.
    #[prop(into)]
    on_close: Callback<()>,
    /// Extra class names for the `<dialog>` (e.g. a size modifier).
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Dialog>::new();
    let opener = focused_in_overlay();
    // Events may still reach the element after the view removed it; then nothing is left to close.
    let alive = Arc::new(AtomicBool::new(true));
    let dismiss = {
        let alive = alive.clone();
        move || {
            if alive.load(Ordering::Relaxed) {
                on_close.run(());
            }
        }
    };
    Effect::new(move |_| {
        if let Some(dialog) = node.get() {
            if !dialog.open() {
                let _ = dialog.show_modal();
            }
        }
    });
    on_cleanup(move || {
        alive.store(false, Ordering::Relaxed);
        // While the dialog is a modal the rest of the overlay is inert: close it first, or the
        // opener cannot take focus back (the view removes the element after this cleanup).
        close_in_overlay(id);
        if let Some(el) = opener {
            // The opener may be gone (e.g. the row that opened the dialog was re-rendered).
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let on_cancel = {
        let dismiss = dismiss.clone();
        move |ev: web_sys::Event| {
            ev.prevent_default();
            dismiss();
        }
    };
    let on_closed = {
        let dismiss = dismiss.clone();
        move |_: web_sys::Event| dismiss()
    };
    // The platform keeps the page inert but lets Tab leave the last control for the browser's
    // own UI; wrap around instead so that focus never leaves the dialog.
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() != "Tab" {
            return;
        }
        let Some(dialog) = node.get_untracked() else {
            return;
        };
        let Some((first, last)) = tab_ends(&dialog) else {
            return;
        };
        let target = ev.target();
        let is = |el: &HtmlElement| {
            let el: &wasm_bindgen::JsValue = el.as_ref();
            target.as_ref().is_some_and(|t| {
                let t: &wasm_bindgen::JsValue = t.as_ref();
                t == el
            })
        };
        let wrap_to = if ev.shift_key() {
            is(&first).then_some(last)
        } else {
            is(&last).then_some(first)
        };
        if let Some(el) = wrap_to {
            ev.prevent_default();
            let _ = el.focus();
        }
    };
    view! {
        <dialog
            node_ref=node
            on:keydown=on_keydown
            id=id
            class=format!("asm-dialog {class}")
            aria-labelledby=labelled_by
            on:cancel=on_cancel
            on:close=on_closed
        >
            <header class="asm-dialog-header">
                <h2 id=title_id class="asm-dialog-title">{move || title.get()}</h2>
                <button
                    type="button"
                    class="asm-button asm-dialog-close"
                    aria-label=crate::i18n::tr(crate::i18n::Msg::CloseDialog)
                    on:click=move |_| dismiss()
                >
                    "×"
                </button>
            </header>
            <div class="asm-dialog-body">{children()}</div>
        </dialog>
    }
}

/// The first and the last control of `dialog` that Tab can reach.
fn tab_ends(dialog: &web_sys::HtmlDialogElement) -> Option<(HtmlElement, HtmlElement)> {
    const TABBABLE: &str =
        "button:not([disabled]), input:not([disabled]), select:not([disabled]), \
        textarea:not([disabled]), a[href], [tabindex]:not([tabindex='-1'])";
    let list = dialog.query_selector_all(TABBABLE).ok()?;
    let reachable: Vec<HtmlElement> = (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| el.tab_index() >= 0 && el.get_client_rects().length() > 0)
        .collect();
    Some((reachable.first()?.clone(), reachable.last()?.clone()))
}

/// Closes the open `<dialog id=id>` inside the overlay's shadow root, if there is one.
fn close_in_overlay(id: &str) {
    let dialog = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(HOST_ID))
        .and_then(|h| h.shadow_root())
        .and_then(|s| s.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlDialogElement>().ok());
    if let Some(dialog) = dialog.filter(web_sys::HtmlDialogElement::open) {
        dialog.close();
    }
}

/// The element focused inside the overlay's shadow root (the dialog's opener), if any.
fn focused_in_overlay() -> Option<HtmlElement> {
    let doc = web_sys::window()?.document()?;
    let shadow = doc.get_element_by_id(HOST_ID)?.shadow_root()?;
    shadow.active_element()?.dyn_into::<HtmlElement>().ok()
}
