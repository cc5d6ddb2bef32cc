//! Ports: the traits the domain needs from storage and backends. Implementations live in
//! `store/` (session stores) and, later, `commerce/`; the application holds them as `Arc<dyn …>`.

pub mod audit_handoff;
pub mod commerce;
pub mod customer_accounts;
pub mod error;
pub mod guest_carts;
pub mod session_store;
pub mod sign_in;

pub use commerce::{
    AgentContext, AppliedBy, Change, Commerce, Credentials, Customer360Query, CustomerStatus,
    ListFilter, NewCustomer, NewTicket, NewTicketEvent, ProfileChange, SaveCart, SearchRequest,
    SessionVoucher,
};
pub use customer_accounts::{CustomerAccounts, StoreCustomer};
pub use error::{DomainError, DomainResult};
pub use guest_carts::GuestCarts;
pub use session_store::{
    AgentSessionRecord, AuditQuery, EmulationRecord, NewAudit, PoolUsage, SessionStore, SignInFlow,
    StoreActivity, StoreError, StoreResult, ThrottleRule, Timeouts,
};
pub use sign_in::{AuthorizeRequest, ExternalSignIn, SignInProvider, TokenGrant};
