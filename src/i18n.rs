//! The overlay's texts in the agent's language. [`Msg`] names every message of the catalogues
//! (`locales/*.json`, compiled by `build.rs`); English is built in, every other locale's
//! catalogue is fetched from the bundle when it is first needed. [`I18n`] (a context) holds the
//! locale and the catalogues loaded so far; it puts texts into words, filling in placeholders and
//! choosing plural forms with the browser's `Intl.PluralRules` (numbers through
//! `Intl.NumberFormat`, in the active locale). Reading a text tracks the locale, so a view that
//! shows it follows a switch without a reload.

use crate::locale::{Locale, STORED_KEY};
use leptos::prelude::*;
use std::sync::Arc;

/// A message's text in a catalogue: plain, or its plural forms by CLDR category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text<'a> {
    /// A text with `{placeholder}`s.
    Plain(&'a str),
    /// `(category, text)` pairs.
    Plural(&'a [(&'a str, &'a str)]),
}

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

/// A catalogue fetched at run time: its texts in [`Msg`] order.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    texts: Vec<Owned>,
}

#[derive(Debug, PartialEq, Eq)]
enum Owned {
    Plain(String),
    Plural(Vec<(String, String)>),
}

impl Catalogue {
    /// Reads a shipped catalogue (a JSON array of texts in [`Msg`] order, each a string or an
    /// object of plural forms); `None` when it is not one, or is for another build (another
    /// number of messages).
    pub fn parse(json: &str) -> Option<Catalogue> {
        let texts = parse_texts(json)?;
        (texts.len() == COUNT).then_some(Catalogue { texts })
    }

    fn text(&self, m: Msg) -> Option<Text<'_>> {
        Some(match self.texts.get(m as usize)? {
            Owned::Plain(s) => Text::Plain(s),
            Owned::Plural(_) => return None,
        })
    }

    fn forms(&self, m: Msg) -> Option<Vec<(&str, &str)>> {
        match self.texts.get(m as usize)? {
            Owned::Plural(forms) => Some(
                forms
                    .iter()
                    .map(|(c, s)| (c.as_str(), s.as_str()))
                    .collect(),
            ),
            Owned::Plain(_) => None,
        }
    }
}

#[cfg(target_arch = "wasm32")]
fn parse_texts(json: &str) -> Option<Vec<Owned>> {
    use wasm_bindgen::JsCast;
    let array: js_sys::Array = js_sys::JSON::parse(json).ok()?.dyn_into().ok()?;
    let mut texts = Vec::with_capacity(array.length() as usize);
    for text in array.iter() {
        if let Some(s) = text.as_string() {
            texts.push(Owned::Plain(s));
            continue;
        }
        let mut forms = Vec::new();
        for pair in js_sys::Object::entries(text.dyn_ref::<js_sys::Object>()?).iter() {
            let pair: js_sys::Array = pair.dyn_into().ok()?;
            forms.push((pair.get(0).as_string()?, pair.get(1).as_string()?));
        }
        texts.push(Owned::Plural(forms));
    }
    Some(texts)
}

#[cfg(not(target_arch = "wasm32"))]
fn parse_texts(json: &str) -> Option<Vec<Owned>> {
    let texts: Vec<serde_json::Value> = serde_json::from_str(json).ok()?;
    texts
        .into_iter()
        .map(|text| match text {
            serde_json::Value::String(s) => Some(Owned::Plain(s)),
            serde_json::Value::Object(forms) => forms
                .into_iter()
                .map(|(c, s)| Some((c, s.as_str()?.to_owned())))
                .collect::<Option<Vec<_>>>()
                .map(Owned::Plural),
            _ => None,
        })
        .collect()
}

/// The plural category of `n` in `locale` (`one`, `few`, …).
#[cfg(target_arch = "wasm32")]
fn plural_category(locale: Locale, n: usize) -> String {
    let tags = js_sys::Array::of1(&locale.tag().into());
    js_sys::Intl::PluralRules::new(&tags, &js_sys::Object::new())
        .select(n as f64)
        .into()
}

