//! The port for a shopper's guest cart (a cart with no customer yet): what the demo store's
//! `/store/carts` API needs from the backend. The embedded shop keeps such carts itself; SAP
//! Commerce keeps them as OCC's `anonymous` user's carts.
//!
//! A guest cart is addressed by its **handle**: the cart code in the embedded shop, SAP's `guid`
//! at SAP (`Cart::guid`). The code is the "cart number" a shopper reads to an agent for bind
//! cart; at SAP the guid stays with the shopper's browser. A cart that belongs to a customer
//! (bound by an agent) or was ordered is not a guest cart any more: `NotFound` on `cartId`.

use super::DomainResult;
use asm_types::Cart;
use async_trait::async_trait;

/// Guest carts of the backend.
#[async_trait]
pub trait GuestCarts: Send + Sync {
    /// A new empty guest cart.
    async fn create(&self, now: i64) -> DomainResult<Cart>;

    /// The guest cart `handle`.
    async fn read(&self, handle: &str) -> DomainResult<Cart>;

    /// Adds `quantity` of `product` (quantities add up, at most `MAX_QUANTITY`).
    async fn add_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart>;

    /// Sets a line's quantity (0 removes it).
    async fn update_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart>;

    /// Removes a line.
    async fn remove_entry(&self, handle: &str, product: &str, now: i64) -> DomainResult<Cart>;

    /// Applies a cart voucher as the shopper alone: one valid only during a support call is
    /// refused (`VoucherInvalidError`).
    async fn apply_voucher(&self, handle: &str, code: &str, now: i64) -> DomainResult<Cart>;

    /// Removes an applied voucher.
    async fn remove_voucher(&self, handle: &str, code: &str, now: i64) -> DomainResult<Cart>;
}
