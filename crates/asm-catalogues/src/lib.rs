//! The overlay's message catalogues: one JSON file per locale in `locales/`, a flat object from a
//! snake_case key to a text (`"Signed in as {name}."`) or to its plural forms by CLDR category
//! (`{"one": "{count} customer", "other": "{count} customers"}`). English is the reference: the
//! other catalogues must have exactly its keys, the same placeholders in each text, and the
//! plural categories their language has.
//!
//! Two outputs: Rust for the overlay ([`rust`], its `build.rs`: a `Msg` enum, the English texts,
//! one typed function per message with placeholders) and the file the bundle ships for every
//! other locale ([`shipped`]: the texts as a JSON array in `Msg` order, fetched when an agent
//! chooses that language). Plural categories are chosen at run time by the browser's
//! `Intl.PluralRules`.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One message: a text, or its plural forms by category.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// A text with `{placeholder}`s.
    Plain(String),
    /// Plural forms by CLDR category (`zero`, `one`, `two`, `few`, `many`, `other`).
    Plural(BTreeMap<String, String>),
}

/// A locale's messages by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    /// The locale's tag (`en`, `de`, `ar`).
    pub locale: String,
    /// Messages by key, in key order (the order of `Msg` and of the shipped array).
    pub messages: BTreeMap<String, Text>,
}

/// The CLDR cardinal plural categories of a language (the forms each plural message needs).
pub fn plural_categories(locale: &str) -> Result<&'static [&'static str], String> {
    match locale {
        "en" | "de" => Ok(&["one", "other"]),
        "ar" => Ok(&["zero", "one", "two", "few", "many", "other"]),
        _ => Err(format!("no plural rules known for locale {locale:?}")),
    }
}

/// Reads a catalogue file's text.
pub fn parse(locale: &str, json: &str) -> Result<Catalogue, String> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| format!("locales/{locale}.json: {e}"))?;
    let Value::Object(object) = value else {
        return Err(format!("locales/{locale}.json: not a JSON object"));
    };
    let mut messages = BTreeMap::new();
    for (key, value) in object {
        if !is_key(&key) {
            return Err(format!(
                "locales/{locale}.json: key {key:?} is not snake_case (a-z, 0-9, _)"
            ));
        }
        let text = match value {
            Value::String(s) => Text::Plain(s),
            Value::Object(forms) => Text::Plural(forms_of(locale, &key, forms)?),
            _ => {
                return Err(format!(
                    "locales/{locale}.json: {key}: a text or an object of plural forms"
                ))
            }
        };
        messages.insert(key, text);
    }
    Ok(Catalogue {
        locale: locale.to_owned(),
        messages,
    })
}

fn forms_of(
    locale: &str,
    key: &str,
    forms: Map<String, Value>,
) -> Result<BTreeMap<String, String>, String> {
    forms
        .into_iter()
        .map(|(category, text)| match text {
            Value::String(s) => Ok((category, s)),
            _ => Err(format!(
                "locales/{locale}.json: {key}.{category}: not a text"
            )),
        })
        .collect()
}

