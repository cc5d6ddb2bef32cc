//! Customer lists rules: what a list page asks the server, and the labels the dialog shows
//! (initials avatar, count, page).

use crate::i18n::I18n;

/// Customers per page of a list.
pub const PAGE_SIZE: u32 = 10;

/// What a customer list page shows: which list, the search inside it, the sort and the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// The list id (`customerListId`).
    pub list_id: String,
    /// The search inside the list, trimmed; empty lists everyone.
    pub query: String,
    /// The sort code; `None` is the list's default.
    pub sort: Option<String>,
    /// Zero-based page.
    pub page: u32,
}

impl ListQuery {
    /// The first page of `list_id`, unsorted and unsearched.
    pub fn first_page_of(list_id: &str) -> Self {
        Self {
            list_id: list_id.to_owned(),
            ..Self::default()
        }
    }

    /// The query parameters of `GET /customers/search` (besides `baseSite`).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("customerListId", self.list_id.clone()),
            ("query", self.query.clone()),
            ("currentPage", self.page.to_string()),
            ("pageSize", PAGE_SIZE.to_string()),
        ];
        if let Some(sort) = &self.sort {
            p.push(("sort", sort.clone()));
        }
        p
    }
}

/// Up to two initials for the avatar: the first letter or digit of the first and of the last
/// word of `name`, upper-cased; "?" when there is none.
pub fn initials(name: &str) -> String {
    let words: Vec<String> = name
        .split_whitespace()
        .filter_map(crate::text::first_letter_or_digit)
        .collect();
    let picked = match words.as_slice() {
        [] => return "?".to_owned(),
        [one] => one.clone(),
        [first, .., last] => format!("{first}{last}"),
    };
    crate::text::upper(&picked)
}

/// "1 customer", "12 customers", or "More than 1000 customers" when counting stopped early.
pub fn count_label(i18n: I18n, total: u64, lower_bound: bool) -> String {
    let n = usize::try_from(total).unwrap_or(usize::MAX);
    if lower_bound {
        i18n.lists_more_than(n)
    } else {
        i18n.customers_found(n)
    }
}

/// "Page 2 of 5" for the zero-based `current` page of `total_pages` (an empty list is one page).
pub fn page_label(i18n: I18n, current: u32, total_pages: u32) -> String {
    let total = total_pages.max(1);
    let locale = i18n.locale_untracked();
    let page = crate::i18n::number(locale, f64::from(current.saturating_add(1).min(total)));
    i18n.page_of(&page, &crate::i18n::number(locale, f64::from(total)))
}

/// Whether there is a page before the zero-based `current` one.
pub fn has_previous(current: u32) -> bool {
    current > 0
}

/// Whether there is a page after the zero-based `current` one of `total_pages`.
pub fn has_next(current: u32, total_pages: u32) -> bool {
    current.saturating_add(1) < total_pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> I18n {
        crate::i18n::I18n::new(Vec::new())
    }

    #[test]
    fn initials_take_the_first_and_last_word() {
        assert_eq!(initials("Linda Wolf"), "LW");
        assert_eq!(initials("anna maria  de souza"), "AS");
        assert_eq!(initials("Cher"), "C");
        assert_eq!(initials("  "), "?");
        assert_eq!(initials(""), "?");
        assert_eq!(initials("élodie straße"), "ÉS");
        assert_eq!(initials("ßilvia 42"), "SS4");
        assert_eq!(initials("\u{301}--- ..."), "?");
        // Letters, not markup; characters, not bytes.
        assert_eq!(initials("<img src=x>Mallory <script>"), "IS");
        assert_eq!(initials("Zoë Ørsted"), "ZØ");
        assert_eq!(initials("--- ***"), "?");
    }

    #[test]
    fn counts_say_when_they_are_a_lower_bound() {
        assert_eq!(count_label(en(), 0, false), "0 customers");
        assert_eq!(count_label(en(), 1, false), "1 customer");
        assert_eq!(count_label(en(), 13, false), "13 customers");
        assert_eq!(count_label(en(), 1000, true), "More than 1000 customers");
    }

    #[test]
    fn page_labels_are_one_based_and_never_zero_of_zero() {
        assert_eq!(page_label(en(), 0, 3), "Page 1 of 3");
        assert_eq!(page_label(en(), 2, 3), "Page 3 of 3");
        assert_eq!(page_label(en(), 0, 0), "Page 1 of 1");
        // A page past the end (the list shrank) does not claim to be beyond the total.
        assert_eq!(page_label(en(), 7, 3), "Page 3 of 3");
    }

    #[test]
    fn previous_and_next_stop_at_the_ends() {
        assert!(!has_previous(0));
        assert!(has_previous(1));
        assert!(has_next(0, 2));
        assert!(!has_next(1, 2));
        assert!(!has_next(0, 0));
        assert!(!has_next(u32::MAX, u32::MAX));
    }

    #[test]
    fn params_name_the_list_page_and_sort() {
        let q = ListQuery {
            list_id: "instore".into(),
            query: "wolf".into(),
            sort: Some("byUidDesc".into()),
            page: 2,
        };
        assert_eq!(
            q.params(),
            vec![
                ("customerListId", "instore".to_owned()),
                ("query", "wolf".to_owned()),
                ("currentPage", "2".to_owned()),
                ("pageSize", "10".to_owned()),
                ("sort", "byUidDesc".to_owned()),
            ]
        );
        let first = ListQuery::first_page_of("pickup");
        assert_eq!(first.page, 0);
        assert!(first.params().iter().all(|(k, _)| *k != "sort"));
    }
}
