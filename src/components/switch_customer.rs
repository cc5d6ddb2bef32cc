//! The confirmation before switching the emulated customer: it names both customers; Switch
//! starts the new emulation (the server ends the first), Cancel changes nothing.

use crate::components::Dialog;
use crate::i18n::{tr, use_i18n, Msg};
use leptos::prelude::*;

crate::split_fn!(
    switch_customer,
    preload_switch_customer,
    /// The switch dialog, from its chunk.
    pub fn switch_customer_view(
        from: String,
        to: String,
        on_confirm: Callback<()>,
        on_cancel: Callback<()>,
    ) -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <SwitchCustomerDialog from to on_confirm on_cancel /> }.into_any())
    }
);

/// "End the session with `from` and start one with `to`?" with Switch / Cancel.
#[component]
pub fn SwitchCustomerDialog(
    /// The customer emulated now.
    from: String,
    /// The customer to emulate instead.
    to: String,
    /// Runs on Switch.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// Runs on Cancel, Escape and the × button.
    #[prop(into)]
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Dialog
            id="asm-switch-dialog"
            title=Signal::derive(tr(Msg::SwitchCustomer))
            on_close=on_cancel
            class="asm-dialog-small"
        >
            <p class="asm-switch-question">
                {move || i18n.switch_question(&from, &to)}
            </p>
            <div class="asm-dialog-actions">
                <button
                    type="button"
                    class="asm-button asm-primary"
                    autofocus
                    on:click=move |_| on_confirm.run(())
                >
                    {tr(Msg::SwitchConfirm)}
                </button>
                <button type="button" class="asm-button" on:click=move |_| on_cancel.run(())>
                    {tr(Msg::Cancel)}
                </button>
            </div>
        </Dialog>
    }
}
