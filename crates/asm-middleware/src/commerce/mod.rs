//! Commerce backends (the `Commerce` port): the embedded demo shop on SQLite.

pub mod embedded;
