//! Single sign-on in the bar: the start URL of the "Sign in with …" button (it comes back to this
//! page with ASM on) and the `asmSsoError` answer the middleware sends the agent back with. Plain
//! logic, tested natively; the component does the navigation and the address-bar clean-up.

use crate::deeplink::decode;
use crate::i18n::{I18n, Msg};
use crate::locale::Locale;
use asm_types::{SsoError, SSO_ERROR_PARAM, SSO_RETURN_PARAM};

/// The page to come back to: `page` without any old `asmSsoError` and with `asm=true` when it
/// has no `asm` parameter (ASM stays open after the round trip to the provider).
pub fn return_to(page: &str) -> String {
    let (rest, fragment) = match page.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (page, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| decode(p.split('=').next().unwrap_or_default()) != SSO_ERROR_PARAM)
        .map(str::to_owned)
        .collect();
    if !parts
        .iter()
        .any(|p| decode(p.split('=').next().unwrap_or_default()) == "asm")
    {
        parts.push("asm=true".into());
    }
    let mut out = format!("{base}?{}", parts.join("&"));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Where the button sends the browser: the middleware's `start_url` with `returnTo` = this page.
pub fn start_url(start_url: &str, page: &str) -> String {
    let sep = if start_url.contains('?') { '&' } else { '?' };
    format!(
        "{start_url}{sep}{SSO_RETURN_PARAM}={}",
        encode_component(&return_to(page))
    )
}

/// What to tell the agent of a failed single sign-on, in the locale shown (English: the
/// contract's own text).
pub fn error_text(i18n: I18n, error: SsoError) -> String {
    let m = match (i18n.locale_untracked(), error) {
        (Locale::En, e) => return e.message().to_owned(),
        (_, SsoError::Cancelled) => Msg::SsoCancelled,
        (_, SsoError::ProviderError) => Msg::SsoProviderError,
        (_, SsoError::ProviderUnavailable) => Msg::SsoProviderUnavailable,
        (_, SsoError::Expired) => Msg::SsoExpired,
        (_, SsoError::StateMismatch) => Msg::SsoStateMismatch,
        (_, SsoError::NotAnAgent) => Msg::SsoNotAnAgent,
        (_, SsoError::Failed) => Msg::SsoFailed,
    };
    i18n.t(m)
}

/// The failed sign-in the page's query string reports (an unknown code reads as `Failed`), and
/// the query string without it (with its `?`, or `""` when nothing is left).
pub fn take_error(search: &str) -> Option<(SsoError, String)> {
    let mut error = None;
    let kept: Vec<&str> = search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            if decode(k) == SSO_ERROR_PARAM {
                error
                    .get_or_insert_with(|| SsoError::parse(&decode(v)).unwrap_or(SsoError::Failed));
                false
            } else {
                true
            }
        })
        .collect();
    let rest = if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    };
    error.map(|e| (e, rest))
}

/// `encodeURIComponent`: everything but `A–Z a–z 0–9 - _ . ! ~ * ' ( )` percent-encoded (UTF-8).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_return_page_keeps_asm_on_and_the_deep_link() {
        assert_eq!(
            return_to("https://shop.example/p/1?customerId=C-1&asmSsoError=expired#reviews"),
            "https://shop.example/p/1?customerId=C-1&asm=true#reviews"
        );
        assert_eq!(
            return_to("https://shop.example/?asm=true&ticketId=T-1"),
            "https://shop.example/?asm=true&ticketId=T-1"
        );
        assert_eq!(
            return_to("https://shop.example/"),
            "https://shop.example/?asm=true"
        );
    }

    #[test]
    fn the_start_url_carries_the_page_encoded() {
        assert_eq!(
            start_url("https://asm.example/asm/agents/sso/start", "https://shop.example/?asm=true&q=a b"),
            "https://asm.example/asm/agents/sso/start?returnTo=https%3A%2F%2Fshop.example%2F%3Fasm%3Dtrue%26q%3Da%20b"
        );
        assert_eq!(encode_component("é&"), "%C3%A9%26");
    }

    #[test]
    fn the_error_is_read_and_removed() {
        assert_eq!(
            take_error("?asm=true&asmSsoError=not-an-agent&customerId=C-1"),
            Some((SsoError::NotAnAgent, "?asm=true&customerId=C-1".into()))
        );
        assert_eq!(
            take_error("?asmSsoError=%3Cscript%3E"),
            Some((SsoError::Failed, String::new()))
        );
        assert_eq!(take_error("?asm=true"), None);
        assert_eq!(take_error(""), None);
    }

    #[test]
    fn errors_are_told_in_the_locale_shown() {
        let en = crate::i18n::I18n::new(Vec::new());
        let de = crate::i18n::I18n::new(vec![(Locale::De, "de.json".into())]);
        let catalogue =
            crate::i18n::Catalogue::parse(include_str!(concat!(env!("OUT_DIR"), "/de.json")));
        de.add(Locale::De, catalogue.expect("the built German catalogue"));
        de.choose(Locale::De);
        for e in SsoError::ALL {
            assert_eq!(error_text(en, e), e.message());
            assert_ne!(error_text(de, e), e.message(), "{e:?} in German");
        }
        assert!(error_text(de, SsoError::NotAnAgent).contains("Kundenservice-Agenten"));
    }
}
