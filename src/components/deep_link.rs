//! A deep link (`?asm=true&customerId=…&orderId=…`) waiting for the agent: before sign-in a
//! note that it opens afterwards; once signed in "Link: open customer …" with the reason and
//! Start (started at once when the link names a ticket, which is the reason); while emulating
//! someone else a question before switching. On success the storefront is told what to open
//! (`asm:navigate`); a refused link says why and is dropped with "Dismiss".

use crate::api::ApiError;
use crate::deeplink::{CartToSave, DeepLink, SAVE_KEY, STORAGE_KEY};
use crate::host::{self, event, target};
use crate::i18n::{tr, I18n, Msg};
use crate::state::{use_asm, Asm};
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Why the last start failed.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkFailure {
    /// What to tell the agent.
    pub message: String,
    /// The server refused the link itself (unknown or protected customer, foreign cart): it
    /// cannot work, only "Dismiss" is offered.
    pub refused: bool,
}

/// The pending deep link, shared by the bar and the panel (provided by [`provide_pending_link`]).
#[derive(Clone, Copy)]
pub struct PendingLink {
    /// The link, until it is started or dismissed.
    pub link: RwSignal<Option<DeepLink>>,
    /// A start is in flight.
    pub starting: RwSignal<bool>,
    /// The last start's failure.
    pub failure: RwSignal<Option<LinkFailure>>,
    /// The inactive cart an opened link offers to save for later (the bind-cart form shows it).
    pub cart_to_save: RwSignal<Option<CartToSave>>,
    /// The link was started by itself once (a ticket link): not again.
    auto_started: StoredValue<bool>,
}

/// Reads the deep link once: from the page's address (then removed from it, so a reload does
/// not start it again, and kept in this tab's storage until it is used) or, failing that, from
/// the tab's storage (a reload before sign-in). A ticket link pre-fills the emulation reason.
pub fn provide_pending_link(asm: Asm) -> PendingLink {
    let search = host::location_search();
    let link = match DeepLink::parse(&search) {
        Some(link) => {
            host::store(STORAGE_KEY, Some(&link.to_json()));
            host::replace_search(&crate::deeplink::strip_params(&search));
            Some(link)
        }
        None => host::stored(STORAGE_KEY).and_then(|json| DeepLink::from_json(&json)),
    };
    if let Some(reason) = link.as_ref().and_then(DeepLink::reason) {
        if asm.reason.get_untracked().trim().is_empty() {
            asm.reason.set(reason);
        }
    }
    let pending = PendingLink {
        link: RwSignal::new(link),
        starting: RwSignal::new(false),
        failure: RwSignal::new(None),
        cart_to_save: RwSignal::new(
            host::stored(SAVE_KEY).and_then(|s| CartToSave::from_stored(&s)),
        ),
        auto_started: StoredValue::new(false),
    };
    // The offer to save an inactive cart ends with its customer's emulation (by hand, by a
    // switch; not with a reload).
    Effect::new(move |_| {
        let customer = asm
            .emulation
            .with(|e| e.as_ref().map(|e| e.customer_id.clone()));
        let other = pending.cart_to_save.with_untracked(|c| {
            c.as_ref()
                .is_some_and(|c| Some(&c.customer_id) != customer.as_ref())
        });
        if !asm.restoring.get() && other {
            pending.forget_cart_to_save();
        }
    });
    provide_context(pending);
    pending
}

/// The link provided by [`provide_pending_link`].
pub fn use_pending_link() -> PendingLink {
    expect_context::<PendingLink>()
}

impl PendingLink {
    /// Forgets the link (shown and stored).
    pub fn clear(&self) {
        host::store(STORAGE_KEY, None);
        self.link.set(None);
        self.failure.set(None);
    }

    /// The link's emulation is on: offers its inactive cart for saving (kept over the
    /// storefront's navigation) and tells the storefront what to open.
    fn opened(&self, link: &DeepLink) {
        if let Some(save) = link.cart_to_save() {
            host::store(SAVE_KEY, Some(&save.to_stored()));
            self.cart_to_save.set(Some(save));
        }
        navigate(link);
    }

    /// Forgets the inactive cart offered for saving.
    pub fn forget_cart_to_save(&self) {
        host::store(SAVE_KEY, None);
        self.cart_to_save.set(None);
    }

    /// Whether a link waits.
    pub fn is_pending(&self) -> bool {
        self.link.with(Option::is_some)
    }

    /// Starts the link's emulation with the agent's reason; on success tells the storefront
    /// what to open and forgets the link.
    pub fn start(self, asm: Asm) {
        let Some(link) = self.link.get_untracked() else {
            return;
        };
        if self.starting.get_untracked() {
            return;
        }
        if asm.reason.get_untracked().trim().is_empty() {
            self.failure.set(Some(LinkFailure {
                message: asm.i18n.t(Msg::LinkReasonNeeded),
                refused: false,
            }));
            return;
        }
        self.starting.set(true);
        self.failure.set(None);
        spawn_local(async move {
            match asm.emulate(&link.customer_id, link.session_cart()).await {
                Ok(()) => {
                    self.clear();
                    self.opened(&link);
                }
                // Signed out (the bar shows why): the link waits for the next sign-in.
                Err(e) if e.session_ended() => {}
                Err(e) => {
                    let refused = matches!(e, ApiError::Status { status, .. } if (400..500).contains(&status));
                    if refused {
                        // It cannot work: not even a reload brings it back.
                        host::store(STORAGE_KEY, None);
                    }
                    self.failure.set(Some(LinkFailure {
                        message: asm
                            .i18n
                            .link_failed(&link.customer_id, &e.message_in(asm.i18n)),
                        refused,
                    }));
                }
            }
            self.starting.set(false);
        });
    }
}

