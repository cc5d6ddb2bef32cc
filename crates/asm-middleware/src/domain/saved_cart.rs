//! The rules of saved carts as the emulated customer: which cart may be saved for later (an
//! active one with items), restored (a saved one) or deleted (any but an ordered one), and what
//! a save's name and description must hold. Checked on the cart as the backend gave it, before
//! the write, so both backends refuse alike.

use super::support::{text, title};
use crate::ports::commerce::SaveCart;
use crate::ports::{DomainError, DomainResult};
use asm_types::{error_type, Cart, CartStatus, SaveCartRequest};

fn refused(message: impl Into<String>) -> DomainError {
    DomainError::refused(error_type::SAVED_CART, message).with_subject("cartId")
}

/// A save's name and description, checked (before anything is audited).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveNames {
    /// The name, when one was given.
    pub name: Option<String>,
    /// The description; may be empty.
    pub description: String,
}

/// Checks a save's name (one line, 1..=255 characters, when given) and description.
pub fn checked_names(req: &SaveCartRequest) -> DomainResult<SaveNames> {
    let name = match req.name.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(title("name", name, "a name")?),
    };
    let description = match req.description.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(d) => text("description", d, "a description")?,
    };
    Ok(SaveNames { name, description })
}

/// Checks that `cart` may be saved for later (an active cart with items) under `names` (the
/// cart number when no name was given).
pub fn checked_save(cart: &Cart, names: SaveNames) -> DomainResult<SaveCart> {
    match cart.status {
        CartStatus::Saved => return Err(refused("This cart is saved for later already.")),
        CartStatus::Ordered => return Err(refused("An ordered cart cannot be saved.")),
        CartStatus::Active => {}
    }
    if cart.entries.iter().all(|e| e.give_away) {
        return Err(refused(
            "This cart is empty: add products before saving it for later.",
        ));
    }
    Ok(SaveCart {
        name: names.name.unwrap_or_else(|| cart.code.clone()),
        description: names.description,
    })
}

/// Checks that `cart` is a saved cart, which may become the active cart again.
pub fn check_restore(cart: &Cart) -> DomainResult<()> {
    match cart.status {
        CartStatus::Saved => Ok(()),
        CartStatus::Active => Err(refused(
            "This cart is not a saved cart: it is one of the customer's active carts.",
        )),
        CartStatus::Ordered => Err(refused("This cart was ordered: it cannot be restored.")),
    }
}

/// Checks that `cart` may be deleted (an ordered cart is the order's record).
pub fn check_delete(cart: &Cart) -> DomainResult<()> {
    if cart.status == CartStatus::Ordered {
        return Err(refused("This cart was ordered: it cannot be deleted."));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use asm_types::{OrderLine, Price};

    fn price() -> Price {
        Price {
            currency_iso: "USD".into(),
            value_cents: 100,
            formatted_value: "$1.00".into(),
        }
    }

    fn cart(status: CartStatus, lines: &[bool]) -> Cart {
        Cart {
            code: "00001234".into(),
            guid: None,
            status,
            entries: lines
                .iter()
                .map(|&give_away| OrderLine {
                    product_code: "1".into(),
                    product_name: "Camera".into(),
                    quantity: 1,
                    base_price: price(),
                    total_price: price(),
                    give_away,
                })
                .collect(),
            total_items: lines.len() as u32,
            sub_total: price(),
            vouchers: vec![],
            promotions: vec![],
            total_discounts: price(),
            delivery_cost: None,
            total_price: price(),
            modified: "2026-12-03T10:00:00Z".into(),
            saved: None,
        }
    }

    fn kind(r: DomainResult<impl std::fmt::Debug>) -> &'static str {
        match r {
            Err(e) => e.kind(),
            Ok(v) => panic!("accepted: {v:?}"),
        }
    }

    #[test]
    fn an_active_cart_with_items_is_saved_under_its_number_by_default() {
        let names = checked_names(&SaveCartRequest::default()).expect("names");
        let save = checked_save(&cart(CartStatus::Active, &[false]), names);
        assert_eq!(
            save.ok(),
            Some(SaveCart {
                name: "00001234".into(),
                description: String::new()
            })
        );
        let named = SaveCartRequest {
            name: Some("  Birthday  ".into()),
            description: Some("For May\nand June".into()),
        };
        let names = checked_names(&named).expect("names");
        let save = checked_save(&cart(CartStatus::Active, &[false]), names);
        assert_eq!(
            save.ok(),
            Some(SaveCart {
                name: "Birthday".into(),
                description: "For May\nand June".into()
            })
        );
    }

    #[test]
    fn empty_saved_and_ordered_carts_cannot_be_saved() {
        for c in [
            cart(CartStatus::Active, &[]),
            cart(CartStatus::Active, &[true]),
            cart(CartStatus::Saved, &[false]),
            cart(CartStatus::Ordered, &[false]),
        ] {
            let names = checked_names(&SaveCartRequest::default()).expect("names");
            assert_eq!(kind(checked_save(&c, names)), error_type::SAVED_CART);
        }
        let bad = SaveCartRequest {
            name: Some("a\u{202e}b".into()),
            description: None,
        };
        assert_eq!(kind(checked_names(&bad)), error_type::VALIDATION);
        let long = SaveCartRequest {
            name: Some("x".repeat(256)),
            description: None,
        };
        assert_eq!(kind(checked_names(&long)), error_type::VALIDATION);
    }

    #[test]
    fn only_saved_carts_are_restored_and_ordered_ones_never_deleted() {
        assert!(check_restore(&cart(CartStatus::Saved, &[])).is_ok());
        assert_eq!(
            kind(check_restore(&cart(CartStatus::Active, &[false]))),
            error_type::SAVED_CART
        );
        assert_eq!(
            kind(check_restore(&cart(CartStatus::Ordered, &[false]))),
            error_type::SAVED_CART
        );
        assert!(check_delete(&cart(CartStatus::Saved, &[false])).is_ok());
        assert!(check_delete(&cart(CartStatus::Active, &[])).is_ok());
        assert_eq!(
            kind(check_delete(&cart(CartStatus::Ordered, &[false]))),
            error_type::SAVED_CART
        );
    }
}
