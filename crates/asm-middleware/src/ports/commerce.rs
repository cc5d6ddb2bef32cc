//! The commerce port: everything the middleware asks of the shop behind it — agents' sign-in,
//! customers, search and lists, Customer 360°, carts, orders, coupons and profiles. Implemented
//! by the embedded demo shop (`commerce::embedded`); SAP Commerce Cloud is another adapter.
//!
//! The port knows nothing of emulation: the domain checks who may act for whom and records what
//! was done around these calls (attempt before, outcome after). Every write returns a [`Change`]
//! with a detail for the audit record. A backend that shares the session store's database may
//! instead write the record in the change's own transaction: see [`Commerce::records_audit`].

use super::{DomainResult, TokenGrant};
use asm_types::{
    Address, AddressInput, AddressList, Agent, AutocompleteEntry, Cart, CartList, CartSummary,
    Carts, ConsentInput, ConsentTemplate, ConsentTemplateList, Customer360Data,
    Customer360FragmentType, Customer360Response, CustomerCoupon, CustomerCouponList,
    CustomerListId, CustomerProfile, CustomerSearchEntry, CustomerSearchPage, CustomerSort,
    EntryQuantity, Order, OrderHistory, ProductList, ReturnRequest, ReturnRequestList, Review,
    ReviewInput, ReviewList, Ticket, TicketAssociatedObject, TicketCategoryList, TicketEvent,
    TicketList,
};
use async_trait::async_trait;
use std::sync::Arc;

/// Largest quantity of one product in a cart (adding more caps the line at this).
pub const MAX_QUANTITY: u32 = 99;

/// A write's answer and what the audit record says was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<T> {
    /// The answer.
    pub value: T,
    /// For the audit record, e.g. `cart 00001234: added 2 x 3708646`.
    pub detail: String,
}

/// A checked save of a cart for later (see `domain::saved_cart`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveCart {
    /// The name (the cart number when the agent gave none).
    pub name: String,
    /// The description; may be empty.
    pub description: String,
}

/// What a user name and password turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// An enabled agent, with the right password, and the backend's tokens to keep for the
    /// session (SAP Commerce; `None` for the embedded shop).
    Agent(Agent, Option<TokenGrant>),
    /// An agent's id or e-mail with a wrong password (or a disabled agent): the agent's uid.
    WrongPassword(String),
    /// A customer's right credentials: refused, only agents sign in.
    Customer,
    /// Nobody of that name, or a customer with a wrong password.
    Unknown,
}

/// What the rules of emulation need to know of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerStatus {
    /// Full name.
    pub name: String,
    /// E-mail (login).
    pub email: String,
    /// The id belongs to an agent, not a customer.
    pub is_agent: bool,
    /// The account is disabled.
    pub disabled: bool,
    /// The customer agreed to assisted service.
    pub consent: bool,
}

/// The customers a search is restricted to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListFilter {
    /// A list the shop keeps (`instore`, `pickup`).
    Stored(CustomerListId),
    /// The customers an agent emulated (`mysessions`), each with the start of the latest
    /// emulation (ms), as the session store lists them.
    Emulated(Vec<(String, i64)>),
}

/// A customer search.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    /// Part of a name, e-mail or customer id, lower-cased; empty matches everyone.
    pub query: String,
    /// Only the members of this list.
    pub list: Option<ListFilter>,
    /// Only the customer who placed this order (exact code).
    pub order_id: Option<String>,
    /// Only the customer whose active or saved cart this is (exact code); `order_id` wins.
    pub cart_id: Option<String>,
    /// The sort; `None` is the list's default (`bySessionDateDesc` in `mysessions`, else by name).
    pub sort: Option<CustomerSort>,
    /// Zero-based page.
    pub current_page: u32,
    /// Page size (at least 1).
    pub page_size: u32,
}

/// One checked Customer 360° query: its type and list size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Customer360Query {
    /// The fragment.
    pub kind: Customer360FragmentType,
    /// How many rows a list fragment holds at most.
    pub list_size: u32,
}

/// A customer created by an agent (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    /// First name, trimmed.
    pub first_name: String,
    /// Last name, trimmed.
    pub last_name: String,
    /// E-mail, trimmed and lower-cased.
    pub email: String,
}

/// A validated profile change (names and phone; `None` keeps the value, an empty phone
/// removes it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    /// New first name.
    pub first_name: Option<String>,
    /// New last name.
    pub last_name: Option<String>,
    /// New phone.
    pub phone: Option<String>,
}

