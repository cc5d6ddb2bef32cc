//! Binding an anonymous cart to the emulated customer: checking the cart number the agent
//! typed, and the messages for the agent.

use crate::api::ApiError;
use crate::i18n::{I18n, Msg};
use asm_types::{error_type, CartList, CartSummary};

/// Longest cart number accepted.
pub const MAX_CART_NUMBER_LEN: usize = 32;

/// The cart number to send for what the agent typed, or what to tell them. `current` is the
/// emulation's cart (binding it again would be pointless).
pub fn check_cart_number(
    i18n: I18n,
    typed: &str,
    current: Option<&str>,
    customer: &str,
) -> Result<String, String> {
    let number = typed.trim();
    if number.is_empty() {
        return Err(i18n.t(Msg::BindEnterNumber));
    }
    let valid = number.chars().count() <= MAX_CART_NUMBER_LEN
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        let shown: String = number.chars().take(MAX_CART_NUMBER_LEN).collect();
        return Err(i18n.bind_not_a_number(&shown));
    }
    if current == Some(number) {
        return Err(i18n.bind_already_theirs(number, customer));
    }
    Ok(number.to_owned())
}

/// What the agent is told when binding `cart` failed (a 409 conflict is asked about instead).
pub fn bind_error(i18n: I18n, error: &ApiError, cart: &str) -> String {
    match error.kind() {
        Some(error_type::NOT_FOUND) => i18n.bind_no_such_cart(cart),
        _ => error.message_in(i18n),
    }
}

/// How many items the customer's current cart (the one a conflict is about) holds: the most
/// recently changed active cart with items.
pub fn current_items(carts: &CartList) -> Option<u32> {
    carts
        .carts
        .iter()
        .find(|c| c.total_items > 0)
        .map(|c| c.total_items)
}

/// The question asked when the customer's current cart has items.
pub fn conflict_question(i18n: I18n, customer: &str, items: Option<u32>, cart: &str) -> String {
    match items {
        Some(n) => i18n.bind_conflict_items(n as usize, cart, customer),
        None => i18n.bind_conflict(cart, customer),
    }
}

/// What the "save inactive cart" question says of `cart` as the customer's active carts list
/// it (`found`; `None`: not one of them any more), and whether it may be saved (it has items).
pub fn save_question(i18n: I18n, cart: &str, found: Option<&CartSummary>) -> (String, bool) {
    match found {
        None => (i18n.save_not_active(cart), false),
        Some(c) if c.total_items == 0 => (i18n.save_empty(cart), false),
        Some(c) => (
            i18n.save_question_items(c.total_items as usize, cart, &c.total),
            true,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> I18n {
        I18n::new(Vec::new())
    }

    #[test]
    fn the_save_question_names_the_cart_and_refuses_empty_or_vanished_ones() {
        let cart = |n| CartSummary {
            code: "00001234".into(),
            total_items: n,
            total: "$10.00".into(),
            modified: String::new(),
            entries: vec![],
        };
        assert_eq!(
            save_question(en(), "00001234", Some(&cart(2))),
            (
                "Cart 00001234 — 2 items — $10.00. Save it for later?".into(),
                true
            )
        );
        assert!(save_question(en(), "00001234", Some(&cart(1)))
            .0
            .contains("— 1 item —"));
        assert!(!save_question(en(), "00001234", Some(&cart(0))).1);
        assert!(!save_question(en(), "00001234", None).1);
    }

    #[test]
    fn cart_number_is_trimmed_and_checked() {
        assert_eq!(
            check_cart_number(en(), " 90000003 ", None, "Linda Wolf"),
            Ok("90000003".into())
        );
        assert!(check_cart_number(en(), "  ", None, "L").is_err());
        let e = check_cart_number(en(), "9000 0003", None, "L").unwrap_err();
        assert!(e.contains("not a cart number"), "{e}");
        assert!(check_cart_number(en(), "<b>", None, "L").is_err());
        assert!(check_cart_number(en(), &"9".repeat(MAX_CART_NUMBER_LEN + 1), None, "L").is_err());
        assert_eq!(
            check_cart_number(en(), "00001234", Some("00001234"), "Linda Wolf"),
            Err("Cart 00001234 is already Linda Wolf's cart.".into())
        );
    }

    #[test]
    fn unknown_cart_gets_its_own_message_others_the_servers() {
        let nf = ApiError::from_status(
            404,
            r#"{"errors":[{"type":"NotFoundError","message":"Cart not found."}]}"#,
        );
        assert_eq!(
            bind_error(en(), &nf, "99999999"),
            "There is no cart 99999999. Check the number with the customer and try again."
        );
        let na = ApiError::from_status(
            400,
            r#"{"errors":[{"type":"CartNotAnonymousError","message":"This cart belongs to another customer."}]}"#,
        );
        assert_eq!(
            bind_error(en(), &na, "1"),
            "This cart belongs to another customer."
        );
    }

    #[test]
    fn conflict_question_counts_the_items() {
        let cart = |code: &str, n: u32| CartSummary {
            code: code.into(),
            total_items: n,
            total: "$0".into(),
            modified: "2026-01-01T00:00:00Z".into(),
            entries: vec![],
        };
        let list = CartList {
            carts: vec![cart("A", 0), cart("B", 3)],
            saved_carts: vec![],
        };
        assert_eq!(current_items(&list), Some(3));
        assert_eq!(current_items(&CartList::default()), None);
        assert_eq!(
            conflict_question(en(), "Linda Wolf", Some(3), "90000003"),
            "Linda Wolf's current cart has 3 items. Replace it with cart 90000003? The current cart is kept as a saved cart."
        );
        assert!(conflict_question(en(), "L", Some(1), "9").contains("has 1 item."));
        assert!(conflict_question(en(), "L", None, "9").contains("has items."));
    }
}
