//! The customer lists dialog: the "Customers" button, the dialog (list, count, sort, search,
//! reason), the members table with its rows, and the pager.

mod button;
mod dialog;
mod pager;
mod row;
mod table;

pub use button::{preload_customer_lists, CustomerListsButton};
pub use dialog::CustomerListsDialog;
pub use pager::ListPager;
pub use row::CustomerListRow;
pub use table::CustomerListTable;

/// What the agent chose in a row: emulate the customer, or emulate them and open something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowAction {
    /// Emulate the customer (the name button).
    Emulate,
    /// Emulate the customer on this cart, then ask the storefront to open it.
    Cart(String),
    /// Emulate the customer, then ask the storefront to open their orders.
    Orders,
}
