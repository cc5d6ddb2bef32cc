//! The simulator's tests against SAP-CONTRACT.md, in one test binary (one link instead of one per
//! file). `cargo test -p sapcc-sim --test sim <module>::` runs one file's tests.

mod common;

mod asm_actions;
mod customer360;
mod generated;
mod loopback;
mod oauth;
mod occ;
mod occ_more;
mod search;
