//! Customer 360° on SAP Commerce: our fragments (`overview`, `profile`, `activity`, …) asked of
//! SAP's `POST /assistedservicewebservices/{site}/users/{userId}/customer360` in one call — each
//! fragment needs one or more of SAP's `c360…` queries — and SAP's fragments mapped back. A
//! fragment whose queries SAP refused fails on its own; the others still answer.

use super::wire::{cents_of, clamp_u32, date, Iso};
use super::SapCommerce;
use crate::ports::{Customer360Query, DomainError, DomainResult};
use asm_types::{
    C360Activity, C360ActivityEntry, C360ActivityType, C360Address, C360Cart, C360CartData,
    C360CartEntry, C360CartHeader, C360CouponStatus, C360CustomerCoupon, C360Feedback,
    C360FragmentData, C360FragmentError, C360Money, C360OrderHeader, C360Overview, C360PaymentCard,
    C360ProductInterest, C360ProductInterests, C360Profile, C360Promotion, C360Promotions,
    C360Review, C360StoreLocations, C360Ticket, C360Voucher, CartSummary, Customer360Data,
    Customer360Fragment, Customer360FragmentType as Kind, Customer360Overview, Customer360Response,
    CustomerAddress, CustomerCoupon, LatestActivity, OrderSummary, TicketSummary, VoucherKind,
};
use serde::Deserialize;
use serde_json::{json, Value};

/// One of SAP's queries: its type and extra parameters.
#[derive(Clone, Debug, PartialEq)]
struct SapQuery {
    kind: &'static str,
    params: Value,
}

fn q(kind: &'static str) -> SapQuery {
    SapQuery {
        kind,
        params: Value::Null,
    }
}

fn sized(kind: &'static str, size: u32) -> SapQuery {
    // SAP takes 1..999 (§3.7).
    SapQuery {
        kind,
        params: json!({ "listSize": size.clamp(1, 999).to_string() }),
    }
}

fn coupons(assignable: bool) -> SapQuery {
    SapQuery {
        kind: "c360CustomerCouponList",
        params: json!({ "assignable": assignable.to_string() }),
    }
}

/// SAP's queries that answer one of our fragments.
fn queries_for(kind: Kind, size: u32) -> Vec<SapQuery> {
    match kind {
        Kind::Overview => vec![
            q("c360Overview"),
            q("c360Cart"),
            sized("c360TicketList", 10),
        ],
        Kind::Profile => vec![q("c360CustomerProfile")],
        Kind::Activity => vec![sized("c360ActivityList", size)],
        Kind::Feedback => vec![sized("c360TicketList", size), sized("c360ReviewList", size)],
        Kind::StoreLocations => vec![q("c360StoreLocation")],
        Kind::Promotions => vec![
            q("c360Cart"),
            q("c360CouponList"),
            q("c360PromotionList"),
            coupons(true),
            coupons(false),
        ],
        Kind::Cart => vec![q("c360Cart")],
        Kind::SavedCart => vec![q("c360SavedCart")],
        Kind::ProductInterests => vec![sized("c360CustomerProductInterestList", size)],
    }
}

/// SAP's fragments of one call, by query.
struct Answers {
    queries: Vec<SapQuery>,
    values: Vec<Value>,
    /// The customer's currency (ISO code), for the formatted money strings.
    currency: String,
}

impl Answers {
    fn get(&self, query: &SapQuery) -> Option<&Value> {
        let i = self.queries.iter().position(|x| x == query)?;
        self.values.get(i)
    }