#[cfg(not(target_arch = "wasm32"))]
fn plural_category(_: Locale, n: usize) -> String {
    if n == 1 { "one" } else { "other" }.to_owned()
}

/// The locales to hand `Intl` for the locale shown: the browser's own tag when it is of that
/// language (`de-AT` formats dates the Austrian way), else the locale's tag.
#[cfg(target_arch = "wasm32")]
pub fn intl_locales() -> js_sys::Array {
    let locale = current().locale_untracked();
    let browser = web_sys::window()
        .and_then(|w| w.navigator().language())
        .filter(|l| Locale::parse(l) == Some(locale));
    js_sys::Array::of1(&browser.as_deref().unwrap_or(locale.tag()).into())
}

/// The locales to hand `Intl` (natively: none).
#[cfg(not(target_arch = "wasm32"))]
pub fn intl_locales() -> js_sys::Array {
    js_sys::Array::new()
}

/// `n` written the way `locale` writes numbers (`1.234` in German, Arabic digits in Arabic).
#[cfg(target_arch = "wasm32")]
pub fn number(locale: Locale, n: f64) -> String {
    let tags = js_sys::Array::of1(&locale.tag().into());
    js_sys::Intl::NumberFormat::new(&tags, &js_sys::Object::new())
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &n.into())
        .ok()
        .and_then(|s| s.as_string())
        // The browser's `Number.prototype.toString`, not Rust's float formatting (kept out of
        // the wasm; docs/benchmarks.md, "Overlay payload").
        .or_else(|| {
            js_sys::Number::from(n)
                .to_string_with_radix(10)
                .ok()
                .map(String::from)
        })
        .unwrap_or_default()
}

/// `n` written the way `locale` writes numbers (natively: plain digits).
#[cfg(not(target_arch = "wasm32"))]
pub fn number(_: Locale, n: f64) -> String {
    n.to_string()
}

