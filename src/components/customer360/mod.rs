//! The Customer 360° view: a dialog with the customer's header and tabs, each tab loading its
//! own customer-360 fragments (a failing fragment shows its own error and Retry).

mod activity;
mod dialog;
mod feedback;
mod fragments;
mod header;
mod open_in_storefront;
mod overview;
mod profile;
mod promotions;
mod stores;

pub use dialog::{preload_customer360, Customer360Dialog};

use leptos::prelude::*;

/// The customer whose 360° view is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer360Subject {
    /// Customer id.
    pub customer_id: String,
    /// Name, for the dialog's title until the overview has loaded.
    pub name: String,
}

/// Which customer's 360° view is open, if any (context).
#[derive(Clone, Copy)]
pub struct Customer360Open(pub RwSignal<Option<Customer360Subject>>);

/// Provides [`Customer360Open`] (closed).
pub fn provide_customer360() -> Customer360Open {
    let open = Customer360Open(RwSignal::new(None));
    provide_context(open);
    open
}

/// The [`Customer360Open`] provided by the app.
pub fn use_customer360() -> Customer360Open {
    expect_context::<Customer360Open>()
}

impl Customer360Open {
    /// Opens the view for a customer.
    pub fn show(self, customer_id: &str, name: &str) {
        self.0.set(Some(Customer360Subject {
            customer_id: customer_id.to_owned(),
            name: name.to_owned(),
        }));
    }

    /// Closes the view.
    pub fn close(self) {
        self.0.set(None);
    }
}