    fn read<T: for<'de> Deserialize<'de> + Default>(&self, query: &SapQuery, field: &str) -> T {
        self.get(query)
            .and_then(|v| v.get(field))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct ListAnswer {
    #[serde(default)]
    value: Vec<Value>,
}

/// Sends `queries` (deduplicated) in one call; SAP answers one fragment per query, in order.
async fn ask(
    sap: &SapCommerce,
    customer: &str,
    currency: &str,
    queries: Vec<SapQuery>,
) -> DomainResult<Answers> {
    let mut unique: Vec<SapQuery> = Vec::new();
    for query in queries {
        if !unique.contains(&query) {
            unique.push(query);
        }
    }
    if unique.is_empty() {
        return Ok(Answers {
            queries: unique,
            values: vec![],
            currency: currency.to_owned(),
        });
    }
    let body = json!({
        "customer360Queries": unique.iter().map(|x| {
            let mut o = json!({ "type": x.kind });
            if !x.params.is_null() {
                o["additionalRequestParameters"] = x.params.clone();
            }
            o
        }).collect::<Vec<_>>(),
    });
    let url = format!(
        "{}/assistedservicewebservices/{}/users/{}/customer360",
        sap.config().url,
        super::seg(&sap.config().base_site),
        super::seg(customer)
    );
    let answer = sap.call(|c| c.post(&url).json(&body)).await?;
    let list: ListAnswer = answer.json()?;
    Ok(Answers {
        queries: unique,
        values: list.value,
        currency: currency.to_owned(),
    })
}

/// Customer 360°'s money: SAP sends only the formatted text; the currency is the customer's.
fn money(currency: &str, formatted: Option<&str>) -> C360Money {
    let formatted = formatted.unwrap_or_default().to_owned();
    C360Money {
        cents: cents_of(&formatted).unwrap_or(0),
        currency: currency.to_owned(),
        formatted,
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Overview {
    name: String,
    email: String,
    cart_code: Option<String>,
    cart_size: Option<u32>,
    latest_order_code: Option<String>,
    latest_order_total: Option<String>,
    latest_order_time: Option<String>,
    latest_opened_ticket_id: Option<String>,
    latest_opened_ticket_created_at: Option<String>,
    signed_up_at: Option<String>,
    address: Option<SapAddress>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "camelCase")]
struct SapAddress {
    line1: String,
    town: String,
    postal_code: String,
    phone: Option<String>,
    country: Option<Iso>,
}

impl SapAddress {
    fn country(&self) -> String {
        self.country
            .as_ref()
            .map(|c| c.name.clone().unwrap_or_else(|| c.isocode.clone()))
            .unwrap_or_default()
    }

    fn ours(&self) -> C360Address {
        C360Address {
            line1: self.line1.clone(),
            postal_code: self.postal_code.clone(),
            town: self.town.clone(),
            country: self.country(),
            phone: self.phone.clone(),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "camelCase")]
struct CodeName {
    code: String,
    name: Option<String>,
}

impl CodeName {
    fn text(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.code.clone())
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "camelCase")]
struct Ticket {
    id: String,
    subject: String,
    category: Option<CodeName>,
    status: Option<CodeName>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

impl Ticket {
    fn ours(&self) -> C360Ticket {
        C360Ticket {
            id: self.id.clone(),
            subject: self.subject.clone(),
            category: self
                .category
                .as_ref()
                .map(CodeName::text)
                .unwrap_or_default(),
            status: self.status.as_ref().map(CodeName::text).unwrap_or_default(),
            created: self.created_at.as_deref().map(date).unwrap_or_default(),
            updated: self.updated_at.as_deref().map(date).unwrap_or_default(),
            // SAP's c360TicketList does not say who opened a ticket.
            added_by_agent: false,
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "camelCase")]
struct C360SapCart {
    code: String,
    total_price: Option<String>,
    total_item_count: Option<u32>,
    entries: Vec<C360SapEntry>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default, rename_all = "camelCase")]
struct C360SapEntry {
    product_code: String,
    product_name: Option<String>,
    quantity: i64,
    base_price: Option<String>,
    total_price: Option<String>,
}

impl C360SapCart {
    fn ours(&self, cur: &str) -> C360Cart {
        C360Cart {
            code: self.code.clone(),
            total_items: self
                .total_item_count
                .unwrap_or_else(|| self.entries.iter().map(|e| clamp_u32(e.quantity)).sum()),
            subtotal: money(cur, self.total_price.as_deref()),
            created: String::new(),
            modified: String::new(),
            entries: self
                .entries
                .iter()
                .map(|e| C360CartEntry {
                    product_name: e
                        .product_name
                        .clone()
                        .unwrap_or_else(|| e.product_code.clone()),
                    product_code: e.product_code.clone(),
                    quantity: clamp_u32(e.quantity),
                    unit_price: money(cur, e.base_price.as_deref()),
                    total: money(cur, e.total_price.as_deref()),
                })
                .collect(),
        }
    }
}

fn overview(a: &Answers) -> C360Overview {
    let o: Overview = a.read(&q("c360Overview"), "overview");
    let cart: Option<C360SapCart> = a.read(&q("c360Cart"), "cart");
    let tickets: Vec<Ticket> = a.read(&sized("c360TicketList", 10), "tickets");
    let address = o.address.clone().unwrap_or_default();
    C360Overview {
        name: o.name.clone(),
        email: o.email.clone(),
        town: address.town.clone(),
        country: address.country(),
        signed_up_date: o.signed_up_at.as_deref().map(date).unwrap_or_default(),
        active_cart: o.cart_code.clone().map(|code| C360CartHeader {
            total_items: cart
                .as_ref()
                .filter(|c| c.code == code)
                .and_then(|c| c.total_item_count)
                .or(o.cart_size)
                .unwrap_or(0),
            total: money(
                &a.currency,
                cart.as_ref()
                    .filter(|c| c.code == code)
                    .and_then(|c| c.total_price.as_deref()),
            ),
            code,
        }),
        latest_order: o.latest_order_code.clone().map(|code| C360OrderHeader {
            code,
            status: String::new(),
            total: money(&a.currency, o.latest_order_total.as_deref()),
            placed: o.latest_order_time.as_deref().map(date).unwrap_or_default(),
        }),
        latest_open_ticket: o.latest_opened_ticket_id.clone().map(|id| {
            tickets
                .iter()
                .find(|t| t.id == id)
                .map(Ticket::ours)
                .unwrap_or_else(|| C360Ticket {
                    id,
                    subject: String::new(),
                    category: String::new(),
                    status: String::new(),
                    created: o
                        .latest_opened_ticket_created_at
                        .as_deref()
                        .map(date)
                        .unwrap_or_default(),
                    updated: String::new(),
                    added_by_agent: false,
                })
        }),
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Profile {
    billing_address: Option<SapAddress>,
    delivery_address: Option<SapAddress>,
    phone1: Option<String>,
    phone2: Option<String>,
    payment_details: Vec<Card>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Card {
    card_type: Option<CodeName>,
    card_number: String,
    expiry_month: String,
    expiry_year: String,
    account_holder_name: Option<String>,
    default_payment: bool,
}

fn profile(a: &Answers) -> C360Profile {
    let p: Profile = a.read(&q("c360CustomerProfile"), "profile");
    C360Profile {
        billing_address: p.billing_address.as_ref().map(SapAddress::ours),
        delivery_address: p.delivery_address.as_ref().map(SapAddress::ours),
        phones: [p.phone1, p.phone2].into_iter().flatten().collect(),
        payment_cards: p
            .payment_details
            .into_iter()
            .map(|c| C360PaymentCard {
                brand: c.card_type.as_ref().map(CodeName::text).unwrap_or_default(),
                masked_number: c.card_number,
                expiry: format!("{}/{}", c.expiry_month, c.expiry_year),
                holder: c.account_holder_name.unwrap_or_default(),
                is_default: c.default_payment,
            })
            .collect(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Activity {
    #[serde(rename = "type")]
    kind: CodeName,
    associated_type_id: String,
    description: String,
    status: Option<CodeName>,
    created_at: Option<String>,
    updated_at: Option<String>,
}

fn activity(a: &Answers, size: u32) -> C360Activity {
    let list: Vec<Activity> = a.read(&sized("c360ActivityList", size), "activities");
    let entries: Vec<C360ActivityEntry> = list
        .into_iter()
        .filter_map(|x| {
            let kind = match x.kind.code.to_uppercase().as_str() {
                "CART" => C360ActivityType::Cart,
                "SAVED CART" | "SAVEDCART" => C360ActivityType::SavedCart,
                "ORDER" => C360ActivityType::Order,
                "TICKET" => C360ActivityType::Ticket,
                _ => return None,
            };
            Some(C360ActivityEntry {
                kind,
                id: x.associated_type_id,
                description: x.description,
                status: x.status.as_ref().map(CodeName::text).unwrap_or_default(),
                created: x.created_at.as_deref().map(date).unwrap_or_default(),
                updated: x.updated_at.as_deref().map(date).unwrap_or_default(),
            })
        })
        .collect();
    C360Activity {
        total_count: entries.len() as u64,
        entries,
    }
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct Review {
    product_name: Option<String>,
    product_code: String,
    created_at: Option<String>,
    rating: Value,
    review_text: String,
}

fn feedback(a: &Answers, size: u32) -> C360Feedback {
    let tickets: Vec<Ticket> = a.read(&sized("c360TicketList", size), "tickets");
    let reviews: Vec<Review> = a.read(&sized("c360ReviewList", size), "reviews");
    let reviews: Vec<C360Review> = reviews
        .into_iter()
        .map(|r| {
            // SAP sends the rating as a string here ("4.0"); numbers are taken too.
            let rating = match &r.rating {
                Value::String(s) => s.parse::<f64>().unwrap_or(0.0),
                Value::Number(n) => n.as_f64().unwrap_or(0.0),
                _ => 0.0,
            };
            C360Review {
                product_name: r.product_name.unwrap_or_else(|| r.product_code.clone()),
                product_code: r.product_code,
                rating: rating.round().clamp(0.0, 5.0) as u8,
                headline: String::new(),
                comment: r.review_text,
                created: r.created_at.as_deref().map(date).unwrap_or_default(),
                // SAP's c360ReviewList does not say who wrote a review.
                added_by_agent: false,
            }
        })
        .collect();
    C360Feedback {
        ticket_count: tickets.len() as u64,
        tickets: tickets.iter().map(Ticket::ours).collect(),
        review_count: reviews.len() as u64,
        reviews,
    }
}

fn store_locations(a: &Answers) -> C360StoreLocations {
    // SAP answers one free-text address, the origin of its store map (§3.7); no stores.
    let address: String = a.read(&q("c360StoreLocation"), "address");
    C360StoreLocations {
        town: address,
        country: String::new(),
        stores: vec![],
        total_count: 0,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Applied {
    code: String,
    name: Option<String>,
    message: Option<String>,
    applied: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SapCustomerCoupon {
    code: String,
    name: Option<String>,
    description: Option<String>,
}

fn customer_coupons(a: &Answers) -> Vec<C360CustomerCoupon> {
    let mut out = Vec::new();
    for (assignable, status) in [
        (false, C360CouponStatus::Assigned),
        (true, C360CouponStatus::Available),
    ] {
        let list: Vec<SapCustomerCoupon> = a.read(&coupons(assignable), "customerCoupons");
        out.extend(list.into_iter().map(|c| C360CustomerCoupon {
            name: c.name.unwrap_or_else(|| c.code.clone()),
            description: c.description.unwrap_or_default(),
            percent: None,
            starts: None,
            ends: None,
            status,
            assigned_date: None,
            code: c.code,
        }));
    }
    out
}

fn promotions(a: &Answers) -> C360Promotions {
    let cart: Option<C360SapCart> = a.read(&q("c360Cart"), "cart");
    let vouchers: Vec<Applied> = a.read(&q("c360CouponList"), "coupons");
    let promotions: Vec<Applied> = a.read(&q("c360PromotionList"), "promotions");
    C360Promotions {
        cart_code: cart.as_ref().map(|c| c.code.clone()),
        cart_subtotal: cart
            .as_ref()
            .map(|c| money(&a.currency, c.total_price.as_deref())),
        cart_vouchers: vouchers
            .into_iter()
            .map(|v| C360Voucher {
                name: v.name.clone().unwrap_or_else(|| v.code.clone()),
                description: v.message.unwrap_or_default(),
                percent: None,
                applied: v.applied,
                code: v.code,
                kind: VoucherKind::Discount,
                gift_product_name: None,
                // "The promotions listed here are available only during an active support
                // session" (SAP's ASM course, seed 003): SAP ends them itself.
                session_only: true,
            })
            .collect(),
        promotions: promotions
            .into_iter()
            .map(|p| C360Promotion {
                description: p.message.or(p.name).unwrap_or_else(|| p.code.clone()),
                threshold: None,
                percent: None,
                applied: p.applied,
                code: p.code,
            })
            .collect(),
        customer_coupons: customer_coupons(a),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Interest {
    product: super::wire::ProductRef,
}

fn interests(a: &Answers, size: u32) -> C360ProductInterests {
    let list: Vec<Interest> = a.read(
        &sized("c360CustomerProductInterestList", size),
        "customerProductInterests",
    );
    let entries: Vec<C360ProductInterest> = list
        .into_iter()
        .map(|i| C360ProductInterest {
            product_name: i
                .product
                .name
                .clone()
                .unwrap_or_else(|| i.product.code.clone()),
            price: money(
                &a.currency,
                i.product.price.as_ref().map(|p| p.formatted_value.as_str()),
            ),
            product_code: i.product.code,
            kind: "BACK_IN_STOCK".to_owned(),
            created: String::new(),
        })
        .collect();
    C360ProductInterests {
        total_count: entries.len() as u64,
        entries,
    }
}

fn data(kind: Kind, size: u32, a: &Answers) -> C360FragmentData {
    match kind {
        Kind::Overview => C360FragmentData::Overview(overview(a)),
        Kind::Profile => C360FragmentData::Profile(profile(a)),
        Kind::Activity => C360FragmentData::Activity(activity(a, size)),
        Kind::Feedback => C360FragmentData::Feedback(feedback(a, size)),
        Kind::StoreLocations => C360FragmentData::StoreLocations(store_locations(a)),
        Kind::Promotions => C360FragmentData::Promotions(promotions(a)),
        Kind::Cart => C360FragmentData::Cart(C360CartData {
            cart: a
                .read::<Option<C360SapCart>>(&q("c360Cart"), "cart")
                .map(|c| c.ours(&a.currency)),
        }),
        Kind::SavedCart => C360FragmentData::SavedCart(C360CartData {
            cart: a
                .read::<Option<C360SapCart>>(&q("c360SavedCart"), "savedCart")
                .map(|c| c.ours(&a.currency)),
        }),
        Kind::ProductInterests => C360FragmentData::ProductInterests(interests(a, size)),
    }
}

/// The customer's currency, `USD` when SAP does not say.
fn currency_of(user: &super::wire::User) -> String {
    user.currency
        .as_ref()
        .map(|c| c.isocode.clone())
        .filter(|c| c.len() == 3)
        .unwrap_or_else(|| "USD".to_owned())
}

/// Our fragments for `queries`: one SAP call for all of them. When SAP refuses the whole call
/// (a query type switched off by `toggle.customer360.enabled`, say), each fragment is asked on
/// its own, so the others still answer.
pub async fn fragments(
    sap: &SapCommerce,
    customer: &str,
    queries: Vec<Customer360Query>,
) -> DomainResult<Customer360Response> {
    let currency = currency_of(&sap.user_or_404(customer).await?);
    let all: Vec<SapQuery> = queries
        .iter()
        .flat_map(|x| queries_for(x.kind, x.list_size))
        .collect();
    let fragments = match ask(sap, customer, &currency, all).await {
        Ok(answers) => queries
            .iter()
            .map(|x| Customer360Fragment::Data(data(x.kind, x.list_size, &answers)))
            .collect(),
        Err(DomainError::Refused { .. }) if queries.len() > 1 => {
            let mut out = Vec::with_capacity(queries.len());
            for x in &queries {
                out.push(
                    match ask(sap, customer, &currency, queries_for(x.kind, x.list_size)).await {
                        Ok(answers) => {
                            Customer360Fragment::Data(data(x.kind, x.list_size, &answers))
                        }
                        Err(e) => failed(x.kind, e),
                    },
                );
            }
            out
        }
        Err(e @ (DomainError::Refused { .. } | DomainError::BackendUnavailable(_))) => {
            queries.iter().map(|x| failed(x.kind, e.clone())).collect()
        }
        Err(e) => return Err(e),
    };
    let mut fragments = fragments;
    if queries.iter().any(|x| x.kind == Kind::Activity) {
        add_returns(sap, customer, &queries, &mut fragments).await;
    }
    Ok(Customer360Response { fragments })
}

/// SAP's activity list has no return requests: the customer's (OCC `orderReturns`, the latest
/// 100) are added to each activity fragment as rows of their order with the return's status,
/// as the embedded shop shows them. Best effort: when SAP does not list them, the activity
/// stays as SAP answered it.
async fn add_returns(
    sap: &SapCommerce,
    customer: &str,
    queries: &[Customer360Query],
    fragments: &mut [Customer360Fragment],
) {
    use crate::ports::Commerce;
    let returns = match sap.returns(customer, 0, 100).await {
        Ok(list) => list.return_requests,
        Err(e) => {
            tracing::warn!(error = ?e, "SAP Commerce did not list the return requests for the activity");
            return;
        }
    };
    if returns.is_empty() {
        return;
    }
    let rows: Vec<C360ActivityEntry> = returns
        .iter()
        .map(|r| {
            let items: u32 = r.return_entries.iter().map(|e| e.expected_quantity).sum();
            let noun = if items == 1 { "item" } else { "items" };
            C360ActivityEntry {
                kind: C360ActivityType::Order,
                id: r.order_code.clone(),
                description: format!(
                    "Return {} of order {}, {items} {noun}",
                    r.code, r.order_code
                ),
                status: r.status.clone(),
                created: r.creation_time.clone(),
                updated: r.creation_time.clone(),
            }
        })
        .collect();
    for (x, f) in queries.iter().zip(fragments.iter_mut()) {
        if let Customer360Fragment::Data(C360FragmentData::Activity(a)) = f {
            a.entries.extend(rows.iter().cloned());
            a.entries
                .sort_by(|p, q| q.updated.cmp(&p.updated).then_with(|| q.id.cmp(&p.id)));
            a.entries
                .truncate(usize::try_from(x.list_size).unwrap_or(usize::MAX));
            a.total_count += rows.len() as u64;
        }
    }
}

fn failed(kind: Kind, e: DomainError) -> Customer360Fragment {
    Customer360Fragment::Failed(C360FragmentError {
        kind,
        error: e.into_api_error(),
    })
}

/// The coupons SAP would let the agent assign to the customer (Customer 360's list).
pub async fn assignable_coupons(
    sap: &SapCommerce,
    customer: &str,
) -> DomainResult<Vec<CustomerCoupon>> {
    let answers = ask(sap, customer, "", vec![coupons(true)]).await?;
    let list: Vec<SapCustomerCoupon> = answers.read(&coupons(true), "customerCoupons");
    Ok(list
        .into_iter()
        .map(|c| CustomerCoupon {
            name: c.name.unwrap_or_else(|| c.code.clone()),
            description: c.description.unwrap_or_default(),
            percent: None,
            start_date: None,
            end_date: None,
            assigned: false,
            code: c.code,
        })
        .collect())
}

/// The customer summary (`GET /customers/{id}`): SAP's overview, carts, orders and tickets.
pub async fn summary(sap: &SapCommerce, customer: &str) -> DomainResult<Customer360Data> {
    let user = sap.user_or_404(customer).await?;
    let currency = currency_of(&user);
    let (answers, carts, orders, tickets) = tokio::join!(
        ask(
            sap,
            customer,
            &currency,
            vec![q("c360Overview"), sized("c360ActivityList", 1)]
        ),
        sap.cart_list(customer),
        sap.orders_page(customer, 5),
        sap.tickets(customer),
    );
    let answers = answers?;
    let o: Overview = answers.read(&q("c360Overview"), "overview");
    let latest: Vec<Activity> = answers.read(&sized("c360ActivityList", 1), "activities");
    let address = o.address.clone().unwrap_or_default();
    let carts = carts?;
    Ok(Customer360Data {
        overview: Customer360Overview {
            name: if o.name.is_empty() {
                user.full_name()
            } else {
                o.name
            },
            email: if o.email.is_empty() {
                user.uid.clone()
            } else {
                o.email
            },
            signed_up_date: o.signed_up_at.as_deref().map(date).unwrap_or_default(),
            address: CustomerAddress {
                country: address.country(),
                town: address.town,
            },
            latest_activity: latest.into_iter().next().map(|x| LatestActivity {
                kind: x.kind.text(),
                description: x.description,
                date: x
                    .updated_at
                    .or(x.created_at)
                    .as_deref()
                    .map(date)
                    .unwrap_or_default(),
            }),
        },
        recent_orders: orders?,
        active_carts: carts
            .carts
            .iter()
            .filter(|c| !c.is_saved())
            .map(super::wire::SapCart::summary)
            .collect::<Vec<CartSummary>>(),
        support_tickets: tickets?,
    })
}

impl SapCommerce {
    async fn orders_page(&self, customer: &str, size: u32) -> DomainResult<Vec<OrderSummary>> {
        let history: super::wire::OrderHistoryAnswer = self
            .get(
                &self.user(customer, "/orders"),
                &[
                    ("pageSize", size.to_string()),
                    ("sort", "byDate".to_owned()),
                ],
            )
            .await?;
        Ok(history
            .orders
            .iter()
            .map(super::wire::SapOrder::summary)
            .collect())
    }

    /// The customer's tickets; none when the instance has no ticketing (404) or lets agents
    /// not read them (403).
    async fn tickets(&self, customer: &str) -> DomainResult<Vec<TicketSummary>> {
        let answer = self
            .call(|c| {
                c.get(self.user(customer, "/tickets"))
                    .query(&[("pageSize", "5"), ("sort", "byDate")])
            })
            .await?;
        if matches!(answer.status.as_u16(), 403 | 404) {
            return Ok(vec![]);
        }
        let list: super::wire::TicketsAnswer = answer.json()?;
        Ok(list
            .tickets
            .into_iter()
            .map(|t| TicketSummary {
                id: t.id,
                subject: t.subject,
                status: t.status.map(|s| s.name.unwrap_or(s.id)).unwrap_or_default(),
                created: t.created_at.as_deref().map(date).unwrap_or_default(),
            })
            .collect())
    }
}
