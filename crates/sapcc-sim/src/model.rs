//! The simulator's in-memory data and its seed.

use std::collections::{BTreeSet, HashMap};

use crate::format::{Currency, GBP, USD};

#[derive(Clone, Debug)]
pub struct Site {
    pub uid: &'static str,
    pub currency: Currency,
    pub languages: Vec<&'static str>,
    pub currencies: Vec<&'static str>,
}

#[derive(Clone, Debug)]
pub struct Address {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postal_code: String,
    pub country: &'static str,
    pub country_name: &'static str,
    pub region: Option<(&'static str, &'static str)>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Card {
    pub id: String,
    pub card_type: (&'static str, &'static str),
    pub number: String,
    pub expiry_month: String,
    pub expiry_year: String,
    pub default: bool,
}

#[derive(Clone, Debug)]
pub struct User {
    pub uid: String,
    pub customer_id: String,
    pub first_name: String,
    pub last_name: String,
    pub title_code: Option<String>,
    pub password: String,
    pub groups: Vec<String>,
    pub address: Option<Address>,
    pub cards: Vec<Card>,
    /// When set the account is login-disabled (`deactivationDate` in `UserWsDTO`).
    pub deactivated: Option<i64>,
    pub avatar: Option<String>,
    pub created: i64,
    pub language: String,
    pub currency: String,
}

impl User {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
    pub fn in_group(&self, g: &str) -> bool {
        self.groups.iter().any(|x| x == g)
    }
    pub fn is_customer(&self) -> bool {
        self.in_group("customergroup")
    }
    /// May use the ASM web services (§1.3).
    pub fn is_agent(&self) -> bool {
        self.in_group("asagentgroup") || self.in_group("asagentsalesmanagergroup")
    }
    /// May act on `/users/{otherUser}` in OCC (§1.2.4).
    pub fn is_customer_manager(&self) -> bool {
        self.in_group("customermanagergroup")
    }
}

#[derive(Clone, Debug)]
pub struct Product {
    pub code: &'static str,
    pub name: &'static str,
    pub cents: i64,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub product: String,
    pub quantity: i64,
}

#[derive(Clone, Debug)]
pub struct Saved {
    pub time: i64,
    pub name: String,
    pub description: String,
    pub by: String,
}

#[derive(Clone, Debug)]
pub struct Cart {
    pub code: String,
    pub guid: String,
    /// `None` for an anonymous cart.
    pub user: Option<String>,
    pub site: String,
    pub entries: Vec<Entry>,
    pub vouchers: Vec<String>,
    pub saved: Option<Saved>,
    pub modified: i64,
}

#[derive(Clone, Debug)]
pub struct Order {
    pub code: String,
    pub guid: String,
    pub user: String,
    pub site: String,
    pub placed: i64,
    pub status: &'static str,
    pub entries: Vec<Entry>,
    pub discount_cents: i64,
    pub pickup: bool,
    /// Cancelled quantity of each entry (by entry number; missing = 0).
    pub cancelled: Vec<i64>,
}

impl Order {
    /// How many of entry `n` were cancelled.
    pub fn cancelled_of(&self, n: usize) -> i64 {
        self.cancelled.get(n).copied().unwrap_or(0)
    }
}

impl ReturnRequest {
    /// Whether it still counts against the order (not cancelled).
    pub fn counts(&self) -> bool {
        !matches!(self.status, "CANCELED" | "CANCELLING")
    }

