//! Customer search as you type: debounced, from three characters, at most 20 results, keyboard
//! navigation (combobox pattern), and no stale answer ever shown: a newer search aborts the
//! older request and any late answer is dropped by its sequence number. Starting an emulation
//! needs a reason (ticket id or short note); a customer chosen before it is given waits for it.
//! A full order code finds the customer of that order (emulating them then asks the storefront
//! to open the order); eight digits that are no order's are tried as a cart number (the
//! customer of that active or saved cart; an active one becomes the emulation's cart). While emulating, the same search switches customer after a confirmation.

use crate::api::ApiError;
use crate::components::{create_customer_view, switch_customer_view, use_customer360};
use crate::host::{self, event, target};
use crate::i18n::{tr, Msg};
use crate::latest::Latest;
use crate::lazy::Lazy;
use crate::search::{
    blocked_reason, found_cart_label, no_match_message, normalized_query, order_code, Highlight,
    DEBOUNCE_MS, MAX_RESULTS,
};
use crate::state::{use_asm, Focus};
use asm_types::{CartStatus, CustomerSearchEntry};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What Retry repeats after a failure.
#[derive(Clone)]
enum Retry {
    /// The search of what the box says.
    Search,
    /// Starting the emulation of this customer.
    Start(CustomerSearchEntry),
}

