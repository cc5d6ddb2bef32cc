//! The embedded demo shop: customers, carts, orders, coupons and the rest of a small store on
//! SQLite, seeded with generated customers — the `Commerce` port's default implementation. One
//! middleware instance per database file.
//!
//! Every write runs in one immediate transaction (`EmbeddedShop::write`). Assembled on the SQLite
//! session store's database ([`EmbeddedShop::with_audit_log`]), the shop also writes each audited
//! write's record in that transaction (outcome `ok`, the change's detail): the change and its
//! record commit together or not at all (see [`crate::ports::audit_handoff`]).

pub mod acting_as;
pub mod addresses;
pub mod agents;
pub mod anonymous;
pub mod consents;
pub mod customer360;
pub mod customer_sessions;
pub mod customers;
pub mod pricing;
pub mod returns;
pub mod schema;
pub mod search;
pub mod seed;
pub mod support;
pub mod vouchers;

use crate::db::Pool;
use crate::ports::audit_handoff::{self, Taken};
use crate::ports::{
    AppliedBy, Change, Commerce, Credentials, Customer360Query, CustomerStatus, NewCustomer,
    NewTicket, NewTicketEvent, ProfileChange, SaveCart, SearchRequest, SessionVoucher,
};
use crate::ports::{DomainError, DomainResult};
use asm_types::{
    Address, AddressInput, AddressList, Agent, AutocompleteEntry, Cart, CartList, CartSummary,
    Carts, ConsentInput, ConsentTemplate, ConsentTemplateList, Customer360Data,
    Customer360Response, CustomerCoupon, CustomerCouponList, CustomerListId, CustomerProfile,
    CustomerSearchEntry, CustomerSearchPage, EntryQuantity, Order, OrderHistory, ProductList,
    ReturnRequest, ReturnRequestList, Review, ReviewInput, ReviewList, Ticket, TicketCategoryList,
    TicketEvent, TicketList,
};
use async_trait::async_trait;
use r2d2_sqlite::rusqlite::{self, Connection, TransactionBehavior};

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

impl From<crate::db::PoolFailure> for DomainError {
    fn from(e: crate::db::PoolFailure) -> Self {
        match e {
            crate::db::PoolFailure::Unavailable(m) => DomainError::Unavailable(m),
            crate::db::PoolFailure::Internal(m) => DomainError::Internal(m),
        }
    }
}

/// The embedded shop on its connection pool.
#[derive(Clone)]
pub struct EmbeddedShop {
    pool: Pool,
    /// The pool's database holds the session store's `audit_log`: writes record their audit.
    records_audit: bool,
}

/// The outcome of an audited write.
const OUTCOME_OK: &str = "ok";

/// What a write's answer says for its audit record (the detail replaces the attempt's).
trait AuditDetail {
    fn audit_detail(&self) -> Option<&str>;
}

impl<T> AuditDetail for Change<T> {
    fn audit_detail(&self) -> Option<&str> {
        Some(&self.detail)
    }
}

impl AuditDetail for CustomerSearchEntry {
    fn audit_detail(&self) -> Option<&str> {
        None
    }
}

/// Runs the write `f` in one immediate transaction on `c`. With `audit` (the record `audited`
/// handed to this write), inserts the record — outcome `ok`, the detail of `f`'s answer — in the
/// same transaction before the commit, and reports it committed after: the change and its record
/// are on file together or not at all. A refused or failed `f`, or a failed audit insert, rolls
/// everything back (the ticket is dropped: `audited` records the outcome).
fn write_in_transaction<T, F>(c: &mut Connection, audit: Option<Taken>, f: F) -> DomainResult<T>
where
    T: AuditDetail,
    F: FnOnce(&Connection) -> DomainResult<T>,
{
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let value = f(&tx)?;
    if let Some(audit) = &audit {
        let mut record = audit.record().clone();
        if let Some(detail) = value.audit_detail() {
            record.detail = Some(detail.to_owned());
        }
        crate::db::insert_audit(&tx, &record, Some(OUTCOME_OK))?;
    }
    tx.commit()?;
    if let Some(audit) = audit {
        audit.committed();
    }
    Ok(value)
}

impl EmbeddedShop {
    /// The use of the shop's connection pool now (for the metrics).
    pub fn pool_usage(&self) -> crate::ports::PoolUsage {
        crate::db::usage(&self.pool)
    }

    /// The shop on an open, migrated and seeded pool. Audited writes are recorded by the session
    /// store around them (attempt, then outcome).
    pub fn new(pool: Pool) -> Self {
        Self {
            pool,
            records_audit: false,
        }
    }

