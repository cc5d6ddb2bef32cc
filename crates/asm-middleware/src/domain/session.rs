//! Agent sessions: when one is live and when it ends.

pub use crate::ports::Timeouts;

/// Why an agent session ends: the agent signed out, or it timed out (idle or lifetime).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// `POST /agents/logout`.
    SignOut,
    /// Idle timeout or absolute lifetime passed.
    Timeout,
    /// The agent signed in again (`--end-older-sessions`): audited `sign-out` with this detail;
    /// the agent's emulation carries on in the new session.
    NewSignIn,
}

impl SessionEnd {
    /// As the store and the audit record it (`sign-out`, `timeout`, `new-sign-in`).
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEnd::SignOut => "sign-out",
            SessionEnd::Timeout => "timeout",
            SessionEnd::NewSignIn => "new-sign-in",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        idle_ms: 600_000,
        max_ms: 3_600_000,
    };

    #[test]
    fn a_session_lives_until_idle_or_too_old() {
        assert!(T.is_live(0, 0, 599_999));
        assert!(!T.is_live(0, 0, 600_000));
        assert!(T.is_live(0, 3_500_000, 3_599_999));
        assert!(!T.is_live(0, 3_500_000, 3_600_000));
    }

    #[test]
    fn expiry_is_the_earlier_of_idle_and_lifetime() {
        assert_eq!(T.expires_at(0, 0), 600_000);
        assert_eq!(T.expires_at(0, 3_500_000), 3_600_000);
    }
}