    /// Whether it may still be cancelled: asked for, not yet received (§4.7).
    pub fn cancellable(&self) -> bool {
        matches!(self.status, "APPROVAL_PENDING" | "APPROVING" | "WAIT")
    }
}

#[derive(Clone, Debug)]
pub struct Ticket {
    pub id: String,
    pub user: String,
    pub subject: String,
    pub category: (&'static str, &'static str),
    pub status: (&'static str, &'static str),
    pub created: i64,
    pub updated: i64,
}

#[derive(Clone, Debug)]
pub struct ReturnRequest {
    pub code: String,
    pub user: String,
    pub order: String,
    pub status: &'static str,
    pub created: i64,
    /// (order entry number, quantity)
    pub entries: Vec<(usize, i64)>,
}

#[derive(Clone, Debug)]
pub struct Review {
    pub user: String,
    pub product: String,
    pub headline: String,
    pub comment: String,
    pub rating: f64,
    pub created: i64,
}

#[derive(Clone, Debug)]
pub struct Voucher {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub cents: i64,
}

#[derive(Clone, Debug)]
pub struct CustomerCoupon {
    pub code: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub start: i64,
    pub end: i64,
    pub assigned: BTreeSet<String>,
}

#[derive(Clone, Debug)]
pub struct CustomerList {
    pub uid: &'static str,
    pub name: &'static str,
    pub additional_columns: Vec<&'static str>,
    pub search_box: bool,
}

#[derive(Clone, Debug)]
pub struct AccessToken {
    pub user: String,
    pub client: String,
    pub expires: i64,
    pub refresh: String,
    pub revoked: bool,
}

#[derive(Clone, Debug)]
pub struct RefreshToken {
    pub user: String,
    pub client: String,
    pub expires: i64,
    pub access: String,
    pub revoked: bool,
}

#[derive(Clone, Debug)]
pub struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub challenge: String,
    pub scope: String,
}

#[derive(Clone, Debug)]
pub struct LoginSession {
    pub csrf: String,
    pub expires: i64,
    pub request: AuthRequest,
}

#[derive(Clone, Debug)]
pub struct AuthCode {
    pub user: String,
    pub request: AuthRequest,
    pub expires: i64,
    pub used: bool,
    /// Access tokens issued for this code (revoked when the code is replayed).
    pub issued: Vec<String>,
}

/// A consent template of the site.
#[derive(Clone, Debug)]
pub struct ConsentTemplate {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub version: i64,
}

/// A customer's consent to a template version (SAP's `ConsentModel`).
#[derive(Clone, Debug)]
pub struct Consent {
    pub code: String,
    /// The customer's uid.
    pub user: String,
    pub template: String,
    pub version: i64,
    /// Unix seconds.
    pub given: i64,
    pub withdrawn: Option<i64>,
}

/// The consent templates SAP's electronics store ships (Spartacus's e2e data).
pub const CONSENT_TEMPLATES: [(&str, &str, &str); 3] = [
    (
        "MARKETING_NEWSLETTER",
        "I approve to this sample MARKETING consent",
        "I would like to receive e-mails about new products and offers.",
    ),
    (
        "STORE_USER_INFORMATION",
        "I approve to this sample STORE USER INFORMATION consent",
        "The store may keep my browsing and order history to help me faster.",
    ),
    (
        "PERSONALIZATION",
        "I approve to this sample PERSONALIZATION consent",
        "The store may tailor offers and recommendations to me.",
    ),
];

/// Everything the simulator holds.
#[derive(Debug, Default)]
pub struct Data {
    pub sites: Vec<Site>,
    pub users: Vec<User>,
    pub products: Vec<Product>,
    pub carts: Vec<Cart>,
    pub orders: Vec<Order>,
    pub returns: Vec<ReturnRequest>,
    pub tickets: Vec<Ticket>,
    pub reviews: Vec<Review>,
    pub interests: Vec<(String, String)>,
    /// Address books: (customer uid, `AddressWsDTO`), the default one flagged in the JSON.
    pub address_book: Vec<(String, serde_json::Value)>,
    /// The site's consent templates (`ConsentTemplateWsDTO` without `currentConsent`).
    pub consent_templates: Vec<ConsentTemplate>,
    /// The customers' consents, oldest first.
    pub consents: Vec<Consent>,
    pub vouchers: Vec<Voucher>,
    pub customer_coupons: Vec<CustomerCoupon>,
    pub lists: Vec<CustomerList>,
    /// (agent uid, list uid) → member uids. `myRecentCustomerSessions` is filled as agents load users.
    pub list_members: HashMap<(String, String), Vec<String>>,
    pub access_tokens: HashMap<String, AccessToken>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    pub login_sessions: HashMap<String, LoginSession>,
    pub codes: HashMap<String, AuthCode>,
    pub next_number: u64,
}

