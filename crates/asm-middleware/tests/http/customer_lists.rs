//! Customer lists (`GET /customerlists`, `GET /customerlists/{listId}`) and the search by list,
//! order and sort (`GET /customers/search?customerListId&orderId&sort`).

use crate::common;

use asm_middleware::commerce::embedded::seed::{AGENT, INJECTION_ID, LINDA_ID, MANAGER};
use asm_types::{
    error_type, CustomerListDetail, CustomerLists, CustomerSearchEntry, CustomerSearchPage,
};
use axum::http::StatusCode;
use common::*;

async fn search(app: &TestApp, cookie: &str, params: &str) -> CustomerSearchPage {
    let res = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&{params}"),
            Some(cookie),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{params}: {}", res.text());
    serde_json::from_value(res.json()).expect("search page")
}

/// Every entry of a search, through pages of 100.
async fn search_all(app: &TestApp, cookie: &str, params: &str) -> Vec<CustomerSearchEntry> {
    let mut all = Vec::new();
    for page_no in 0.. {
        let page = search(
            app,
            cookie,
            &format!("{params}&pageSize=100&currentPage={page_no}"),
        )
        .await;
        let done = page.entries.is_empty();
        all.extend(page.entries);
        if done {
            break;
        }
        assert!(page_no < 100, "too many pages");
    }
    all
}

fn ids(entries: &[CustomerSearchEntry]) -> Vec<String> {
    entries.iter().map(|e| e.customer_id.clone()).collect()
}

