//! The Customer 360° header: name, e-mail, town, signed-up date, active cart, latest order and
//! latest open ticket (the `overview` fragment).

use super::fragments::{Fragments, Section};
use crate::customer360::format::{date, money};
use asm_types::{C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The header of one customer's 360° view.
#[component]
pub fn Header(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, &[(Fragment::Overview, None)]);
    view! {
        <div class="asm-c360-header">
            <Section
                title="Customer"
                fragments
                kind=Fragment::Overview
                render=|data| {
                    let C360FragmentData::Overview(o) = data else {
                        return view! { <p class="asm-muted">"No overview."</p> }.into_any();
                    };
                    let town = if o.country.is_empty() {
                        o.town.clone()
                    } else {
                        format!("{}, {}", o.town, o.country)
                    };
                    let cart = o
                        .active_cart
                        .map(|c| {
                            format!(
                                "{} · {} item{} · {}",
                                c.code,
                                c.total_items,
                                if c.total_items == 1 { "" } else { "s" },
                                money(&c.total),
                            )
                        })
                        .unwrap_or_else(|| "None".into());
                    let order = o
                        .latest_order
                        .map(|x| format!("{} · {} · {}", x.code, money(&x.total), date(&x.placed)))
                        .unwrap_or_else(|| "None".into());
                    let ticket = o
                        .latest_open_ticket
                        .map(|t| format!("{} · {} · {}", t.id, t.subject, t.status))
                        .unwrap_or_else(|| "None".into());
                    view! {
                        <dl class="asm-c360-facts">
                            <div><dt>"Name"</dt><dd class="asm-c360-name">{o.name}</dd></div>
                            <div><dt>"E-mail"</dt><dd class="asm-c360-email">{o.email}</dd></div>
                            <div><dt>"Town"</dt><dd>{town}</dd></div>
                            <div><dt>"Signed up"</dt><dd>{date(&o.signed_up_date)}</dd></div>
                            <div><dt>"Active cart"</dt><dd class="asm-c360-active-cart">{cart}</dd></div>
                            <div><dt>"Latest order"</dt><dd class="asm-c360-latest-order">{order}</dd></div>
                            <div><dt>"Open ticket"</dt><dd class="asm-c360-open-ticket">{ticket}</dd></div>
                        </dl>
                    }
                        .into_any()
                }
            />
        </div>
    }
}
