//! The overlay's components, one per file.

mod app;
mod bar;
mod customer_lists;
mod customer_search;
mod dialog;
mod emulation;
mod session_timer;
mod sign_in;

pub use app::App;
pub use bar::Bar;
pub use customer_lists::{
    CustomerListRow, CustomerListTable, CustomerListsButton, CustomerListsDialog, ListPager,
    RowAction,
};
pub use customer_search::CustomerSearch;
pub use dialog::Dialog;
pub use emulation::EmulationPanel;
pub use session_timer::SessionTimer;
pub use sign_in::SignInForm;
