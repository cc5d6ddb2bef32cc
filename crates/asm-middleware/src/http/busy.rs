//! A cap on each agent's expensive requests in flight (customer search), so
//! that one agent — or a script with one agent's cookie — cannot take every database connection
//! while other agents wait. The overlay aborts a superseded search, which drops its request, so
//! an agent at work rarely has more than one in flight; the ones over the cap get 429 at once.

use crate::http::error::Failure;
use asm_types::error_type;
use axum::http::StatusCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Expensive requests one agent may have in flight.
pub const PER_AGENT: usize = 3;

/// Counts each agent's expensive requests in flight. Cheap to clone.
#[derive(Clone, Default)]
pub struct PerAgent(Arc<Mutex<HashMap<String, usize>>>);

/// One expensive request in flight; released when dropped (also when the client went away).
pub struct Permit {
    owner: PerAgent,
    agent: String,
}

impl PerAgent {
    /// A permit for one more request of `agent`, or a 429 when it has [`PER_AGENT`] in flight.
    pub fn acquire(&self, agent: &str) -> Result<Permit, Failure> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = map.entry(agent.to_owned()).or_insert(0);
        if *n >= PER_AGENT {
            return Err(Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                error_type::BUSY,
                "Your earlier searches are still running. Try again in a moment.",
            )
            .with_retry_after(1));
        }
        *n += 1;
        Ok(Permit {
            owner: self.clone(),
            agent: agent.to_owned(),
        })
    }

    /// Requests of `agent` in flight (for tests).
    pub fn in_flight(&self, agent: &str) -> usize {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(agent).copied().unwrap_or(0)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut map = self.owner.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = map.get_mut(&self.agent) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.agent);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_is_per_agent_and_permits_come_back() {
        let busy = PerAgent::default();
        let held: Vec<Permit> = (0..PER_AGENT)
            .map(|_| busy.acquire("a").expect("permit"))
            .collect();
        assert!(busy.acquire("a").is_err());
        assert!(busy.acquire("b").is_ok(), "another agent is not affected");
        drop(held);
        assert_eq!(busy.in_flight("a"), 0);
        assert!(busy.acquire("a").is_ok());
    }
}