/// The search box and its result list; choosing a customer starts emulation (while emulating,
/// after confirming the switch). `autofocus` puts focus in the search box when it appears.
#[component]
pub fn CustomerSearch(#[prop(optional)] autofocus: bool) -> impl IntoView {
    let asm = use_asm();
    let i18n = asm.i18n;
    let customer360 = use_customer360();
    let typed = RwSignal::new(String::new());
    let results = RwSignal::new(None::<Vec<CustomerSearchEntry>>);
    // The query the shown results answer; Enter acts only when it is what the box says.
    let answered = RwSignal::new(String::new());
    let loading = RwSignal::new(false);
    let open = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // What Retry does for the failure shown; `None` for a hint (no reason given, a customer who
    // cannot be emulated): nothing failed there, so no Retry.
    let retry_with = RwSignal::new(None::<Retry>);
    let highlight = RwSignal::new(Highlight::default());
    let starting = RwSignal::new(false);
    let reason = asm.reason;
    // The customer chosen while the reason was still empty: Enter in the reason box starts it.
    let waiting = RwSignal::new(None::<CustomerSearchEntry>);
    let reason_input = NodeRef::<leptos::html::Input>::new();
    let search_input = NodeRef::<leptos::html::Input>::new();
    asm.focus_when_shown(Focus::Desk, move || reason_input.get().map(Into::into));
    // Something to tell the agent that is not a failure (e.g. the customer is emulated already).
    let note = RwSignal::new(None::<String>);
    // Why an eight-digit number found nobody as a cart either (under "No order … found.").
    let cart_note = RwSignal::new(None::<String>);
    // Switching: the customer emulated now (name) and the one chosen instead, until confirmed.
    let confirm = RwSignal::new(None::<(String, CustomerSearchEntry)>);
    let creating = RwSignal::new(false);
    if autofocus {
        Effect::new(move |_| {
            if let Some(input) = search_input.get() {
                let _ = input.focus();
            }
        });
    }
    let latest = Latest::new();

    let search = move |query: String| {
        let ticket = latest.start();
        loading.set(true);
        error.set(None);
        note.set(None);
        spawn_local(async move {
            let order = order_code(&query);
            let mut not_a_cart = None;
            let answer = match &order {
                // Eight digits: an order number, else perhaps a cart number.
                Some(code) => match asm.api().search_by_order(code, &ticket.abort).await {
                    Err(e) if e.field("orderId").is_some() => {
                        match asm.api().search_by_cart(code, &ticket.abort).await {
                            Err(c) if c.field("cartId").is_some() => {
                                not_a_cart = c.field("cartId").map(str::to_owned);
                                Err(e)
                            }
                            other => other,
                        }
                    }
                    other => other,
                },
                None => {
                    asm.api()
                        .search_customers(&query, MAX_RESULTS, &ticket.abort)
                        .await
                }
            };
            if !latest.is_current(&ticket) {
                return; // superseded: a newer search owns the list now
            }
            loading.set(false);
            cart_note.set(None);
            match answer {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    answered.set(query);
                    results.set(Some(reply.body.entries));
                    highlight.set(Highlight::default());
                    open.set(true);
                }
                Err(ApiError::Aborted) => {}
                Err(e) if asm.session_lost(&e) => {}
                // An unknown order is an answer, not a failure: nobody matches.
                Err(e) if order.is_some() && e.field("orderId").is_some() => {
                    cart_note.set(not_a_cart);
                    answered.set(query);
                    results.set(Some(Vec::new()));
                    highlight.set(Highlight::default());
                    open.set(true);
                }
                Err(e) => {
                    retry_with.set(Some(Retry::Search));
                    error.set(Some(e.message_in(i18n)));
                }
            }
        });
    };

    let on_input = move |ev| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        highlight.set(Highlight::default());
        match normalized_query(&value) {
            Some(query) => latest.debounce(DEBOUNCE_MS, move || search(query)),
            None => {
                latest.cancel();
                loading.set(false);
                error.set(None);
                results.set(None);
                open.set(false);
            }
        }
    };

    // Emulation start, declared below (Retry may start it again).
    let start_again = StoredValue::new(None::<Callback<CustomerSearchEntry>>);
    let retry = move |_| match retry_with.get_untracked() {
        Some(Retry::Start(customer)) => {
            if let Some(start) = start_again.get_value() {
                start.run(customer);
            }
        }
        Some(Retry::Search) | None => {
            if let Some(query) = normalized_query(&typed.get_untracked()) {
                search(query);
            }
        }
    };

    // Emulates `customer` (ending the current emulation on the server); a customer found by
    // an order id then has the storefront open that order.
    let start = move |customer: CustomerSearchEntry| {
        waiting.set(None);
        starting.set(true);
        error.set(None);
        note.set(None);
        spawn_local(async move {
            let chosen = customer.clone();
            // Found by an active cart's number: emulate on that cart (as a cart deep link).
            let on_cart = customer
                .cart_id
                .as_deref()
                .filter(|_| customer.cart_status == Some(CartStatus::Active));
            match asm.emulate(&customer.customer_id, on_cart).await {
                Ok(()) => {
                    if let Some(cart) = &customer.cart_id {
                        host::emit(
                            event::NAVIGATE,
                            &[
                                ("target", Some(target::CART)),
                                ("id", Some(cart)),
                                ("customerId", Some(&customer.customer_id)),
                            ],
                        );
                    }
                    if let Some(order) = &customer.order_id {
                        host::emit(
                            event::NAVIGATE,
                            &[
                                ("target", Some(target::ORDER)),
                                ("id", Some(order)),
                                ("customerId", Some(&customer.customer_id)),
                            ],
                        );
                    }
                }
                Err(e) if e.session_ended() => {}
                Err(e) => {
                    retry_with.set(Some(Retry::Start(chosen)));
                    error.set(Some(e.message_in(i18n)));
                }
            }
            starting.set(false);
        });
    };
    start_again.set_value(Some(Callback::new(start)));

    let choose = move |customer: CustomerSearchEntry| {
        if starting.get_untracked() {
            return;
        }
        // The server would refuse; say why without asking it.
        if let Some(kind) = &customer.emulation_blocked {
            retry_with.set(None);
            error.set(Some(
                i18n.blocked_named(&customer.name, &blocked_reason(i18n, kind)),
            ));
            return;
        }
        let current = asm.emulation.get_untracked();
        if current
            .as_ref()
            .is_some_and(|c| c.customer_id == customer.customer_id)
        {
            error.set(None);
            note.set(Some(i18n.already_emulating(&customer.name)));
            return;
        }
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            retry_with.set(None);
            error.set(Some(i18n.reason_needed(&customer.name)));
            waiting.set(Some(customer));
            if let Some(input) = reason_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        waiting.set(None);
        match current {
            Some(current) => {
                error.set(None);
                note.set(None);
                confirm.set(Some((current.customer_name, customer)));
            }
            None => start(customer),
        }
    };
    let confirm_switch = move || {
        if let Some((_, customer)) = confirm.get_untracked() {
            confirm.set(None);
            start(customer);
        }
    };

    let on_keydown = move |ev: KeyboardEvent| {
        let len = results.with(|r| r.as_ref().map_or(0, Vec::len));
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open.set(true);
                highlight.update(|h| *h = h.next(len));
            }
            "ArrowUp" => {
                ev.prevent_default();
                open.set(true);
                highlight.update(|h| *h = h.prev(len));
            }
            // In a highlighted row: between the customer and their Customer 360° button (the
            // arrow that points at it: Arrow Left when the bar is right to left).
            key @ ("ArrowRight" | "ArrowLeft") if open.get_untracked() => {
                let forward = if i18n.locale_untracked().dir() == "rtl" {
                    "ArrowLeft"
                } else {
                    "ArrowRight"
                };
                if let Some(moved) = highlight.get_untracked().column(key == forward) {
                    ev.prevent_default();
                    highlight.set(moved);
                }
            }
            "Enter" => {
                ev.prevent_default();
                // Never act on results that answer an older query.
                let current = normalized_query(&typed.get_untracked());
                if current.as_deref() != Some(answered.get_untracked().as_str()) {
                    return;
                }
                let at = highlight.get_untracked();
                let chosen = at
                    .row
                    .and_then(|i| results.with_untracked(|r| r.as_ref()?.get(i).cloned()));
                match chosen {
                    Some(customer) if at.c360 => {
                        customer360.show(&customer.customer_id, &customer.name);
                    }
                    Some(customer) => choose(customer),
                    None => {}
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
                highlight.set(Highlight::default());
            }
            _ => {}
        }
    };

    let no_match = move || results.with(|r| r.as_ref().is_some_and(Vec::is_empty));

    let on_reason_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            if let Some(customer) = waiting.get_untracked() {
                choose(customer);
            }
        }
    };

    view! {
        <div class="asm-search">
            <label class="asm-label" for="asm-emulation-reason">
                {tr(Msg::ReasonLabel)}
            </label>
            <input
                id="asm-emulation-reason"
                class="asm-input"
                type="text"
                autocomplete="off"
                maxlength="500"
                required
                placeholder=tr(Msg::ReasonPlaceholder)
                node_ref=reason_input
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))
                on:keydown=on_reason_keydown
            />
            <label class="asm-label" for="asm-customer-search">
                {tr(Msg::FindLabel)}
            </label>
            <div class="asm-search-field">
                <input
                    id="asm-customer-search"
                    type="search"
                    role="combobox"
                    autocomplete="off"
                    placeholder=tr(Msg::FindPlaceholder)
                    aria-autocomplete="list"
                    aria-controls="asm-search-results"
                    aria-haspopup="grid"
                    aria-describedby="asm-search-keys"
                    aria-expanded=move || open.get().to_string()
                    aria-activedescendant=move || highlight.get().cell_id()
                    aria-busy=move || loading.get().to_string()
                    prop:value=move || typed.get()
                    node_ref=search_input
                    on:input=on_input
                    on:keydown=on_keydown
                />
                <Show when=move || loading.get() || starting.get()>
                    <span class="asm-spinner" role="status" aria-label=tr(Msg::LoadingLabel)></span>
                </Show>
            </div>
            <p id="asm-search-keys" class="asm-visually-hidden">
                {tr(Msg::SearchKeys)}
            </p>
            <Show when=move || error.get().is_some()>
                <p class="asm-error" role="alert">
                    {move || error.get().unwrap_or_default()}
                    <Show when=move || retry_with.with(Option::is_some)>
                        " "
                        <button type="button" class="asm-button asm-link" on:click=retry>
                            {tr(Msg::Retry)}
                        </button>
                    </Show>
                </p>
            </Show>
            <Show when=move || note.get().is_some()>
                <p class="asm-notice" role="status">{move || note.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || open.get() && no_match()>
                <p class="asm-empty" role="status">
                    <span class="asm-empty-message">
                        {move || no_match_message(i18n, &answered.get())}
                        {move || cart_note.get().map(|why| format!(" {why}"))}
                    </span>
                    // Nobody by that name: offer to create them (not for an unknown order).
                    <Show when=move || answered.with(|q| order_code(q).is_none())>
                        " "
                        <button
                            type="button"
                            class="asm-button asm-link asm-empty-create"
                            on:click=move |_| creating.set(true)
                        >
                            {tr(Msg::CreateCustomer)}
                        </button>
                    </Show>
                </p>
            </Show>
            <Show when=move || open.get() && !no_match() && results.with(Option::is_some)>
                // How many were found, for screen readers (the grid itself is not announced).
                <p class="asm-visually-hidden asm-result-count" role="status">
                    {move || i18n.customers_found(results.with(|r| r.as_ref().map_or(0, Vec::len)))}
                </p>
                // A grid, not a listbox: each row has two actions (emulate, Customer 360°), and a
                // button may not sit inside an option (axe: nested-interactive).
                <ul
                    id="asm-search-results"
                    class="asm-results"
                    class:asm-stale=move || loading.get()
                    role="grid"
                    aria-label=tr(Msg::CustomersLabel)
                >
                    {move || {
                        results
                            .get()
                            .unwrap_or_default()
                            .into_iter()
                            .enumerate()
                            .map(|(i, customer)| {
                                let name = customer.name.clone();
                                let email = customer.uid.clone();
                                let blocked = customer
                                    .emulation_blocked
                                    .as_deref()
                                    .map(|kind| blocked_reason(i18n, kind));
                                let disabled = blocked.is_some().then_some("true");
                                let is_active = move || highlight.get().row == Some(i);
                                let on_customer = move || is_active() && !highlight.get().c360;
                                let on_360 = move || is_active() && highlight.get().c360;
                                let view_id = customer.customer_id.clone();
                                let view_name = customer.name.clone();
                                let picked = customer.clone();
                                view! {
                                    <li
                                        role="row"
                                        class="asm-result"
                                        class:asm-active=is_active
                                        aria-selected=move || is_active().to_string()
                                        aria-disabled=disabled
                                        on:mousedown=move |ev| ev.prevent_default()
                                        on:click=move |_| choose(picked.clone())
                                    >
                                        <div
                                            id=format!("asm-opt-{i}")
                                            role="gridcell"
                                            class="asm-result-customer"
                                            class:asm-active-cell=on_customer
                                        >
                                            {customer
                                                .order_id
                                                .clone()
                                                .map(|code| view! { <span class="asm-order">{i18n.found_order(&code)}</span> })}
                                            {customer
                                                .cart_id
                                                .as_deref()
                                                .map(|code| found_cart_label(i18n, code, customer.cart_status))
                                                .map(|label| view! { <span class="asm-order asm-found-cart">{label}</span> })}
                                            <span class="asm-name">{name}</span>
                                            <span class="asm-email">{email}</span>
                                            {blocked.map(|reason| view! { <span class="asm-blocked">{reason}</span> })}
                                        </div>
                                        <div
                                            id=format!("asm-opt-{i}-360")
                                            role="gridcell"
                                            class="asm-result-360-cell"
                                            class:asm-active-cell=on_360
                                        >
                                            <button
                                                type="button"
                                                class="asm-button asm-link asm-result-360"
                                                tabindex="-1"
                                                aria-label=i18n.customer360_of(&view_name)
                                                on:click=move |ev| {
                                                    ev.stop_propagation();
                                                    customer360.show(&view_id, &view_name);
                                                }
                                            >
                                                "360°"
                                            </button>
                                        </div>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <div class="asm-search-actions">
                <button
                    type="button"
                    id="asm-create-customer"
                    class="asm-button"
                    on:click=move |_| creating.set(true)
                >
                    {tr(Msg::CreateCustomer)}
                </button>
            </div>
            <Show when=move || creating.get()>
                <Lazy
                    load=move || create_customer_view(Callback::new(move |()| creating.set(false)))
                    what=Msg::PartCreateCustomer
                />
            </Show>
            {move || {
                confirm
                    .get()
                    .map(|(from, to)| {
                        view! {
                            <Lazy
                                load=move || {
                                    switch_customer_view(
                                        from.clone(),
                                        to.name.clone(),
                                        Callback::new(move |()| confirm_switch()),
                                        Callback::new(move |()| confirm.set(None)),
                                    )
                                }
                                what=Msg::PartSwitchDialog
                            />
                        }
                    })
            }}
        </div>
    }
}