/// `text` with every `{name}` replaced by its value (an unknown name is kept as written).
fn fill_in(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.split('}').next().unwrap_or_default();
        match values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) if after.len() > name.len() => {
                out.push_str(value);
                rest = &after[name.len() + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The overlay's language: the locale shown, where the other catalogues are, which are loaded.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    locale: RwSignal<Locale>,
    /// Catalogues fetched so far (English is built in).
    loaded: StoredValue<Vec<(Locale, Arc<Catalogue>)>>,
    /// Where each other locale's catalogue is (the loader names them).
    sources: StoredValue<Vec<(Locale, String)>>,
    /// A locale being fetched.
    pub switching: RwSignal<Option<Locale>>,
    /// The locale whose catalogue could not be fetched (the language menu says so).
    pub failed: RwSignal<Option<Locale>>,
    /// False until the first locale's catalogue is there (or failed and English is shown).
    pub ready: RwSignal<bool>,
}

impl I18n {
    /// English, with catalogues for other locales at `sources`.
    pub fn new(sources: Vec<(Locale, String)>) -> Self {
        Self {
            locale: RwSignal::new(Locale::En),
            loaded: StoredValue::new(Vec::new()),
            sources: StoredValue::new(sources),
            switching: RwSignal::new(None),
            failed: RwSignal::new(None),
            ready: RwSignal::new(true),
        }
    }

    /// The locale shown (tracked).
    pub fn locale(self) -> Locale {
        self.locale.try_get().unwrap_or_default()
    }

    /// The locale shown, without tracking.
    pub fn locale_untracked(self) -> Locale {
        self.locale.try_get_untracked().unwrap_or_default()
    }

    /// The locales the agent can choose: English and those whose catalogue the loader named.
    pub fn available(self) -> Vec<Locale> {
        Locale::ALL
            .into_iter()
            .filter(|&l| l == Locale::En || self.source(l).is_some())
            .collect()
    }

    fn source(self, locale: Locale) -> Option<String> {
        self.sources
            .try_with_value(|s| s.iter().find(|(l, _)| *l == locale).map(|(_, u)| u.clone()))
            .flatten()
    }

    /// A catalogue fetched at run time takes part (the browser tests hand one in).
    pub fn add(self, locale: Locale, catalogue: Catalogue) {
        self.loaded
            .try_update_value(|l| l.push((locale, Arc::new(catalogue))));
    }

    fn catalogue(self, locale: Locale) -> Option<Arc<Catalogue>> {
        self.loaded
            .try_with_value(|l| {
                l.iter()
                    .find(|(have, _)| *have == locale)
                    .map(|(_, c)| c.clone())
            })
            .flatten()
    }

    /// A plain message in words (tracks the locale).
    pub fn t(self, m: Msg) -> String {
        let locale = self.locale();
        let text = self
            .catalogue(locale)
            .and_then(|c| c.text(m).map(|t| t_owned(t)));
        text.unwrap_or_else(|| match EN[m as usize] {
            Text::Plain(s) => s.to_owned(),
            Text::Plural(forms) => forms
                .last()
                .map(|(_, s)| (*s).to_owned())
                .unwrap_or_default(),
        })
    }

    /// A message in words: the form for `count` (plural messages), placeholders filled in
    /// (`count` written as numbers are in the locale).
    pub fn fill(self, m: Msg, count: Option<usize>, values: &[(&str, &str)]) -> String {
        let locale = self.locale();
        let Some(n) = count else {
            return fill_in(&self.t(m), values);
        };
        let category = plural_category(locale, n);
        let loaded = self.catalogue(locale).and_then(|c| {
            let forms = c.forms(m)?;
            pick(&forms, &category).map(str::to_owned)
        });
        let form = loaded.unwrap_or_else(|| match EN[m as usize] {
            Text::Plural(forms) => pick(forms, &plural_category(Locale::En, n))
                .unwrap_or_default()
                .to_owned(),
            Text::Plain(s) => s.to_owned(),
        });
        let count = number(locale, n as f64);
        let mut all = vec![("count", count.as_str())];
        all.extend_from_slice(values);
        fill_in(&form, &all)
    }

    /// Shows `locale`: at once when its catalogue is here, else once it is fetched (the menu
    /// shows [`Self::switching`] meanwhile, [`Self::failed`] if it cannot be fetched). The
    /// choice is kept for the tab.
    pub fn choose(self, locale: Locale) {
        remember(locale);
        self.show(locale);
    }

    /// Shows `locale` as [`Self::choose`] does, without remembering it (the locale the page
    /// asks for at mount); the bar waits ([`Self::ready`]) until it is there.
    pub fn start(self, locale: Locale) {
        self.ready.set(false);
        self.show(locale);
    }

    fn show(self, locale: Locale) {
        self.failed.set(None);
        if locale == Locale::En || self.catalogue(locale).is_some() {
            self.locale.set(locale);
            self.switching.set(None);
            self.ready.set(true);
            return;
        }
        let Some(url) = self.source(locale) else {
            self.ready.set(true);
            return;
        };
        self.switching.set(Some(locale));
        leptos::task::spawn_local(async move {
            let fetched = crate::api::bundle_file(&url).await.ok();
            if self.switching.try_get_untracked().flatten() != Some(locale) {
                return;
            }
            match fetched.as_deref().and_then(Catalogue::parse) {
                Some(catalogue) => {
                    self.add(locale, catalogue);
                    self.locale.set(locale);
                }
                None => self.failed.set(Some(locale)),
            }
            self.switching.set(None);
            self.ready.set(true);
        });
    }
}

fn t_owned(t: Text<'_>) -> String {
    match t {
        Text::Plain(s) => s.to_owned(),
        Text::Plural(_) => String::new(),
    }
}

/// The form of `category`, else `other`.
fn pick<'a>(forms: &[(&'a str, &'a str)], category: &str) -> Option<&'a str> {
    forms
        .iter()
        .find(|(c, _)| *c == category)
        .or_else(|| forms.iter().find(|(c, _)| *c == "other"))
        .map(|(_, s)| *s)
}

/// Keeps the agent's choice for this tab.
fn remember(locale: Locale) {
    #[cfg(target_arch = "wasm32")]
    if let Some(store) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = store.set_item(STORED_KEY, locale.tag());
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (locale, STORED_KEY);
}

thread_local! {
    static CURRENT: std::cell::Cell<Option<I18n>> = const { std::cell::Cell::new(None) };
}

/// Provides the overlay's [`I18n`] (English until `start`); it is also [`current`].
pub fn provide_i18n(sources: Vec<(Locale, String)>) -> I18n {
    let i18n = I18n::new(sources);
    provide_context(i18n);
    CURRENT.set(Some(i18n));
    i18n
}

/// The mounted overlay's [`I18n`] (a page has one overlay), for code that runs outside the
/// components (an error put into words in a task); English when none is mounted.
pub fn current() -> I18n {
    CURRENT.get().unwrap_or_else(|| {
        let english = I18n::new(Vec::new());
        CURRENT.set(Some(english));
        english
    })
}

/// The overlay's [`I18n`] ([`current`] outside the overlay, e.g. a component tested alone).
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(current)
}

