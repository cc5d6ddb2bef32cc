//! The Customer 360° header: name, e-mail, town, signed-up date, active cart, latest order and
//! latest open ticket (the `overview` fragment).

use super::fragments::{Fragments, Section};
use crate::customer360::format::{date, money};
use crate::i18n::{current as i18n, Msg};
use asm_types::{C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The header of one customer's 360° view.
#[component]
pub fn Header(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, &[(Fragment::Overview, None)]);
    view! {
        <div class="asm-c360-header">
            <Section
                title=Msg::ColCustomer
                fragments
                kind=Fragment::Overview
                render=|data| {
                    let C360FragmentData::Overview(o) = data else {
                        return view! { <p class="asm-muted">{i18n().t(Msg::NoOverview)}</p> }.into_any();
                    };
                    let town = if o.country.is_empty() {
                        o.town.clone()
                    } else {
                        format!("{}, {}", o.town, o.country)
                    };
                    let cart = o
                        .active_cart
                        .map(|c| {
                            i18n().header_cart(c.total_items as usize, &c.code, &money(&c.total))
                        })
                        .unwrap_or_else(|| i18n().t(Msg::None));
                    let order = o
                        .latest_order
                        .map(|x| format!("{} · {} · {}", x.code, money(&x.total), date(&x.placed)))
                        .unwrap_or_else(|| i18n().t(Msg::None));
                    let ticket = o
                        .latest_open_ticket
                        .map(|t| format!("{} · {} · {}", t.id, t.subject, t.status))
                        .unwrap_or_else(|| i18n().t(Msg::None));
                    view! {
                        <dl class="asm-c360-facts">
                            <div><dt>{i18n().t(Msg::ColName)}</dt><dd class="asm-c360-name">{o.name}</dd></div>
                            <div><dt>{i18n().t(Msg::FieldEmail)}</dt><dd class="asm-c360-email">{o.email}</dd></div>
                            <div><dt>{i18n().t(Msg::ColTown)}</dt><dd>{town}</dd></div>
                            <div><dt>{i18n().t(Msg::SignedUp)}</dt><dd>{date(&o.signed_up_date)}</dd></div>
                            <div><dt>{i18n().t(Msg::ActiveCart)}</dt><dd class="asm-c360-active-cart">{cart}</dd></div>
                            <div><dt>{i18n().t(Msg::LatestOrder)}</dt><dd class="asm-c360-latest-order">{order}</dd></div>
                            <div><dt>{i18n().t(Msg::OpenTicket)}</dt><dd class="asm-c360-open-ticket">{ticket}</dd></div>
                        </dl>
                    }
                        .into_any()
                }
            />
        </div>
    }
}
