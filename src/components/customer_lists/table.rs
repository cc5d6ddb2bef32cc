//! The members of a customer list as a table: name (with initials), e-mail, phone, and the
//! cart and orders shortcuts.

use super::{CustomerListRow, RowAction};
use crate::i18n::{tr, Msg};
use asm_types::CustomerSearchEntry;
use leptos::prelude::*;

/// The table of `entries`; `on_choose` gets the customer and what to do; while `busy` (an
/// emulation is starting) nothing can be chosen; while `stale` the rows are dimmed.
#[component]
pub fn CustomerListTable(
    /// The customers of the page shown.
    #[prop(into)]
    entries: Signal<Vec<CustomerSearchEntry>>,
    /// Names the table for screen readers (the list's name).
    #[prop(into)]
    label: Signal<String>,
    /// A newer page is loading: the rows shown are the previous answer.
    #[prop(into)]
    stale: Signal<bool>,
    /// An emulation is starting.
    #[prop(into)]
    busy: Signal<bool>,
    /// The agent chose a row (its name or a shortcut).
    #[prop(into)]
    on_choose: Callback<(CustomerSearchEntry, RowAction)>,
) -> impl IntoView {
    view! {
        <table
            class="asm-list-table"
            class:asm-stale=move || stale.get()
            aria-label=move || label.get()
            aria-busy=move || stale.get().to_string()
        >
            <thead>
                <tr>
                    <th scope="col">{tr(Msg::ColCustomer)}</th>
                    <th scope="col">{tr(Msg::FieldEmail)}</th>
                    <th scope="col">{tr(Msg::ColPhone)}</th>
                    <th scope="col">{tr(Msg::ColCart)}</th>
                    <th scope="col">{tr(Msg::ColOrders)}</th>
                    <th scope="col">"360°"</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || entries.get()
                    // The whole entry: a row changes when anything it shows does.
                    key=|e| crate::json::to_string(e).unwrap_or_default()
                    children=move |entry| view! { <CustomerListRow entry busy on_choose /> }
                />
            </tbody>
        </table>
    }
}
