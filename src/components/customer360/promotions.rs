//! Promotions tab: cart coupons the agent can apply to or remove from the customer's active
//! cart; order promotions (applied or not); customer coupons, searchable, to assign or
//! unassign. Acting needs this customer to be emulated (the server enforces it too); after each
//! action the tab reloads and the storefront is told that the customer's data changed.

use super::fragments::{Fragments, Section};
use crate::customer360::format::{date, expiry, money};
use crate::customer360::{voucher_gives, Expiry, Tab};
use crate::host::{self, event};
use crate::i18n::{current as i18n, Msg};
use crate::state::use_asm;
use asm_types::{C360CouponStatus, C360FragmentData, Customer360FragmentType as Fragment};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// An action on a coupon.
#[derive(Clone, Debug)]
enum Action {
    Apply(String, String),
    Remove(String, String),
    Assign(String),
    Unassign(String),
}

/// The promotions tab of one customer.
#[component]
pub fn PromotionsTab(customer_id: String) -> impl IntoView {
    let asm = use_asm();
    let emulated = {
        let id = customer_id.clone();
        Signal::derive(move || {
            asm.emulation
                .with(|e| e.as_ref().is_some_and(|e| e.customer_id == id))
        })
    };
    let fragments = Fragments::new(customer_id.clone(), Tab::Promotions.queries());
    let customer = StoredValue::new(customer_id);
    let busy = RwSignal::new(false);
    let message = RwSignal::new(None::<(bool, String)>);
    let filter = RwSignal::new(String::new());

    let act = move |action: Action| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        message.set(None);
        let customer_id = customer.get_value();
        spawn_local(async move {
            let api = asm.api();
            let (result, done, what) = match &action {
                Action::Apply(cart, code) => (
                    api.apply_voucher(&customer_id, cart, code).await,
                    i18n().coupon_applied(cart, code),
                    "cart",
                ),
                Action::Remove(cart, code) => (
                    api.remove_voucher(&customer_id, cart, code).await,
                    i18n().coupon_removed(cart, code),
                    "cart",
                ),
                Action::Assign(code) => (
                    api.assign_coupon(&customer_id, code, true).await,
                    i18n().coupon_assigned(code),
                    "coupons",
                ),
                Action::Unassign(code) => (
                    api.assign_coupon(&customer_id, code, false).await,
                    i18n().coupon_unassigned(code),
                    "coupons",
                ),
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    message.set(Some((false, done)));
                    host::emit(
                        event::CUSTOMER_CHANGED,
                        &[("customerId", Some(&customer_id)), ("what", Some(what))],
                    );
                    fragments.load();
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => message.set(Some((true, e.message_in(i18n())))),
            }
        });
    };
    let disabled = move || busy.get() || !emulated.get();

    view! {
        <Show when=move || !emulated.get()>
            <p class="asm-notice" role="note">
                {i18n().t(Msg::CouponsNeedEmulation)}
            </p>
        </Show>
        {move || {
            message
                .get()
                .map(|(failed, text)| {
                    if failed {
                        view! { <p class="asm-error" role="alert">{text}</p> }.into_any()
                    } else {
                        view! { <p class="asm-success" role="status">{text}</p> }.into_any()
                    }
                })
        }}
        <Section
            title=Msg::CouponsAndPromotions
            fragments
            kind=Fragment::Promotions
            render=move |data| {
                let C360FragmentData::Promotions(p) = data else {
                    return ().into_any();
                };
                let cart = p.cart_code.clone();
                let subtotal = p
                    .cart_subtotal
                    .as_ref()
                    .map(|m| i18n().active_cart_subtotal(&cart.clone().unwrap_or_default(), &money(m)))
                    .unwrap_or_else(|| i18n().t(Msg::NoActiveCartCustomer));
                view! {
                    <p class="asm-c360-cart-summary">{subtotal}</p>
                    <h4>{i18n().t(Msg::CartCoupons)}</h4>
                    <ul class="asm-c360-list asm-c360-vouchers">
                        {p
                            .cart_vouchers
                            .into_iter()
                            .map(|v| {
                                let code = v.code.clone();
                                let cart = cart.clone();
                                let applied = v.applied;
                                let action = i18n().t(if applied { Msg::Remove } else { Msg::Apply });
                                let label = if applied {
                                    i18n().remove_coupon(&v.code)
                                } else {
                                    i18n().apply_coupon(&v.code)
                                };
                                let no_cart = cart.is_none();
                                view! {
                                    <li data-code=v.code.clone() class:asm-applied=applied>
                                        <span class="asm-name">{v.code.clone()}</span>
                                        " · " {v.name.clone()}
                                        {voucher_gives(i18n(), &v).map(|g| format!(" · {g}"))}
                                        {applied.then(|| format!(" · {}", i18n().t(Msg::CouponAppliedNote)))}
                                        {v.session_only.then(|| view! {
                                            " " <span class="asm-muted asm-c360-session-only">{i18n().t(Msg::SessionOnly)}</span>
                                        })}
                                        " "
                                        <button
                                            type="button"
                                            class="asm-button asm-c360-voucher-action"
                                            aria-label=label
                                            disabled=move || disabled() || no_cart
                                            on:click={
                                                let cart = cart.clone();
                                                move |_| {
                                                    if let Some(cart) = cart.clone() {
                                                        act(if applied {
                                                            Action::Remove(cart, code.clone())
                                                        } else {
                                                            Action::Apply(cart, code.clone())
                                                        });
                                                    }
                                                }
                                            }
                                        >
                                            {action}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <h4>{i18n().t(Msg::TabPromotions)}</h4>
                    <ul class="asm-c360-list asm-c360-promotions">
                        {p
                            .promotions
                            .into_iter()
                            .map(|x| {
                                let code = x.code.clone();
                                view! {
                                    <li data-code=code class:asm-applied=x.applied>
                                        <span class="asm-name">{x.code}</span>
                                        " · " {x.description}
                                        {x.threshold.as_ref().map(|t| format!(" · {}", i18n().from_amount(&money(t))))}
                                        {if x.applied { " · applied" } else { " · not applied" }}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        />
        <label class="asm-label" for="asm-c360-coupon-filter">{i18n().t(Msg::SearchCoupons)}</label>
        <input
            id="asm-c360-coupon-filter"
            class="asm-input"
            type="search"
            autocomplete="off"
            placeholder=i18n().t(Msg::CodeOrName)
            prop:value=move || filter.get_untracked()
            on:input=move |ev| filter.set(event_target_value(&ev))
        />
        <Section
            title=Msg::CustomerCoupons
            fragments
            kind=Fragment::Promotions
            render=move |data| {
                let C360FragmentData::Promotions(p) = data else {
                    return ().into_any();
                };
                let needle = crate::text::lower(filter.get().trim());
                let coupons: Vec<_> = p
                    .customer_coupons
                    .into_iter()
                    .filter(|c| {
                        needle.is_empty()
                            || crate::text::lower(&c.code).contains(&needle)
                            || crate::text::lower(&c.name).contains(&needle)
                    })
                    .collect();
                view! {
                    {if coupons.is_empty() {
                        view! { <p class="asm-empty">{i18n().t(Msg::NoCustomerCoupons)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="asm-c360-list asm-c360-coupons">
                                {coupons
                                    .into_iter()
                                    .map(|c| {
                                        let assigned = c.status == C360CouponStatus::Assigned;
                                        let code = c.code.clone();
                                        let action =
                                            i18n().t(if assigned { Msg::Unassign } else { Msg::Assign });
                                        let label = if assigned {
                                            i18n().unassign_coupon(&c.code)
                                        } else {
                                            i18n().assign_coupon(&c.code)
                                        };
                                        view! {
                                            <li data-code=c.code.clone() class:asm-applied=assigned>
                                                <span class="asm-name">{c.code.clone()}</span>
                                                " · " {c.name} {off(c.percent, &c.description)}
                                                {c.ends.as_deref().map(|e| format!(" · {}", i18n().until_date(&date(e))))}
                                                {format!(" · {}", i18n().t(if assigned { Msg::CouponAssignedNote } else { Msg::CouponAvailableNote }))}
                                                {c.ends.as_deref().and_then(expiry).map(|x| {
                                                    let expired = x == Expiry::Expired;
                                                    view! {
                                                        " · "
                                                        <span class="asm-c360-expiry" class:asm-expired=expired>
                                                            {x.text(i18n())}
                                                        </span>
                                                    }
                                                })}
                                                " "
                                                <button
                                                    type="button"
                                                    class="asm-button asm-c360-coupon-action"
                                                    aria-label=label
                                                    disabled=disabled
                                                    on:click=move |_| {
                                                        act(if assigned {
                                                            Action::Unassign(code.clone())
                                                        } else {
                                                            Action::Assign(code.clone())
                                                        })
                                                    }
                                                >
                                                    {action}
                                                </button>
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

/// " · what a coupon gives": its percentage when the backend says, else its description (SAP's
/// Customer 360° has no percentages); nothing when neither is known.
fn off(percent: Option<u32>, description: &str) -> Option<String> {
    match percent {
        Some(p) => Some(format!(" · {}", i18n().percent_off(&p.to_string()))),
        None if !description.trim().is_empty() => Some(format!(" · {}", description.trim())),
        None => None,
    }
}
