//! The port for the shop's own customer sign-in (the demo store's "Sign in" for shoppers): the
//! shop checks the customer's e-mail and password and keeps their store sessions. The embedded
//! shop has it; at SAP Commerce customers sign in at the storefront itself (Spartacus and SAP's
//! OAuth server), so the middleware offers no customer sign-in there.
//!
//! A session is known by the hash of its token (the token itself is only in the shopper's
//! cookie). The rule "an agent or a customer in a browser, never both" is the HTTP layer's: it
//! sees both cookies.

use super::DomainResult;
use async_trait::async_trait;

/// A customer signed in on the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreCustomer {
    /// Customer id.
    pub customer_id: String,
    /// Full name.
    pub name: String,
    /// E-mail (the sign-in name).
    pub email: String,
}

/// Customer sign-in of the backend.
#[async_trait]
pub trait CustomerAccounts: Send + Sync {
    /// Checks `email` and `password` of an enabled customer and opens a session under
    /// `token_hash` until `expires` (ms): `None` for wrong credentials (the same time spent for
    /// an unknown e-mail) or a disabled customer.
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        token_hash: &str,
        now: i64,
        expires: i64,
    ) -> DomainResult<Option<StoreCustomer>>;

    /// The customer of the session `token_hash`, if it is open at `now`.
    async fn session(&self, token_hash: &str, now: i64) -> DomainResult<Option<StoreCustomer>>;

    /// Ends the session `token_hash` (nothing if there is none).
    async fn sign_out(&self, token_hash: &str) -> DomainResult<()>;
}
