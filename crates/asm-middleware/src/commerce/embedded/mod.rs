//! The embedded demo shop: customers, carts, orders, coupons and the rest of a small store on
//! SQLite, seeded with generated customers — the `Commerce` port's default implementation. One
//! middleware instance per database file.

pub mod acting_as;
pub mod agents;
pub mod anonymous;
pub mod customer360;
pub mod customers;
pub mod pricing;
pub mod schema;
pub mod search;
pub mod seed;

use crate::db::Pool;
use crate::ports::{
    Change, Commerce, Credentials, Customer360Query, CustomerStatus, NewCustomer, ProfileChange,
    SearchRequest,
};
use crate::ports::{DomainError, DomainResult};
use asm_types::{
    Agent, AutocompleteEntry, Cart, CartList, CartSummary, Carts, Customer360Data,
    Customer360Response, CustomerCoupon, CustomerCouponList, CustomerListId, CustomerProfile,
    CustomerSearchEntry, CustomerSearchPage, Order, OrderHistory, ProductList,
};
use async_trait::async_trait;
use r2d2_sqlite::rusqlite::{self, Connection};

impl From<rusqlite::Error> for DomainError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                DomainError::Unavailable(e.to_string())
            }
            _ => DomainError::Internal(e.to_string()),
        }
    }
}

impl From<r2d2::Error> for DomainError {
    fn from(e: r2d2::Error) -> Self {
        DomainError::Unavailable(e.to_string())
    }
}

/// The embedded shop on its connection pool.
#[derive(Clone)]
pub struct EmbeddedShop {
    pool: Pool,
}

impl EmbeddedShop {
    /// The shop on an open, migrated and seeded pool.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> DomainResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(DomainError::internal)?
    }
}

/// Owned copies of borrowed arguments, for the closures sent to the blocking pool.
fn own(s: &str) -> String {
    s.to_owned()
}

#[async_trait]
impl Commerce for EmbeddedShop {
    async fn ping(&self) -> DomainResult<()> {
        self.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn authenticate(&self, username: &str, password: &str) -> DomainResult<Credentials> {
        let (u, p) = (own(username), own(password));
        self.run(move |c| agents::authenticate(c, &u, &p)).await
    }

    async fn agent(&self, uid: &str) -> DomainResult<Option<Agent>> {
        let uid = own(uid);
        self.run(move |c| agents::agent(c, &uid)).await
    }

    async fn search(&self, request: SearchRequest) -> DomainResult<CustomerSearchPage> {
        self.run(move |c| search::search(c, &request)).await
    }

    async fn autocomplete(&self, query: &str, limit: u32) -> DomainResult<Vec<AutocompleteEntry>> {
        let q = own(query);
        self.run(move |c| customers::autocomplete(c, &q, limit))
            .await
    }

    async fn list_members_count(&self, list: CustomerListId) -> DomainResult<u64> {
        self.run(move |c| customers::list_members_count(c, list.as_str()))
            .await
    }

    async fn customer_status(&self, customer_id: &str) -> DomainResult<Option<CustomerStatus>> {
        let id = own(customer_id);
        self.run(move |c| customers::customer_status(c, &id)).await
    }

    async fn cart_owner(&self, cart_id: &str) -> DomainResult<Option<Option<String>>> {
        let id = own(cart_id);
        self.run(move |c| customers::cart_owner(c, &id)).await
    }

    async fn active_cart(&self, customer_id: &str) -> DomainResult<Option<String>> {
        let id = own(customer_id);
        self.run(move |c| customers::active_cart(c, &id)).await
    }

    async fn customer_summary(&self, customer_id: &str) -> DomainResult<Customer360Data> {
        let id = own(customer_id);
        self.run(move |c| customers::customer_360(c, &id)).await
    }

    async fn customer_carts(&self, customer_id: &str) -> DomainResult<CartList> {
        let id = own(customer_id);
        self.run(move |c| customers::carts(c, &id)).await
    }

    async fn customer360(
        &self,
        customer_id: &str,
        queries: Vec<Customer360Query>,
        now: i64,
    ) -> DomainResult<Customer360Response> {
        let id = own(customer_id);
        self.run(move |c| customer360::fragments(c, &id, &queries, now))
            .await
    }

    async fn create_customer(
        &self,
        new: NewCustomer,
        customer_id: &str,
        now: i64,
    ) -> DomainResult<CustomerSearchEntry> {
        let id = own(customer_id);
        self.run(move |c| customers::insert_customer(c, &new, &id, now))
            .await
    }

    async fn bind_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        replace: bool,
        now: i64,
    ) -> DomainResult<Change<CartSummary>> {
        let (customer, cart) = (own(customer_id), own(cart_id));
        self.run(move |c| customers::bind_cart(c, &customer, &cart, replace, now))
            .await
    }