/// A message as a view or an attribute value that follows the locale: `{tr(Msg::SignIn)}`,
/// `aria-label=tr(Msg::Close)`. One closure type for every message keeps the wasm small.
pub fn tr(m: Msg) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_built_in_and_fills_placeholders_and_plurals() {
        let t = I18n::new(Vec::new());
        assert_eq!(t.t(Msg::SignInButton), "Sign In");
        assert_eq!(t.signed_in_as("Ada"), "Signed in as Ada.");
        assert_eq!(t.customers_found(1), "1 customer");
        assert_eq!(t.customers_found(3), "3 customers");
        assert_eq!(t.available(), [Locale::En]);
    }

    #[test]
    fn a_shipped_catalogue_is_read_and_used_for_its_locale() {
        let t = I18n::new(vec![(Locale::De, "de.json".into())]);
        let de = Catalogue::parse(include_str!(concat!(env!("OUT_DIR"), "/de.json")));
        t.add(Locale::De, de.expect("the built German catalogue"));
        t.choose(Locale::De);
        assert_eq!(t.locale_untracked(), Locale::De);
        assert_eq!(t.t(Msg::SignInButton), "Anmelden");
        assert_eq!(t.signed_in_as("Ada"), "Angemeldet als Ada.");
        assert_eq!(t.customers_found(1), "1 Kunde");
        assert_eq!(t.customers_found(3), "3 Kunden");
        assert_eq!(t.available(), [Locale::En, Locale::De]);
    }

    #[test]
    fn a_catalogue_of_another_build_or_not_a_catalogue_is_refused() {
        assert_eq!(Catalogue::parse("[\"a\"]"), None);
        assert_eq!(Catalogue::parse("{}"), None);
        assert_eq!(Catalogue::parse("not json"), None);
        assert!(Catalogue::parse(include_str!(concat!(env!("OUT_DIR"), "/ar.json"))).is_some());
    }

    #[test]
    fn placeholders_are_replaced_by_name_in_any_order() {
        assert_eq!(
            fill_in("{b} then {a}, {b}", &[("a", "1"), ("b", "2")]),
            "2 then 1, 2"
        );
        assert_eq!(fill_in("{c} {a", &[("a", "1")]), "{c} {a");
        assert_eq!(fill_in("ü{a}ß", &[("a", "é")]), "üéß");
        assert_eq!(pick(&[("one", "x"), ("other", "y")], "few"), Some("y"));
    }
}
