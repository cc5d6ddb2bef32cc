//! The overlay's shared state (agent, emulation, session clock) as a small context type, with
//! the transitions that keep it, the server and the host page in step.

use crate::api::{Api, ApiError};
use crate::clock::SessionClock;
use crate::host::{self, event};
use crate::i18n::{I18n, Msg};
use asm_types::{Agent, AgentSession, AssistedSession};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The overlay's state, shared by every component through context.
#[derive(Clone, Copy)]
pub struct Asm {
    /// The overlay's language.
    pub i18n: I18n,
    /// The middleware client.
    pub api: StoredValue<Api>,
    /// True until the first `GET /agents/me` answered.
    pub restoring: RwSignal<bool>,
    /// The signed-in agent.
    pub agent: RwSignal<Option<Agent>>,
    /// The emulation in progress.
    pub emulation: RwSignal<Option<AssistedSession>>,
    /// When the agent session ends.
    pub clock: RwSignal<Option<SessionClock>>,
    /// A notice for the agent above the sign-in form (e.g. the session timed out).
    pub notice: RwSignal<Option<String>>,
    /// The reason the agent gave for the next emulation (ticket id or note), shared by every
    /// place that starts one (search, customer lists, create customer, deep links).
    pub reason: RwSignal<String>,
    /// This tab's end of the channel to the overlays in the browser's other tabs.
    pub tabs: StoredValue<Option<web_sys::BroadcastChannel>, LocalStorage>,
    /// What the bar's live region says to screen readers (the result of the agent's last step).
    pub announcement: RwSignal<String>,
    /// Where focus goes once the view the agent's last step opened is there.
    pub focus: RwSignal<Option<Focus>>,
    /// The customer whose emulation the agent's last step ended (the desk confirms it).
    pub ended: RwSignal<Option<String>>,
}

/// The first field of each view of the bar, for focus after a step that replaced the view the
/// agent was in (the element that had focus is gone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// The sign-in form's first field.
    SignIn,
    /// The customer search's reason field.
    Desk,
    /// The emulated customer.
    Emulation,
}

/// Creates the state and provides it to the components below.
pub fn provide_asm(api: Api, i18n: I18n) -> Asm {
    let asm = Asm {
        i18n,
        api: StoredValue::new(api),
        restoring: RwSignal::new(true),
        agent: RwSignal::new(None),
        emulation: RwSignal::new(None),
        clock: RwSignal::new(None),
        notice: RwSignal::new(None),
        reason: RwSignal::new(String::new()),
        tabs: StoredValue::new_local(host::tab_channel()),
        announcement: RwSignal::new(String::new()),
        focus: RwSignal::new(None),
        ended: RwSignal::new(None),
    };
    provide_context(asm);
    asm
}

/// The state provided by [`provide_asm`].
pub fn use_asm() -> Asm {
    expect_context::<Asm>()
}

impl Asm {
    /// "Emulation of … ended." when that was the agent's last step: the desk shows it as the
    /// visible confirmation (in the locale shown).
    pub fn ended_note(&self) -> Option<String> {
        let i18n = self.i18n;
        self.ended
            .with(|e| e.as_deref().map(|name| i18n.emulation_ended(name)))
    }

    /// After a step of the agent here (not a restore, nor another tab's): `text` is announced
    /// and focus goes to `focus` once it is shown.
    pub fn stepped(&self, focus: Focus, text: String) {
        self.ended.set(None);
        self.announcement.set(text);
        self.focus.set(Some(focus));
    }

    /// The agent ended the emulation of `name`: announced, and confirmed on the desk.
    pub fn stepped_ended(&self, name: &str) {
        self.stepped(Focus::Desk, self.i18n.emulation_ended(name));
        self.ended.set(Some(name.to_owned()));
    }