    async fn products(&self) -> DomainResult<ProductList> {
        self.run(|c| acting_as::products(c)).await
    }

    async fn carts(&self, user: &str) -> DomainResult<Carts> {
        let u = own(user);
        self.run(move |c| acting_as::carts(c, &u)).await
    }

    async fn current_cart(&self, user: &str, now: i64) -> DomainResult<Change<(bool, Cart)>> {
        let u = own(user);
        self.run(move |c| acting_as::current_cart(c, &u, now)).await
    }

    async fn cart(&self, user: &str, cart_id: &str) -> DomainResult<Cart> {
        let (u, cart) = (own(user), own(cart_id));
        self.run(move |c| acting_as::cart(c, &u, &cart)).await
    }

    async fn add_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, p) = (own(user), own(cart_id), own(product));
        self.run(move |c| acting_as::add_entry(c, &u, &cart, &p, quantity, now))
            .await
    }

    async fn update_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, p) = (own(user), own(cart_id), own(product));
        self.run(move |c| acting_as::update_entry(c, &u, &cart, &p, quantity, now))
            .await
    }

    async fn remove_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, p) = (own(user), own(cart_id), own(product));
        self.run(move |c| acting_as::remove_entry(c, &u, &cart, &p, now))
            .await
    }

    async fn apply_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, v) = (own(user), own(cart_id), own(code));
        self.run(move |c| acting_as::apply_voucher(c, &u, &cart, &v, now))
            .await
    }

    async fn remove_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, v) = (own(user), own(cart_id), own(code));
        self.run(move |c| acting_as::remove_voucher(c, &u, &cart, &v, now))
            .await
    }

    async fn orders(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<OrderHistory> {
        let u = own(user);
        self.run(move |c| acting_as::orders(c, &u, current_page, page_size))
            .await
    }

    async fn order(&self, user: &str, code: &str) -> DomainResult<Order> {
        let (u, code) = (own(user), own(code));
        self.run(move |c| acting_as::order(c, &u, &code)).await
    }

    async fn place_order(
        &self,
        user: &str,
        cart_id: &str,
        placed_by: &str,
        now: i64,
    ) -> DomainResult<Change<Order>> {
        let (u, cart, by) = (own(user), own(cart_id), own(placed_by));
        self.run(move |c| acting_as::place_order(c, &u, &cart, &by, now))
            .await
    }

    async fn coupons(&self, user: &str) -> DomainResult<CustomerCouponList> {
        let u = own(user);
        self.run(move |c| acting_as::coupons(c, &u)).await
    }

    async fn assign_coupon(
        &self,
        user: &str,
        code: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<CustomerCoupon>> {
        let (u, code, agent) = (own(user), own(code), own(agent));
        self.run(move |c| acting_as::assign_coupon(c, &u, &code, &agent, now))
            .await
    }

    async fn unassign_coupon(
        &self,
        user: &str,
        code: &str,
    ) -> DomainResult<Change<CustomerCoupon>> {
        let (u, code) = (own(user), own(code));
        self.run(move |c| acting_as::unassign_coupon(c, &u, &code))
            .await
    }

    async fn profile(&self, user: &str) -> DomainResult<CustomerProfile> {
        let u = own(user);
        self.run(move |c| acting_as::profile(c, &u)).await
    }

    async fn update_profile(
        &self,
        user: &str,
        change: ProfileChange,
    ) -> DomainResult<Change<CustomerProfile>> {
        let u = own(user);
        self.run(move |c| acting_as::update_profile(c, &u, change))
            .await
    }
}
