//! Which language the overlay speaks: the locales it has catalogues for, and how one is chosen
//! (the agent's choice for this tab, else the loader tag's `data-locale`, else the storefront's
//! `<html lang>`, else the browser's languages, else English). Plain functions; the browser
//! parts are in [`from_page`].

/// A locale the overlay has messages for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English (the catalogue in the first load, and the fallback).
    #[default]
    En,
    /// German.
    De,
    /// Arabic, written right to left.
    Ar,
}

/// sessionStorage key: the locale the agent chose in the bar for this tab.
pub const STORED_KEY: &str = "asm_locale";

impl Locale {
    /// Every locale, in the order the bar's language menu lists them.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::De, Locale::Ar];

    /// The BCP 47 tag (`lang` attribute, `Intl`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Ar => "ar",
        }
    }

    /// The writing direction, for the `dir` attribute.
    pub fn dir(self) -> &'static str {
        match self {
            Locale::Ar => "rtl",
            Locale::En | Locale::De => "ltr",
        }
    }

    /// The language's own name, as the language menu shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Ar => "العربية",
        }
    }

    /// The locale of a language tag (`de`, `de-AT`, `AR_eg`, `en-GB`), by its primary
    /// language subtag; `None` for a language the overlay does not speak.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Locale::ALL
            .into_iter()
            .find(|l| primary.eq_ignore_ascii_case(l.tag()))
    }
}

/// What the page says about languages, most binding first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hints {
    /// The agent's choice for this tab (sessionStorage).
    pub stored: Option<String>,
    /// The loader tag's `data-locale`.
    pub data_locale: Option<String>,
    /// The storefront's `<html lang>`.
    pub html_lang: Option<String>,
    /// `navigator.languages`, the browser's preference order.
    pub browser: Vec<String>,
}

/// The first hint naming a locale the overlay speaks; a hint for another language (a French
/// storefront) passes to the next one. English when none does.
pub fn choose(hints: &Hints) -> Locale {
    [&hints.stored, &hints.data_locale, &hints.html_lang]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .chain(hints.browser.iter().map(String::as_str))
        .find_map(Locale::parse)
        .unwrap_or_default()
}

/// The hints of the page the overlay runs in (wasm only: reads the DOM and `navigator`).
#[cfg(target_arch = "wasm32")]
pub fn from_page(data_locale: Option<String>) -> Hints {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.session_storage().ok().flatten())
        .and_then(|s| s.get_item(STORED_KEY).ok().flatten());
    let html_lang = window
        .as_ref()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("lang"));
    let browser = window
        .as_ref()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default();
    Hints {
        stored,
        data_locale,
        html_lang,
        browser,
    }
}

/// The hints of the page (natively there is no page: only `data_locale`).
#[cfg(not(target_arch = "wasm32"))]
pub fn from_page(data_locale: Option<String>) -> Hints {
    Hints {
        data_locale,
        ..Hints::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(stored: &str, data: &str, html: &str, browser: &[&str]) -> Hints {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Hints {
            stored: some(stored),
            data_locale: some(data),
            html_lang: some(html),
            browser: browser.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn tags_are_matched_by_their_primary_language() {
        assert_eq!(Locale::parse("de"), Some(Locale::De));
        assert_eq!(Locale::parse("de-AT"), Some(Locale::De));
        assert_eq!(Locale::parse(" AR_eg "), Some(Locale::Ar));
        assert_eq!(Locale::parse("en-GB"), Some(Locale::En));
        assert_eq!(Locale::parse("fr-FR"), None);
        assert_eq!(Locale::parse("deu"), None);
        assert_eq!(Locale::parse(""), None);
    }

    #[test]
    fn the_most_binding_hint_that_names_a_known_locale_wins() {
        assert_eq!(choose(&hints("ar", "de", "en", &["de"])), Locale::Ar);
        assert_eq!(choose(&hints("", "de", "ar", &["en"])), Locale::De);
        assert_eq!(choose(&hints("", "", "ar-SA", &["de"])), Locale::Ar);
        assert_eq!(
            choose(&hints("", "", "", &["fr", "de-CH", "ar"])),
            Locale::De
        );
    }

    #[test]
    fn unknown_languages_pass_to_the_next_hint_and_english_is_last() {
        assert_eq!(choose(&hints("", "fr", "it", &["ar"])), Locale::Ar);
        assert_eq!(choose(&hints("xx", "", "", &[])), Locale::En);
        assert_eq!(choose(&Hints::default()), Locale::En);
    }

    #[test]
    fn arabic_alone_is_right_to_left() {
        assert_eq!(Locale::ALL.map(Locale::dir), ["ltr", "ltr", "rtl"]);
    }
}
