//! Code splitting: the parts of the overlay an agent does not need before signing in (Customer
//! 360°, customer lists, create customer, bind cart, switch dialog, deep links, timer warning)
//! live in wasm chunks of their own, fetched when first needed (and prefetched when the browser
//! is idle after sign-in).
//!
//! [`split_fn!`] declares a split point with the fallible form of `wasm_split` (a chunk that
//! fails to load gives `Err`, never a panic). Only the release build (`cargo xtask bundle`)
//! splits: it compiles with `--cfg asm_split` and runs the splitter on cargo's output. Every
//! other build (tests, `trunk serve`) gets a plain `async fn` with the same signature, ready on
//! its first poll. [`Lazy`] renders a split view: at once when its chunk is already there (or
//! the build is not split), else "Loading…", and on a failed load a message with Retry.

use crate::i18n::{tr, use_i18n, Msg};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// A chunk that could not be loaded (re-exported from `wasm_split_helpers`).
pub use leptos::wasm_split::SplitLoaderError;

/// What a split view function gives.
pub type Loaded = Result<AnyView, SplitLoaderError>;

/// A split point: `split_fn!(chunk, preload, fn name(args…) -> Result<T, SplitLoaderError> {
/// body })` becomes `async fn name(args…) -> Result<T, SplitLoaderError>` and
/// `async fn preload() -> Result<(), SplitLoaderError>` (fetches the chunk without calling
/// `name`); in the split build the body lives in the chunk named `chunk`.
#[macro_export]
macro_rules! split_fn {
    ($chunk:ident, $preload:ident, $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(asm_split)]
        $(#[$meta])*
        #[::leptos::wasm_split::wasm_split(
            $chunk,
            wasm_split_path = ::leptos::wasm_split,
            preload(#[allow(dead_code)] $preload),
            fallible
        )]
        $vis fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(not(asm_split))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(not(asm_split))]
        #[allow(dead_code)]
        $vis async fn $preload() -> ::core::result::Result<(), $crate::lazy::SplitLoaderError> {
            Ok(())
        }
    };
}

/// Runs `load` under `owner` (so the view it builds finds the contexts and is disposed with the
/// caller, also when Retry runs it from an event handler), without tracking; ready at once when
/// its first poll is.
fn settle_with<F>(owner: Option<Owner>, load: F, done: impl FnOnce(Loaded) + 'static)
where
    F: Future<Output = Loaded> + 'static,
{
    let mut load = Box::pin(load);
    let mut poll = move |cx: &mut Context<'_>| -> Poll<Loaded> {
        let mut step = || untrack(|| load.as_mut().poll(cx));
        match &owner {
            Some(owner) => owner.with(step),
            None => step(),
        }
    };
    match poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(loaded) => done(loaded),
        Poll::Pending => spawn_local(async move {
            let loaded = std::future::poll_fn(poll).await;
            done(loaded);
        }),
    }
}

/// The state of a [`Lazy`] view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Loading,
    Ready,
    Failed,
}

/// A view from a split chunk: `load` is a [`split_fn!`] function (called again by Retry).
#[component]
pub fn Lazy<L, F>(
    /// Gives the view (loading its chunk first when needed).
    load: L,
    /// What the message names when the chunk cannot be loaded, e.g. "Customer 360°".
    what: Msg,
    /// Show nothing (instead of "Loading…") while the chunk loads.
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView
where
    L: Fn() -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Loaded> + 'static,
{
    let owner = Owner::current();
    let i18n = use_i18n();
    let state = RwSignal::new(State::Loading);
    let slot = StoredValue::new_local(None::<AnyView>);
    let start = move || {
        state.set(State::Loading);
        settle_with(owner.clone(), load(), move |loaded| match loaded {
            Ok(view) => {
                // The view may already be gone (the caller closed it meanwhile).
                if slot.try_set_value(Some(view)).is_none() {
                    let _ = state.try_set(State::Ready);
                }
            }
            Err(e) => {
                leptos::logging::error!("asm-overlay: {}: {e}", i18n.t(what));
                let _ = state.try_set(State::Failed);
            }
        })
    };
    if quiet {
        // Not needed to show its parent: fetched in a task of its own, after the parent is on
        // screen. Starting a chunk starts the fetches of the chunks it shares code with, in
        // the task that calls it (~17 ms for bind cart's, measured in docs/benchmarks.md),
        // which kept the emulation panel of a restore off screen until they were sent.
        let later = start.clone();
        set_timeout(
            move || {
                if state.try_get_untracked().is_some() {
                    later();
                }
            },
            std::time::Duration::ZERO,
        );
    } else {
        start.clone()();
    }
    move || match state.get() {
        State::Ready => slot
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        State::Loading if quiet => ().into_any(),
        State::Loading => {
            view! { <p class="asm-muted asm-chunk-loading" role="status">{tr(Msg::Loading)}</p> }
                .into_any()
        }
        State::Failed => {
            let retry = start.clone();
            view! {
                <div class="asm-error asm-chunk-error" role="alert">
                    <span>{move || i18n.chunk_failed(&i18n.t(what))}</span>
                    " "
                    <button type="button" class="asm-button asm-retry" on:click=move |_| retry()>
                        {tr(Msg::Retry)}
                    </button>
                </div>
            }
            .into_any()
        }
    }
}

/// Fetches the chunks an agent is likely to need next when the browser is idle (after sign-in):
/// `preload` awaits the [`split_fn!`] preloads. A failure is dropped: the view that needs the
/// chunk loads it again and offers Retry. Does nothing in a build that is not split.
pub fn prefetch_when_idle<P, F>(preload: P)
where
    P: FnOnce() -> F + 'static,
    F: Future<Output = ()> + 'static,
{
    #[cfg(asm_split)]
    {
        use wasm_bindgen::prelude::*;
        let Some(window) = web_sys::window() else {
            return;
        };
        let run = Closure::once_into_js(move || spawn_local(preload()));
        let idle = js_sys::Reflect::get(&window, &JsValue::from_str("requestIdleCallback"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let _ = match idle {
            Some(idle) => idle.call1(&window, &run),
            None => window
                .set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), 1_000)
                .map(JsValue::from),
        };
    }
    #[cfg(not(asm_split))]
    drop(preload);
}
