//! Session store implementations (`ports::SessionStore`): `postgres` for any number of instances.
pub mod postgres;
