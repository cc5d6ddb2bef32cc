//! Overview tab: the active cart and the last saved cart with their entries; product interests.
//! Each cart and each product has an "Open" that shows it in the storefront (while this customer
//! is emulated).

use super::fragments::{Fragments, Section};
use super::open_in_storefront::{emulating, OpenInStorefront};
use crate::customer360::format::{date, money};
use crate::customer360::Tab;
use crate::host::target;
use crate::i18n::{current as i18n, Msg};
use asm_types::{C360Cart, C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The overview tab of one customer.
#[component]
pub fn OverviewTab(customer_id: String) -> impl IntoView {
    let emulated = emulating(customer_id.clone());
    let fragments = Fragments::new(customer_id.clone(), Tab::Overview.queries());
    let customer = StoredValue::new(customer_id);
    view! {
        <Section
            title=Msg::ActiveCart
            fragments
            kind=Fragment::Cart
            render=move |d| cart(d, Msg::NoActiveCart, customer.get_value(), emulated)
        />
        <Section
            title=Msg::LastSavedCart
            fragments
            kind=Fragment::SavedCart
            render=move |d| cart(d, Msg::NoSavedCart, customer.get_value(), emulated)
        />
        <Section
            title=Msg::ProductInterests
            fragments
            kind=Fragment::ProductInterests
            render=move |data| {
                let C360FragmentData::ProductInterests(p) = data else {
                    return ().into_any();
                };
                if p.entries.is_empty() {
                    return view! { <p class="asm-empty">{i18n().t(Msg::NoInterests)}</p> }.into_any();
                }
                view! {
                    <ul class="asm-c360-list asm-c360-interests">
                        {p
                            .entries
                            .into_iter()
                            .map(|i| {
                                let label = i18n().open_named(&i.product_name);
                                view! {
                                    <li>
                                        <span class="asm-name">{i.product_name}</span>
                                        " · " {money(&i.price)} " · " {i.kind} " · since "
                                        {date(&i.created)} " "
                                        <OpenInStorefront
                                            customer_id=customer.get_value()
                                            emulated
                                            target=target::PRODUCT
                                            id=i.product_code
                                            label
                                        />
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        />
    }
}

fn cart(data: C360FragmentData, none: Msg, customer_id: String, emulated: Signal<bool>) -> AnyView {
    let cart: Option<C360Cart> = match data {
        C360FragmentData::Cart(c) | C360FragmentData::SavedCart(c) => c.cart,
        _ => None,
    };
    let Some(c) = cart else {
        return view! { <p class="asm-empty">{i18n().t(none)}</p> }.into_any();
    };
    let label = i18n().open_cart_code(&c.code);
    let id = c.code.clone();
    view! {
        <p class="asm-c360-cart-summary">
            {i18n().overview_cart(c.total_items as usize, &c.code, &money(&c.subtotal))}
            " · updated " {date(&c.modified)} " "
            <OpenInStorefront customer_id emulated target=target::CART id label />
        </p>
        <table class="asm-table">
            <thead>
                <tr>
                    <th scope="col">{i18n().t(Msg::ColProduct)}</th>
                    <th scope="col">{i18n().t(Msg::ColQty)}</th>
                    <th scope="col">{i18n().t(Msg::ColPrice)}</th>
                    <th scope="col">{i18n().t(Msg::ColTotal)}</th>
                </tr>
            </thead>
            <tbody>
                {c
                    .entries
                    .into_iter()
                    .map(|e| {
                        view! {
                            <tr>
                                <td>{e.product_name}</td>
                                <td>{e.quantity}</td>
                                <td>{money(&e.unit_price)}</td>
                                <td>{money(&e.total)}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
