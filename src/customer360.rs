//! Customer 360° view rules: its tabs and which fragments each loads, keyboard movement between
//! tabs, and sorting/paging of the activity table. Formatting in the overlay's locale is in
//! [`format`] (it needs the browser's `Intl`).

use crate::i18n::{I18n, Msg};
use asm_types::{C360ActivityEntry, C360Voucher, Customer360FragmentType as Fragment, VoucherKind};
use std::cmp::Ordering;

/// Rows per page of the activity table.
pub const ACTIVITY_PAGE_SIZE: usize = 10;
/// How many activity entries the view asks the server for (sorted and paged in the browser).
pub const ACTIVITY_LIST_SIZE: u32 = 500;

/// The view's tabs, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    /// Active cart, last saved cart, product interests.
    Overview,
    /// Addresses, phones, saved cards.
    Profile,
    /// Carts, orders and tickets.
    Activity,
    /// Tickets and reviews.
    Feedback,
    /// Stores near the customer.
    Stores,
    /// Cart coupons, promotions, customer coupons.
    Promotions,
}

impl Tab {
    /// Every tab, in display order.
    pub const ALL: [Tab; 6] = [
        Tab::Overview,
        Tab::Profile,
        Tab::Activity,
        Tab::Feedback,
        Tab::Stores,
        Tab::Promotions,
    ];

    /// The tab's label.
    pub fn label(self) -> Msg {
        match self {
            Tab::Overview => Msg::TabOverview,
            Tab::Profile => Msg::TabProfile,
            Tab::Activity => Msg::TabActivity,
            Tab::Feedback => Msg::TabFeedback,
            Tab::Stores => Msg::TabStores,
            Tab::Promotions => Msg::TabPromotions,
        }
    }

    /// A stable id fragment for element ids, e.g. `stores`.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Profile => "profile",
            Tab::Activity => "activity",
            Tab::Feedback => "feedback",
            Tab::Stores => "stores",
            Tab::Promotions => "promotions",
        }
    }

    /// The fragments the tab loads, with their `listSize`.
    pub fn queries(self) -> &'static [(Fragment, Option<u32>)] {
        match self {
            Tab::Overview => &[
                (Fragment::Cart, None),
                (Fragment::SavedCart, None),
                (Fragment::ProductInterests, Some(20)),
            ],
            Tab::Profile => &[(Fragment::Profile, None)],
            Tab::Activity => &[(Fragment::Activity, Some(ACTIVITY_LIST_SIZE))],
            Tab::Feedback => &[(Fragment::Feedback, Some(50))],
            Tab::Stores => &[(Fragment::StoreLocations, Some(10))],
            Tab::Promotions => &[(Fragment::Promotions, None)],
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab a key moves to (ArrowRight/ArrowLeft wrap, Home, End), if the key moves.
    pub fn moved_by(self, key: &str) -> Option<Tab> {
        let n = Tab::ALL.len();
        let i = self.index();
        let to = match key {
            "ArrowRight" => (i + 1) % n,
            "ArrowLeft" => (i + n - 1) % n,
            "Home" => 0,
            "End" => n - 1,
            _ => return None,
        };
        Some(Tab::ALL[to])
    }
}

/// A column of the activity table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivityColumn {
    /// Cart, saved cart, order, ticket.
    Type,
    /// Code or ticket id.
    Id,
    /// Description.
    Description,
    /// Status.
    Status,
    /// Created.
    Created,
    /// Last updated.
    Updated,
}

impl ActivityColumn {
    /// Every column, in display order.
    pub const ALL: [ActivityColumn; 6] = [
        ActivityColumn::Type,
        ActivityColumn::Id,
        ActivityColumn::Description,
        ActivityColumn::Status,
        ActivityColumn::Created,
        ActivityColumn::Updated,
    ];

    /// Column header.
    pub fn label(self) -> Msg {
        match self {
            ActivityColumn::Type => Msg::ColType,
            ActivityColumn::Id => Msg::ColId,
            ActivityColumn::Description => Msg::ColDescription,
            ActivityColumn::Status => Msg::ColStatus,
            ActivityColumn::Created => Msg::ColCreated,
            ActivityColumn::Updated => Msg::ColUpdated,
        }
    }

