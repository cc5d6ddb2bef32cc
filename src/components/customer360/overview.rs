//! Overview tab: the active cart and the last saved cart with their entries; product interests.

use super::fragments::{Fragments, Section};
use crate::customer360::format::{date, money};
use crate::customer360::Tab;
use asm_types::{C360Cart, C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The overview tab of one customer.
#[component]
pub fn OverviewTab(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, Tab::Overview.queries());
    view! {
        <Section title="Active cart" fragments kind=Fragment::Cart render=|d| cart(d, "No active cart.") />
        <Section title="Last saved cart" fragments kind=Fragment::SavedCart render=|d| cart(d, "No saved cart.") />
        <Section
            title="Product interests"
            fragments
            kind=Fragment::ProductInterests
            render=|data| {
                let C360FragmentData::ProductInterests(p) = data else {
                    return ().into_any();
                };
                if p.entries.is_empty() {
                    return view! { <p class="asm-empty">"No product interests."</p> }.into_any();
                }
                view! {
                    <ul class="asm-c360-list asm-c360-interests">
                        {p
                            .entries
                            .into_iter()
                            .map(|i| {
                                view! {
                                    <li>
                                        <span class="asm-name">{i.product_name}</span>
                                        " · " {money(&i.price)} " · " {i.kind} " · since "
                                        {date(&i.created)}
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

fn cart(data: C360FragmentData, none: &'static str) -> AnyView {
    let cart: Option<C360Cart> = match data {
        C360FragmentData::Cart(c) | C360FragmentData::SavedCart(c) => c.cart,
        _ => None,
    };
    let Some(c) = cart else {
        return view! { <p class="asm-empty">{none}</p> }.into_any();
    };
    view! {
        <p class="asm-c360-cart-summary">
            "Cart " {c.code.clone()} " · " {c.total_items} " items · " {money(&c.subtotal)}
            " · updated " {date(&c.modified)}
        </p>
        <table class="asm-table">
            <thead>
                <tr>
                    <th scope="col">"Product"</th>
                    <th scope="col">"Qty"</th>
                    <th scope="col">"Price"</th>
                    <th scope="col">"Total"</th>
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
