//! Loading a tab's customer-360 fragments: one request for the tab's queries, late answers of
//! an older load dropped, and per fragment either its data or its own error. What a tab loaded is
//! kept for the open view ([`provide_c360_cache`]): coming back to a tab shows it without asking
//! again; a reload (Retry, or after an action changed the customer) forgets the other tabs' data.

use crate::i18n::{current as i18n, Msg};
use crate::state::use_asm;
use asm_types::{C360FragmentData, Customer360Fragment, Customer360FragmentType as Fragment};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What a tab has loaded.
#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    /// Waiting for the first answer.
    Loading,
    /// The whole request failed (the message for the agent).
    Failed(String),
    /// One answer per query.
    Loaded(Vec<Customer360Fragment>),
}

/// The answers the tabs of one open Customer 360° view loaded, by their queries.
#[derive(Clone, Copy)]
pub struct C360Cache(StoredValue<Vec<(Queries, Vec<Customer360Fragment>)>>);

type Queries = &'static [(Fragment, Option<u32>)];

impl C360Cache {
    fn get(self, queries: Queries) -> Option<Vec<Customer360Fragment>> {
        self.0.with_value(|all| {
            all.iter()
                .find(|(q, _)| *q == queries)
                .map(|(_, f)| f.clone())
        })
    }

    fn keep(self, queries: Queries, fragments: Vec<Customer360Fragment>) {
        self.0.update_value(|all| {
            all.retain(|(q, _)| *q != queries);
            all.push((queries, fragments));
        });
    }

    fn forget_all(self) {
        self.0.update_value(Vec::clear);
    }
}

/// Starts the cache of one Customer 360° view (for the tabs inside it).
pub fn provide_c360_cache() {
    provide_context(C360Cache(StoredValue::new(Vec::new())));
}

/// A tab's fragments and how to (re)load them.
#[derive(Clone, Copy)]
pub struct Fragments {
    /// The current state.
    pub state: RwSignal<Load>,
    /// True while a reload runs (old data stays shown).
    pub busy: RwSignal<bool>,
    customer_id: StoredValue<String>,
    queries: &'static [(Fragment, Option<u32>)],
    seq: StoredValue<u64>,
    asm: crate::state::Asm,
    cache: Option<C360Cache>,
}

impl Fragments {
    /// Starts loading `queries` of `customer_id` at once (call it in a component: it reads the
    /// overlay's state from context).
    /// What this view loaded for `queries` before is shown at once, without asking again.
    pub fn new(customer_id: String, queries: &'static [(Fragment, Option<u32>)]) -> Self {
        let cache = use_context::<C360Cache>();
        let cached = cache.and_then(|c| c.get(queries));
        let f = Fragments {
            state: RwSignal::new(cached.clone().map_or(Load::Loading, Load::Loaded)),
            busy: RwSignal::new(false),
            customer_id: StoredValue::new(customer_id),
            queries,
            seq: StoredValue::new(0),
            asm: use_asm(),
            cache,
        };
        if cached.is_none() {
            f.fetch();
        }
        f
    }

    /// Reloads (Retry, or after an action): the other tabs' kept answers may be out of date
    /// now and are forgotten; an answer to an older load is dropped.
    pub fn load(self) {
        if let Some(cache) = self.cache {
            cache.forget_all();
        }
        self.fetch();
    }

    fn fetch(self) {
        let asm = self.asm;
        self.seq.update_value(|s| *s += 1);
        let id = self.seq.get_value();
        let customer_id = self.customer_id.get_value();
        let queries: Vec<(&str, Option<u32>)> =
            self.queries.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        self.busy.set(true);
        spawn_local(async move {
            let answer = asm.api().customer360(&customer_id, &queries).await;
            if self.seq.try_get_value() != Some(id) {
                return;
            }
            self.busy.set(false);
            match answer {
                Ok(reply) => {
                    asm.touch(reply.expires_at);
                    if let Some(cache) = self.cache {
                        cache.keep(self.queries, reply.body.fragments.clone());
                    }
                    self.state.set(Load::Loaded(reply.body.fragments));
                }
                Err(e) => {
                    if !asm.session_lost(&e) {
                        self.state.set(Load::Failed(e.message_in(i18n())));
                    }
                }
            }
        });
    }

    /// The answer for `kind`: `None` while loading, else its data or the error message.
    pub fn get(self, kind: Fragment) -> Option<Result<C360FragmentData, String>> {
        self.state.with(|s| match s {
            Load::Loading => None,
            Load::Failed(message) => Some(Err(message.clone())),
            Load::Loaded(fragments) => Some(
                fragments
                    .iter()
                    .find(|f| f.kind() == kind)
                    .map(|f| match f {
                        Customer360Fragment::Data(d) => Ok(d.clone()),
                        Customer360Fragment::Failed(e) => Err(e.error.message.clone()),
                    })
                    .unwrap_or_else(|| Err(i18n().t(Msg::PartMissing))),
            ),
        })
    }
}

/// A section of a tab: a title, then the fragment's content, "Loading…", or its error with
/// Retry.
#[component]
pub fn Section<F, V>(
    /// Section title.
    title: Msg,
    /// The tab's fragments.
    fragments: Fragments,
    /// The fragment this section shows.
    kind: Fragment,
    /// Renders the data.
    render: F,
) -> impl IntoView
where
    F: Fn(C360FragmentData) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <section class="asm-c360-section" aria-busy=move || fragments.busy.get().to_string()>
            <h3 class="asm-c360-heading">{i18n().t(title)}</h3>
            {move || match fragments.get(kind) {
                None => view! { <p class="asm-muted" role="status">{i18n().t(Msg::Loading)}</p> }.into_any(),
                Some(Ok(data)) => render(data).into_any(),
                Some(Err(message)) => {
                    view! {
                        <p class="asm-error" role="alert">
                            {message} " "
                            <button
                                type="button"
                                class="asm-button asm-link asm-c360-retry"
                                on:click=move |_| fragments.load()
                            >
                                {i18n().t(Msg::Retry)}
                            </button>
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}
