//! The embedded shop's vouchers in carts: cart vouchers of three kinds (a discount, a gift
//! product, free shipping) and assigned customer coupons, applied to a customer's cart (by an
//! agent in an emulation) or to a guest cart (by the shopper alone). A voucher valid only
//! during a support call needs the agent's emulation, which is recorded with it; when that
//! emulation ends, `end_session_vouchers` takes it out of the carts.

use super::acting_as::touch_cart;
use crate::ports::{AppliedBy, Change, DomainError, DomainResult, SessionVoucher};
use asm_types::{error_type, VoucherKind};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

fn voucher_invalid(message: &str) -> DomainError {
    DomainError::refused(error_type::VOUCHER_INVALID, message).with_subject("voucherId")
}

/// A voucher's kind from its column.
pub fn kind_of(kind: &str) -> VoucherKind {
    match kind {
        "GIFT_PRODUCT" => VoucherKind::GiftProduct,
        "FREE_SHIPPING" => VoucherKind::FreeShipping,
        _ => VoucherKind::Discount,
    }
}

/// A voucher applied to a cart, as the cart's pricing needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartVoucher {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// What it gives.
    pub description: String,
    /// Percent off (discounts).
    pub percent: Option<i64>,
    /// Kind.
    pub kind: VoucherKind,
    /// The gift (code, name) of a gift voucher.
    pub gift: Option<(String, String)>,
    /// Valid only during a support call.
    pub session_only: bool,
}

/// The vouchers applied to cart `code`, in the order they were applied.
pub fn applied(c: &Connection, code: &str) -> DomainResult<Vec<CartVoucher>> {
    let mut stmt = c.prepare_cached(
        "SELECT cv.voucher_code, COALESCE(v.name, k.name, cv.voucher_code), \
         COALESCE(v.description, k.description, ''), COALESCE(v.percent, k.percent), \
         COALESCE(v.kind, 'DISCOUNT'), v.gift_product, p.name, COALESCE(v.session_only, 0) \
         FROM cart_vouchers cv LEFT JOIN vouchers v ON v.code = cv.voucher_code \
         LEFT JOIN coupons k ON k.code = cv.voucher_code \
         LEFT JOIN products p ON p.code = v.gift_product \
         WHERE cv.cart_code = ?1 ORDER BY cv.applied, cv.voucher_code",
    )?;
    let rows = stmt
        .query_map(params![code], |r| {
            let gift_code: Option<String> = r.get(5)?;
            let gift_name: Option<String> = r.get(6)?;
            Ok(CartVoucher {
                code: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                percent: r.get(3)?,
                kind: kind_of(&r.get::<_, String>(4)?),
                gift: gift_code.zip(gift_name),
                session_only: r.get(7)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Applies `wanted` (case-insensitive) to cart `cart_id`, whose owner is `customer` (`None`: a
/// guest cart; the caller checked that the cart may be changed): a cart voucher, or a customer
/// coupon assigned to `customer` and within its dates. A session-only voucher needs `by`.
/// Answers the voucher's code as the shop spells it.
pub fn apply(
    c: &Connection,
    cart_id: &str,
    customer: Option<&str>,
    wanted: &str,
    by: Option<AppliedBy<'_>>,
    now: i64,
) -> DomainResult<String> {
    let wanted = wanted.trim();
    let voucher: Option<(String, bool)> = c
        .query_row(
            "SELECT code, session_only FROM vouchers WHERE code = ?1",
            params![wanted],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let code = match (voucher, customer) {
        (Some((code, true)), _) if by.is_none() => {
            return Err(voucher_invalid(&format!(
                "{code} is valid only during a call with customer support: an agent applies it for you."
            )))
        }
        (Some((code, _)), _) => code,
        (None, Some(customer)) => c
            .query_row(
                "SELECT k.code FROM coupons k JOIN customer_coupons cc ON cc.coupon_code = k.code \
                 WHERE k.code = ?1 AND cc.customer_id = ?2 AND k.starts <= ?3 AND k.ends > ?3",
                params![wanted, customer, now],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| voucher_invalid("This voucher code is not valid for this customer."))?,
        (None, None) => return Err(voucher_invalid("This voucher code is not valid.")),
    };
    let inserted = c.execute(
        "INSERT OR IGNORE INTO cart_vouchers (cart_code, voucher_code, applied, session_id, agent_uid) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            cart_id,
            code,
            now,
            by.map(|b| b.session_id),
            by.map(|b| b.agent_uid)
        ],
    )?;
    if inserted == 0 {
        return Err(voucher_invalid(
            "This voucher is already applied to the cart.",
        ));
    }
    touch_cart(c, cart_id, now)?;
    Ok(code)
}

/// Removes an applied voucher (case-insensitive) from cart `cart_id`; `NotFoundError` if it is
/// not applied.
pub fn remove(c: &Connection, cart_id: &str, voucher: &str, now: i64) -> DomainResult<()> {
    let removed = c.execute(
        "DELETE FROM cart_vouchers WHERE cart_code = ?1 AND voucher_code = ?2 COLLATE NOCASE",
        params![cart_id, voucher.trim()],
    )?;
    if removed == 0 {
        return Err(DomainError::not_found("Applied voucher").with_subject("voucherId"));
    }
    touch_cart(c, cart_id, now)
}

/// Session-only vouchers in carts not yet ordered: of emulation `session_id`, or all.
pub fn session_vouchers(
    c: &Connection,
    session_id: Option<&str>,
) -> DomainResult<Vec<SessionVoucher>> {
    let mut stmt = c.prepare_cached(
        "SELECT cv.session_id, COALESCE(cv.agent_uid, ''), COALESCE(ca.customer_id, ''), \
                cv.cart_code, cv.voucher_code \
         FROM cart_vouchers cv JOIN vouchers v ON v.code = cv.voucher_code \
         JOIN carts ca ON ca.code = cv.cart_code \
         WHERE cv.session_id IS NOT NULL AND (?1 IS NULL OR cv.session_id = ?1) \
           AND v.session_only <> 0 AND ca.status <> 'ordered' \
         ORDER BY cv.session_id, cv.cart_code, cv.voucher_code",
    )?;
    let rows = stmt
        .query_map(params![session_id], |r| {
            Ok(SessionVoucher {
                session_id: r.get(0)?,
                agent_uid: r.get(1)?,
                customer_id: r.get(2)?,
                cart_id: r.get(3)?,
                code: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Takes the session-only vouchers of emulation `session_id` out of the carts not yet ordered.
pub fn end_session_vouchers(
    c: &Connection,
    session_id: &str,
    now: i64,
) -> DomainResult<Change<Vec<SessionVoucher>>> {
    let held = session_vouchers(c, Some(session_id))?;
    for v in &held {
        remove(c, &v.cart_id, &v.code, now)?;
    }
    let detail = held
        .iter()
        .map(|v| format!("cart {}: {}", v.cart_id, v.code))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(Change {
        value: held,
        detail: format!("the emulation ended: session-only vouchers removed ({detail})"),
    })
}