/// Tells the storefront to open the link's target, if it has one.
fn navigate(link: &DeepLink) {
    if let Some((target, id)) = link.target() {
        host::emit(
            event::NAVIGATE,
            &[
                ("target", Some(target)),
                ("id", Some(id)),
                ("customerId", Some(&link.customer_id)),
            ],
        );
    }
}

/// "customer C-1", "customer C-1, order 5001", …
fn describe(i18n: I18n, link: &DeepLink) -> String {
    let customer = &link.customer_id;
    match link.target() {
        Some((target::ORDER, id)) => i18n.link_customer_order(customer, id),
        Some((target::CART, id)) => i18n.link_customer_cart(customer, id),
        Some((target::TICKET, id)) => i18n.link_customer_ticket(customer, id),
        _ => i18n.link_customer(customer),
    }
}

crate::split_fn!(
    deep_link,
    preload_deep_link,
    /// The deep-link panel, from its chunk.
    pub fn deep_link_view() -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <DeepLinkPanel /> }.into_any())
    }
);

/// The pending deep link in the bar (nothing when there is none).
#[component]
pub fn DeepLinkPanel() -> impl IntoView {
    let asm = use_asm();
    let pending = use_pending_link();
    let signed_in = move || asm.agent.with(Option::is_some);
    // The customer emulated now, when it is not the link's.
    let other = move || {
        let link_customer = pending
            .link
            .with(|l| l.as_ref().map(|l| l.customer_id.clone()));
        asm.emulation.with(|e| {
            e.as_ref()
                .filter(|e| Some(&e.customer_id) != link_customer.as_ref())
                .map(|e| e.customer_name.clone())
        })
    };

    // Once signed in: the link's customer is already emulated → just open the target; a
    // ticket link (its reason is known) with nobody emulated → start at once.
    Effect::new(move |_| {
        if asm.restoring.get() || !signed_in() {
            return;
        }
        let Some(link) = pending.link.get() else {
            return;
        };
        let emulated = asm
            .emulation
            .with(|e| e.as_ref().map(|e| e.customer_id.clone()));
        if emulated.as_deref() == Some(link.customer_id.as_str()) {
            pending.clear();
            pending.opened(&link);
        } else if emulated.is_none()
            && link.ticket_id.is_some()
            && !pending.auto_started.get_value()
        {
            pending.auto_started.set_value(true);
            pending.start(asm);
        }
    });

    let start = move |_| pending.start(asm);
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            pending.start(asm);
        }
    };
    let refused = move || {
        pending
            .failure
            .with(|f| f.as_ref().is_some_and(|f| f.refused))
    };
    let title = move || {
        pending.link.with(|l| {
            l.as_ref()
                .map(|l| describe(asm.i18n, l))
                .unwrap_or_default()
        })
    };

    view! {
        <Show when=move || pending.is_pending() && !asm.restoring.get()>
            <div class="asm-deep-link" role="group" aria-labelledby="asm-deep-link-title">
                <p id="asm-deep-link-title" class="asm-deep-link-title">
                    {move || {
                        if signed_in() {
                            asm.i18n.link_title_now(&title())
                        } else {
                            asm.i18n.link_title_later(&title())
                        }
                    }}
                </p>
                <Show when=move || signed_in() && !refused()>
                    <Show when=move || other().is_some()>
                        <p class="asm-deep-link-switch">
                            {move || {
                                asm.i18n.link_switch_warning(&other().unwrap_or_default())
                            }}
                        </p>
                    </Show>
                    <label class="asm-label" for="asm-link-reason">
                        {tr(Msg::ReasonLabel)}
                    </label>
                    <input
                        id="asm-link-reason"
                        class="asm-input"
                        type="text"
                        autocomplete="off"
                        maxlength="500"
                        required
                        placeholder=tr(Msg::ReasonPlaceholder)
                        prop:value=move || asm.reason.get()
                        on:input=move |ev| asm.reason.set(event_target_value(&ev))
                        on:keydown=on_keydown
                    />
                    <button
                        type="button"
                        class="asm-button asm-primary asm-deep-link-start"
                        aria-disabled=move || pending.starting.get().to_string()
                        on:click=start
                    >
                        {move || {
                            asm.i18n.t(if pending.starting.get() {
                                Msg::Starting
                            } else if other().is_some() {
                                Msg::SwitchCustomer
                            } else {
                                Msg::Start
                            })
                        }}
                    </button>
                </Show>
                <button
                    type="button"
                    class="asm-button asm-deep-link-dismiss"
                    on:click=move |_| pending.clear()
                >
                    {tr(Msg::Dismiss)}
                </button>
                <Show when=move || pending.failure.with(Option::is_some)>
                    <p class="asm-error asm-deep-link-error" role="alert">
                        {move || pending.failure.with(|f| f.as_ref().map(|f| f.message.clone()))}
                    </p>
                </Show>
            </div>
        </Show>
    }
}
