//! Customer search rules: when to search, and keyboard movement through the results.

/// Fewest characters before the overlay searches.
pub const MIN_QUERY_CHARS: usize = 3;
/// Most results shown.
pub const MAX_RESULTS: u32 = 20;
/// Debounce between the last keystroke and the request (ms).
pub const DEBOUNCE_MS: u32 = 300;

/// The query to send for what the agent typed, or `None` when it is too short.
pub fn normalized_query(typed: &str) -> Option<String> {
    let q = typed.trim();
    (q.chars().count() >= MIN_QUERY_CHARS).then(|| q.to_owned())
}

/// Why a search result cannot be emulated, for the agent, from the server's error type.
pub fn blocked_reason(kind: &str) -> &'static str {
    match kind {
        asm_types::error_type::CUSTOMER_DISABLED => "Account disabled: cannot be emulated",
        asm_types::error_type::NO_CONSENT => "No consent to assisted service: cannot be emulated",
        _ => "Cannot be emulated",
    }
}

/// Which result is highlighted, moved by the arrow keys with wrap-around.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Highlight(pub Option<usize>);

impl Highlight {
    /// ArrowDown: the next result, wrapping to the first.
    pub fn next(self, len: usize) -> Self {
        match (self.0, len) {
            (_, 0) => Self(None),
            (Some(i), _) if i + 1 < len => Self(Some(i + 1)),
            _ => Self(Some(0)),
        }
    }

    /// ArrowUp: the previous result, wrapping to the last.
    pub fn prev(self, len: usize) -> Self {
        match (self.0, len) {
            (_, 0) => Self(None),
            (Some(i), _) if i > 0 && i < len => Self(Some(i - 1)),
            _ => Self(Some(len - 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_queries_do_not_search() {
        assert_eq!(normalized_query("ab"), None);
        assert_eq!(normalized_query("  ab  "), None);
        assert_eq!(normalized_query(" abc "), Some("abc".into()));
        // Characters, not bytes.
        assert_eq!(normalized_query("Zoë"), Some("Zoë".into()));
        assert_eq!(normalized_query("Zö"), None);
    }

    #[test]
    fn blocked_reasons_name_the_cause() {
        assert!(blocked_reason("CustomerDisabledError").starts_with("Account disabled"));
        assert!(blocked_reason("CustomerConsentError").starts_with("No consent"));
        assert_eq!(blocked_reason("SomethingNew"), "Cannot be emulated");
    }

    #[test]
    fn arrows_wrap() {
        let h = Highlight::default();
        assert_eq!(h.next(3), Highlight(Some(0)));
        assert_eq!(Highlight(Some(2)).next(3), Highlight(Some(0)));
        assert_eq!(h.prev(3), Highlight(Some(2)));
        assert_eq!(Highlight(Some(0)).prev(3), Highlight(Some(2)));
        assert_eq!(Highlight(Some(1)).prev(3), Highlight(Some(0)));
    }

    #[test]
    fn empty_results_have_no_highlight() {
        assert_eq!(Highlight(Some(4)).next(0), Highlight(None));
        assert_eq!(Highlight(Some(4)).prev(0), Highlight(None));
        // A stale index past the end restarts at the first result.
        assert_eq!(Highlight(Some(9)).next(3), Highlight(Some(0)));
        assert_eq!(Highlight(Some(9)).prev(3), Highlight(Some(2)));
    }
}
