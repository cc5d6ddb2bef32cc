//! One customer of a list: the name button (emulate), e-mail, phone, the cart and orders
//! shortcuts, and the Customer 360° view. A customer who cannot be emulated shows why and nothing in the row works.

use super::RowAction;
use crate::components::use_customer360;
use crate::i18n::{tr, use_i18n, Msg};
use crate::lists::initials;
use crate::search::blocked_reason;
use asm_types::CustomerSearchEntry;
use leptos::prelude::*;

/// A row of the customer list table.
#[component]
pub fn CustomerListRow(
    /// The customer.
    entry: CustomerSearchEntry,
    /// An emulation is starting: the buttons wait.
    #[prop(into)]
    busy: Signal<bool>,
    /// The agent chose this customer (name) or a shortcut.
    #[prop(into)]
    on_choose: Callback<(CustomerSearchEntry, RowAction)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let blocked = entry
        .emulation_blocked
        .as_deref()
        .map(|kind| blocked_reason(i18n, kind));
    let is_blocked = blocked.is_some();
    let disabled = move || is_blocked || busy.get();
    let name = entry.name.clone();
    let avatar = initials(&name);
    let reason_id = format!("asm-row-blocked-{}", entry.customer_id);
    let cart = entry.last_cart_id.clone().map(|code| {
        let entry = entry.clone();
        let label = i18n.row_cart_label(&code, &entry.name);
        view! {
            <button
                type="button"
                class="asm-button asm-link asm-row-cart"
                aria-label=label
                disabled=disabled
                on:click=move |_| on_choose.run((entry.clone(), RowAction::Cart(code.clone())))
            >
                {tr(Msg::ColCart)}
            </button>
        }
    });
    let orders = entry.has_order.then(|| {
        let entry = entry.clone();
        let label = i18n.row_orders_label(&entry.name);
        view! {
            <button
                type="button"
                class="asm-button asm-link asm-row-orders"
                aria-label=label
                disabled=disabled
                on:click=move |_| on_choose.run((entry.clone(), RowAction::Orders))
            >
                {tr(Msg::ColOrders)}
            </button>
        }
    });
    let customer360 = use_customer360();
    let view_label = i18n.customer360_of(&entry.name);
    let (view_id, view_name) = (entry.customer_id.clone(), entry.name.clone());
    let email = entry.uid.clone();
    let phone = entry.phone.clone();
    let customer_id = entry.customer_id.clone();
    view! {
        <tr class="asm-list-row" class:asm-row-blocked=is_blocked data-customer-id=customer_id>
            <td>
                <button
                    type="button"
                    class="asm-button asm-link asm-row-name"
                    disabled=disabled
                    aria-describedby=blocked.as_ref().map(|_| reason_id.clone())
                    on:click=move |_| on_choose.run((entry.clone(), RowAction::Emulate))
                >
                    <span class="asm-avatar" aria-hidden="true">{avatar}</span>
                    <span class="asm-name">{name}</span>
                </button>
                {blocked.map(|why| view! { <span id=reason_id.clone() class="asm-blocked">{why}</span> })}
            </td>
            <td class="asm-email">{email}</td>
            <td class="asm-phone">{phone}</td>
            <td>{cart}</td>
            <td>{orders}</td>
            <td>
                <button
                    type="button"
                    class="asm-button asm-link asm-row-360"
                    aria-label=view_label
                    on:click=move |_| customer360.show(&view_id, &view_name)
                >
                    "360°"
                </button>
            </td>
        </tr>
    }
}
