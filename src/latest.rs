//! "Only the latest request counts", for searches as you type and paging: starting a request
//! cancels the debounce timer and the request in flight before it, and an answer is used only
//! while no newer request has started, so a stale answer is never shown.

use crate::api::Abort;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;

/// The pending work of one search box or list (copy it into every closure that needs it).
#[derive(Clone, Copy)]
pub struct Latest {
    debounce: StoredValue<Option<Timeout>, LocalStorage>,
    in_flight: StoredValue<Option<Abort>, LocalStorage>,
    seq: StoredValue<u64>,
}

/// One started request: its cancel handle and its place in the series.
pub struct Ticket {
    /// Pass it to the request; a newer request aborts it.
    pub abort: Abort,
    id: u64,
}

impl Latest {
    /// Nothing pending.
    pub fn new() -> Self {
        Self {
            debounce: StoredValue::new_local(None),
            in_flight: StoredValue::new_local(None),
            seq: StoredValue::new(0),
        }
    }

    /// Forgets whatever is pending: the timer, the request in flight, any answer on its way.
    pub fn cancel(self) {
        self.debounce.update_value(|t| {
            if let Some(t) = t.take() {
                t.cancel();
            }
        });
        self.in_flight.update_value(|a| {
            if let Some(a) = a.take() {
                a.abort();
            }
        });
        self.seq.update_value(|s| *s += 1);
    }

    /// Runs `then` after `ms` unless something newer comes first (what was pending is dropped).
    pub fn debounce(self, ms: u32, then: impl FnOnce() + 'static) {
        self.cancel();
        self.debounce.set_value(Some(Timeout::new(ms, then)));
    }

    /// Starts a request (what was pending is dropped).
    pub fn start(self) -> Ticket {
        self.cancel();
        let abort = Abort::new();
        self.in_flight.set_value(Some(abort.clone()));
        Ticket {
            abort,
            id: self.seq.get_value(),
        }
    }

    /// Whether the answer to `ticket` may be shown: no newer request started and the component
    /// is still there.
    pub fn is_current(self, ticket: &Ticket) -> bool {
        self.seq.try_get_value() == Some(ticket.id)
    }
}

impl Default for Latest {
    fn default() -> Self {
        Self::new()
    }
}
