//! Customer search rules: when to search, and keyboard movement through the results.

use crate::i18n::{I18n, Msg};

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

/// Digits in an order code (the middleware numbers orders `30000001`, `30000002`, …).
pub const ORDER_CODE_DIGITS: usize = 8;

/// The order code in what the agent typed, when it is a full one: exactly
/// [`ORDER_CODE_DIGITS`] ASCII digits (spaces around are ignored). Such a query is looked up
/// as an order id, not as a name, e-mail or customer id (those never are eight digits alone).
pub fn order_code(typed: &str) -> Option<String> {
    let q = typed.trim();
    (q.len() == ORDER_CODE_DIGITS && q.bytes().all(|b| b.is_ascii_digit())).then(|| q.to_owned())
}

/// What the agent is told when a search found nobody: for an order code, that no such order
/// exists.
pub fn no_match_message(i18n: I18n, query: &str) -> String {
    match order_code(query) {
        Some(code) => i18n.no_order_found(&code),
        None => i18n.t(Msg::NoCustomerFound),
    }
}

/// The label of a search result found by a cart number: `Cart 00001234` or `Saved cart …`.
pub fn found_cart_label(i18n: I18n, code: &str, status: Option<asm_types::CartStatus>) -> String {
    match status {
        Some(asm_types::CartStatus::Saved) => i18n.found_saved_cart(code),
        _ => i18n.found_cart(code),
    }
}

/// Why a search result cannot be emulated, for the agent, from the server's error type.
pub fn blocked_reason(i18n: I18n, kind: &str) -> String {
    i18n.t(match kind {
        asm_types::error_type::CUSTOMER_DISABLED => Msg::BlockedDisabled,
        asm_types::error_type::NO_CONSENT => Msg::BlockedNoConsent,
        _ => Msg::BlockedOther,
    })
}

/// Which cell of the result grid is highlighted: a row, moved by ArrowUp/ArrowDown with
/// wrap-around, and in it the customer (Enter emulates) or their Customer 360° button
/// (ArrowRight/ArrowLeft; Enter opens it). The column is kept while moving between rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    /// The highlighted result, if any.
    pub row: Option<usize>,
    /// Whether the Customer 360° cell of that row is highlighted (else the customer).
    pub c360: bool,
}

impl Highlight {
    /// The customer cell of `row`.
    pub fn at(row: usize) -> Self {
        Self {
            row: Some(row),
            c360: false,
        }
    }

    /// ArrowDown: the next result, wrapping to the first.
    pub fn next(self, len: usize) -> Self {
        let row = match (self.row, len) {
            (_, 0) => None,
            (Some(i), _) if i + 1 < len => Some(i + 1),
            _ => Some(0),
        };
        self.on(row)
    }

    /// ArrowUp: the previous result, wrapping to the last.
    pub fn prev(self, len: usize) -> Self {
        let row = match (self.row, len) {
            (_, 0) => None,
            (Some(i), _) if i > 0 && i < len => Some(i - 1),
            _ => Some(len - 1),
        };
        self.on(row)
    }

    /// ArrowRight (`true`) / ArrowLeft (`false`): the 360° cell or the customer of the
    /// highlighted row; `None` when no row is highlighted (the key then moves the text cursor).
    pub fn column(self, c360: bool) -> Option<Self> {
        self.row.map(|row| Self {
            row: Some(row),
            c360,
        })
    }

    fn on(self, row: Option<usize>) -> Self {
        Self {
            row,
            c360: self.c360 && row.is_some(),
        }
    }

    /// The id of the highlighted cell (`aria-activedescendant`), if any.
    pub fn cell_id(self) -> Option<String> {
        self.row.map(|i| {
            if self.c360 {
                format!("asm-opt-{i}-360")
            } else {
                format!("asm-opt-{i}")
            }
        })
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
    fn only_a_full_order_code_is_an_order_search() {
        assert_eq!(order_code("30000001"), Some("30000001".into()));
        assert_eq!(order_code("  30000042 "), Some("30000042".into()));
        // Too short or too long: part of a name, e-mail or customer id.
        assert_eq!(order_code("3000000"), None);
        assert_eq!(order_code("300000011"), None);
        // Not only digits.
        assert_eq!(order_code("C0000001"), None);
        assert_eq!(order_code("3000 0001"), None);
        assert_eq!(order_code("linda"), None);
        // Non-ASCII digits are not order codes (and eight bytes of them are fewer characters).
        assert_eq!(order_code("３００００００１"), None);
        assert_eq!(order_code("٣٠٠٠٠٠٠١"), None);
    }

    #[test]
    fn no_match_names_the_order() {
        let en = I18n::new(Vec::new());
        assert_eq!(no_match_message(en, "30000099"), "No order 30000099 found.");
        assert_eq!(no_match_message(en, "zzzz"), "No customer found.");
    }

    #[test]
    fn blocked_reasons_name_the_cause() {
        let en = I18n::new(Vec::new());
        assert!(blocked_reason(en, "CustomerDisabledError").starts_with("Account disabled"));
        assert!(blocked_reason(en, "CustomerConsentError").starts_with("No consent"));
        assert_eq!(blocked_reason(en, "SomethingNew"), "Cannot be emulated");
    }

    #[test]
    fn arrows_wrap() {
        let h = Highlight::default();
        assert_eq!(h.next(3), Highlight::at(0));
        assert_eq!(Highlight::at(2).next(3), Highlight::at(0));
        assert_eq!(h.prev(3), Highlight::at(2));
        assert_eq!(Highlight::at(0).prev(3), Highlight::at(2));
        assert_eq!(Highlight::at(1).prev(3), Highlight::at(0));
    }

    #[test]
    fn empty_results_have_no_highlight() {
        assert_eq!(Highlight::at(4).next(0), Highlight::default());
        assert_eq!(Highlight::at(4).prev(0), Highlight::default());
        // A stale index past the end restarts at the first result.
        assert_eq!(Highlight::at(9).next(3), Highlight::at(0));
        assert_eq!(Highlight::at(9).prev(3), Highlight::at(2));
    }

    #[test]
    fn right_and_left_move_between_the_customer_and_the_360_cell() {
        assert_eq!(
            Highlight::default().column(true),
            None,
            "no row: the text cursor moves"
        );
        let on_360 = Highlight::at(1).column(true).expect("a row");
        assert_eq!(on_360.cell_id().as_deref(), Some("asm-opt-1-360"));
        // Up and down keep the column; left goes back to the customer.
        assert_eq!(on_360.next(3).cell_id().as_deref(), Some("asm-opt-2-360"));
        assert_eq!(on_360.prev(3).cell_id().as_deref(), Some("asm-opt-0-360"));
        let back = on_360.column(false).expect("a row");
        assert_eq!(back, Highlight::at(1));
        assert_eq!(back.cell_id().as_deref(), Some("asm-opt-1"));
        assert_eq!(on_360.next(0), Highlight::default());
    }
}
