//! The rules of cancelling order lines and returning them, on the order as the backend shows it
//! (its `cancellable`/`returnable` flags and each line's quantities left): checked before the
//! backend is asked, so both backends refuse alike, and again by the embedded shop inside its
//! write.

use crate::ports::{DomainError, DomainResult};
use asm_types::{error_type, EntryQuantity, Order, OrderEntry};

/// The only change a return request takes (SAP OCC): `{"status": "CANCELLING"}`.
pub const CANCELLING: &str = "CANCELLING";

/// Longest return reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// Which kind of request is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `POST /orders/{code}/cancellation`.
    Cancel,
    /// `POST /orderReturns`.
    Return,
}

impl Kind {
    fn field(self) -> &'static str {
        match self {
            Kind::Cancel => "cancellationRequestEntryInputs",
            Kind::Return => "returnRequestEntryInputs",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Kind::Cancel => "cancel",
            Kind::Return => "return",
        }
    }

    fn left(self, e: &OrderEntry) -> u32 {
        match self {
            Kind::Cancel => e.cancellable_quantity,
            Kind::Return => e.returnable_quantity,
        }
    }
}

/// Most lines one cancellation or return may name (an order has far fewer): a body of a
/// hundred thousand lines is refused before anything is compared.
pub const MAX_INPUTS: usize = 1_000;

