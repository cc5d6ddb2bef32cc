//! Guest carts at SAP Commerce: the carts of OCC's `anonymous` user, addressed by their guid and
//! called without a bearer (SAP-CONTRACT.md §4: "Anonymous carts are addressed by `guid`"). The
//! answer carries the guid as the store's handle; the code stays the "cart number" an agent
//! binds (`bind-cart` takes the code, §3.5).

use super::wire::SapCart;
use super::{SapCommerce, ANONYMOUS};
use crate::ports::{Commerce, DomainError, DomainResult, GuestCarts};
use asm_types::{error_type, Cart};
use async_trait::async_trait;
use serde_json::json;

/// Ours, with SAP's guid as the handle.
fn guest(cart: SapCart) -> Cart {
    let guid = cart.guid.clone();
    Cart {
        guid,
        ..cart.ours()
    }
}

/// A cart read back after a write, with the guid it was addressed by.
fn with_handle(cart: Cart, handle: &str) -> Cart {
    Cart {
        guid: Some(handle.to_owned()),
        ..cart
    }
}

/// SAP's "cart not found" (a cart bound to a customer meanwhile, or never there) on `cartId`,
/// as the store's API says it.
fn on_cart(e: DomainError) -> DomainError {
    match e {
        DomainError::Refused {
            kind, ref subject, ..
        } if kind == error_type::NOT_FOUND && subject.as_deref() != Some("productCode") => {
            DomainError::not_found("Cart").with_subject("cartId")
        }
        e => e,
    }
}

#[async_trait]
impl GuestCarts for SapCommerce {
    async fn create(&self, _now: i64) -> DomainResult<Cart> {
        let answer = self
            .shared
            .http
            .send(
                self.client()
                    .post(self.user(ANONYMOUS, "/carts"))
                    .query(&[("fields", "FULL")])
                    .json(&json!({})),
            )
            .await?;
        answer.json::<SapCart>().map(guest)
    }

    async fn read(&self, handle: &str) -> DomainResult<Cart> {
        self.sap_cart(ANONYMOUS, handle)
            .await
            .map(guest)
            .map_err(on_cart)
    }

    async fn add_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart> {
        Commerce::add_entry(self, ANONYMOUS, handle, product, quantity, now)
            .await
            .map(|changed| with_handle(changed.value, handle))
            .map_err(on_cart)
    }

    async fn update_entry(
        &self,
        handle: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Cart> {
        Commerce::update_entry(self, ANONYMOUS, handle, product, quantity, now)
            .await
            .map(|changed| with_handle(changed.value, handle))
            .map_err(on_cart)
    }

    async fn remove_entry(&self, handle: &str, product: &str, now: i64) -> DomainResult<Cart> {
        Commerce::remove_entry(self, ANONYMOUS, handle, product, now)
            .await
            .map(|changed| with_handle(changed.value, handle))
            .map_err(on_cart)
    }

    // SAP decides which vouchers a guest may use (its ASM-only promotions need an agent).
    async fn apply_voucher(&self, handle: &str, code: &str, now: i64) -> DomainResult<Cart> {
        Commerce::apply_voucher(self, ANONYMOUS, handle, code, None, now)
            .await
            .map(|changed| with_handle(changed.value, handle))
            .map_err(on_cart)
    }

    async fn remove_voucher(&self, handle: &str, code: &str, now: i64) -> DomainResult<Cart> {
        Commerce::remove_voucher(self, ANONYMOUS, handle, code, now)
            .await
            .map(|changed| with_handle(changed.value, handle))
            .map_err(on_cart)
    }
}
