//! `--customers N`: generated customers after the fixed seed.

use std::time::Instant;

use crate::common;

use axum::http::StatusCode;
use common::*;
use sapcc_sim::{model, Config, Sim};
use serde_json::Value;

fn with_customers(customers: u32) -> Sim {
    Sim::new(Config {
        customers,
        ..Config::default()
    })
}

async fn search(sim: &Sim, t: &str, q: &str) -> Value {
    let a = get(
        sim,
        &format!("/assistedservicewebservices/customers/search?baseSite={SITE}&{q}"),
        t,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

/// The generated customers: those after the fixed seed's users.
fn generated(sim: &Sim) -> Vec<model::User> {
    let seeded = self::sim().data().users.len();
    sim.data().users.iter().skip(seeded).cloned().collect()
}

#[tokio::test]
async fn no_flag_is_the_fixed_seed_exactly() {
    let plain = sim();
    let zero = with_customers(0);
    let (a, b) = (plain.data(), zero.data());
    let uids = |d: &model::Data| d.users.iter().map(|u| u.uid.clone()).collect::<Vec<_>>();
    assert_eq!(uids(&a), uids(&b));
    assert_eq!(a.orders.len(), b.orders.len());
    assert_eq!(a.carts.len(), b.carts.len());
    assert_eq!(a.list_members, b.list_members);
}

#[tokio::test]
async fn generates_n_deterministic_sap_shaped_customers_fast() {
    let started = Instant::now();
    let sim = with_customers(1200);
    assert!(
        started.elapsed().as_millis() < 500,
        "{:?}",
        started.elapsed()
    );
    let seeded = self::sim().data().users.len();
    assert_eq!(sim.data().users.len(), seeded + 1200);
    let users = generated(&sim);
    assert_eq!(users.len(), 1200);
    let again = generated(&with_customers(1200));
    let key = |u: &model::User| {
        (
            u.uid.clone(),
            u.customer_id.clone(),
            u.deactivated.is_some(),
        )
    };
    assert_eq!(
        users.iter().map(key).collect::<Vec<_>>(),
        again.iter().map(key).collect::<Vec<_>>(),
        "the same customers on every start"
    );
    // A smaller N is a prefix of a larger one.
    let fewer = generated(&with_customers(10));
    assert_eq!(
        fewer.iter().map(key).collect::<Vec<_>>(),
        users[..10].iter().map(key).collect::<Vec<_>>()
    );

    for (i, u) in users.iter().enumerate() {
        let n = i + 1;
        let local = u.uid.strip_suffix("@example.com").expect("an e-mail");
        assert_eq!(
            local,
            format!(
                "{}.{}{n}",
                u.first_name.to_lowercase(),
                u.last_name.to_lowercase()
            )
        );
        let parts: Vec<usize> = u.customer_id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12], "{}", u.customer_id);
        assert!(u
            .customer_id
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert!(u.is_customer());
    }
    let ids: std::collections::BTreeSet<_> = users.iter().map(|u| &u.customer_id).collect();
    assert_eq!(ids.len(), 1200, "customerIds are unique");
    let disabled: Vec<usize> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.deactivated.is_some())
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        disabled,
        [250, 500, 750, 1000, 1250]
            .into_iter()
            .filter(|n| *n <= 1200)
            .collect::<Vec<_>>()
    );
    let data = sim.data();
    let with_order = users
        .iter()
        .filter(|u| data.orders.iter().any(|o| o.user == u.uid))
        .count();
    let with_cart = users
        .iter()
        .filter(|u| data.current_cart(&u.uid, SITE).is_some())
        .count();
    assert!(
        (100..500).contains(&with_order),
        "{with_order} with an order"
    );
    assert!((100..500).contains(&with_cart), "{with_cart} with a cart");
    // The e2e suite's in-store fixture (tests/e2e/customer-lists.test.mjs).
    assert_eq!(users[499].uid, PINNED_500.0);
    assert_eq!(users[499].customer_id, PINNED_500.1);
}

const PINNED_500: (&str, &str) = (
    "mia.baker500@example.com",
    "dfdcb4ab-a4b8-452d-a11c-5f40fd1259c6",
);

#[tokio::test]
async fn every_100th_is_in_the_in_store_list_a_few_pick_up() {
    let sim = with_customers(1200);
    let users = generated(&sim);
    for agent in ["asagent", "asmanager"] {
        let t = token(&sim, agent).await;
        let page = search(&sim, &t, "customerListId=instoreCustomers&pageSize=100").await;
        let listed: Vec<&str> = page["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|e| e["uid"].as_str())
            .collect();
        let fixed = if agent == "asagent" { 2 } else { 1 };
        assert_eq!(page["pagination"]["totalResults"], 12 + fixed, "{agent}");
        for n in (100..=1200).step_by(100) {
            assert!(
                listed.contains(&users[n - 1].uid.as_str()),
                "{agent}: customer {n}"
            );
        }
        // Customer 500 is listed, and SAP says it is deactivated.
        let dan = page["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .find(|e| e["uid"] == users[499].uid)
            .expect("customer 500 listed");
        assert!(dan["deactivationDate"].is_string(), "{dan}");

        let bopis = search(&sim, &t, "customerListId=bopisCustomers&pageSize=100").await;
        assert_eq!(
            bopis["pagination"]["totalResults"],
            2 + 5,
            "{agent}: {bopis}"
        );
        for e in bopis["entries"].as_array().expect("entries") {
            assert_eq!(e["hasOrder"], true, "{e}");
        }
    }
    // The plain search sees all of them.
    let t = token(&sim, "asagent").await;
    let all = search(&sim, &t, "pageSize=1").await;
    let plain = self::sim();
    let tp = token(&plain, "asagent").await;
    let seeded = search(&plain, &tp, "pageSize=1").await["pagination"]["totalResults"]
        .as_i64()
        .expect("a total");
    assert_eq!(all["pagination"]["totalResults"], seeded + 1200);
    // An order of a generated customer finds them.
    let order = sim
        .data()
        .orders
        .iter()
        .find(|o| o.user == users[119].uid)
        .map(|o| o.code.clone())
        .expect("customer 120 has a pick-up order");
    let found = search(&sim, &t, &format!("orderId={order}")).await;
    assert_eq!(found["entries"][0]["uid"], users[119].uid);
}
