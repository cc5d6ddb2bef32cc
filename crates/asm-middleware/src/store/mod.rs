//! Session store implementations (the `SessionStore` port): SQLite for one instance, PostgreSQL
//! for several.

pub mod postgres;
pub mod sqlite;
