//! The customer lists dialog: pick a list the server offers, see how many customers it holds,
//! sort, search inside it (debounced; no stale answer is ever shown: a newer page aborts the
//! older request and a late answer is dropped by its sequence number), page through it, and
//! start emulating a customer from a row, with the reason the agent gave.

use super::{CustomerListTable, ListPager, RowAction};
use crate::api::ApiError;
use crate::host::{self, event, target};
use crate::i18n::{tr, Msg};
use crate::latest::Latest;
use crate::lists::{count_label, ListQuery};
use crate::search::{blocked_reason, DEBOUNCE_MS};
use crate::state::use_asm;
use asm_types::{CustomerListSummary, CustomerSearchEntry, CustomerSearchPage};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The dialog; setting `open` to false closes it (Escape, ×, or an emulation started).
#[component]
pub fn CustomerListsDialog(
    /// Whether the dialog is shown; the dialog clears it to close.
    open: RwSignal<bool>,
    /// Set (and the dialog closed) by "Create customer": the create dialog opens instead.
    creating: RwSignal<bool>,
) -> impl IntoView {
    let asm = use_asm();
    let i18n = asm.i18n;
    let reason = asm.reason;
    let lists = RwSignal::new(None::<Vec<CustomerListSummary>>);
    // The page asked for last (what the controls show) and the answer shown.
    let current = RwSignal::new(ListQuery::default());
    let answer = RwSignal::new(None::<CustomerSearchPage>);
    let typed = RwSignal::new(String::new());
    let loading = RwSignal::new(false);
    // A failed load (lists or page), offered again by Retry.
    let error = RwSignal::new(None::<String>);
    // Why the chosen customer was not emulated (no reason given, refused by the server).
    let notice = RwSignal::new(None::<String>);
    let starting = RwSignal::new(false);
    // The row chosen while the reason was still empty: Enter in the reason box starts it.
    let waiting = RwSignal::new(None::<(CustomerSearchEntry, RowAction)>);
    let reason_input = NodeRef::<leptos::html::Input>::new();
    let latest = Latest::new();
    let close = move || {
        latest.cancel();
        open.set(false);
    };

    let load = move |q: ListQuery| {
        let ticket = latest.start();
        current.set(q.clone());
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let reply = asm.api().customer_list_page(&q, &ticket.abort).await;
            if !latest.is_current(&ticket) {
                return; // superseded, or the dialog is gone
            }
            loading.set(false);
            match reply {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    answer.set(Some(reply.body));
                }
                Err(ApiError::Aborted) => {}
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message_in(i18n))),
            }
        });
    };

    let load_lists = move || {
        let ticket = latest.start();
        loading.set(true);
        error.set(None);
        spawn_local(async move {
            let reply = asm.api().customer_lists(&ticket.abort).await;
            if !latest.is_current(&ticket) {
                return;
            }
            loading.set(false);
            match reply {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    let first = reply.body.customer_lists.first().map(|l| l.id.clone());
                    lists.set(Some(reply.body.customer_lists));
                    if let Some(first) = first {
                        // Keep what the agent typed into the search box meanwhile.
                        load(ListQuery {
                            query: typed.get_untracked().trim().to_owned(),
                            ..ListQuery::first_page_of(&first)
                        });
                    }
                }
                Err(ApiError::Aborted) => {}
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => error.set(Some(e.message_in(i18n))),
            }
        });
    };
    load_lists();

    // Until the lists are known there is no page to load (the lists' answer loads one).
    let ready = move || lists.with_untracked(|l| l.as_ref().is_some_and(|l| !l.is_empty()));

    // The search box as the server should get it.
    let typed_query = move || typed.get_untracked().trim().to_owned();

    let on_list = move |ev| {
        let id = event_target_value(&ev);
        typed.set(String::new());
        answer.set(None);
        load(ListQuery::first_page_of(&id));
    };
    let on_sort = move |ev| {
        let sort = event_target_value(&ev);
        if !ready() {
            return;
        }
        let q = current.get_untracked();
        load(ListQuery {
            query: typed_query(),
            sort: Some(sort),
            page: 0,
            ..q
        });
    };
    let on_search = move |ev| {
        typed.set(event_target_value(&ev));
        if !ready() {
            return;
        }
        latest.debounce(DEBOUNCE_MS, move || {
            let q = current.get_untracked();
            load(ListQuery {
                query: typed_query(),
                page: 0,
                ..q
            });
        });
    };
    let on_page = move |page: u32| {
        if !ready() {
            return;
        }
        let q = current.get_untracked();
        let query = typed_query();
        // A search typed but not sent yet starts over at its first page.
        let page = if query == q.query { page } else { 0 };
        load(ListQuery { query, page, ..q });
    };
    let retry = move |_| {
        if lists.with_untracked(Option::is_none) {
            load_lists();
        } else {
            load(current.get_untracked());
        }
    };

    let choose = move |(entry, action): (CustomerSearchEntry, RowAction)| {
        if starting.get_untracked() {
            return;
        }
        // The server would refuse; say why without asking it.
        if let Some(kind) = &entry.emulation_blocked {
            notice.set(Some(
                i18n.blocked_named(&entry.name, &blocked_reason(i18n, kind)),
            ));
            return;
        }
        if reason.get_untracked().trim().is_empty() {
            notice.set(Some(i18n.reason_needed(&entry.name)));
            waiting.set(Some((entry, action)));
            if let Some(input) = reason_input.get_untracked() {
                let _ = input.focus();
            }
            return;
        }
        waiting.set(None);
        notice.set(None);
        starting.set(true);
        spawn_local(async move {
            let cart = match &action {
                RowAction::Cart(code) => Some(code.as_str()),
                _ => None,
            };
            match asm.emulate(&entry.customer_id, cart).await {
                Ok(()) => {
                    let customer = Some(entry.customer_id.as_str());
                    match &action {
                        RowAction::Emulate => {}
                        RowAction::Cart(code) => host::emit(
                            event::NAVIGATE,
                            &[
                                ("target", Some(target::CART)),
                                ("id", Some(code)),
                                ("customerId", customer),
                            ],
                        ),
                        RowAction::Orders => host::emit(
                            event::NAVIGATE,
                            &[
                                ("target", Some(target::ORDERS)),
                                ("id", None),
                                ("customerId", customer),
                            ],
                        ),
                    }
                    // The dialog may already be gone with the find-customer step.
                    if !open.is_disposed() {
                        open.set(false);
                    }
                }
                Err(e) if e.session_ended() => {}
                Err(e) => notice.set(Some(e.message_in(i18n))),
            }
            starting.set(false);
        });
    };

    let on_reason_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            if let Some(chosen) = waiting.get_untracked() {
                choose(chosen);
            }
        }
    };

    let list_name = Signal::derive(move || {
        let id = current.with(|q| q.list_id.clone());
        lists.with(|l| {
            l.as_ref()
                .and_then(|l| l.iter().find(|l| l.id == id))
                .map(|l| l.name.clone())
                .unwrap_or_else(|| i18n.t(Msg::CustomersLabel))
        })
    });
    let entries = Signal::derive(move || {
        answer.with(|a| a.as_ref().map(|a| a.entries.clone()).unwrap_or_default())
    });
    let page_of = Signal::derive(move || {
        answer.with(|a| a.as_ref().map_or(0, |a| a.pagination.current_page))
    });
    let total_pages =
        Signal::derive(move || answer.with(|a| a.as_ref().map_or(0, |a| a.pagination.total_pages)));
    let count = move || {
        answer.with(|a| {
            a.as_ref().map(|a| {
                count_label(
                    i18n,
                    a.pagination.total_results,
                    a.pagination.total_is_lower_bound,
                )
            })
        })
    };
    let empty = move || answer.with(|a| a.as_ref().is_some_and(|a| a.entries.is_empty()));
    let searched = move || current.with(|q| !q.query.is_empty());

    view! {
        <crate::components::Dialog
            id="asm-customer-lists"
            title=Signal::derive(tr(Msg::CustomersLabel))
            on_close=move |()| close()
            class="asm-dialog-lists"
        >
            <div class="asm-lists-controls">
                <div class="asm-field">
                    <label class="asm-label" for="asm-lists-list">{tr(Msg::ListsListLabel)}</label>
                    <select
                        id="asm-lists-list"
                        class="asm-select"
                        autofocus
                        on:change=on_list
                    >
                        {move || {
                            let selected = current.with(|q| q.list_id.clone());
                            lists
                                .get()
                                .unwrap_or_default()
                                .into_iter()
                                .map(|l| {
                                    let is_selected = l.id == selected;
                                    view! {
                                        <option value=l.id prop:selected=is_selected>
                                            {format!("{} ({})", l.name, l.members_count)}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="asm-field">
                    <label class="asm-label" for="asm-lists-sort">{tr(Msg::ListsSortLabel)}</label>
                    <select id="asm-lists-sort" class="asm-select" on:change=on_sort>
                        {move || {
                            answer
                                .with(|a| a.as_ref().map(|a| a.sorts.clone()))
                                .unwrap_or_default()
                                .into_iter()
                                .map(|s| {
                                    view! {
                                        <option value=s.code prop:selected=s.selected>
                                            {s.name}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="asm-field asm-lists-search">
                    <label class="asm-label" for="asm-lists-search">{tr(Msg::ListsSearchLabel)}</label>
                    <input
                        id="asm-lists-search"
                        type="search"
                        autocomplete="off"
                        placeholder=tr(Msg::FindPlaceholder)
                        prop:value=move || typed.get()
                        on:input=on_search
                    />
                </div>
            </div>
            <div class="asm-field asm-lists-reason">
                <label class="asm-label" for="asm-lists-reason">{tr(Msg::ReasonLabel)}</label>
                <input
                    id="asm-lists-reason"
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
            </div>
            <div class="asm-lists-status">
                <span class="asm-lists-count">{count}</span>
                <button
                    type="button"
                    id="asm-lists-create"
                    class="asm-button asm-lists-create"
                    on:click=move |_| {
                        close();
                        creating.set(true);
                    }
                >
                    {tr(Msg::CreateCustomer)}
                </button>
                <Show when=move || loading.get() || starting.get()>
                    <span class="asm-spinner" role="status" aria-label=tr(Msg::LoadingLabel)></span>
                </Show>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="asm-error asm-lists-error" role="alert">
                    {move || error.get().unwrap_or_default()} " "
                    <button type="button" class="asm-button asm-link" on:click=retry>
                        {tr(Msg::Retry)}
                    </button>
                </p>
            </Show>
            <Show when=move || notice.get().is_some()>
                <p class="asm-error asm-lists-notice" role="alert">
                    {move || notice.get().unwrap_or_default()}
                </p>
            </Show>
            <Show when=move || lists.with(|l| l.as_ref().is_some_and(Vec::is_empty))>
                <p class="asm-empty">{tr(Msg::ListsNone)}</p>
            </Show>
            <Show when=empty>
                <p class="asm-empty asm-lists-empty" class:asm-stale=move || loading.get()>
                    {move || {
                        i18n.t(if searched() { Msg::ListsNoMatch } else { Msg::ListsEmpty })
                    }}
                </p>
            </Show>
            <Show when=move || answer.with(|a| a.as_ref().is_some_and(|a| !a.entries.is_empty()))>
                <CustomerListTable
                    entries
                    label=list_name
                    stale=Signal::derive(move || loading.get())
                    busy=Signal::derive(move || starting.get())
                    on_choose=choose
                />
                <ListPager current=page_of total_pages on_page />
            </Show>
        </crate::components::Dialog>
    }
}
