//! "Create customer": a dialog with first name, last name, e-mail and the emulation reason,
//! checked as the agent leaves each field and on submit; the server's refusals land under the
//! field they name (a taken e-mail under the e-mail), anything else above the form, and nothing
//! typed is lost. Once the customer exists the host page is told and their emulation starts.

use crate::components::Dialog;
use crate::customer_form::{check, Field, Form};
use crate::host::{self, event, HOST_ID};
use crate::i18n::{tr, use_i18n, Msg};
use crate::state::{use_asm, Asm};
use asm_types::CustomerSearchEntry;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// The form's per-field messages, in the form's order.
type Problems = Vec<(Field, String)>;

crate::split_fn!(
    create_customer,
    preload_create_customer,
    /// The create-customer dialog, from its chunk.
    pub fn create_customer_view(
        on_close: Callback<()>,
    ) -> Result<AnyView, crate::lazy::SplitLoaderError> {
        Ok(view! { <CreateCustomerDialog on_close=on_close /> }.into_any())
    }
);

/// The create-customer dialog; `on_close` runs when the agent dismisses it and once the new
/// customer's emulation started.
#[component]
pub fn CreateCustomerDialog(
    /// Closes the dialog.
    #[prop(into)]
    on_close: Callback<()>,
) -> impl IntoView {
    let asm = use_asm();
    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let problems = RwSignal::new(Problems::new());
    let top_error = RwSignal::new(None::<String>);
    let sending = RwSignal::new(false);
    // The customer, once the server created them (emulating them may still have failed).
    let created = RwSignal::new(None::<CustomerSearchEntry>);

    let value_of = move |field: Field| match field {
        Field::FirstName => first_name,
        Field::LastName => last_name,
        Field::Email => email,
        Field::Reason => asm.reason,
    };
    let form = move || Form {
        first_name: first_name.get_untracked(),
        last_name: last_name.get_untracked(),
        email: email.get_untracked(),
        reason: asm.reason.get_untracked(),
    };

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        top_error.set(None);
        if let Some(customer) = created.get_untracked() {
            // Created already: only the emulation is left to start.
            if let Some(problem) = check(asm.i18n, Field::Reason, &asm.reason.get_untracked()) {
                problems.set(vec![(Field::Reason, problem)]);
                focus_field(Field::Reason);
                return;
            }
            sending.set(true);
            spawn_local(async move {
                start(asm, customer, top_error, on_close).await;
                sending.set(false);
            });
            return;
        }
        let form = form();
        let found = form.problems(asm.i18n);
        if let Some((first, _)) = found.first() {
            focus_field(*first);
            problems.set(found);
            return;
        }
        problems.set(Problems::new());
        sending.set(true);
        spawn_local(async move {
            match asm.api().create_customer(&form.request()).await {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    let customer = reply.body;
                    host::emit(
                        event::CUSTOMER_CREATED,
                        &[
                            ("customerId", Some(&customer.customer_id)),
                            ("name", Some(&customer.name)),
                            ("email", Some(&customer.uid)),
                        ],
                    );
                    created.set(Some(customer.clone()));
                    start(asm, customer, top_error, on_close).await;
                }
                Err(e) if asm.session_lost(&e) => {}
                Err(e) => {
                    let mut per_field = Problems::new();
                    let mut other = Vec::new();
                    for f in e.fields() {
                        match Field::from_subject(&f.subject) {
                            Some(field) => per_field.push((field, f.message.clone())),
                            None => other.push(f.message.clone()),
                        }
                    }
                    if per_field.is_empty() {
                        top_error.set(Some(e.message_in(asm.i18n)));
                    } else {
                        if !other.is_empty() {
                            top_error.set(Some(other.join(" ")));
                        }
                        if let Some((first, _)) = per_field.first() {
                            focus_field(*first);
                        }
                        problems.set(per_field);
                    }
                }
            }
            sending.set(false);
        });
    };

    let locked = Signal::derive(move || created.with(Option::is_some));
    let title = Signal::derive(move || {
        created.with(|c| match c {
            Some(c) => asm.i18n.create_done_title(&c.name),
            None => asm.i18n.t(Msg::CreateCustomer),
        })
    });

    view! {
        <Dialog id="asm-create-dialog" title=title on_close=on_close>
            <form class="asm-create-form" on:submit=submit novalidate>
                <Show when=move || top_error.get().is_some()>
                    <p class="asm-error" role="alert">{move || top_error.get().unwrap_or_default()}</p>
                </Show>
                {move || {
                    asm.emulation
                        .with(|e| e.as_ref().map(|e| e.customer_name.clone()))
                        .filter(|_| created.with(Option::is_none))
                        .map(|current| {
                            view! {
                                <p class="asm-notice asm-create-switch">
                                    {asm.i18n.create_switch_notice(&current)}
                                </p>
                            }
                        })
                }}
                {text_field(Field::FirstName, value_of(Field::FirstName), problems, locked, true)}
                {text_field(Field::LastName, value_of(Field::LastName), problems, locked, false)}
                {text_field(Field::Email, value_of(Field::Email), problems, locked, false)}
                {text_field(Field::Reason, value_of(Field::Reason), problems, Signal::stored(false), false)}
                <div class="asm-dialog-actions">
                    <button
                        type="submit"
                        class="asm-button asm-primary"
                        disabled=move || sending.get()
                    >
                        {move || asm.i18n.t(match (sending.get(), created.with(Option::is_some)) {
                            (true, false) => Msg::Creating,
                            (true, true) => Msg::Starting,
                            (false, false) => Msg::CreateAndEmulate,
                            (false, true) => Msg::StartEmulation,
                        })}
                    </button>
                    <button type="button" class="asm-button" on:click=move |_| on_close.run(())>
                        {move || asm.i18n.t(if created.with(Option::is_some) { Msg::Close } else { Msg::Cancel })}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// Starts emulating the new customer; closes the dialog when it started, and otherwise says
/// that the customer exists and emulation can be started again.
async fn start(
    asm: Asm,
    customer: CustomerSearchEntry,
    top_error: RwSignal<Option<String>>,
    on_close: Callback<()>,
) {
    match asm.emulate(&customer.customer_id, None).await {
        // The bar may already have moved on (and disposed the dialog's owner).
        Ok(()) => {
            let _ = on_close.try_run(());
        }
        Err(e) if e.session_ended() => {}
        Err(e) => top_error.set(Some(
            asm.i18n
                .create_not_started(&e.message_in(asm.i18n), &customer.name),
        )),
    }
}

/// One labelled input with its message underneath; checked when the agent leaves it, and
/// again as they type once it shows a message.
fn text_field(
    field: Field,
    value: RwSignal<String>,
    problems: RwSignal<Problems>,
    locked: Signal<bool>,
    autofocus: bool,
) -> impl IntoView {
    let id = field.input_id();
    let error_id = format!("{id}-error");
    let problem = move || {
        problems.with(|p| {
            p.iter()
                .find(|(f, _)| *f == field)
                .map(|(_, message)| message.clone())
        })
    };
    let set_problem = move |message: Option<String>| {
        problems.try_update(|p| {
            p.retain(|(f, _)| *f != field);
            if let Some(message) = message {
                p.push((field, message));
                p.sort_by_key(|(f, _)| Field::ALL.iter().position(|x| x == f));
            }
        });
    };
    let i18n = use_i18n();
    let described_by = {
        let error_id = error_id.clone();
        move || problem().map(|_| error_id.clone())
    };
    view! {
        <div class="asm-form-field">
            <label class="asm-label" for=id>
                {tr(field.label())}
            </label>
            <input
                id=id
                name=field.subject()
                class="asm-input"
                type=if field == Field::Email { "email" } else { "text" }
                autocomplete="off"
                required
                autofocus=autofocus
                readonly=move || locked.get()
                aria-invalid=move || problem().is_some().to_string()
                aria-describedby=described_by
                prop:value=move || value.get()
                on:input=move |ev| {
                    let typed = event_target_value(&ev);
                    if problem().is_some() {
                        set_problem(check(i18n, field, &typed));
                    }
                    value.set(typed);
                }
                on:blur=move |_| {
                    // A blur may arrive as the dialog goes away: then there is nothing to check.
                    if locked.try_get_untracked() == Some(false) {
                        if let Some(typed) = value.try_get_untracked() {
                            set_problem(check(i18n, field, &typed));
                        }
                    }
                }
            />
            <Show when=move || problem().is_some()>
                <p class="asm-field-error" id=error_id.clone()>
                    {move || problem().unwrap_or_default()}
                </p>
            </Show>
        </div>
    }
}

/// Moves focus to `field`'s input (the first one with a problem).
fn focus_field(field: Field) {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(HOST_ID))
        .and_then(|h| h.shadow_root())
        .and_then(|s| {
            s.query_selector(&format!("#{}", field.input_id()))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}