fn is_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The `{name}` placeholders of a text.
pub fn placeholders(text: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("{text:?}: a `}}` without `{{`"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("{text:?}: a `{{` without `}}`"))?;
        let name = &after[..close];
        if !is_key(name) {
            return Err(format!(
                "{text:?}: placeholder {{{name}}} is not snake_case"
            ));
        }
        names.insert(name.to_owned());
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// The placeholders of a message (of all its forms; a plural's `count` included).
fn message_placeholders(text: &Text) -> Result<BTreeSet<String>, String> {
    match text {
        Text::Plain(s) => placeholders(s),
        Text::Plural(forms) => {
            let mut all = BTreeSet::new();
            for form in forms.values() {
                all.extend(placeholders(form)?);
            }
            Ok(all)
        }
    }
}

/// What is wrong with `other` measured against English: missing or extra keys, a plural where
/// English has a text (or the reverse), other placeholders, missing or unknown plural
/// categories. Empty when it is right.
pub fn check(en: &Catalogue, other: &Catalogue) -> Result<Vec<String>, String> {
    let categories = plural_categories(&other.locale)?;
    let file = format!("locales/{}.json", other.locale);
    let mut problems = Vec::new();
    for key in en.messages.keys() {
        if !other.messages.contains_key(key) {
            problems.push(format!("{file}: {key} is missing"));
        }
    }
    for (key, text) in &other.messages {
        let Some(english) = en.messages.get(key) else {
            problems.push(format!("{file}: {key} is not in locales/en.json"));
            continue;
        };
        let mut wanted = message_placeholders(english)?;
        let mut got = match message_placeholders(text) {
            Ok(got) => got,
            Err(e) => {
                problems.push(format!("{file}: {key}: {e}"));
                continue;
            }
        };
        if let Text::Plural(forms) = text {
            // A form may leave the number out ("one customer"); `count` is always offered.
            wanted.remove("count");
            got.remove("count");
            let have: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
            let need: BTreeSet<&str> = categories.iter().copied().collect();
            if have != need {
                problems.push(format!(
                    "{file}: {key}: plural forms {have:?}, {} needs {need:?}",
                    other.locale
                ));
            }
        }
        match (english, text) {
            (Text::Plain(_), Text::Plural(_)) | (Text::Plural(_), Text::Plain(_)) => problems.push(
                format!("{file}: {key}: plural in one catalogue, not in the other"),
            ),
            _ if wanted != got => problems.push(format!(
                "{file}: {key}: placeholders {got:?}, English has {wanted:?}"
            )),
            _ => {}
        }
    }
    Ok(problems)
}

/// `snake_case` → `CamelCase`.
fn camel(key: &str) -> String {
    key.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The Rust the overlay includes (`src/i18n.rs`): `Msg`, `EN` and a typed method of `I18n`
/// for every message with placeholders or plural forms.
pub fn rust(en: &Catalogue) -> Result<String, String> {
    let categories = plural_categories(&en.locale)?;
    let mut out = String::from(
        "// Generated by asm-catalogues from locales/en.json: do not edit.\n\n\
         /// Every message of the catalogues, by key (`locales/en.json`).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         pub enum Msg {\n",
    );
    for (key, text) in &en.messages {
        let _ = writeln!(out, "    /// {}", doc(text));
        let _ = writeln!(out, "    {},", camel(key));
    }
    let _ = writeln!(
        out,
        "}}\n\n/// How many messages there are.\npub const COUNT: usize = {};\n\n\
         /// The English texts, in [`Msg`] order.\npub static EN: [Text<'static>; COUNT] = [",
        en.messages.len()
    );
    for (key, text) in &en.messages {
        match text {
            Text::Plain(s) => {
                let _ = writeln!(out, "    Text::Plain({s:?}),");
            }
            Text::Plural(forms) => {
                let have: Vec<&str> = forms.keys().map(String::as_str).collect();
                let mut need = categories.to_vec();
                need.sort_unstable();
                if have != need {
                    return Err(format!(
                        "locales/en.json: {key}: plural forms {have:?}, en needs {need:?}"
                    ));
                }
                let forms: Vec<String> = forms
                    .iter()
                    .map(|(c, s)| format!("({c:?}, {s:?})"))
                    .collect();
                let _ = writeln!(out, "    Text::Plural(&[{}]),", forms.join(", "));
            }
        }
    }
    out.push_str("];\n\nimpl I18n {\n");
    for (key, text) in &en.messages {
        let mut names =
            message_placeholders(text).map_err(|e| format!("locales/en.json: {key}: {e}"))?;
        let plural = matches!(text, Text::Plural(_));
        if plural {
            names.remove("count");
        } else if names.is_empty() {
            continue;
        }
        let mut params = Vec::new();
        if plural {
            params.push("count: usize".to_owned());
        }
        params.extend(names.iter().map(|n| format!("{n}: &str")));
        let values: Vec<String> = names.iter().map(|n| format!("({n:?}, {n})")).collect();
        let count = if plural { "Some(count)" } else { "None" };
        let _ = writeln!(
            out,
            "    /// {}\n    pub fn {key}(self, {}) -> String {{\n        self.fill(Msg::{}, {count}, &[{}])\n    }}",
            doc(text),
            params.join(", "),
            camel(key),
            values.join(", ")
        );
    }
    out.push_str("}\n");
    Ok(out)
}

/// A message's English text for a doc comment.
fn doc(text: &Text) -> String {
    let s = match text {
        Text::Plain(s) => format!("“{s}”"),
        Text::Plural(forms) => forms
            .iter()
            .map(|(c, s)| format!("{c}: “{s}”"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    s.replace('\n', " ")
}

/// The file the bundle ships for `other` (checked against `en` first): its texts as one JSON
/// array in `Msg` order, a string or an object of plural forms each.
pub fn shipped(en: &Catalogue, other: &Catalogue) -> Result<String, String> {
    let problems = check(en, other)?;
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let texts: Vec<Value> = en
        .messages
        .keys()
        .filter_map(|key| other.messages.get(key))
        .map(|text| match text {
            Text::Plain(s) => Value::String(s.clone()),
            Text::Plural(forms) => Value::Object(
                forms
                    .iter()
                    .map(|(c, s)| (c.clone(), Value::String(s.clone())))
                    .collect(),
            ),
        })
        .collect();
    serde_json::to_string(&texts).map_err(|e| e.to_string())
}

/// Every catalogue in `dir` (`<tag>.json`): English, and each other locale's shipped file
/// ([`shipped`]) by tag, sorted. Fails on the first catalogue with a problem, naming them all.
pub fn compile_dir(dir: &std::path::Path) -> Result<(Catalogue, Vec<(String, String)>), String> {
    let read = |tag: &str| {
        let path = dir.join(format!("{tag}.json"));
        std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let en = parse("en", &read("en")?)?;
    let mut tags: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let tag = name.strip_suffix(".json")?;
            (tag != "en").then(|| tag.to_owned())
        })
        .collect();
    tags.sort();
    let mut shipped_files = Vec::new();
    for tag in tags {
        let catalogue = parse(&tag, &read(&tag)?)?;
        shipped_files.push((tag, shipped(&en, &catalogue)?));
    }
    Ok((en, shipped_files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> Catalogue {
        parse(
            "en",
            r#"{"sign_in": "Sign In", "signed_in_as": "Signed in as {name}.",
                "customers_found": {"one": "{count} customer", "other": "{count} customers"}}"#,
        )
        .unwrap()
    }

    #[test]
    fn placeholders_are_the_names_in_braces() {
        let names = placeholders("{a} and {b_2}, {a}").unwrap();
        assert_eq!(names.into_iter().collect::<Vec<_>>(), ["a", "b_2"]);
        assert!(placeholders("no braces").unwrap().is_empty());
        assert!(placeholders("open {name").is_err());
        assert!(placeholders("close }").is_err());
        assert!(placeholders("{Name}").is_err());
    }

    #[test]
    fn a_right_catalogue_has_no_problem_and_ships_in_key_order() {
        let de = parse(
            "de",
            r#"{"signed_in_as": "Angemeldet als {name}.", "sign_in": "Anmelden",
                "customers_found": {"one": "ein Kunde", "other": "{count} Kunden"}}"#,
        )
        .unwrap();
        assert_eq!(check(&en(), &de).unwrap(), Vec::<String>::new());
        assert_eq!(
            shipped(&en(), &de).unwrap(),
            r#"[{"one":"ein Kunde","other":"{count} Kunden"},"Anmelden","Angemeldet als {name}."]"#
        );
    }

    #[test]
    fn missing_and_extra_keys_placeholders_and_plural_forms_are_reported() {
        let ar = parse(
            "ar",
            r#"{"sign_in": "تسجيل الدخول", "signed_in_as": "مسجل باسم {agent}.",
                "customers_found": {"one": "عميل واحد", "other": "{count} عملاء"}, "extra": "x"}"#,
        )
        .unwrap();
        let problems = check(&en(), &ar).unwrap();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].contains("customers_found: plural forms"),
            "{problems:#?}"
        );
        assert!(problems[1].contains("extra is not in locales/en.json"));
        assert!(problems[2].contains("signed_in_as: placeholders"));
        let de = parse("de", r#"{"sign_in": {"one": "a", "other": "b"}}"#).unwrap();
        let problems = check(&en(), &de).unwrap();
        assert!(problems
            .iter()
            .any(|p| p.contains("customers_found is missing")));
        assert!(problems
            .iter()
            .any(|p| p.contains("sign_in: plural in one")));
        assert!(shipped(&en(), &de).is_err());
    }

    #[test]
    fn bad_files_are_refused_with_the_file_and_key() {
        assert!(parse("de", "[1]")
            .unwrap_err()
            .contains("not a JSON object"));
        assert!(parse("de", r#"{"Sign": "x"}"#)
            .unwrap_err()
            .contains("snake_case"));
        assert!(parse("de", r#"{"a": 1}"#)
            .unwrap_err()
            .contains("locales/de.json: a"));
        assert!(parse("de", "{").unwrap_err().contains("locales/de.json"));
        assert!(plural_categories("fr").is_err());
    }

    #[test]
    fn rust_has_the_enum_the_english_texts_and_typed_functions() {
        let code = rust(&en()).unwrap();
        assert!(code.contains("pub enum Msg {"));
        assert!(code.contains("    CustomersFound,\n"));
        assert!(code.contains("pub const COUNT: usize = 3;"));
        assert!(code.contains(
            r#"Text::Plural(&[("one", "{count} customer"), ("other", "{count} customers")]),"#
        ));
        assert!(code.contains(r#"Text::Plain("Sign In"),"#));
        assert!(code.contains("pub fn signed_in_as(self, name: &str) -> String {"));
        assert!(code.contains(r#"self.fill(Msg::SignedInAs, None, &[("name", name)])"#));
        assert!(code.contains("pub fn customers_found(self, count: usize) -> String {"));
        assert!(
            !code.contains("fn sign_in("),
            "a plain text needs no function"
        );
        let one_form = parse("en", r#"{"n": {"other": "x"}}"#).unwrap();
        assert!(rust(&one_form).is_err());
    }
}