impl Data {
    pub fn site(&self, uid: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.uid == uid)
    }
    pub fn user(&self, uid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.uid == uid)
    }
    /// A customer by uid (case-insensitive, as SAP lower-cases uids) or by `customerId`.
    pub fn customer_by_any(&self, id: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.is_customer() && (u.uid.eq_ignore_ascii_case(id) || u.customer_id == id))
    }
    pub fn product(&self, code: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.code == code)
    }
    pub fn next_number(&mut self) -> u64 {
        self.next_number += 1;
        self.next_number
    }
    /// How many of entry `n` of `order` are in return requests that still count.
    pub fn returned_of(&self, order: &str, n: usize) -> i64 {
        self.returns
            .iter()
            .filter(|r| r.order == order && r.counts())
            .flat_map(|r| r.entries.iter())
            .filter(|(i, _)| *i == n)
            .map(|(_, q)| q)
            .sum()
    }

    /// What is left of entry `n` of `o` (ordered minus cancelled minus returned).
    pub fn left_of(&self, o: &Order, n: usize) -> i64 {
        o.entries.get(n).map_or(0, |e| {
            e.quantity - o.cancelled_of(n) - self.returned_of(&o.code, n)
        })
    }

    /// Whether `o` may still be cancelled: not yet shipped (`CREATED`), something left.
    pub fn order_cancellable(&self, o: &Order) -> bool {
        o.status == "CREATED" && (0..o.entries.len()).any(|n| self.left_of(o, n) > 0)
    }

    /// Whether `o` may still be returned: delivered (`COMPLETED`), something left.
    pub fn order_returnable(&self, o: &Order) -> bool {
        o.status == "COMPLETED" && (0..o.entries.len()).any(|n| self.left_of(o, n) > 0)
    }

    pub fn entry_cents(&self, e: &Entry) -> (i64, i64) {
        let base = self.product(&e.product).map(|p| p.cents).unwrap_or(0);
        (base, base.saturating_mul(e.quantity))
    }
    pub fn voucher(&self, code: &str) -> Option<&Voucher> {
        self.vouchers
            .iter()
            .find(|v| v.code.eq_ignore_ascii_case(code))
    }
    /// (subtotal, discounts, total) of a list of entries with vouchers applied.
    pub fn totals(&self, entries: &[Entry], vouchers: &[String]) -> (i64, i64, i64) {
        let sub: i64 = entries
            .iter()
            .fold(0i64, |n, e| n.saturating_add(self.entry_cents(e).1));
        let disc: i64 = vouchers
            .iter()
            .filter_map(|v| self.voucher(v))
            .map(|v| v.cents)
            .fold(0i64, i64::saturating_add)
            .min(sub);
        (sub, disc, sub - disc)
    }
    /// The customer's current cart: the most recently modified cart that is not saved.
    pub fn current_cart(&self, uid: &str, site: &str) -> Option<&Cart> {
        self.carts
            .iter()
            .filter(|c| c.user.as_deref() == Some(uid) && c.site == site && c.saved.is_none())
            .max_by_key(|c| (c.modified, c.code.clone()))
    }
}

fn user(
    uid: &str,
    customer_id: &str,
    first: &str,
    last: &str,
    password: &str,
    groups: &[&str],
    created: i64,
) -> User {
    User {
        uid: uid.into(),
        customer_id: customer_id.into(),
        first_name: first.into(),
        last_name: last.into(),
        title_code: None,
        password: password.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        address: None,
        cards: vec![],
        deactivated: None,
        avatar: None,
        created,
        language: "en".into(),
        currency: "USD".into(),
    }
}

fn entries(list: &[(&str, i64)]) -> Vec<Entry> {
    list.iter()
        .map(|(p, q)| Entry {
            product: p.to_string(),
            quantity: *q,
        })
        .collect()
}

