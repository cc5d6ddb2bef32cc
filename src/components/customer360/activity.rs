//! Activity tab: carts, orders and tickets in one table (type, id, description, status,
//! created, updated), sortable by any column and paged in the browser. A row's "Open" asks the
//! storefront to show that cart, order or ticket (while this customer is emulated). Sorting and
//! paging redraw only the rows and the page label, so the focused header or pager button stays.

use super::fragments::{Fragments, Section};
use super::open_in_storefront::{emulating, OpenInStorefront};
use crate::customer360::format::date;
use crate::customer360::{type_msg, ActivityColumn, ActivitySort, Paging, Tab, ACTIVITY_PAGE_SIZE};
use crate::host::target;
use crate::i18n::{current as i18n, Msg};
use asm_types::{
    C360ActivityEntry, C360ActivityType, C360FragmentData, Customer360FragmentType as Fragment,
};
use leptos::prelude::*;

/// The activity tab of one customer.
#[component]
pub fn ActivityTab(customer_id: String) -> impl IntoView {
    let emulated = emulating(customer_id.clone());
    let fragments = Fragments::new(customer_id.clone(), Tab::Activity.queries());
    let sort = RwSignal::new(ActivitySort::default());
    let page = RwSignal::new(0_usize);
    let customer = StoredValue::new(customer_id);
    view! {
        <Section
            title=Msg::TabActivity
            fragments
            kind=Fragment::Activity
            render=move |data| {
                let C360FragmentData::Activity(a) = data else {
                    return ().into_any();
                };
                if a.entries.is_empty() {
                    return view! { <p class="asm-empty">{i18n().t(Msg::NoActivity)}</p> }.into_any();
                }
                let total = a.entries.len();
                let more = (a.total_count as usize > total)
                    .then(|| {
                        let n = |n: f64| crate::i18n::number(i18n().locale_untracked(), n);
                        i18n().activity_more(&n(total as f64), &n(a.total_count as f64))
                    });
                let entries = StoredValue::new(a.entries);
                let paging = move || Paging { page: page.get(), total, size: ACTIVITY_PAGE_SIZE }.clamped();
                let rows = move || {
                    let mut rows: Vec<C360ActivityEntry> = entries.get_value();
                    sort.get().sort(&mut rows);
                    let shown = rows[paging().range()].to_vec();
                    shown
                        .into_iter()
                        .map(|e| row(e, customer.get_value(), emulated))
                        .collect_view()
                };
                view! {
                    <table class="asm-table asm-c360-activity">
                        <thead>
                            <tr>
                                {ActivityColumn::ALL
                                    .into_iter()
                                    .map(|col| {
                                        view! {
                                            <th scope="col" aria-sort=move || sort.get().aria(col)>
                                                <button
                                                    type="button"
                                                    class="asm-button asm-link asm-sort"
                                                    id=format!("asm-c360-sort-{}", col.id())
                                                    on:click=move |_| {
                                                        sort.update(|x| *x = x.clicked(col));
                                                        page.set(0);
                                                    }
                                                >
                                                    {i18n().t(col.label())}
                                                </button>
                                            </th>
                                        }
                                    })
                                    .collect_view()}
                                <th scope="col"><span class="asm-visually-hidden">{i18n().t(Msg::Open)}</span></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                    <div class="asm-pager">
                        <button
                            type="button"
                            class="asm-button"
                            id="asm-c360-prev"
                            disabled=move || paging().page == 0
                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))
                        >
                            {i18n().t(Msg::Previous)}
                        </button>
                        <span class="asm-page-label" aria-live="polite">{move || paging().label(i18n())}</span>
                        <button
                            type="button"
                            class="asm-button"
                            id="asm-c360-next"
                            disabled=move || { let p = paging(); p.page + 1 >= p.pages() }
                            on:click=move |_| page.set(paging().page + 1)
                        >
                            {i18n().t(Msg::Next)}
                        </button>
                    </div>
                    {more.map(|m| view! { <p class="asm-muted">{m}</p> })}
                }
                    .into_any()
            }
        />
    }
}

/// One row of the table.
fn row(e: C360ActivityEntry, customer_id: String, emulated: Signal<bool>) -> impl IntoView {
    let to = match e.kind {
        C360ActivityType::Cart | C360ActivityType::SavedCart => target::CART,
        C360ActivityType::Order => target::ORDER,
        C360ActivityType::Ticket => target::TICKET,
    };
    let label = i18n().open_kind_id(&e.id, &i18n().t(type_msg(&e)));
    let id = e.id.clone();
    view! {
        <tr>
            <td>{i18n().t(type_msg(&e))}</td>
            <td>{e.id}</td>
            <td>{e.description}</td>
            <td>{e.status}</td>
            <td>{date(&e.created)}</td>
            <td>{date(&e.updated)}</td>
            <td>
                <OpenInStorefront customer_id emulated target=to id label />
            </td>
        </tr>
    }
}