    /// The column's name in element ids (the same in every locale).
    pub fn id(self) -> &'static str {
        match self {
            ActivityColumn::Type => "Type",
            ActivityColumn::Id => "ID",
            ActivityColumn::Description => "Description",
            ActivityColumn::Status => "Status",
            ActivityColumn::Created => "Created",
            ActivityColumn::Updated => "Updated",
        }
    }
}

/// How the activity table is sorted: a column and a direction. Newest update first by default,
/// as the server sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActivitySort {
    /// The column.
    pub column: ActivityColumn,
    /// Ascending?
    pub ascending: bool,
}

impl Default for ActivitySort {
    fn default() -> Self {
        Self {
            column: ActivityColumn::Updated,
            ascending: false,
        }
    }
}

impl ActivitySort {
    /// Clicking a column header: the same column flips direction; another column sorts
    /// ascending (dates: newest first).
    pub fn clicked(self, column: ActivityColumn) -> Self {
        if self.column == column {
            Self {
                column,
                ascending: !self.ascending,
            }
        } else {
            let dates = matches!(column, ActivityColumn::Created | ActivityColumn::Updated);
            Self {
                column,
                ascending: !dates,
            }
        }
    }

    /// `aria-sort` of a column header.
    pub fn aria(self, column: ActivityColumn) -> &'static str {
        match (self.column == column, self.ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        }
    }

    /// Sorts `entries` (stable: equal rows keep the server's order). RFC 3339 UTC dates sort
    /// as text.
    pub fn sort(self, entries: &mut [C360ActivityEntry]) {
        entries.sort_by(|a, b| {
            let o = self.compare(a, b);
            if self.ascending {
                o
            } else {
                o.reverse()
            }
        });
    }

    fn compare(self, a: &C360ActivityEntry, b: &C360ActivityEntry) -> Ordering {
        match self.column {
            ActivityColumn::Type => type_label(a).cmp(type_label(b)),
            ActivityColumn::Id => a.id.cmp(&b.id),
            ActivityColumn::Description => {
                crate::text::lower(&a.description).cmp(&crate::text::lower(&b.description))
            }
            ActivityColumn::Status => a.status.cmp(&b.status),
            ActivityColumn::Created => a.created.cmp(&b.created),
            ActivityColumn::Updated => a.updated.cmp(&b.updated),
        }
    }
}

/// The label of an activity entry's type, shown.
pub fn type_msg(e: &C360ActivityEntry) -> Msg {
    use asm_types::C360ActivityType as T;
    match e.kind {
        T::Cart => Msg::ColCart,
        T::SavedCart => Msg::KindSavedCart,
        T::Order => Msg::KindOrder,
        T::Ticket => Msg::KindTicket,
    }
}

/// An activity entry's type in English: the order of the Type column in every locale.
pub fn type_label(e: &C360ActivityEntry) -> &'static str {
    use asm_types::C360ActivityType as T;
    match e.kind {
        T::Cart => "Cart",
        T::SavedCart => "Saved cart",
        T::Order => "Order",
        T::Ticket => "Ticket",
    }
}

/// Paging over rows shown in the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// Zero-based page.
    pub page: usize,
    /// Rows in all.
    pub total: usize,
    /// Rows per page.
    pub size: usize,
}

impl Paging {
    /// Number of pages (at least 1).
    pub fn pages(self) -> usize {
        self.total.div_ceil(self.size.max(1)).max(1)
    }

    /// The page, clamped to the last one (rows may have gone).
    pub fn clamped(self) -> Self {
        Self {
            page: self.page.min(self.pages() - 1),
            ..self
        }
    }

    /// The index range of the page's rows.
    pub fn range(self) -> std::ops::Range<usize> {
        let p = self.clamped();
        let start = p.page * p.size;
        start..(start + p.size).min(p.total)
    }