    /// Focuses the element `node` gives (a tracked `NodeRef` read) once it is shown and focus
    /// is meant for `target` (see [`Asm::stepped`]).
    pub fn focus_when_shown(
        &self,
        target: Focus,
        node: impl Fn() -> Option<web_sys::HtmlElement> + 'static,
    ) {
        self.focus_when_shown_dyn(target, Box::new(node));
    }

    /// [`Asm::focus_when_shown`], once in the wasm for every caller.
    fn focus_when_shown_dyn(
        &self,
        target: Focus,
        node: Box<dyn Fn() -> Option<web_sys::HtmlElement>>,
    ) {
        let focus = self.focus;
        Effect::new(move |_| {
            if focus.get() == Some(target) {
                if let Some(el) = node() {
                    let _ = el.focus();
                    focus.set(None);
                }
            }
        });
    }

    /// The middleware client (of an overlay already unmounted, when a task of it runs late:
    /// a client of nothing, whose requests fail).
    pub fn api(&self) -> Api {
        self.api.try_get_value().unwrap_or_default()
    }

    /// Asks the server whether this tab's agent is still signed in (page load / reload).
    pub fn restore(self) {
        spawn_local(async move {
            // Unmounted before the task ran: the loader's session answer is for the next one.
            let Some(api) = self.api.try_get_value() else {
                return;
            };
            match api.me(false).await {
                Ok(reply) => self.signed_in(reply.body),
                Err(e) if e.session_ended() => {}
                Err(e) => self.notice.set(Some(e.message_in(self.i18n))),
            }
            self.restoring.set(false);
        });
    }

    /// Tells the overlays in this browser's other tabs that `what` happened here (no data: they
    /// ask the server themselves).
    pub fn tell_other_tabs(&self, what: &str) {
        self.tabs.with_value(|c| {
            if let Some(c) = c {
                let _ = c.post_message(&wasm_bindgen::JsValue::from_str(what));
            }
        });
    }

    /// Another tab (or the host page, `asmOverlay.refresh()`) changed something: ask the
    /// server what is true now and follow it.
    pub fn resync(self) {
        spawn_local(async move {
            match self.api().me(false).await {
                Ok(reply) => {
                    let session = reply.body;
                    let here = self.emulation.get_untracked().map(|e| e.session_id);
                    let there = session.emulation.as_ref().map(|e| e.session_id.clone());
                    if self.agent.get_untracked().is_none() {
                        self.signed_in(session);
                        return;
                    }
                    self.touch(Some(session.expires_at));
                    if here != there {
                        self.emulation_ended();
                        if let Some(emulation) = session.emulation {
                            self.emulation_started(emulation);
                        }
                    } else if let Some(now) = session.emulation {
                        // The same emulation on another cart (bound in another tab), or the
                        // customer renamed (by the storefront).
                        let renamed = self.emulation.with_untracked(|e| {
                            e.as_ref().is_some_and(|e| {
                                e.customer_name != now.customer_name
                                    || e.customer_email != now.customer_email
                            })
                        });
                        self.cart_changed(now.clone());
                        if renamed {
                            self.emulation.set(Some(now));
                        }
                    }
                }
                Err(e) if e.session_ended() => {
                    if self.agent.get_untracked().is_some() {
                        self.signed_out(Some(Msg::NoticeSignedOutElsewhere));
                    }
                }
                // The server is unreachable: keep what this tab shows; its own requests will say.
                Err(_) => {}
            }
        });
    }

    /// The agent is signed in: remember the session and tell the host page.
    pub fn signed_in(&self, session: AgentSession) {
        self.notice.set(None);
        self.clock.set(Some(SessionClock::new(
            session.expires_at,
            session.server_time,
            session.idle_timeout_seconds,
            host::now_ms(),
        )));
        host::emit(
            event::AGENT_SIGNED_IN,
            &[
                ("agentId", Some(&session.agent.uid)),
                ("name", Some(&session.agent.name)),
            ],
        );
        self.agent.set(Some(session.agent));
        if let Some(emulation) = session.emulation {
            self.emulation_started(emulation);
        }
    }