/// The shape of the lines asked for, before the order is read: at least one and at most
/// [`MAX_INPUTS`], each line once, each quantity at least 1.
pub fn check_inputs(kind: Kind, inputs: &[EntryQuantity]) -> DomainResult<()> {
    if inputs.is_empty() {
        return Err(DomainError::invalid(
            kind.field(),
            format!("Choose at least one line and quantity to {}.", kind.verb()),
        ));
    }
    if inputs.len() > MAX_INPUTS {
        return Err(DomainError::invalid(
            kind.field(),
            format!("At most {MAX_INPUTS} lines can be named at a time."),
        ));
    }
    let mut named = std::collections::HashSet::with_capacity(inputs.len());
    for input in inputs {
        if !named.insert(input.order_entry_number) {
            return Err(DomainError::invalid(
                "orderEntryNumber",
                format!("Line {} is named more than once.", input.order_entry_number),
            ));
        }
        if input.quantity == 0 {
            return Err(DomainError::invalid(
                "quantity",
                format!(
                    "The quantity to {} of line {} must be at least 1.",
                    kind.verb(),
                    input.order_entry_number
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a cancellation or a return against the order: the order allows it, every line
/// exists, no quantity is above what is left of its line (cancelled and returned quantities
/// counted). A detail for the audit record, e.g. `line 0 x 2, line 1 x 1`.
pub fn check_against(kind: Kind, order: &Order, inputs: &[EntryQuantity]) -> DomainResult<String> {
    check_inputs(kind, inputs)?;
    let allowed = match kind {
        Kind::Cancel => order.cancellable,
        Kind::Return => order.returnable,
    };
    for input in inputs {
        if !order
            .entries
            .iter()
            .any(|e| e.entry_number == input.order_entry_number)
        {
            return Err(DomainError::invalid(
                "orderEntryNumber",
                format!(
                    "Order {} has no line {}.",
                    order.code, input.order_entry_number
                ),
            ));
        }
    }
    if !allowed {
        return Err(match kind {
            Kind::Cancel => DomainError::refused(
                error_type::CANCELLATION_REFUSED,
                format!(
                    "Order {} can no longer be cancelled: it is {} (only orders not yet shipped can be cancelled).",
                    order.code,
                    status_words(&order.status)
                ),
            ),
            Kind::Return => DomainError::refused(
                error_type::RETURN_REFUSED,
                format!(
                    "Order {} cannot be returned: it is {} (only delivered orders can be returned).",
                    order.code,
                    status_words(&order.status)
                ),
            ),
        }
        .with_subject("code"));
    }
    let mut detail = Vec::with_capacity(inputs.len());
    for input in inputs {
        let Some(e) = order
            .entries
            .iter()
            .find(|e| e.entry_number == input.order_entry_number)
        else {
            continue; // checked above
        };
        let left = kind.left(e);
        if input.quantity > left {
            let kind_type = match kind {
                Kind::Cancel => error_type::CANCELLATION_REFUSED,
                Kind::Return => error_type::RETURN_REFUSED,
            };
            let done = match kind {
                Kind::Cancel => format!("{} cancelled", e.cancelled_quantity),
                Kind::Return => format!(
                    "{} cancelled, {} returned",
                    e.cancelled_quantity, e.returned_quantity
                ),
            };
            return Err(DomainError::refused(
                kind_type,
                format!(
                    "Only {left} of {} ({} ordered, {done}) can be {}, not {}.",
                    e.product_name,
                    e.quantity,
                    if kind == Kind::Cancel {
                        "cancelled"
                    } else {
                        "returned"
                    },
                    input.quantity
                ),
            )
            .with_subject(input.order_entry_number.to_string()));
        }
        detail.push(format!(
            "line {} ({}) x {}",
            e.entry_number, e.product_code, input.quantity
        ));
    }
    Ok(detail.join(", "))
}

/// The reason of a return, trimmed: 1..=200 characters.
pub fn checked_reason(reason: &str) -> DomainResult<String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::invalid(
            "reason",
            "Give the reason for the return.",
        ));
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(DomainError::invalid(
            "reason",
            format!("The reason is at most {MAX_REASON_CHARS} characters."),
        ));
    }
    Ok(reason.to_owned())
}

/// A return request change: only `CANCELLING` (SAP OCC's one change).
pub fn checked_return_change(status: &str) -> DomainResult<()> {
    if status != CANCELLING {
        return Err(DomainError::invalid(
            "status",
            "The only change of a return request is {\"status\": \"CANCELLING\"}.",
        ));
    }
    Ok(())
}

/// An order status in words, e.g. `SHIPPED` → `shipped`.
fn status_words(status: &str) -> String {
    status.replace('_', " ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use asm_types::Price;

    /// A line's quantities left to cancel and to return, from what the order allows and what was
    /// cancelled and returned of it.
    fn quantities_left(
        quantity: u32,
        cancelled: u32,
        returned: u32,
        cancellable: bool,
        returnable: bool,
    ) -> (u32, u32) {
        let left = quantity.saturating_sub(cancelled).saturating_sub(returned);
        (
            if cancellable { left } else { 0 },
            if returnable { left } else { 0 },
        )
    }

    fn price() -> Price {
        Price {
            currency_iso: "USD".into(),
            value_cents: 100,
            formatted_value: "$1.00".into(),
        }
    }

    fn order(cancellable: bool, returnable: bool) -> Order {
        let entry = |n: u32, quantity: u32, cancelled: u32, returned: u32| {
            let (c, r) = quantities_left(quantity, cancelled, returned, cancellable, returnable);
            OrderEntry {
                entry_number: n,
                product_code: format!("P{n}"),
                product_name: format!("Product {n}"),
                quantity,
                base_price: price(),
                total_price: price(),
                cancelled_quantity: cancelled,
                returned_quantity: returned,
                cancellable_quantity: c,
                returnable_quantity: r,
                give_away: false,
            }
        };
        Order {
            code: "30000001".into(),
            status: if returnable { "COMPLETED" } else { "SHIPPED" }.into(),
            placed: String::new(),
            placed_by: None,
            entries: vec![entry(0, 3, 1, 0), entry(1, 2, 0, 1)],
            sub_total: price(),
            total_discounts: price(),
            delivery_cost: None,
            total_price: price(),
            vouchers: vec![],
            cancellable,
            returnable,
        }
    }

    fn eq(n: u32, quantity: u32) -> EntryQuantity {
        EntryQuantity {
            order_entry_number: n,
            quantity,
        }
    }

    #[test]
    fn what_is_left_counts_cancelled_and_returned() {
        let o = order(true, false);
        assert!(check_against(Kind::Cancel, &o, &[eq(0, 2), eq(1, 1)]).is_ok());
        let e = check_against(Kind::Cancel, &o, &[eq(0, 3)]).unwrap_err();
        assert_eq!(e.kind(), error_type::CANCELLATION_REFUSED);
        let o = order(false, true);
        let e = check_against(Kind::Return, &o, &[eq(1, 2)]).unwrap_err();
        assert_eq!(e.kind(), error_type::RETURN_REFUSED);
        assert_eq!(
            check_against(Kind::Return, &o, &[eq(1, 1)]).as_deref(),
            Ok("line 1 (P1) x 1")
        );
    }

    #[test]
    fn refusals_name_the_rule() {
        let shipped = order(false, false);
        assert_eq!(
            check_against(Kind::Cancel, &shipped, &[eq(0, 1)])
                .unwrap_err()
                .kind(),
            error_type::CANCELLATION_REFUSED
        );
        assert_eq!(
            check_against(Kind::Return, &shipped, &[eq(0, 1)])
                .unwrap_err()
                .kind(),
            error_type::RETURN_REFUSED
        );
        for bad in [
            vec![],
            vec![eq(0, 0)],
            vec![eq(0, 1), eq(0, 1)],
            vec![eq(7, 1)],
        ] {
            assert_eq!(
                check_against(Kind::Cancel, &order(true, false), &bad)
                    .unwrap_err()
                    .kind(),
                error_type::VALIDATION,
                "{bad:?}"
            );
        }
        let many: Vec<_> = (0..=MAX_INPUTS as u32).map(|n| eq(n, 1)).collect();
        let e = check_inputs(Kind::Return, &many).unwrap_err();
        assert_eq!(e.kind(), error_type::VALIDATION);
        assert!(
            matches!(&e, DomainError::Refused { subject: Some(s), .. } if s == "returnRequestEntryInputs"),
            "{e:?}"
        );
        assert!(check_inputs(Kind::Return, &many[..MAX_INPUTS]).is_ok());
        assert!(checked_reason("  ").is_err());
        assert!(checked_reason(&"x".repeat(201)).is_err());
        assert_eq!(checked_reason(" Broken ").as_deref(), Ok("Broken"));
        assert!(checked_return_change("CANCELLED").is_err());
        assert!(checked_return_change(CANCELLING).is_ok());
    }
}
