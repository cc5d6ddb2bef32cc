//! Ports: the traits the domain needs from storage and backends. Implementations live in
//! `store/` (session stores) and, later, `commerce/`; the application holds them as `Arc<dyn …>`.

pub mod commerce;
pub mod session_store;

pub use commerce::{
    Change, Commerce, Credentials, Customer360Query, CustomerStatus, ListFilter, NewCustomer,
    ProfileChange, SearchRequest,
};
pub use session_store::{
    AgentSessionRecord, AuditQuery, EmulationRecord, NewAudit, SessionStore, StoreError,
    StoreResult, ThrottleRule, Timeouts,
};
