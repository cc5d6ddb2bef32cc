//! The middleware's HTTP, store and process tests, in one test binary (one link instead of one
//! per file). `cargo test -p asm-middleware --test http <module>::` runs one file's tests.

mod common;
mod pg_support;

mod addresses;
mod api;
mod as_customer;
mod audit;
mod audit_in_write;
mod bind_cart;
mod bundle;
mod cli;
mod connections;
mod consents;
mod customer360;
mod customer360_fragments;
mod customer_admin;
mod customer_lists;
mod customer_phone;
mod incentives;
mod multi_instance;
mod observability;
mod oidc;
mod openapi;
mod operations;
mod privacy;
mod returns;
mod sapcc;
mod saved_carts;
mod session_renewal;
mod session_store;
mod store_api;
mod store_customer;
mod support;
mod throttle;
