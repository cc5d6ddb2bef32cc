//! Profile tab: billing and delivery addresses, phones, saved payment cards (masked by the
//! server: never more than the last four digits).

use super::fragments::{Fragments, Section};
use super::open_in_storefront::{emulating, OpenInStorefront};
use crate::customer360::Tab;
use crate::host::target;
use crate::i18n::{current as i18n, Msg};
use asm_types::{C360Address, C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The profile tab of one customer.
#[component]
pub fn ProfileTab(customer_id: String) -> impl IntoView {
    let emulated = emulating(customer_id.clone());
    let fragments = Fragments::new(customer_id.clone(), Tab::Profile.queries());
    let customer = StoredValue::new(customer_id);
    view! {
        <Section
            title=Msg::TabProfile
            fragments
            kind=Fragment::Profile
            render=move |data| {
                let C360FragmentData::Profile(p) = data else {
                    return ().into_any();
                };
                let phones = if p.phones.is_empty() { i18n().t(Msg::None) } else { p.phones.join(", ") };
                view! {
                    <div class="asm-c360-columns">
                        <div>
                            <h4>{i18n().t(Msg::BillingAddress)}</h4>
                            {address(p.billing_address)}
                        </div>
                        <div>
                            <h4>{i18n().t(Msg::DeliveryAddress)}</h4>
                            {address(p.delivery_address)}
                            <OpenInStorefront
                                customer_id=customer.get_value()
                                emulated
                                target=target::ADDRESSES
                                label=i18n().t(Msg::OpenAddressBook)
                            />
                        </div>
                        <div>
                            <h4>{i18n().t(Msg::Phones)}</h4>
                            <p class="asm-c360-phones">{phones}</p>
                        </div>
                    </div>
                    <h4>{i18n().t(Msg::PaymentCards)}</h4>
                    {if p.payment_cards.is_empty() {
                        view! { <p class="asm-empty">{i18n().t(Msg::NoCards)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="asm-c360-list asm-c360-cards">
                                {p
                                    .payment_cards
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <li>
                                                {c.brand} " " {c.masked_number} " · expires " {c.expiry}
                                                " · " {c.holder}
                                                {c.is_default.then_some(" · default")}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            }
        />
    }
}

fn address(a: Option<C360Address>) -> AnyView {
    match a {
        None => view! { <p class="asm-empty">{i18n().t(Msg::None)}</p> }.into_any(),
        Some(a) => view! {
            <address class="asm-c360-address">
                {a.line1} <br /> {a.postal_code} " " {a.town} <br /> {a.country}
                {a.phone.map(|p| view! { <br /> {p} })}
            </address>
        }
        .into_any(),
    }
}
