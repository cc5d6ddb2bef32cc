//! The session clock: when the agent's server session ends, measured against the wall clock
//! (so the countdown stays right after the laptop sleeps) and corrected for clock skew.

/// How long before the session ends the agent is warned (ms).
pub const WARN_MS: f64 = 60_000.0;

/// The server-side expiry of the agent session, as seen by this browser.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SessionClock {
    /// Expiry in the server's clock (ms since the epoch).
    pub expires_at: f64,
    /// `server_time - local_time` when the server last answered (ms).
    pub skew: f64,
    /// The longest the session can have left: the idle timeout (ms). Latency cannot push the
    /// countdown above it.
    pub max_ms: f64,
}

impl SessionClock {
    /// A clock from a server answer received at `local_now`.
    pub fn new(expires_at: i64, server_time: i64, idle_seconds: u32, local_now: f64) -> Self {
        Self {
            expires_at: expires_at as f64,
            skew: server_time as f64 - local_now,
            max_ms: f64::from(idle_seconds) * 1000.0,
        }
    }

    /// The same skew, with a new server expiry.
    pub fn with_expiry(self, expires_at: i64) -> Self {
        Self {
            expires_at: expires_at as f64,
            ..self
        }
    }

    /// Milliseconds left at local time `local_now` (never negative).
    pub fn remaining_ms(&self, local_now: f64) -> f64 {
        // Not `f64::clamp`: its assertion writes both bounds with `{:?}`, which kept core's
        // float formatting in the first load (docs/benchmarks.md, "Overlay payload").
        (self.expires_at - (local_now + self.skew))
            .min(self.max_ms)
            .max(0.0)
    }

    /// Whether the agent should be warned at `local_now`: at most [`WARN_MS`] left, not over.
    pub fn warning(&self, local_now: f64) -> bool {
        let left = self.remaining_ms(local_now);
        left > 0.0 && left <= WARN_MS
    }

    /// Whether the session has ended at `local_now`.
    pub fn expired(&self, local_now: f64) -> bool {
        self.remaining_ms(local_now) <= 0.0
    }
}

/// Formats a duration as `mm:ss`, rounding up to whole seconds (so 0:00 means really over).
pub fn format_mm_ss(ms: f64) -> String {
    let total = (ms / 1000.0).ceil().max(0.0) as u64;
    format!("{:02}:{:02}", total / 60, total % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_uses_server_skew() {
        // The server is 5 s ahead of the browser; 600 s left on the server's clock.
        let c = SessionClock::new(1_000_600_000, 1_000_000_000, 600, 999_995_000.0);
        assert_eq!(c.remaining_ms(999_995_000.0), 600_000.0);
        assert_eq!(c.remaining_ms(999_996_000.0), 599_000.0);
    }

    #[test]
    fn sleeping_laptop_sees_expiry_on_wake() {
        let c = SessionClock::new(600_000, 0, 600, 0.0);
        // Ten minutes of sleep later, the wall clock says it is over.
        assert!(c.expired(600_000.0));
        assert!(c.expired(3_600_000.0));
        assert!(!c.expired(599_999.0));
    }

    #[test]
    fn with_expiry_keeps_skew() {
        let c = SessionClock::new(10_000, 2_000, 600, 1_000.0).with_expiry(20_000);
        assert_eq!(c.skew, 1_000.0);
        assert_eq!(c.remaining_ms(9_000.0), 10_000.0);
    }

    #[test]
    fn latency_never_shows_more_than_the_idle_timeout() {
        // A later answer reports an expiry measured after the skew was taken.
        let c = SessionClock::new(600_000, 0, 600, 0.0).with_expiry(600_400);
        assert_eq!(c.remaining_ms(0.0), 600_000.0);
        assert_eq!(c.remaining_ms(1_000.0), 599_400.0);
    }

    #[test]
    fn warns_in_the_last_minute_only() {
        let c = SessionClock::new(600_000, 0, 600, 0.0);
        assert!(!c.warning(0.0));
        assert!(!c.warning(539_999.0), "60.001 s left: no warning yet");
        assert!(c.warning(540_000.0), "60 s left: warn");
        assert!(c.warning(599_999.0));
        assert!(
            !c.warning(600_000.0),
            "over: no warning, the session has ended"
        );
        // Extending moves the expiry: the warning goes away.
        assert!(!c.with_expiry(1_200_000).warning(590_000.0));
        // A short idle timeout (e.g. 30 s) warns from the start.
        assert!(SessionClock::new(30_000, 0, 30, 0.0).warning(0.0));
    }

    #[test]
    fn mm_ss_rounds_up() {
        assert_eq!(format_mm_ss(600_000.0), "10:00");
        assert_eq!(format_mm_ss(59_001.0), "01:00");
        assert_eq!(format_mm_ss(1.0), "00:01");
        assert_eq!(format_mm_ss(0.0), "00:00");
        assert_eq!(format_mm_ss(-5.0), "00:00");
    }
}