    /// The server reported a new session expiry.
    pub fn touch(&self, expires_at: Option<i64>) {
        if let Some(at) = expires_at {
            self.clock.update(|c| {
                if let Some(c) = c {
                    *c = c.with_expiry(at);
                }
            });
        }
    }

    /// Emulation started (or found in progress): show it and tell the host page.
    pub fn emulation_started(&self, session: AssistedSession) {
        host::emit(
            event::EMULATION_STARTED,
            &[
                ("customerId", Some(&session.customer_id)),
                ("name", Some(&session.customer_name)),
                ("email", Some(&session.customer_email)),
                ("cartId", session.cart_id.as_deref()),
                ("sessionId", Some(&session.session_id)),
            ],
        );
        self.emulation.set(Some(session));
    }

    /// Starts emulating `customer_id` with the reason the agent gave (which the server requires
    /// and the caller has checked is not blank); on success the reason is cleared, the bar
    /// shows the customer and the host page and other tabs are told. A running emulation of
    /// this agent is ended by the server.
    pub async fn emulate(self, customer_id: &str, cart_id: Option<&str>) -> Result<(), ApiError> {
        let reason = self.reason.get_untracked().trim().to_owned();
        let reply = self
            .api()
            .start_emulation(customer_id, &reason, cart_id)
            .await;
        match reply {
            Ok(reply) => {
                self.touch(reply.expires_at);
                self.reason.set(String::new());
                self.stepped(
                    Focus::Emulation,
                    self.i18n.emulating(&reply.body.customer_name),
                );
                self.emulation_ended();
                self.emulation_started(reply.body);
                self.tell_other_tabs(host::tab_message::EMULATION_STARTED);
                Ok(())
            }
            Err(e) => {
                self.session_lost(&e);
                Err(e)
            }
        }
    }

    /// The emulation in progress is now on `now.cart_id` (a cart bound here or in another
    /// tab): keep it and tell the host page with `asm:cart-bound`. Nothing happens when the cart
    /// is the one already shown.
    pub fn cart_changed(&self, now: AssistedSession) {
        let before = self
            .emulation
            .with_untracked(|e| e.as_ref().map(|e| e.cart_id.clone()));
        if before == Some(now.cart_id.clone()) {
            return;
        }
        if let Some(cart) = &now.cart_id {
            host::emit(
                event::CART_BOUND,
                &[
                    ("customerId", Some(&now.customer_id)),
                    ("cartId", Some(cart)),
                ],
            );
        }
        self.emulation.set(Some(now));
    }

    /// Emulation ended: forget it and tell the host page.
    pub fn emulation_ended(&self) {
        if let Some(ended) = self.emulation.get_untracked() {
            self.emulation.set(None);
            host::emit(
                event::EMULATION_ENDED,
                &[("customerId", Some(&ended.customer_id))],
            );
        }
    }

    /// The agent is signed out (by hand, by timeout or by the server); `notice` says why.
    pub fn signed_out(&self, notice: Option<Msg>) {
        self.emulation_ended();
        let was_signed_in = self.agent.get_untracked().is_some();
        self.agent.set(None);
        self.clock.set(None);
        self.notice.set(notice.map(|m| self.i18n.t(m)));
        if was_signed_in {
            host::emit(event::AGENT_SIGNED_OUT, &[]);
        }
    }

    /// Reacts to a failed request that means the session is gone; returns whether it did.
    pub fn session_lost(&self, error: &ApiError) -> bool {
        if error.session_ended() {
            self.signed_out(Some(Msg::NoticeSessionEnded));
            true
        } else {
            false
        }
    }

    /// The session timer reached zero: sign out on the server too (best effort; the server
    /// has already expired the session on its own clock).
    pub fn expire(self) {
        self.signed_out(Some(Msg::NoticeTimedOut));
        spawn_local(async move {
            let _ = self.api().sign_out().await;
            self.tell_other_tabs(host::tab_message::SIGNED_OUT);
        });
    }
}