/// Who applies a voucher: the agent and the emulation it happens in (`None`: the customer on
/// their own, e.g. a guest cart of the store).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AppliedBy<'a> {
    /// The agent.
    pub agent_uid: &'a str,
    /// The emulation (assisted session) id.
    pub session_id: &'a str,
}

/// A voucher valid only during a support call, in a customer's cart, with the emulation that
/// applied it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionVoucher {
    /// The emulation (assisted session) id.
    pub session_id: String,
    /// The agent who applied it.
    pub agent_uid: String,
    /// The customer.
    pub customer_id: String,
    /// The cart.
    pub cart_id: String,
    /// The voucher code.
    pub code: String,
}

/// A checked new ticket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    /// Subject, trimmed.
    pub subject: String,
    /// First message, trimmed.
    pub message: String,
    /// Category id.
    pub category: String,
    /// The order or cart it is about (its owner is checked by the route).
    pub associated_to: Option<TicketAssociatedObject>,
}

/// A checked ticket message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicketEvent {
    /// The message, trimmed.
    pub message: String,
    /// The status to move to, if any (checked against the ticket by the domain).
    pub to_status: Option<String>,
}

/// The signed-in agent a backend is asked to act for.
#[derive(Clone, Debug)]
pub struct AgentContext {
    /// Hash of the agent's session token (the session's key in the session store).
    pub session: String,
    /// The agent.
    pub agent: Agent,
    /// The backend's sealed tokens kept with the session, if any.
    pub backend_tokens: Option<String>,
}