/// The seed: `now` is the simulator's clock at start, so relative dates stay recent.
pub fn seed(now: i64) -> Data {
    const DAY: i64 = 86_400;
    let site = "electronics-spa";
    let mut d = Data {
        sites: vec![
            Site {
                uid: "electronics-spa",
                currency: USD,
                languages: vec!["en", "de", "ja", "zh"],
                currencies: vec!["USD", "JPY"],
            },
            Site {
                uid: "apparel-uk-spa",
                currency: GBP,
                languages: vec!["en"],
                currencies: vec!["GBP"],
            },
        ],
        next_number: 9000,
        ..Data::default()
    };
    let agent = [
        "asagentgroup",
        "customermanagergroup",
        "nakanostoreemployees",
    ];
    let manager = [
        "asagentsalesmanagergroup",
        "asagentgroup",
        "customermanagergroup",
    ];
    d.users.push(user(
        "asagent",
        "e-asagent",
        "Assisted",
        "Agent",
        "pw4all",
        &agent,
        now - 400 * DAY,
    ));
    d.users.push(user(
        "asmanager",
        "e-asmanager",
        "Sales",
        "Manager",
        "pw4all",
        &manager,
        now - 400 * DAY,
    ));
    d.users.push(user(
        "notasagent",
        "e-notasagent",
        "Not",
        "Agent",
        "pw4all",
        &["employeegroup"],
        now - 400 * DAY,
    ));

    let c = ["customergroup"];
    let mut linda = user(
        "linda.wolf@rustic-hw.com",
        "8f3b2c1a-5d6e-4f70-9a81-b2c3d4e5f601",
        "Linda",
        "Wolf",
        "pw4all",
        &c,
        now - 300 * DAY,
    );
    linda.title_code = Some("ms".into());
    linda.avatar = Some("/medias/avatars/linda.jpg".into());
    linda.address = Some(Address {
        id: "8796125855767".into(),
        first_name: "Linda".into(),
        last_name: "Wolf".into(),
        line1: "10 Rockefeller Plaza".into(),
        line2: Some("Apt 4".into()),
        town: "New York".into(),
        postal_code: "10019".into(),
        country: "US",
        country_name: "United States of America",
        region: Some(("US-NY", "New York")),
        phone: Some("+1 212 555 0100".into()),
    });
    linda.cards.push(Card {
        id: "8796158951466".into(),
        card_type: ("visa", "Visa"),
        number: "************1111".into(),
        expiry_month: "08".into(),
        expiry_year: "2030".into(),
        default: true,
    });
    d.users.push(linda);
    let mut aaron = user(
        "aaron.customer@hybris.com",
        "5f1c0e2b-7a3d-4c8e-9f10-a1b2c3d4e5f6",
        "Aaron",
        "Customer",
        "pw4all",
        &c,
        now - 200 * DAY,
    );
    aaron.title_code = Some("mr".into());
    d.users.push(aaron);
    d.users.push(user(
        "william.hunter@pronto-hw.com",
        "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d",
        "William",
        "Hunter",
        "pw4all",
        &c,
        now - 100 * DAY,
    ));
    d.users.push(user(
        "gi.sun@pronto-hw.com",
        "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
        "Gi",
        "Sun",
        "pw4all",
        &c,
        now - 50 * DAY,
    ));
    let mut disabled = user(
        "hans.dampf@example.com",
        "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        "Hans",
        "Dampf",
        "pw4all",
        &c,
        now - 500 * DAY,
    );
    disabled.deactivated = Some(now - 10 * DAY);
    d.users.push(disabled);
    for i in 1..=3 {
        d.users.push(user(
            &format!("dummyuser{i}"),
            &format!("3d4e5f6a-7b8c-4d9e-0f1a-2b3c4d5e6f7{i}"),
            &format!("dummyuser{i}"),
            "",
            "pw4all",
            &c,
            now - (30 - i) * DAY,
        ));
    }
    // A name that is an HTML/script payload: SAP stores what a registration form sent, and the
    // overlay must show it as text (the end-to-end injection test).
    d.users.push(user(
        "mallory@example.com",
        "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b",
        "<img src=x onerror=\"window.__asmPwned=1\">Mallory",
        "<script>window.__asmPwned=2</script>",
        "pw4all",
        &c,
        now - 20 * DAY,
    ));

    d.products = vec![
        Product {
            code: "278688",
            name: "PowerShot A480",
            cents: 9_985,
        },
        Product {
            code: "280916",
            name: "DSC-HX1 Digital Camera",
            cents: 49_900,
        },
        Product {
            code: "1934793",
            name: "PowerShot A480 Battery",
            cents: 1_999,
        },
        Product {
            code: "300938",
            name: "Photosmart E317 Digital Camera",
            cents: 11_412,
        },
        Product {
            code: "3965240",
            name: "EOS 450D Body",
            cents: 59_990,
        },
    ];

    let cart = |code: &str, user: Option<&str>, e: Vec<Entry>, modified: i64| Cart {
        code: code.into(),
        guid: format!("{code}-guid-7c1e-4a2b-9d3f"),
        user: user.map(str::to_string),
        site: site.into(),
        entries: e,
        vouchers: vec![],
        saved: None,
        modified,
    };
    let linda_uid = "linda.wolf@rustic-hw.com";
    d.carts.push(cart(
        "00001001",
        Some(linda_uid),
        entries(&[("278688", 2)]),
        now - DAY,
    ));
    let mut saved = cart(
        "00001002",
        Some(linda_uid),
        entries(&[("280916", 1)]),
        now - 20 * DAY,
    );
    saved.saved = Some(Saved {
        time: now - 20 * DAY,
        name: "Birthday".into(),
        description: "Gifts for Tom".into(),
        by: linda_uid.into(),
    });
    d.carts.push(saved);
    d.carts.push(cart(
        "00001003",
        Some("aaron.customer@hybris.com"),
        vec![],
        now - 3 * DAY,
    ));
    d.carts.push(cart(
        "00002001",
        None,
        entries(&[("1934793", 1)]),
        now - 3600,
    ));
    d.carts.push(cart("00002002", None, vec![], now - 7200));

    let order =
        |code: &str, user: &str, placed: i64, status: &'static str, e: Vec<Entry>, pickup: bool| {
            Order {
                code: code.into(),
                guid: format!("{code}-order-guid"),
                user: user.into(),
                site: site.into(),
                placed,
                status,
                entries: e,
                discount_cents: 0,
                pickup,
                cancelled: vec![],
            }
        };
    d.orders.push(order(
        "00005001",
        linda_uid,
        now - 40 * DAY,
        "COMPLETED",
        entries(&[("300938", 1)]),
        false,
    ));
    d.orders.push(order(
        "00005002",
        linda_uid,
        now - 5 * DAY,
        "CREATED",
        entries(&[("278688", 1), ("1934793", 2)]),
        true,
    ));
    d.orders.push(order(
        "00005003",
        "william.hunter@pronto-hw.com",
        now - 9 * DAY,
        "CREATED",
        entries(&[("3965240", 1)]),
        true,
    ));

    d.tickets.push(Ticket {
        id: "00000001".into(),
        user: linda_uid.into(),
        subject: "Camera arrived scratched".into(),
        category: ("COMPLAINT", "Complaint"),
        status: ("OPEN", "Open"),
        created: now - 4 * DAY,
        updated: now - 2 * DAY,
    });
    d.tickets.push(Ticket {
        id: "00000002".into(),
        user: linda_uid.into(),
        subject: "Where is my order?".into(),
        category: ("ENQUIRY", "Enquiry"),
        status: ("CLOSED", "Closed"),
        created: now - 60 * DAY,
        updated: now - 58 * DAY,
    });
    d.reviews.push(Review {
        user: linda_uid.into(),
        product: "300938".into(),
        headline: "My review title".into(),
        comment: "Sharp pictures, short battery life.".into(),
        rating: 4.0,
        created: now - 30 * DAY,
    });
    d.interests.push((linda_uid.into(), "278688".into()));

    d.vouchers = vec![
        Voucher {
            code: "SUMMER10",
            name: "Summer sale",
            description: "$10 off your cart",
            cents: 1_000,
        },
        Voucher {
            code: "WELCOME5",
            name: "Welcome",
            description: "$5 off your first order",
            cents: 500,
        },
    ];
    d.customer_coupons = vec![
        CustomerCoupon {
            code: "BUYMORE1000",
            name: "Buy over $1000 get 20% off on cart",
            description: "20% off carts over $1000",
            start: now - 30 * DAY,
            end: now + 300 * DAY,
            assigned: BTreeSet::new(),
        },
        CustomerCoupon {
            code: "FREESHIP",
            name: "Free shipping",
            description: "Free standard delivery",
            start: now - 30 * DAY,
            end: now + 60 * DAY,
            assigned: [linda_uid.to_string()].into_iter().collect(),
        },
        CustomerCoupon {
            code: "CAMERA15",
            name: "Camera A1220 15% off",
            description: "15% off cameras",
            start: now - 10 * DAY,
            end: now + 20 * DAY,
            assigned: BTreeSet::new(),
        },
    ];

    d.lists = vec![
        CustomerList {
            uid: "instoreCustomers",
            name: "Current In-Store Customers",
            additional_columns: vec![],
            search_box: true,
        },
        CustomerList {
            uid: "bopisCustomers",
            name: "Pick-Up In-Store Customers",
            additional_columns: vec!["ORDER"],
            search_box: true,
        },
        CustomerList {
            uid: "myRecentCustomerSessions",
            name: "My Recent Customer Sessions",
            additional_columns: vec![],
            search_box: false,
        },
    ];
    for agent in ["asagent", "asmanager"] {
        let m = |l: &str, who: &[&str]| {
            (
                (agent.to_string(), l.to_string()),
                who.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        let instore: &[&str] = if agent == "asagent" {
            &[linda_uid, "gi.sun@pronto-hw.com"]
        } else {
            &["aaron.customer@hybris.com"]
        };
        let (k, v) = m("instoreCustomers", instore);
        d.list_members.insert(k, v);
        let (k, v) = m(
            "bopisCustomers",
            &[linda_uid, "william.hunter@pronto-hw.com"],
        );
        d.list_members.insert(k, v);
        let (k, v) = m("myRecentCustomerSessions", &[]);
        d.list_members.insert(k, v);
    }
    // Each customer's address is the first of their address book.
    d.address_book = d
        .users
        .iter()
        .filter_map(|u| Some((u.uid.clone(), crate::occ::address_json(u.address.as_ref()?))))
        .collect();
    d.consent_templates = CONSENT_TEMPLATES
        .iter()
        .map(|&(id, name, description)| ConsentTemplate {
            id,
            name,
            description,
            version: 0,
        })
        .collect();
    // Linda has given one consent.
    d.consents.push(Consent {
        code: "00009001".into(),
        user: linda_uid.into(),
        template: "STORE_USER_INFORMATION".into(),
        version: 0,
        given: now - 30 * DAY,
        withdrawn: None,
    });
    d
}

/// First names of the generated customers ([`generate_customers`]).
const FIRST_NAMES: [&str; 16] = [
    "Anna", "Ben", "Clara", "David", "Emma", "Felix", "Grace", "Henry", "Ida", "Jonas", "Karen",
    "Leo", "Mia", "Noah", "Olivia", "Paul",
];
/// Last names of the generated customers.
const LAST_NAMES: [&str; 16] = [
    "Baker", "Clarke", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski",
    "Lopez", "Meyer", "Novak", "Okafor", "Patel", "Quinn",
];
/// The fixed seed of the generated customers (the same data on every start).
const GENERATED_SEED: u64 = 0x5A9C_C0DE;

/// Whether generated customer `n` (1-based) is login-disabled: every 250th.
pub fn generated_deactivated(n: u32) -> bool {
    n.is_multiple_of(250)
}
/// Whether generated customer `n` is in both agents' `instoreCustomers`: every 100th.
pub fn generated_in_store(n: u32) -> bool {
    n.is_multiple_of(100)
}
/// Whether generated customer `n` is in both agents' `bopisCustomers` (with a pick-up order):
/// the 120th and then every 240th.
pub fn generated_bopis(n: u32) -> bool {
    n % 240 == 120
}

/// Adds `count` generated SAP-shaped customers after the fixed seed (`--customers`):
/// deterministic (a fixed [`fastrand`] seed), uids like `anna.baker17@example.com`, UUID-shaped
/// `customerId`s, some with an order and/or an active cart, a few login-disabled
/// ([`generated_deactivated`]), every 100th in the agents' in-store list, a few in the pick-up
/// list. `count == 0` changes nothing.
pub fn generate_customers(d: &mut Data, count: u32, now: i64) {
    const DAY: i64 = 86_400;
    let site = "electronics-spa";
    let mut rng = fastrand::Rng::with_seed(GENERATED_SEED);
    let products: Vec<&'static str> = d.products.iter().map(|p| p.code).collect();
    d.users.reserve(count as usize);
    for n in 1..=count {
        let first = FIRST_NAMES[rng.usize(..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.usize(..LAST_NAMES.len())];
        let uid = format!(
            "{}.{}{n}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let customer_id = format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            rng.u32(..),
            rng.u16(..),
            rng.u16(..0x1000),
            rng.u16(0x8000..0xC000),
            rng.u64(..1 << 48),
        );
        let mut u = user(
            &uid,
            &customer_id,
            first,
            last,
            "pw4all",
            &["customergroup"],
            now - rng.i64(1..1000) * DAY,
        );
        if rng.bool() {
            u.address = Some(Address {
                id: format!("88{n:011}"),
                first_name: first.into(),
                last_name: last.into(),
                line1: format!("{} Main Street", rng.u32(1..500)),
                line2: None,
                town: "Springfield".into(),
                postal_code: format!("{:05}", rng.u32(10_000..99_999)),
                country: "US",
                country_name: "United States of America",
                region: None,
                phone: Some(format!("+1 555 01{:02} {n:04}", rng.u32(..100))),
            });
        }
        if generated_deactivated(n) {
            u.deactivated = Some(now - rng.i64(1..100) * DAY);
        }
        let pickup = generated_bopis(n);
        if pickup || rng.u8(..100) < 20 {
            let code = format!("{:08}", 20_000_000 + n);
            d.orders.push(Order {
                guid: format!("{code}-order-guid"),
                code,
                user: uid.clone(),
                site: site.into(),
                placed: now - rng.i64(1..200) * DAY,
                status: if pickup { "CREATED" } else { "COMPLETED" },
                entries: vec![Entry {
                    product: products[rng.usize(..products.len())].to_string(),
                    quantity: rng.i64(1..4),
                }],
                discount_cents: 0,
                pickup,
                cancelled: vec![],
            });
        }
        if rng.u8(..100) < 25 {
            let code = format!("{:08}", 30_000_000 + n);
            d.carts.push(Cart {
                guid: format!("{code}-guid-7c1e-4a2b-9d3f"),
                code,
                user: Some(uid.clone()),
                site: site.into(),
                entries: vec![Entry {
                    product: products[rng.usize(..products.len())].to_string(),
                    quantity: rng.i64(1..3),
                }],
                vouchers: vec![],
                saved: None,
                modified: now - rng.i64(1..30) * DAY,
            });
        }
        for agent in ["asagent", "asmanager"] {
            for (list, member) in [
                ("instoreCustomers", generated_in_store(n)),
                ("bopisCustomers", pickup),
            ] {
                if member {
                    d.list_members
                        .entry((agent.to_string(), list.to_string()))
                        .or_default()
                        .push(uid.clone());
                }
            }
        }
        d.users.push(u);
    }
}