fn members(app: &TestApp, list: &str) -> Vec<String> {
    let c = app.db();
    let mut stmt = c
        .prepare("SELECT customer_id FROM customer_list_members WHERE list_id = ?1 ORDER BY 1")
        .expect("prepare");
    stmt.query_map([list], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

async fn lists(app: &TestApp, cookie: &str) -> CustomerLists {
    let res = app
        .get(&format!("/asm/customerlists?baseSite={SITE}"), Some(cookie))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    serde_json::from_value(res.json()).expect("lists")
}

fn count_of(lists: &CustomerLists, id: &str) -> u64 {
    lists
        .customer_lists
        .iter()
        .find(|l| l.id == id)
        .unwrap_or_else(|| panic!("no list {id}"))
        .members_count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lists_are_listed_with_their_sizes() {
    let app = TestApp::new();
    app.get(&format!("/asm/customerlists?baseSite={SITE}"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    let err = app
        .get("/asm/customerlists", Some(&cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("baseSite"));

    let res = app
        .get(
            &format!("/asm/customerlists?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert!(res.header(asm_types::EXPIRES_HEADER).is_some());
    let all = lists(&app, &cookie).await;
    let got: Vec<(&str, &str)> = all
        .customer_lists
        .iter()
        .map(|l| (l.id.as_str(), l.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("instore", "Current In-Store Customers"),
            ("pickup", "Pick-Up In-Store Customers"),
            ("mysessions", "My Recent Customer Sessions"),
        ]
    );
    let instore = members(&app, "instore");
    assert!(instore.contains(&LINDA_ID.to_owned()), "{instore:?}");
    assert!(instore.len() >= 2, "{instore:?}");
    assert_eq!(count_of(&all, "instore"), instore.len() as u64);
    let pickup = members(&app, "pickup");
    assert!(!pickup.is_empty());
    assert_eq!(count_of(&all, "pickup"), pickup.len() as u64);
    assert_eq!(count_of(&all, "mysessions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_list_tells_how_to_show_it() {
    let app = TestApp::new();
    app.get(&format!("/asm/customerlists/instore?baseSite={SITE}"), None)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    for (id, column) in [
        ("instore", "lastCartId"),
        ("pickup", "orderId"),
        ("mysessions", "lastCartId"),
    ] {
        let res = app
            .get(
                &format!("/asm/customerlists/{id}?baseSite={SITE}"),
                Some(&cookie),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let json = res.json();
        assert_eq!(json["searchBoxEnabled"], true, "{json}");
        let detail: CustomerListDetail = serde_json::from_value(json).expect("detail");
        assert_eq!(detail.id, id);
        assert!(!detail.name.is_empty());
        assert_eq!(detail.additional_columns, [column]);
        let expected = if id == "mysessions" {
            0
        } else {
            members(&app, id).len() as u64
        };
        assert_eq!(detail.members_count, expected, "{id}");
    }
    let err = app
        .get(
            &format!("/asm/customerlists/nolist?baseSite={SITE}"),
            Some(&cookie),
        )
        .await
        .assert_error(StatusCode::NOT_FOUND, error_type::NOT_FOUND);
    assert_eq!(err.subject.as_deref(), Some("nolist"));
    let err = app
        .get("/asm/customerlists/instore", Some(&cookie))
        .await
        .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
    assert_eq!(err.subject.as_deref(), Some("baseSite"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_list_search_pages_sorts_and_searches_its_members_only() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let instore = members(&app, "instore");
    let page = search(&app, &cookie, "customerListId=instore").await;
    assert_eq!(page.pagination.total_results, instore.len() as u64);
    assert_eq!(page.pagination.sort.as_deref(), Some("byNameAsc"));
    let mut got = ids(&page.entries);
    got.sort();
    assert_eq!(got, instore);
    // Paged one by one, by name descending.
    let mut paged = Vec::new();
    for n in 0..instore.len() {
        let page = search(
            &app,
            &cookie,
            &format!("customerListId=instore&sort=byNameDesc&pageSize=1&currentPage={n}"),
        )
        .await;
        assert_eq!(page.pagination.total_pages as usize, instore.len());
        assert_eq!(page.entries.len(), 1);
        paged.extend(page.entries);
    }
    let names: Vec<String> = paged.iter().map(|e| e.name.to_lowercase()).collect();
    assert!(names.windows(2).all(|w| w[0] >= w[1]), "{names:?}");
    // Searching inside the list.
    let page = search(&app, &cookie, "customerListId=instore&query=linda").await;
    assert_eq!(ids(&page.entries), [LINDA_ID]);
    let page = search(&app, &cookie, "customerListId=instore&query=zzzz").await;
    assert!(page.entries.is_empty());
    assert_eq!(page.pagination.total_results, 0);
    // The pick-up list: each entry carries the customer's most recent order.
    let pickup = members(&app, "pickup");
    let page = search(&app, &cookie, "customerListId=pickup").await;
    assert_eq!(page.entries.len(), pickup.len());
    for e in &page.entries {
        let latest: String = app.scalar(
            "SELECT code FROM orders WHERE customer_id = ?1 ORDER BY placed DESC, code DESC LIMIT 1",
            [&e.customer_id],
        );
        assert_eq!(e.order_id.as_deref(), Some(latest.as_str()), "{e:?}");
        assert!(e.has_order);
    }
    // Empty means no list.
    let page = search(&app, &cookie, "customerListId=").await;
    assert_eq!(page.pagination.total_results, TOTAL_CUSTOMERS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_lists_orders_and_sorts_are_refused() {
    let app = TestApp::new();
    app.get(
        &format!("/asm/customers/search?baseSite={SITE}&customerListId=instore"),
        None,
    )
    .await
    .assert_error(StatusCode::UNAUTHORIZED, error_type::INVALID_TOKEN);
    let cookie = app.login(&AGENT).await;
    for (params, subject) in [
        ("customerListId=nolist", "customerListId"),
        ("customerListId=INSTORE", "customerListId"),
        ("orderId=nope", "orderId"),
        ("orderId=nope&customerListId=instore", "orderId"),
        ("sort=byShoeSize", "sort"),
        ("sort=", "sort"),
        ("sort=%20byNameAsc", "sort"),
        ("sort=bynameasc", "sort"),
        ("sort=bySessionDateDesc", "sort"),
        ("sort=bySessionDateDesc&customerListId=instore", "sort"),
    ] {
        let err = app
            .get(
                &format!("/asm/customers/search?baseSite={SITE}&{params}"),
                Some(&cookie),
            )
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some(subject), "{params}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_sessions_are_the_customers_i_emulated_most_recent_first() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let other: String = app.scalar(
        "SELECT customer_id FROM customers WHERE disabled = 0 AND consent = 1 \
         AND customer_id LIKE 'C0%' ORDER BY customer_id LIMIT 1",
        [],
    );
    let page = search(&app, &cookie, "customerListId=mysessions").await;
    assert!(page.entries.is_empty());
    for customer in [LINDA_ID, INJECTION_ID, other.as_str()] {
        app.advance_secs(10);
        app.emulate(&cookie, customer).await;
    }
    let page = search(&app, &cookie, "customerListId=mysessions").await;
    assert_eq!(ids(&page.entries), [other.as_str(), INJECTION_ID, LINDA_ID]);
    assert_eq!(page.pagination.sort.as_deref(), Some("bySessionDateDesc"));
    assert!(page
        .sorts
        .iter()
        .any(|s| s.code == "bySessionDateDesc" && s.selected));
    assert_eq!(page.sorts.iter().filter(|s| s.selected).count(), 1);
    // Linda again: first, and counted once.
    app.advance_secs(10);
    app.emulate(&cookie, LINDA_ID).await;
    let page = search(&app, &cookie, "customerListId=mysessions").await;
    assert_eq!(ids(&page.entries), [LINDA_ID, other.as_str(), INJECTION_ID]);
    let same = search(
        &app,
        &cookie,
        "customerListId=mysessions&sort=bySessionDateDesc",
    )
    .await;
    assert_eq!(same.entries, page.entries);
    assert_eq!(count_of(&lists(&app, &cookie).await, "mysessions"), 3);
    // Other sorts and searching work inside the list too.
    let by_name = search(&app, &cookie, "customerListId=mysessions&sort=byNameAsc").await;
    let names: Vec<String> = by_name
        .entries
        .iter()
        .map(|e| e.name.to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
    let page = search(&app, &cookie, "customerListId=mysessions&query=wolf").await;
    assert_eq!(ids(&page.entries), [LINDA_ID]);
    // Another agent's recent sessions are their own.
    let manager = app.login(&MANAGER).await;
    let page = search(&app, &manager, "customerListId=mysessions").await;
    assert!(page.entries.is_empty());
    assert_eq!(count_of(&lists(&app, &manager).await, "mysessions"), 0);
    let res = app
        .get(
            &format!("/asm/customerlists/mysessions?baseSite={SITE}"),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.json()["membersCount"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sorts_order_everyone_and_are_echoed() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let asc = search_all(&app, &cookie, "").await;
    assert_eq!(asc.len() as u64, TOTAL_CUSTOMERS);
    let page = search(&app, &cookie, "").await;
    assert_eq!(page.pagination.sort.as_deref(), Some("byNameAsc"));
    let codes: Vec<&str> = page.sorts.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "byNameAsc",
            "byNameDesc",
            "byUidAsc",
            "byUidDesc",
            "byOrderDateAsc",
            "byOrderDateDesc"
        ]
    );
    assert!(page.sorts[0].selected && page.sorts.iter().filter(|s| s.selected).count() == 1);

    // byNameAsc given explicitly is the default; byNameDesc is its exact reverse.
    assert_eq!(search_all(&app, &cookie, "sort=byNameAsc").await, asc);
    let desc = search_all(&app, &cookie, "sort=byNameDesc").await;
    let mut reversed = asc.clone();
    reversed.reverse();
    assert_eq!(desc, reversed);
    let first = search(&app, &cookie, "sort=byNameDesc&pageSize=5").await;
    assert_eq!(first.pagination.sort.as_deref(), Some("byNameDesc"));
    assert!(first
        .sorts
        .iter()
        .any(|s| s.code == "byNameDesc" && s.selected));
    assert!(
        first.entries[0].name.to_lowercase() >= first.entries[4].name.to_lowercase(),
        "{:?}",
        first.entries
    );

    for (sort, ascending) in [("byUidAsc", true), ("byUidDesc", false)] {
        let all = search_all(&app, &cookie, &format!("sort={sort}")).await;
        assert_eq!(all.len() as u64, TOTAL_CUSTOMERS);
        let uids: Vec<String> = all.iter().map(|e| e.uid.to_lowercase()).collect();
        assert!(
            uids.windows(2)
                .all(|w| if ascending { w[0] < w[1] } else { w[0] > w[1] }),
            "{sort}"
        );
    }

    let latest = |id: &str| -> Option<i64> {
        app.scalar(
            "SELECT MAX(placed) FROM orders WHERE customer_id = ?1",
            [id],
        )
    };
    for (sort, ascending) in [("byOrderDateAsc", true), ("byOrderDateDesc", false)] {
        let all = search_all(&app, &cookie, &format!("sort={sort}")).await;
        assert_eq!(all.len() as u64, TOTAL_CUSTOMERS, "{sort}");
        let dates: Vec<Option<i64>> = all.iter().map(|e| latest(&e.customer_id)).collect();
        let with: Vec<i64> = dates.iter().map_while(|d| *d).collect();
        assert!(with.len() > 10, "{sort}: customers with orders come first");
        assert!(
            dates[with.len()..].iter().all(Option::is_none),
            "{sort}: customers without orders last"
        );
        assert!(
            with.windows(2).all(|w| if ascending {
                w[0] <= w[1]
            } else {
                w[0] >= w[1]
            }),
            "{sort}: {with:?}"
        );
        for e in &all[..with.len()] {
            assert!(e.has_order);
        }
    }

    // A sorted search finds the same customers as the default one.
    let mut by_name = ids(&search_all(&app, &cookie, "query=ann").await);
    let mut by_date = ids(&search_all(&app, &cookie, "query=ann&sort=byOrderDateDesc").await);
    assert!(!by_name.is_empty());
    by_name.sort();
    by_date.sort();
    assert_eq!(by_name, by_date);
    let mut by_uid = ids(&search_all(&app, &cookie, "query=wol&sort=byUidDesc").await);
    let mut wol = ids(&search_all(&app, &cookie, "query=wol").await);
    by_uid.sort();
    wol.sort();
    assert_eq!(by_uid, wol);
    // Under 3 characters over everybody there is no index to gather the matches from: only
    // the name sorts (the api tests check the refusal's text).
    let short = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&query=wo&sort=byUidDesc"),
            Some(&cookie),
        )
        .await;
    assert_eq!(short.status, StatusCode::BAD_REQUEST);
    // NUL matches nobody, whatever the sort.
    let page = search(&app, &cookie, "query=a%00b&sort=byNameDesc").await;
    assert_eq!(page.pagination.total_results, 0);
}

/// A cart number finds its customer (active or saved cart), named in the entry; a guest cart,
/// an ordered cart or an unknown number is a 400 on `cartId` that says which.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_number_finds_its_customer() {
    use asm_middleware::commerce::embedded::seed::FIRST_ANONYMOUS_CART;
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let active: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' LIMIT 1",
        [LINDA_ID],
    );
    let page = search(&app, &cookie, &format!("cartId={active}")).await;
    assert_eq!(ids(&page.entries), [LINDA_ID]);
    assert_eq!(page.entries[0].cart_id.as_deref(), Some(active.as_str()));
    assert_eq!(
        page.entries[0].cart_status,
        Some(asm_types::CartStatus::Active)
    );
    assert_eq!(page.pagination.total_results, 1);
    // Her cart saved for later: found too, as saved.
    app.db()
        .execute(
            "UPDATE carts SET status = 'saved' WHERE code = ?1",
            [&active],
        )
        .expect("save");
    let json = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&cartId=%20{active}%20"),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(json["entries"][0]["customerId"], LINDA_ID);
    assert_eq!(json["entries"][0]["cartId"], active.as_str());
    assert_eq!(json["entries"][0]["cartStatus"], "SAVED");
    // With an order number too, the order wins.
    let order: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id <> ?1 ORDER BY code LIMIT 1",
        [LINDA_ID],
    );
    let page = search(&app, &cookie, &format!("cartId={active}&orderId={order}")).await;
    assert_ne!(ids(&page.entries), [LINDA_ID]);
    assert_eq!(page.entries[0].cart_id, None);
    // Refusals name the field and say why.
    let ordered: String = app.scalar(
        "SELECT code FROM carts WHERE customer_id <> ?1 AND status = 'active' LIMIT 1",
        [LINDA_ID],
    );
    app.db()
        .execute(
            "UPDATE carts SET status = 'ordered' WHERE code = ?1",
            [&ordered],
        )
        .expect("order it");
    for (cart, words) in [
        (FIRST_ANONYMOUS_CART, "guest cart"),
        (ordered.as_str(), "No customer's cart has this number"),
        ("00000000", "No customer's cart has this number"),
    ] {
        let err = app
            .get(
                &format!("/asm/customers/search?baseSite={SITE}&cartId={cart}"),
                Some(&cookie),
            )
            .await
            .assert_error(StatusCode::BAD_REQUEST, error_type::VALIDATION);
        assert_eq!(err.subject.as_deref(), Some("cartId"), "{cart}");
        assert!(err.message.contains(words), "{cart}: {}", err.message);
    }
    // Entries of a plain search carry no cart.
    let page = search(&app, &cookie, "query=linda").await;
    assert_eq!(page.entries[0].cart_id, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_finds_the_customer_who_placed_it() {
    let app = TestApp::new();
    let cookie = app.login(&AGENT).await;
    let order: String = app.scalar(
        "SELECT code FROM orders WHERE customer_id = ?1 ORDER BY code LIMIT 1",
        [LINDA_ID],
    );
    let page = search(&app, &cookie, &format!("orderId={order}")).await;
    assert_eq!(ids(&page.entries), [LINDA_ID]);
    assert_eq!(page.pagination.total_results, 1);
    assert_eq!(page.entries[0].order_id.as_deref(), Some(order.as_str()));
    let json = app
        .get(
            &format!("/asm/customers/search?baseSite={SITE}&orderId={order}"),
            Some(&cookie),
        )
        .await
        .json();
    assert_eq!(json["entries"][0]["orderId"], order.as_str());
    // Combined with a list and a query.
    let page = search(
        &app,
        &cookie,
        &format!("orderId={order}&customerListId=instore&query=wolf"),
    )
    .await;
    assert_eq!(ids(&page.entries), [LINDA_ID]);
    let page = search(&app, &cookie, &format!("orderId={order}&query=zzzz")).await;
    assert!(page.entries.is_empty());
    // Another customer's order.
    let (other_order, other): (String, String) = {
        let c = app.db();
        c.query_row(
            "SELECT code, customer_id FROM orders WHERE customer_id <> ?1 ORDER BY code DESC LIMIT 1",
            [LINDA_ID],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an order")
    };
    let page = search(
        &app,
        &cookie,
        &format!("orderId={other_order}&sort=byUidDesc"),
    )
    .await;
    assert_eq!(ids(&page.entries), [other]);
    // Entries of a plain search carry no order.
    let page = search(&app, &cookie, "query=linda").await;
    assert_eq!(page.entries[0].order_id, None);
}
