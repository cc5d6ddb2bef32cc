//! The demo store's anonymous carts (a shopper who is not signed in): created, read and changed
//! by cart code only, while the cart is anonymous and active.

use super::acting_as::{load_cart, next_code, touch_cart, MAX_QUANTITY};
use super::EmbeddedShop;
use crate::ports::{DomainError, DomainResult, GuestCarts};
use asm_types::Cart;
use async_trait::async_trait;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

fn not_found() -> DomainError {
    DomainError::not_found("Cart").with_subject("cartId")
}

/// `NotFoundError` unless `code` is an anonymous active cart.
fn anonymous_cart(c: &Connection, code: &str) -> DomainResult<()> {
    c.query_row(
        "SELECT 1 FROM carts WHERE code = ?1 AND customer_id IS NULL AND status = 'active'",
        params![code],
        |_| Ok(()),
    )
    .optional()?
    .ok_or_else(not_found)
}

fn answer(c: &Connection, code: &str) -> DomainResult<Cart> {
    load_cart(c, code)?.ok_or_else(not_found)
}

/// Runs `f` on the anonymous active cart `code` in an immediate transaction, touches the cart
/// and answers it.
fn change(
    c: &mut Connection,
    code: &str,
    now: i64,
    f: impl FnOnce(&Connection) -> DomainResult<()>,
) -> DomainResult<Cart> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    anonymous_cart(&tx, code)?;
    f(&tx)?;
    touch_cart(&tx, code, now)?;
    let cart = answer(&tx, code)?;
    tx.commit()?;
    Ok(cart)
}

/// A new empty anonymous cart.
pub fn create(c: &mut Connection, now: i64) -> DomainResult<Cart> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let code = next_code(&tx, "carts", 10_000_000)?;
    tx.execute(
        "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, NULL, 'active', ?2, ?2)",
        params![code, now],
    )?;
    let cart = answer(&tx, &code)?;
    tx.commit()?;
    Ok(cart)
}

/// An anonymous active cart.
pub fn read(c: &Connection, code: &str) -> DomainResult<Cart> {
    anonymous_cart(c, code)?;
    answer(c, code)
}

/// Adds a product (quantities add up, at most [`MAX_QUANTITY`]).
pub fn add_entry(
    c: &mut Connection,
    code: &str,
    product: &str,
    quantity: u32,
    now: i64,
) -> DomainResult<Cart> {
    change(c, code, now, |c| {
        let known = c
            .query_row(
                "SELECT 1 FROM products WHERE code = ?1",
                params![product],
                |_| Ok(()),
            )
            .optional()?;
        if known.is_none() {
            return Err(DomainError::not_found("Product").with_subject("productCode"));
        }
        c.execute(
            "INSERT INTO cart_entries (cart_code, product_code, quantity) VALUES (?1, ?2, ?3) \
             ON CONFLICT (cart_code, product_code) DO UPDATE SET quantity = MIN(quantity + excluded.quantity, ?4)",
            params![code, product, quantity, MAX_QUANTITY],
        )?;
        Ok(())
    })
}

fn remove_line(c: &Connection, code: &str, product: &str) -> DomainResult<()> {
    let removed = c.execute(
        "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
        params![code, product],
    )?;
    if removed == 0 {
        return Err(DomainError::not_found("Cart entry").with_subject("productCode"));
    }
    Ok(())
}

/// Sets a line's quantity (0 removes it).
pub fn update_entry(
    c: &mut Connection,
    code: &str,
    product: &str,
    quantity: u32,
    now: i64,
) -> DomainResult<Cart> {
    change(c, code, now, |c| {
        if quantity == 0 {
            return remove_line(c, code, product);
        }
        let changed = c.execute(
            "UPDATE cart_entries SET quantity = ?3 WHERE cart_code = ?1 AND product_code = ?2",
            params![code, product, quantity],
        )?;
        if changed == 0 {
            return Err(DomainError::not_found("Cart entry").with_subject("productCode"));
        }
        Ok(())
    })
}

/// Removes a line.
pub fn remove_entry(c: &mut Connection, code: &str, product: &str, now: i64) -> DomainResult<Cart> {
    change(c, code, now, |c| remove_line(c, code, product))
}

/// Applies a voucher as the shopper alone (no session-only one).
pub fn apply_voucher(
    c: &mut Connection,
    code: &str,
    voucher: &str,
    now: i64,
) -> DomainResult<Cart> {
    change(c, code, now, |c| {
        super::vouchers::apply(c, code, None, voucher, None, now).map(|_| ())
    })
}

/// Removes an applied voucher.
pub fn remove_voucher(
    c: &mut Connection,
    code: &str,
    voucher: &str,
    now: i64,
) -> DomainResult<Cart> {
    change(c, code, now, |c| {
        super::vouchers::remove(c, code, voucher, now)
    })
}

/// The embedded shop's guest carts: the handle is the cart code.
#[async_trait]
impl GuestCarts for EmbeddedShop {
    async fn create(&self, now: i64) -> DomainResult<Cart> {
        self.run(move |c| create(c, now)).await
    }

    async fn read(&self, handle: &str) -> DomainResult<Cart> {
        let code = handle.to_owned();
        self.run(move |c| read(c, &code)).await
    }

    async fn add_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart> {
        let (code, product) = (handle.to_owned(), product.to_owned());
        self.run(move |c| add_entry(c, &code, &product, quantity, now))
            .await
    }

    async fn update_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart> {
        let (code, product) = (handle.to_owned(), product.to_owned());
        self.run(move |c| update_entry(c, &code, &product, quantity, now))
            .await
    }

    async fn remove_entry(&self, handle: &str, product: &str, now: i64) -> DomainResult<Cart> {
        let (code, product) = (handle.to_owned(), product.to_owned());
        self.run(move |c| remove_entry(c, &code, &product, now))
            .await
    }

    async fn apply_voucher(&self, handle: &str, voucher: &str, now: i64) -> DomainResult<Cart> {
        let (code, voucher) = (handle.to_owned(), voucher.to_owned());
        self.run(move |c| apply_voucher(c, &code, &voucher, now))
            .await
    }

    async fn remove_voucher(&self, handle: &str, voucher: &str, now: i64) -> DomainResult<Cart> {
        let (code, voucher) = (handle.to_owned(), voucher.to_owned());
        self.run(move |c| remove_voucher(c, &code, &voucher, now))
            .await
    }
}
