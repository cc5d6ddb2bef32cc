//! The overlay's components, one per file.

mod app;
mod bar;
mod bind_cart;
mod customer_search;
pub mod deep_link;
mod dialog;
mod emulation;
mod session_timer;
mod sign_in;

pub use app::App;
pub use bar::Bar;
pub use bind_cart::BindCart;
pub use customer_search::CustomerSearch;
pub use deep_link::DeepLinkPanel;
pub use dialog::Dialog;
pub use emulation::EmulationPanel;
pub use session_timer::SessionTimer;
pub use sign_in::SignInForm;
