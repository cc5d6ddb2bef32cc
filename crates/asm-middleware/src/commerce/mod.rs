//! Commerce backends (the `Commerce` port): the embedded demo shop on SQLite, and SAP Commerce
//! Cloud over its OCC and assisted-service APIs.

pub mod embedded;
pub mod sapcc;
