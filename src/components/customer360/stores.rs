//! Store locations tab: stores near the customer's address, with opening hours.

use super::fragments::{Fragments, Section};
use crate::customer360::Tab;
use crate::i18n::{current as i18n, Msg};
use asm_types::{C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The store locations tab of one customer.
#[component]
pub fn StoresTab(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, Tab::Stores.queries());
    view! {
        <Section
            title=Msg::StoresNear
            fragments
            kind=Fragment::StoreLocations
            render=|data| {
                let C360FragmentData::StoreLocations(s) = data else {
                    return ().into_any();
                };
                if s.stores.is_empty() {
                    return view! { <p class="asm-empty">{i18n().t(Msg::NoStores)}</p> }.into_any();
                }
                view! {
                    <p class="asm-muted">
                        {i18n().stores_near_count(s.total_count as usize, &s.country, &s.town)}
                    </p>
                    <table class="asm-table asm-c360-stores">
                        <thead>
                            <tr>
                                <th scope="col">{i18n().t(Msg::ColStore)}</th>
                                <th scope="col">{i18n().t(Msg::ColAddress)}</th>
                                <th scope="col">{i18n().t(Msg::OpeningHours)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {s
                                .stores
                                .into_iter()
                                .map(|st| {
                                    view! {
                                        <tr>
                                            <td>
                                                {st.display_name}
                                                {st.in_customer_town.then_some(" (in town)")}
                                            </td>
                                            <td>{format!("{}, {}, {}", st.line1, st.town, st.country)}</td>
                                            <td>{st.opening_hours}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                    .into_any()
            }
        />
    }
}
