//! Store locations tab: stores near the customer's address, with opening hours.

use super::fragments::{Fragments, Section};
use crate::customer360::Tab;
use asm_types::{C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The store locations tab of one customer.
#[component]
pub fn StoresTab(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, Tab::Stores.queries());
    view! {
        <Section
            title="Stores near the customer"
            fragments
            kind=Fragment::StoreLocations
            render=|data| {
                let C360FragmentData::StoreLocations(s) = data else {
                    return ().into_any();
                };
                if s.stores.is_empty() {
                    return view! { <p class="asm-empty">"No stores near the customer."</p> }.into_any();
                }
                view! {
                    <p class="asm-muted">
                        {format!("Near {}, {} ({} stores in the country)", s.town, s.country, s.total_count)}
                    </p>
                    <table class="asm-table asm-c360-stores">
                        <thead>
                            <tr>
                                <th scope="col">"Store"</th>
                                <th scope="col">"Address"</th>
                                <th scope="col">"Opening hours"</th>
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