/// The shop behind the middleware. See the module comment.
#[async_trait]
pub trait Commerce: Send + Sync + 'static {
    /// The backend as `agent` sees it, for every call made while the agent is signed in: SAP
    /// Commerce's calls carry the agent's token. `None` (the default, the embedded shop): the
    /// backend needs no agent, use it as it is.
    fn for_agent(&self, agent: &AgentContext) -> Option<Arc<dyn Commerce>> {
        let _ = agent;
        None
    }

    /// Ends the backend's side of a sign-out: SAP Commerce revokes the agent's tokens. Best
    /// effort; the session ends anyway. The default does nothing.
    async fn sign_out(&self, backend_tokens: &str) {
        let _ = backend_tokens;
    }

    /// Whether two sessions' sealed backend tokens are one grant: SAP's authorization server
    /// hands every sign-in of one agent with one client the same token pair (SAP-CONTRACT.md
    /// §2.1), so revoking one session's tokens would end the other's. The default: never.
    fn shares_grant(&self, sealed: &str, other: &str) -> bool {
        let _ = (sealed, other);
        false
    }

    /// Seals (encrypts) backend tokens for the session store. The default refuses: only a
    /// backend that hands out tokens keeps them.
    fn seal_tokens(&self, tokens: &TokenGrant) -> DomainResult<String> {
        let _ = tokens;
        Err(super::DomainError::internal("this backend keeps no tokens"))
    }

    /// Checks that the shop answers (for readiness).
    async fn ping(&self) -> DomainResult<()>;

    /// Whether every write of this backend writes its audit record itself, in the change's own
    /// transaction (outcome `ok` and the change's detail), taking it from
    /// [`audit_handoff::take`](super::audit_handoff::take). Only a backend whose database holds
    /// the session store's audit log can (the embedded shop on the SQLite store's file). When
    /// `true`, the domain writes no attempt before the write, and writes one row with the
    /// outcome only when the write did not commit the record (refused, failed). Default `false`:
    /// attempt before, outcome after (a remote backend).
    fn records_audit(&self) -> bool {
        false
    }

    // ---- agents

    /// Checks a user name (agent id or e-mail) and password.
    async fn authenticate(&self, username: &str, password: &str) -> DomainResult<Credentials>;

    /// An agent's details.
    async fn agent(&self, uid: &str) -> DomainResult<Option<Agent>>;

    // ---- customers

    /// A page of customers; `ValidationError` for an unknown order or a sort the list lacks.
    async fn search(&self, request: SearchRequest) -> DomainResult<CustomerSearchPage>;

    /// Up to `limit` customers matching `query` (at least 3 characters), for the search box.
    async fn autocomplete(&self, query: &str, limit: u32) -> DomainResult<Vec<AutocompleteEntry>>;

    /// How many customers a stored list holds.
    async fn list_members_count(&self, list: CustomerListId) -> DomainResult<u64>;

    /// What the emulation rules need to know of `customer_id`; `None`: nobody has that id.
    async fn customer_status(&self, customer_id: &str) -> DomainResult<Option<CustomerStatus>>;

    /// The owner of a cart: `None` no such cart, `Some(None)` anonymous.
    async fn cart_owner(&self, cart_id: &str) -> DomainResult<Option<Option<String>>>;

    /// Whether `cart_id` is one of `customer_id`'s carts.
    async fn owns_cart(&self, customer_id: &str, cart_id: &str) -> DomainResult<bool> {
        Ok(self.cart_owner(cart_id).await?.flatten().as_deref() == Some(customer_id))
    }

    /// The customer's current active cart, if any.
    async fn active_cart(&self, customer_id: &str) -> DomainResult<Option<String>>;

    /// The customer 360 summary (`NotFoundError` for no such customer).
    async fn customer_summary(&self, customer_id: &str) -> DomainResult<Customer360Data>;

    /// The customer's active and saved carts (`NotFoundError` for no such customer).
    async fn customer_carts(&self, customer_id: &str) -> DomainResult<CartList>;

    /// Customer 360° fragments, each answered or failed on its own (`NotFoundError` for no such
    /// customer).
    async fn customer360(
        &self,
        customer_id: &str,
        queries: Vec<Customer360Query>,
        now: i64,
    ) -> DomainResult<Customer360Response>;

    /// Creates a customer (`DuplicateEmailError` when the e-mail is taken).
    async fn create_customer(
        &self,
        new: NewCustomer,
        customer_id: &str,
        now: i64,
    ) -> DomainResult<CustomerSearchEntry>;

    /// Gives an anonymous cart to a customer as their active cart; `replace` keeps a current
    /// cart with items as a saved cart (else `CartConflictError`).
    async fn bind_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        replace: bool,
        now: i64,
    ) -> DomainResult<Change<CartSummary>>;

    // ---- acting as the customer `user`

    /// The catalogue.
    async fn products(&self) -> DomainResult<ProductList>;

    /// The customer's active and saved carts.
    async fn carts(&self, user: &str) -> DomainResult<Carts>;

    /// The customer's active cart, created when there is none (`true`: created).
    async fn current_cart(&self, user: &str, now: i64) -> DomainResult<Change<(bool, Cart)>>;

    /// One of the customer's carts.
    async fn cart(&self, user: &str, cart_id: &str) -> DomainResult<Cart>;

    /// Saves one of the customer's active carts for later (checked by
    /// `domain::saved_cart::checked_save`); it is no longer the cart shopped with.
    async fn save_cart(
        &self,
        user: &str,
        cart_id: &str,
        save: SaveCart,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// Makes a saved cart the customer's current cart again; the current cart, when it has
    /// items, is kept as a saved cart (named by its number).
    async fn restore_cart(&self, user: &str, cart_id: &str, now: i64)
        -> DomainResult<Change<Cart>>;

    /// Deletes one of the customer's active or saved carts.
    async fn delete_cart(&self, user: &str, cart_id: &str) -> DomainResult<Change<()>>;

    /// Adds `quantity` of `product` (quantities add up, capped).
    async fn add_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// Sets a line's quantity (0 removes it).
    async fn update_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// Removes a line.
    async fn remove_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// Applies a cart voucher or an assigned customer coupon, `by` an agent in an emulation (a
    /// voucher valid only during a support call is refused without one, with
    /// `VoucherInvalidError`).
    async fn apply_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        by: Option<AppliedBy<'_>>,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// Removes an applied voucher.
    async fn remove_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>>;

    /// The session-only vouchers in carts not yet ordered — of emulation `session_id` only, or
    /// all. A backend whose session-only offers end by themselves (SAP Commerce: its promotion
    /// engine applies ASM promotions only while an agent is there) holds none.
    async fn session_vouchers(
        &self,
        _session_id: Option<&str>,
    ) -> DomainResult<Vec<SessionVoucher>> {
        Ok(Vec::new())
    }

    /// Takes the session-only vouchers of emulation `session_id` out of the carts (it ended):
    /// what was removed.
    async fn end_session_vouchers(
        &self,
        _session_id: &str,
        _now: i64,
    ) -> DomainResult<Change<Vec<SessionVoucher>>> {
        Ok(Change {
            value: Vec::new(),
            detail: String::new(),
        })
    }

    /// A page of the customer's orders, newest first.
    async fn orders(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<OrderHistory>;

    /// One of the customer's orders.
    async fn order(&self, user: &str, code: &str) -> DomainResult<Order>;

    /// Places an order from the customer's active cart, recording who placed it (`placed_by`:
    /// the agent; empty when the customer places it on their own).
    async fn place_order(
        &self,
        user: &str,
        cart_id: &str,
        placed_by: &str,
        now: i64,
    ) -> DomainResult<Change<Order>>;

    /// Cancels lines of one of the customer's orders (the domain checked them against the
    /// order first; the backend refuses what changed meanwhile): the order after, with the
    /// cancelled quantities.
    async fn cancel_order(
        &self,
        user: &str,
        code: &str,
        entries: Vec<EntryQuantity>,
        now: i64,
    ) -> DomainResult<Change<Order>>;

    /// A page of the customer's return requests, newest first.
    async fn returns(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<ReturnRequestList>;

    /// One of the customer's return requests (`NotFoundError` if none).
    async fn return_request(&self, user: &str, code: &str) -> DomainResult<ReturnRequest>;

    /// Asks to return lines of a delivered order (checked by the domain first), with the
    /// customer's `reason`, made by `agent`.
    async fn create_return(
        &self,
        user: &str,
        order_code: &str,
        entries: Vec<EntryQuantity>,
        reason: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>>;

    /// Cancels a return request not yet received (else `CancelReturnRequestError`): the request
    /// after.
    async fn cancel_return(
        &self,
        user: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>>;

    /// A page of the customer's support tickets, most recently changed first (without their
    /// messages).
    async fn tickets(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<TicketList>;

    /// One of the customer's tickets with its messages, oldest first (`NotFoundError` if none).
    async fn ticket(&self, user: &str, id: &str) -> DomainResult<Ticket>;

    /// The categories a new ticket may have.
    async fn ticket_categories(&self) -> DomainResult<TicketCategoryList>;

    /// Opens a ticket as the customer, written by `agent` (`ValidationError` for an unknown
    /// category; a backend that keeps ticket creation to the customer refuses with
    /// `ForbiddenError`).
    async fn create_ticket(
        &self,
        user: &str,
        new: NewTicket,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Ticket>>;

    /// Adds a message to one of the customer's tickets (the domain checked the status change
    /// against the ticket), written by `agent`.
    async fn add_ticket_event(
        &self,
        user: &str,
        id: &str,
        event: NewTicketEvent,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<TicketEvent>>;

    /// A product's reviews, newest first (`NotFoundError` for no such product).
    async fn reviews(&self, product: &str) -> DomainResult<ReviewList>;

    /// Writes a review of `product` as the customer (checked by the domain), by `agent`.
    async fn create_review(
        &self,
        user: &str,
        product: &str,
        review: ReviewInput,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Review>>;

    /// Every coupon, the customer's assigned ones first.
    async fn coupons(&self, user: &str) -> DomainResult<CustomerCouponList>;

    /// Assigns a coupon to the customer (by `agent`).
    async fn assign_coupon(
        &self,
        user: &str,
        code: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<CustomerCoupon>>;

    /// Takes a coupon back (also from the customer's active carts).
    async fn unassign_coupon(&self, user: &str, code: &str)
        -> DomainResult<Change<CustomerCoupon>>;

    /// The customer's address book, the default address first.
    async fn addresses(&self, user: &str) -> DomainResult<AddressList>;

    /// Adds a checked address (the first one, or one asked to be, becomes the default).
    async fn create_address(
        &self,
        user: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>>;

    /// Replaces one of the customer's addresses (`NotFoundError` if none).
    async fn update_address(
        &self,
        user: &str,
        id: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>>;

    /// Deletes one of the customer's addresses (the next one becomes the default).
    async fn delete_address(&self, user: &str, id: &str) -> DomainResult<Change<()>>;

    /// The site's consent templates with the customer's current consent to each (SAP's
    /// `consenttemplates`).
    async fn consent_templates(&self, user: &str) -> DomainResult<ConsentTemplateList>;

    /// Gives a checked consent, decided by [`crate::domain::consent::to_give`] on the customer's
    /// templates (one that stands is answered as it is): the template with its current consent.
    async fn give_consent(
        &self,
        user: &str,
        consent: ConsentInput,
        now: i64,
    ) -> DomainResult<Change<ConsentTemplate>>;

    /// Withdraws the customer's standing consent `code` (decided by
    /// [`crate::domain::consent::to_withdraw`]).
    async fn withdraw_consent(&self, user: &str, code: &str, now: i64) -> DomainResult<Change<()>>;

    /// The customer's profile.
    async fn profile(&self, user: &str) -> DomainResult<CustomerProfile>;

    /// Changes names or phone.
    async fn update_profile(
        &self,
        user: &str,
        change: ProfileChange,
    ) -> DomainResult<Change<CustomerProfile>>;
}