    /// "Page 2 of 5".
    pub fn label(self, i18n: I18n) -> String {
        let n = |n: usize| crate::i18n::number(i18n.locale_untracked(), n as f64);
        i18n.page_of(&n(self.clamped().page + 1), &n(self.pages()))
    }
}

/// Coupons that end within this many days get a notice ("Expires in 5 days").
pub const EXPIRY_NOTICE_DAYS: u32 = 30;

/// How soon a customer coupon ends, in calendar days where the agent is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// It has ended.
    Expired,
    /// It ends today (0), tomorrow (1) or in this many days, at most [`EXPIRY_NOTICE_DAYS`].
    In(u32),
}

impl Expiry {
    /// The notice for a coupon ending at `ends` when it is `now` (ms since the epoch), with the
    /// time zone's offset at each (minutes, UTC − local, as `Date.getTimezoneOffset` gives it);
    /// `None` when it ends later than [`EXPIRY_NOTICE_DAYS`] or a time is not a number.
    pub fn of(ends: f64, ends_offset: f64, now: f64, now_offset: f64) -> Option<Self> {
        if !(ends.is_finite()
            && now.is_finite()
            && ends_offset.is_finite()
            && now_offset.is_finite())
        {
            return None;
        }
        if ends <= now {
            return Some(Self::Expired);
        }
        let day = |ms: f64, offset: f64| ((ms - offset * 60_000.0) / 86_400_000.0).floor();
        let days = (day(ends, ends_offset) - day(now, now_offset)).max(0.0);
        (days <= f64::from(EXPIRY_NOTICE_DAYS)).then_some(Self::In(days as u32))
    }

    /// "Expired", "Expires today", "Expires tomorrow", "Expires in 5 days".
    pub fn text(self, i18n: I18n) -> String {
        match self {
            Self::Expired => i18n.t(Msg::Expired),
            Self::In(0) => i18n.t(Msg::ExpiresToday),
            Self::In(1) => i18n.t(Msg::ExpiresTomorrow),
            Self::In(n) => i18n.expires_in_days(n as usize),
        }
    }
}

/// Formatting in the overlay's locale, with the browser's region when it speaks that language
/// (wasm only: it calls the browser's `Intl`).
pub mod format {
    use asm_types::C360Money;
    use wasm_bindgen::JsValue;

    /// Money in the overlay's locale, e.g. `1.234,50 $` in German; the server's own
    /// formatting when the browser cannot format the currency.
    pub fn money(m: &C360Money) -> String {
        // `Intl.NumberFormat` throws on a currency that is not a 3-letter code: keep the text.
        if m.currency.len() != 3 || !m.currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return m.formatted.clone();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"style".into(), &"currency".into());
        let _ = js_sys::Reflect::set(&options, &"currency".into(), &m.currency.as_str().into());
        let f = js_sys::Intl::NumberFormat::new(&crate::i18n::intl_locales(), &options);
        let value = JsValue::from_f64(m.cents as f64 / 100.0);
        f.format()
            .call1(&f, &value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| m.formatted.clone())
    }

    /// How soon a coupon ending at `rfc3339` ends, in the browser's time zone (see
    /// [`super::Expiry::of`]).
    pub fn expiry(rfc3339: &str) -> Option<super::Expiry> {
        let ends = js_sys::Date::new(&JsValue::from_str(rfc3339));
        let now = js_sys::Date::new_0();
        super::Expiry::of(
            ends.get_time(),
            ends.get_timezone_offset(),
            now.get_time(),
            now.get_timezone_offset(),
        )
    }

    /// A date (RFC 3339) in the overlay's locale, e.g. `26 Nov 2026`; the text itself when it
    /// is not a date.
    pub fn date(rfc3339: &str) -> String {
        let d = js_sys::Date::new(&JsValue::from_str(rfc3339));
        if d.get_time().is_nan() {
            return rfc3339.to_owned();
        }
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let f = js_sys::Intl::DateTimeFormat::new(&crate::i18n::intl_locales(), &options);
        f.format()
            .call1(&f, &d)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| rfc3339.to_owned())
    }
}

