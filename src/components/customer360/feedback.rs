//! Feedback tab: support tickets and product reviews with their ratings. A ticket's "Open" shows
//! it in the storefront, a review's shows its product (while this customer is emulated); what an
//! agent wrote for the customer is marked so.

use super::fragments::{Fragments, Section};
use super::open_in_storefront::{emulating, OpenInStorefront};
use crate::customer360::format::date;
use crate::customer360::Tab;
use crate::host::target;
use crate::i18n::{current as i18n, Msg};
use asm_types::{C360FragmentData, C360Review, C360Ticket, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The feedback tab of one customer.
#[component]
pub fn FeedbackTab(customer_id: String) -> impl IntoView {
    let emulated = emulating(customer_id.clone());
    let fragments = Fragments::new(customer_id.clone(), Tab::Feedback.queries());
    let customer = StoredValue::new(customer_id);
    view! {
        <Section
            title=Msg::TicketsAndReviews
            fragments
            kind=Fragment::Feedback
            render=move |data| {
                let C360FragmentData::Feedback(f) = data else {
                    return ().into_any();
                };
                view! {
                    <h4>{i18n().tickets_count(&f.ticket_count.to_string())}</h4>
                    {if f.tickets.is_empty() {
                        view! { <p class="asm-empty">{i18n().t(Msg::NoTickets)}</p> }.into_any()
                    } else {
                        view! {
                            <table class="asm-table asm-c360-tickets">
                                <thead>
                                    <tr>
                                        <th scope="col">{i18n().t(Msg::ColId)}</th>
                                        <th scope="col">{i18n().t(Msg::ColSubject)}</th>
                                        <th scope="col">{i18n().t(Msg::ColCategory)}</th>
                                        <th scope="col">{i18n().t(Msg::ColStatus)}</th>
                                        <th scope="col">{i18n().t(Msg::ColCreated)}</th>
                                        <th scope="col">{i18n().t(Msg::ColUpdated)}</th>
                                        <th scope="col"><span class="asm-visually-hidden">{i18n().t(Msg::Open)}</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {f
                                        .tickets
                                        .into_iter()
                                        .map(|t| ticket_row(t, customer.get_value(), emulated))
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                    <h4>{i18n().reviews_count(&f.review_count.to_string())}</h4>
                    {if f.reviews.is_empty() {
                        view! { <p class="asm-empty">{i18n().t(Msg::NoReviews)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="asm-c360-list asm-c360-reviews">
                                {f
                                    .reviews
                                    .into_iter()
                                    .map(|r| review_item(r, customer.get_value(), emulated))
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

/// "(by an agent)" after what an agent wrote for the customer.
fn agent_mark(added_by_agent: bool) -> Option<impl IntoView> {
    added_by_agent
        .then(|| view! { " " <span class="asm-muted asm-c360-by-agent">"(by an agent)"</span> })
}

/// One ticket of the table.
fn ticket_row(t: C360Ticket, customer_id: String, emulated: Signal<bool>) -> impl IntoView {
    let label = i18n().open_ticket_id(&t.id);
    let id = t.id.clone();
    view! {
        <tr>
            <td>{t.id}</td>
            <td>{t.subject} {agent_mark(t.added_by_agent)}</td>
            <td>{t.category}</td>
            <td>{t.status}</td>
            <td>{date(&t.created)}</td>
            <td>{date(&t.updated)}</td>
            <td>
                <OpenInStorefront customer_id emulated target=target::TICKET id label />
            </td>
        </tr>
    }
}

/// One review of the list.
fn review_item(r: C360Review, customer_id: String, emulated: Signal<bool>) -> impl IntoView {
    let stars = r.rating.min(5) as usize;
    let stars_label = i18n().stars(stars);
    let label = i18n().open_named(&r.product_name);
    view! {
        <li>
            <span class="asm-name">{r.product_name}</span>
            " "
            <span class="asm-c360-stars" role="img" aria-label=stars_label>
                {"★".repeat(stars)}{"☆".repeat(5 - stars)}
            </span>
            " · " {date(&r.created)} {agent_mark(r.added_by_agent)} " "
            <OpenInStorefront customer_id emulated target=target::PRODUCT id=r.product_code label />
            <br />
            <strong>{r.headline}</strong>
            " – "
            {r.comment}
        </li>
    }
}