    /// The shop on the pool of the SQLite session store (its `audit_log` migrated in this
    /// database): each audited write commits its audit record in its own transaction
    /// ([`Commerce::records_audit`]). Only for the store's own database: on any other, the
    /// records would land where the store never reads them.
    pub fn with_audit_log(pool: Pool) -> Self {
        Self {
            pool,
            records_audit: true,
        }
    }

    /// Runs `f` with a pooled connection on a database thread ([`crate::db::Pool::run`]).
    pub async fn run<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> DomainResult<T> + Send + 'static,
    {
        self.pool.run(f).await
    }

    /// Runs the write `f` with [`write_in_transaction`] on a database thread, with the audit
    /// record `audited` offered to this write when the shop records audit. The record is taken
    /// here, in the request's task: the task-local that carries it is not visible on the
    /// database thread.
    async fn write<T, F>(&self, f: F) -> DomainResult<T>
    where
        T: AuditDetail + Send + 'static,
        F: FnOnce(&Connection) -> DomainResult<T> + Send + 'static,
    {
        let audit = if self.records_audit {
            audit_handoff::take()
        } else {
            None
        };
        self.run(move |c| write_in_transaction(c, audit, f)).await
    }
}

/// Owned copies of borrowed arguments, for the closures sent to the database threads.
fn own(s: &str) -> String {
    s.to_owned()
}

#[async_trait]
impl Commerce for EmbeddedShop {
    async fn ping(&self) -> DomainResult<()> {
        self.run(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    fn records_audit(&self) -> bool {
        self.records_audit
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
        self.write(move |c| customers::insert_customer(c, &new, &id, now))
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
        self.write(move |c| customers::bind_cart(c, &customer, &cart, replace, now))
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
        self.write(move |c| acting_as::current_cart(c, &u, now))
            .await
    }

    async fn cart(&self, user: &str, cart_id: &str) -> DomainResult<Cart> {
        let (u, cart) = (own(user), own(cart_id));
        self.run(move |c| acting_as::cart(c, &u, &cart)).await
    }

    async fn save_cart(
        &self,
        user: &str,
        cart_id: &str,
        save: SaveCart,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart) = (own(user), own(cart_id));
        self.write(move |c| acting_as::save_cart(c, &u, &cart, &save, now))
            .await
    }

    async fn restore_cart(
        &self,
        user: &str,
        cart_id: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart) = (own(user), own(cart_id));
        self.write(move |c| acting_as::restore_cart(c, &u, &cart, now))
            .await
    }

    async fn delete_cart(&self, user: &str, cart_id: &str) -> DomainResult<Change<()>> {
        let (u, cart) = (own(user), own(cart_id));
        self.write(move |c| acting_as::delete_cart(c, &u, &cart))
            .await
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
        self.write(move |c| acting_as::add_entry(c, &u, &cart, &p, quantity, now))
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
        self.write(move |c| acting_as::update_entry(c, &u, &cart, &p, quantity, now))
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
        self.write(move |c| acting_as::remove_entry(c, &u, &cart, &p, now))
            .await
    }

