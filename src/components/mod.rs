//! The overlay's components, one per file.

mod agent_desk;
mod app;
mod bar;
mod bind_cart;
mod create_customer;
mod customer360;
mod customer_lists;
mod customer_search;
pub mod deep_link;
mod dialog;
mod emulation;
mod language_menu;
mod session_timer;
mod sign_in;
mod switch_customer;

pub use agent_desk::{find_customer_view, preload_agent_desk, switch_search_view};
pub use app::App;
pub use bar::Bar;
pub use bind_cart::{bind_cart_view, preload_bind_cart, BindCart};
pub use create_customer::{create_customer_view, preload_create_customer, CreateCustomerDialog};
pub use customer360::{
    preload_customer360, provide_customer360, use_customer360, Customer360Dialog, Customer360Open,
};
pub use customer_lists::{
    preload_customer_lists, CustomerListRow, CustomerListTable, CustomerListsButton,
    CustomerListsDialog, ListPager, RowAction,
};
pub use customer_search::CustomerSearch;
pub use deep_link::DeepLinkPanel;
pub use dialog::Dialog;
pub use emulation::EmulationPanel;
pub use language_menu::LanguageMenu;
pub use session_timer::SessionTimer;
pub use sign_in::SignInForm;
pub use switch_customer::{preload_switch_customer, switch_customer_view, SwitchCustomerDialog};
