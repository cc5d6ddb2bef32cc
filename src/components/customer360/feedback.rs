//! Feedback tab: support tickets and product reviews with their ratings.

use super::fragments::{Fragments, Section};
use crate::customer360::format::date;
use crate::customer360::Tab;
use asm_types::{C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;

/// The feedback tab of one customer.
#[component]
pub fn FeedbackTab(customer_id: String) -> impl IntoView {
    let fragments = Fragments::new(customer_id, Tab::Feedback.queries());
    view! {
        <Section
            title="Support tickets and reviews"
            fragments
            kind=Fragment::Feedback
            render=|data| {
                let C360FragmentData::Feedback(f) = data else {
                    return ().into_any();
                };
                view! {
                    <h4>{format!("Support tickets ({})", f.ticket_count)}</h4>
                    {if f.tickets.is_empty() {
                        view! { <p class="asm-empty">"No support tickets."</p> }.into_any()
                    } else {
                        view! {
                            <table class="asm-table asm-c360-tickets">
                                <thead>
                                    <tr>
                                        <th scope="col">"ID"</th>
                                        <th scope="col">"Subject"</th>
                                        <th scope="col">"Category"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Created"</th>
                                        <th scope="col">"Updated"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {f
                                        .tickets
                                        .into_iter()
                                        .map(|t| {
                                            view! {
                                                <tr>
                                                    <td>{t.id}</td>
                                                    <td>{t.subject}</td>
                                                    <td>{t.category}</td>
                                                    <td>{t.status}</td>
                                                    <td>{date(&t.created)}</td>
                                                    <td>{date(&t.updated)}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        }
                            .into_any()
                    }}
                    <h4>{format!("Product reviews ({})", f.review_count)}</h4>
                    {if f.reviews.is_empty() {
                        view! { <p class="asm-empty">"No product reviews."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="asm-c360-list asm-c360-reviews">
                                {f
                                    .reviews
                                    .into_iter()
                                    .map(|r| {
                                        let stars = r.rating.min(5) as usize;
                                        let label = format!("{stars} of 5 stars");
                                        view! {
                                            <li>
                                                <span class="asm-name">{r.product_name}</span>
                                                " "
                                                <span class="asm-c360-stars" role="img" aria-label=label>
                                                    {"★".repeat(stars)}{"☆".repeat(5 - stars)}
                                                </span>
                                                " · " {date(&r.created)}
                                                <br />
                                                <strong>{r.headline}</strong>
                                                " – "
                                                {r.comment}
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
