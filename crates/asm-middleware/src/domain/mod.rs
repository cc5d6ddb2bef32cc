//! The ASM rules, free of storage and HTTP: who may sign in and how often, what an emulation
//! needs, how long a session lives. Routes (`routes/`) apply them; the stores (`store/`) keep the
//! state they talk about. Checked with plain `#[test]`s.

pub mod acting_as;
pub mod address;
pub mod agent;
pub mod audit;
pub mod consent;
pub mod customer;
pub mod emulation;
pub mod returns;
pub mod saved_cart;
pub mod search;
pub mod session;
pub mod support;
pub mod throttle;

pub use crate::ports::error::{DomainError, DomainResult};