/// What a cart coupon gives, as the Promotions tab says it: "10% off", "Gift: Lens Cleaning
/// Kit", "Free shipping", else the backend's description (`None` when there is none).
pub fn voucher_gives(i18n: I18n, v: &C360Voucher) -> Option<String> {
    match (v.kind, v.percent, v.gift_product_name.as_deref()) {
        (VoucherKind::GiftProduct, _, Some(gift)) => Some(i18n.gift_named(gift)),
        (VoucherKind::GiftProduct, _, None) => Some(i18n.t(Msg::GiftProduct)),
        (VoucherKind::FreeShipping, _, _) => Some(i18n.t(Msg::FreeShipping)),
        (VoucherKind::Discount, Some(p), _) => Some(i18n.percent_off(&p.to_string())),
        (VoucherKind::Discount, None, _) => {
            let d = v.description.trim();
            (!d.is_empty()).then(|| d.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en() -> I18n {
        I18n::new(Vec::new())
    }
    use asm_types::C360ActivityType;

    fn voucher(kind: VoucherKind, percent: Option<u32>, gift: Option<&str>) -> C360Voucher {
        C360Voucher {
            code: "X".into(),
            name: "X".into(),
            description: " the backend's words ".into(),
            percent,
            applied: false,
            kind,
            gift_product_name: gift.map(str::to_owned),
            session_only: false,
        }
    }

    #[test]
    fn a_coupon_says_what_it_gives() {
        assert_eq!(
            voucher_gives(en(), &voucher(VoucherKind::Discount, Some(10), None)).as_deref(),
            Some("10% off")
        );
        assert_eq!(
            voucher_gives(en(), &voucher(VoucherKind::Discount, None, None)).as_deref(),
            Some("the backend's words")
        );
        assert_eq!(
            voucher_gives(
                en(),
                &voucher(VoucherKind::GiftProduct, None, Some("Tripod"))
            )
            .as_deref(),
            Some("Gift: Tripod")
        );
        assert_eq!(
            voucher_gives(en(), &voucher(VoucherKind::FreeShipping, None, None)).as_deref(),
            Some("Free shipping")
        );
        let mut silent = voucher(VoucherKind::Discount, None, None);
        silent.description = "  ".into();
        assert_eq!(voucher_gives(en(), &silent), None);
    }

    fn entry(kind: C360ActivityType, id: &str, status: &str, updated: &str) -> C360ActivityEntry {
        C360ActivityEntry {
            kind,
            id: id.into(),
            description: format!("about {id}"),
            status: status.into(),
            created: "2026-01-01T00:00:00Z".into(),
            updated: updated.into(),
        }
    }

    const DAY: f64 = 86_400_000.0;
    /// 2026-12-02T10:00:00Z.
    const NOW: f64 = 1_796_205_600_000.0;

    #[test]
    fn coupons_ending_soon_count_calendar_days_where_the_agent_is() {
        // UTC: ends later today, tomorrow, in 5 days, in 30 and 31 days.
        assert_eq!(
            Expiry::of(NOW + 3_600_000.0, 0.0, NOW, 0.0),
            Some(Expiry::In(0))
        );
        assert_eq!(Expiry::of(NOW + DAY, 0.0, NOW, 0.0), Some(Expiry::In(1)));
        assert_eq!(
            Expiry::of(NOW + 5.0 * DAY, 0.0, NOW, 0.0),
            Some(Expiry::In(5))
        );
        assert_eq!(
            Expiry::of(NOW + 30.0 * DAY, 0.0, NOW, 0.0),
            Some(Expiry::In(30))
        );
        assert_eq!(Expiry::of(NOW + 31.0 * DAY, 0.0, NOW, 0.0), None);
        // 15:00 UTC the same day is already tomorrow at UTC+10 (offset -600), not at UTC.
        let at_15 = NOW + 5.0 * 3_600_000.0;
        assert_eq!(Expiry::of(at_15, 0.0, NOW, 0.0), Some(Expiry::In(0)));
        assert_eq!(Expiry::of(at_15, -600.0, NOW, -600.0), Some(Expiry::In(1)));
        // Ended, or ending this very moment.
        assert_eq!(Expiry::of(NOW - DAY, 0.0, NOW, 0.0), Some(Expiry::Expired));
        assert_eq!(Expiry::of(NOW, 0.0, NOW, 0.0), Some(Expiry::Expired));
        // Not a date.
        assert_eq!(Expiry::of(f64::NAN, 0.0, NOW, 0.0), None);
    }

    #[test]
    fn expiry_notices_read_as_sentences() {
        assert_eq!(Expiry::Expired.text(en()), "Expired");
        assert_eq!(Expiry::In(0).text(en()), "Expires today");
        assert_eq!(Expiry::In(1).text(en()), "Expires tomorrow");
        assert_eq!(Expiry::In(5).text(en()), "Expires in 5 days");
    }

    #[test]
    fn arrows_wrap_and_home_end_jump() {
        assert_eq!(Tab::Overview.moved_by("ArrowRight"), Some(Tab::Profile));
        assert_eq!(Tab::Overview.moved_by("ArrowLeft"), Some(Tab::Promotions));
        assert_eq!(Tab::Promotions.moved_by("ArrowRight"), Some(Tab::Overview));
        assert_eq!(Tab::Activity.moved_by("Home"), Some(Tab::Overview));
        assert_eq!(Tab::Activity.moved_by("End"), Some(Tab::Promotions));
        assert_eq!(Tab::Activity.moved_by("a"), None);
    }

    #[test]
    fn every_tab_asks_for_fragments_the_server_knows() {
        for tab in Tab::ALL {
            assert!(!tab.queries().is_empty(), "{tab:?}");
            for (kind, size) in tab.queries() {
                assert_eq!(Fragment::parse(kind.as_str()), Some(*kind));
                assert!(size.unwrap_or(1) <= asm_types::C360_MAX_LIST_SIZE);
            }
        }
    }

    #[test]
    fn activity_sorts_by_any_column_both_ways_and_stably() {
        let mut rows = vec![
            entry(
                C360ActivityType::Order,
                "30000002",
                "COMPLETED",
                "2026-03-01T00:00:00Z",
            ),
            entry(
                C360ActivityType::Cart,
                "00000001",
                "ACTIVE",
                "2026-05-01T00:00:00Z",
            ),
            entry(
                C360ActivityType::Ticket,
                "T-9",
                "OPEN",
                "2026-04-01T00:00:00Z",
            ),
        ];
        let by = |s: ActivitySort, rows: &mut Vec<C360ActivityEntry>| {
            s.sort(rows);
            rows.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
        };
        let updated_desc = ActivitySort::default();
        assert_eq!(by(updated_desc, &mut rows), ["00000001", "T-9", "30000002"]);
        let type_asc = updated_desc.clicked(ActivityColumn::Type);
        assert!(type_asc.ascending);
        assert_eq!(by(type_asc, &mut rows), ["00000001", "30000002", "T-9"]);
        let type_desc = type_asc.clicked(ActivityColumn::Type);
        assert_eq!(by(type_desc, &mut rows), ["T-9", "30000002", "00000001"]);
        assert_eq!(type_desc.aria(ActivityColumn::Type), "descending");
        assert_eq!(type_desc.aria(ActivityColumn::Id), "none");
        // A date column starts newest first.
        assert!(!type_desc.clicked(ActivityColumn::Created).ascending);
    }

    #[test]
    fn paging_clamps_and_labels() {
        let p = Paging {
            page: 0,
            total: 25,
            size: 10,
        };
        assert_eq!(p.pages(), 3);
        assert_eq!(p.range(), 0..10);
        assert_eq!(Paging { page: 2, ..p }.range(), 20..25);
        assert_eq!(Paging { page: 7, ..p }.label(en()), "Page 3 of 3");
        let empty = Paging {
            page: 0,
            total: 0,
            size: 10,
        };
        assert_eq!(empty.pages(), 1);
        assert_eq!(empty.range(), 0..0);
        assert_eq!(empty.label(en()), "Page 1 of 1");
    }
}
