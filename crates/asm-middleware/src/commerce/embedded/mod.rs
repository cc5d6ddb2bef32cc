//! The embedded demo shop: customers, carts, orders, coupons and the rest of a small store on
//! SQLite, seeded with generated customers. One instance per database file.

pub mod pricing;
pub mod schema;
pub mod search;
pub mod seed;