    async fn apply_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        by: Option<AppliedBy<'_>>,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let (u, cart, v) = (own(user), own(cart_id), own(code));
        let by = by.map(|b| (own(b.agent_uid), own(b.session_id)));
        self.write(move |c| {
            let by = by.as_ref().map(|(agent_uid, session_id)| AppliedBy {
                agent_uid,
                session_id,
            });
            acting_as::apply_voucher(c, &u, &cart, &v, by, now)
        })
        .await
    }

    async fn session_vouchers(
        &self,
        session_id: Option<&str>,
    ) -> DomainResult<Vec<SessionVoucher>> {
        let id = session_id.map(own);
        self.run(move |c| vouchers::session_vouchers(c, id.as_deref()))
            .await
    }

    async fn end_session_vouchers(
        &self,
        session_id: &str,
        now: i64,
    ) -> DomainResult<Change<Vec<SessionVoucher>>> {
        let id = own(session_id);
        self.write(move |c| vouchers::end_session_vouchers(c, &id, now))
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
        self.write(move |c| acting_as::remove_voucher(c, &u, &cart, &v, now))
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
        self.write(move |c| acting_as::place_order(c, &u, &cart, &by, now))
            .await
    }

    async fn cancel_order(
        &self,
        user: &str,
        code: &str,
        entries: Vec<EntryQuantity>,
        now: i64,
    ) -> DomainResult<Change<Order>> {
        let (u, code) = (own(user), own(code));
        self.write(move |c| returns::cancel_order(c, &u, &code, &entries, now))
            .await
    }

    async fn returns(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<ReturnRequestList> {
        let u = own(user);
        self.run(move |c| returns::returns(c, &u, current_page, page_size))
            .await
    }

    async fn return_request(&self, user: &str, code: &str) -> DomainResult<ReturnRequest> {
        let (u, code) = (own(user), own(code));
        self.run(move |c| returns::return_request(c, &u, &code))
            .await
    }

    async fn create_return(
        &self,
        user: &str,
        order_code: &str,
        entries: Vec<EntryQuantity>,
        reason: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>> {
        let (u, order, reason, agent) = (own(user), own(order_code), own(reason), own(agent));
        self.write(move |c| returns::create_return(c, &u, &order, &entries, &reason, &agent, now))
            .await
    }

    async fn cancel_return(
        &self,
        user: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>> {
        let (u, code) = (own(user), own(code));
        self.write(move |c| returns::cancel_return(c, &u, &code, now))
            .await
    }

    async fn tickets(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<TicketList> {
        let u = own(user);
        self.run(move |c| support::tickets(c, &u, current_page, page_size))
            .await
    }

    async fn ticket(&self, user: &str, id: &str) -> DomainResult<Ticket> {
        let (u, id) = (own(user), own(id));
        self.run(move |c| support::ticket(c, &u, &id)).await
    }

    async fn ticket_categories(&self) -> DomainResult<TicketCategoryList> {
        Ok(support::categories())
    }

    async fn create_ticket(
        &self,
        user: &str,
        new: NewTicket,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Ticket>> {
        let (u, agent) = (own(user), own(agent));
        self.write(move |c| support::create_ticket(c, &u, &new, &agent, now))
            .await
    }

    async fn add_ticket_event(
        &self,
        user: &str,
        id: &str,
        event: NewTicketEvent,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<TicketEvent>> {
        let (u, id, agent) = (own(user), own(id), own(agent));
        self.write(move |c| support::add_event(c, &u, &id, &event, &agent, now))
            .await
    }

    async fn reviews(&self, product: &str) -> DomainResult<ReviewList> {
        let p = own(product);
        self.run(move |c| support::reviews(c, &p)).await
    }

    async fn create_review(
        &self,
        user: &str,
        product: &str,
        review: ReviewInput,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Review>> {
        let (u, p, agent) = (own(user), own(product), own(agent));
        self.write(move |c| support::create_review(c, &u, &p, &review, &agent, now))
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
        self.write(move |c| acting_as::assign_coupon(c, &u, &code, &agent, now))
            .await
    }

    async fn unassign_coupon(
        &self,
        user: &str,
        code: &str,
    ) -> DomainResult<Change<CustomerCoupon>> {
        let (u, code) = (own(user), own(code));
        self.write(move |c| acting_as::unassign_coupon(c, &u, &code))
            .await
    }

    async fn addresses(&self, user: &str) -> DomainResult<AddressList> {
        let u = own(user);
        self.run(move |c| addresses::addresses(c, &u)).await
    }

    async fn create_address(
        &self,
        user: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>> {
        let u = own(user);
        self.write(move |c| addresses::create(c, &u, &address))
            .await
    }

    async fn update_address(
        &self,
        user: &str,
        id: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>> {
        let (u, id) = (own(user), own(id));
        self.write(move |c| addresses::update(c, &u, &id, &address))
            .await
    }

    async fn delete_address(&self, user: &str, id: &str) -> DomainResult<Change<()>> {
        let (u, id) = (own(user), own(id));
        self.write(move |c| addresses::delete(c, &u, &id)).await
    }

    async fn consent_templates(&self, user: &str) -> DomainResult<ConsentTemplateList> {
        let u = own(user);
        self.run(move |c| consents::templates(c, &u)).await
    }

    async fn give_consent(
        &self,
        user: &str,
        consent: ConsentInput,
        now: i64,
    ) -> DomainResult<Change<ConsentTemplate>> {
        let u = own(user);
        self.write(move |c| consents::give(c, &u, &consent, now))
            .await
    }

    async fn withdraw_consent(&self, user: &str, code: &str, now: i64) -> DomainResult<Change<()>> {
        let (u, code) = (own(user), own(code));
        self.write(move |c| consents::withdraw(c, &u, &code, now))
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
        self.write(move |c| acting_as::update_profile(c, &u, change))
            .await
    }
}
