//! Deterministic demo store: products, customers with carts and orders, agents, and the test
//! personas. The same count always yields the same store.

use crate::secret::hash_password;
use asm_types::{AGENT_GROUP, SALES_MANAGER_GROUP};
use r2d2_sqlite::rusqlite::{params, Connection};

/// A fixed sign-in every test and demo can rely on.
pub struct Persona {
    /// Login (agent uid, or customer e-mail).
    pub login: &'static str,
    /// Password.
    pub password: &'static str,
}

/// A plain customer support agent.
pub const AGENT: Persona = Persona {
    login: "asagent",
    password: "Agent#2026",
};
/// A sales manager (may place orders while emulating).
pub const MANAGER: Persona = Persona {
    login: "asmanager",
    password: "Manager#2026",
};
/// A customer with storefront credentials (must be refused by the ASM sign-in).
pub const CUSTOMER: Persona = Persona {
    login: "linda.wolf@example.com",
    password: "Customer#2026",
};
/// Customer id of Linda Wolf (has an active cart and orders).
pub const LINDA_ID: &str = "C-LINDA";
/// The code of Linda's seeded consent (to `STORE_USER_INFORMATION`).
pub const LINDA_CONSENT: &str = "00001000";
/// Linda's delivered order (status `COMPLETED`: its lines can be returned). Her other order,
/// `30000001`, is not yet shipped (`PROCESSING`: it can be cancelled).
pub const LINDA_DELIVERED_ORDER: &str = "30000000";
/// Customer id of a disabled customer.
pub const DISABLED_ID: &str = "C-DISABLED";
/// Customer id of a customer who has not consented to assisted service.
pub const NO_CONSENT_ID: &str = "C-NOCONSENT";
/// Customer id of the customer whose name is an HTML/script injection string.
pub const INJECTION_ID: &str = "C-INJECT";
/// The injection customer's first name.
pub const INJECTION_FIRST: &str = "<img src=x onerror=\"window.__asmPwned=1\">Mallory";
/// The injection customer's last name.
pub const INJECTION_LAST: &str = "<script>window.__asmPwned=2</script>";
/// Code of the first of the seeded anonymous carts (for "bind cart"); the others follow it.
pub const FIRST_ANONYMOUS_CART: &str = "90000001";
/// How many anonymous carts are seeded.
pub const ANONYMOUS_CARTS: u64 = 20;
/// Every this many customers, one is in the `instore` list (and Linda).
pub const INSTORE_EVERY: usize = 100;
/// Every this many customers with orders, one is in the `pickup` list.
pub const PICKUP_EVERY: u64 = 50;

const FIRST: &[&str] = &[
    "Aaron", "Alice", "Amelia", "Ben", "Carla", "Chen", "Daniel", "Elena", "Fatima", "George",
    "Hannah", "Ivan", "Jasmine", "Jonas", "Kenji", "Laura", "Liam", "Maria", "Mohammed", "Nina",
    "Oliver", "Olga", "Pablo", "Priya", "Quentin", "Rosa", "Samuel", "Sofia", "Tomas", "Uma",
    "Victor", "Wei", "Xavier", "Yara", "Zoe", "Anika", "Bruno", "Clara", "Dmitri", "Eva",
];
const LAST: &[&str] = &[
    "Anderson",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Martin",
    "Nakamura",
    "Novak",
    "Olsen",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Moreau",
    "Kim",
];
const TOWNS: &[(&str, &str)] = &[
    ("Berlin", "DE"),
    ("Munich", "DE"),
    ("Paris", "FR"),
    ("Lyon", "FR"),
    ("London", "GB"),
    ("Manchester", "GB"),
    ("Madrid", "ES"),
    ("Rome", "IT"),
    ("Warsaw", "PL"),
    ("Boston", "US"),
    ("Austin", "US"),
    ("Toronto", "CA"),
    ("Tokyo", "JP"),
    ("Sydney", "AU"),
];
/// Products: code, name, price in cents (written as `dollars_cents`).
#[allow(clippy::inconsistent_digit_grouping)]
const PRODUCTS: &[(&str, &str, i64)] = &[
    ("300938", "Photosmart E317 Digital Camera", 114_12),
    ("358639", "DSC-N1 Camera", 356_23),
    ("553637", "NV10 Camera", 241_96),
    ("816802", "EF 100mm f/2.8 Macro Lens", 568_49),
    ("1934793", "PowerShot A480", 99_85),
    ("2053367", "EOS 450D + 18-55 IS Kit", 701_25),
    ("3708646", "Secure Digital Card 2GB", 11_75),
    ("4205431", "Tripod Stand", 39_90),
    ("4787072", "Camera Bag Classic", 49_00),
    ("5017013", "Li-Ion Battery Pack", 28_99),
    ("1382080", "EASYSHARE M381 Blue", 105_06),
    ("1687508", "Webcam HD Pro 1080p", 79_99),
    ("2278102", "Flash Speedlite 430EX", 199_00),
    ("3555166", "Lens Cleaning Kit", 9_50),
    ("4135570", "USB Card Reader", 14_99),
];

/// Stores: name, display name, street, town, country, opening hours.
const STORES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "berlin-mitte",
        "Berlin Mitte",
        "Friedrichstr. 120",
        "Berlin",
        "DE",
        "Mon-Sat 09:00-20:00",
    ),
    (
        "berlin-spandau",
        "Berlin Spandau",
        "Carl-Schurz-Str. 8",
        "Berlin",
        "DE",
        "Mon-Sat 10:00-19:00",
    ),
    (
        "munich-center",
        "Munich Center",
        "Kaufingerstr. 9",
        "Munich",
        "DE",
        "Mon-Sat 09:30-20:00",
    ),
    (
        "paris-opera",
        "Paris Opera",
        "12 Boulevard Haussmann",
        "Paris",
        "FR",
        "Mon-Sun 10:00-20:00",
    ),
    (
        "lyon-part-dieu",
        "Lyon Part-Dieu",
        "17 Rue du Dr Bouchut",
        "Lyon",
        "FR",
        "Mon-Sat 10:00-19:30",
    ),
    (
        "london-oxford",
        "London Oxford Street",
        "200 Oxford Street",
        "London",
        "GB",
        "Mon-Sun 09:00-21:00",
    ),
    (
        "manchester-arndale",
        "Manchester Arndale",
        "Market Street",
        "Manchester",
        "GB",
        "Mon-Sat 09:00-20:00",
    ),
    (
        "madrid-sol",
        "Madrid Sol",
        "Puerta del Sol 1",
        "Madrid",
        "ES",
        "Mon-Sat 10:00-22:00",
    ),
    (
        "rome-corso",
        "Rome Corso",
        "Via del Corso 200",
        "Rome",
        "IT",
        "Mon-Sun 10:00-20:00",
    ),
    (
        "warsaw-centrum",
        "Warsaw Centrum",
        "ul. Marszalkowska 104",
        "Warsaw",
        "PL",
        "Mon-Sat 09:00-21:00",
    ),
    (
        "boston-back-bay",
        "Boston Back Bay",
        "800 Boylston St",
        "Boston",
        "US",
        "Mon-Sat 10:00-21:00",
    ),
    (
        "austin-domain",
        "Austin Domain",
        "11410 Century Oaks Ter",
        "Austin",
        "US",
        "Mon-Sun 10:00-21:00",
    ),
    (
        "toronto-eaton",
        "Toronto Eaton Centre",
        "220 Yonge St",
        "Toronto",
        "CA",
        "Mon-Sun 10:00-21:30",
    ),
    (
        "tokyo-ginza",
        "Tokyo Ginza",
        "4-6-16 Ginza",
        "Tokyo",
        "JP",
        "Mon-Sun 11:00-20:00",
    ),
    (
        "sydney-pitt",
        "Sydney Pitt Street",
        "188 Pitt St",
        "Sydney",
        "AU",
        "Mon-Sun 09:00-19:00",
    ),
];
/// Cart vouchers anyone may apply: code, name, description, percent off.
pub const VOUCHERS: &[(&str, &str, &str, i64)] = &[
    ("SAVE10", "Save 10%", "10% off the whole cart", 10),
    (
        "WELCOME5",
        "Welcome 5%",
        "5% off for new and returning customers",
        5,
    ),
    (
        "CAMERA15",
        "Camera week",
        "15% off the whole cart during camera week",
        15,
    ),
];
/// Order promotions applied automatically: code, description, threshold (cents), percent off.
#[allow(clippy::inconsistent_digit_grouping)]
pub const PROMOTIONS: &[(&str, &str, i64, i64)] = &[
    ("ORDER200", "3% off orders over $200", 200_00, 3),
    ("ORDER1000", "8% off orders over $1,000", 1_000_00, 8),
];
/// Customer coupons an agent can assign: code, name, description, percent off, and the days
/// from the seed's time to the start and to the end of validity. `VIP25` ends within days (the
/// store and Customer 360° say so), `AUTUMN20` has ended (Linda still has it: "expired").
#[allow(clippy::type_complexity)]
pub const COUPONS: &[(&str, &str, &str, i64, i64, i64)] = &[
    (
        "LOYALTY20",
        "Loyalty 20%",
        "20% off for loyal customers",
        20,
        -30,
        365,
    ),
    (
        "BIRTHDAY15",
        "Birthday 15%",
        "15% off in your birthday month",
        15,
        -30,
        365,
    ),
    (
        "SORRY10",
        "We are sorry",
        "10% off after a service problem",
        10,
        -30,
        365,
    ),
    ("VIP25", "VIP day", "25% off on VIP day", 25, -30, 5),
    (
        "AUTUMN20",
        "Autumn sale",
        "20% off in the autumn sale",
        20,
        -60,
        -2,
    ),
];
/// The coupon that has ended (assigned to Linda).
pub const EXPIRED_COUPON: &str = "AUTUMN20";
const TICKET_SUBJECTS: &[(&str, &str)] = &[
    ("Where is my order?", "Delivery"),
    ("Camera arrived damaged", "Complaint"),
    ("Question about warranty", "Enquiry"),
    ("Refund not received", "Payment"),
    ("Wrong item delivered", "Complaint"),
];
const TICKET_STATUSES: &[&str] = &["OPEN", "INPROCESS", "CLOSED"];
const REVIEWS: &[(i64, &str, &str)] = &[
    (5, "Love it", "Sharp pictures and easy to use."),
    (
        4,
        "Good value",
        "Does what it says; battery could last longer.",
    ),
    (2, "Disappointed", "Stopped working after a month."),
    (3, "Okay", "Fine for the price."),
];
const STREETS: &[&str] = &[
    "Main Street",
    "Station Road",
    "Park Avenue",
    "Church Lane",
    "High Street",
    "Mill Road",
];

/// Seeds an empty database: `customers` generated customers plus the personas.
/// Does nothing when customers already exist.
pub fn seed_if_empty(conn: &mut Connection, customers: u32, now: i64) -> Result<bool, String> {
    let existing: i64 = conn
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if existing > 0 {
        return Ok(false);
    }
    seed(conn, customers, now).map_err(|e| e.to_string())?;
    Ok(true)
}

/// A persona customer: id, uid, first name, last name, disabled, consent, password hash.
type PersonaRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    bool,
    bool,
    Option<&'a str>,
);
/// An owned [`PersonaRow`], for personas and generated customers alike.
type CustomerRow = (String, String, String, String, bool, bool, Option<String>);

fn seed(conn: &mut Connection, customers: u32, now: i64) -> Result<(), Box<dyn std::error::Error>> {
    let tx = conn.transaction()?;
    for (code, name, price) in PRODUCTS {
        tx.execute(
            "INSERT INTO products (code, name, price_cents) VALUES (?1, ?2, ?3)",
            params![code, name, price],
        )?;
    }
    for (name, display, line1, town, country, hours) in STORES {
        tx.execute(
            "INSERT INTO stores (name, display_name, line1, town, country, opening_hours) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![name, display, line1, town, country, hours],
        )?;
    }
    for (code, name, description, percent) in VOUCHERS {
        tx.execute(
            "INSERT INTO vouchers (code, name, description, percent) VALUES (?1, ?2, ?3, ?4)",
            params![code, name, description, percent],
        )?;
    }
    tx.execute_batch(super::schema::INCENTIVE_VOUCHERS)?;
    for (code, description, threshold, percent) in PROMOTIONS {
        tx.execute(
            "INSERT INTO promotions (code, description, threshold_cents, percent) VALUES (?1, ?2, ?3, ?4)",
            params![code, description, threshold, percent],
        )?;
    }
    for (code, name, description, percent, starts, ends) in COUPONS {
        tx.execute(
            "INSERT INTO coupons (code, name, description, percent, starts, ends) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![code, name, description, percent, now + starts * 86_400_000_i64, now + ends * 86_400_000_i64],
        )?;
    }
    let agent_group = AGENT_GROUP.to_string();
    let manager_groups = format!("{AGENT_GROUP},{SALES_MANAGER_GROUP}");
    for (persona, name, groups) in [
        (&AGENT, "Avery Agent", &agent_group),
        (&MANAGER, "Morgan Manager", &manager_groups),
    ] {
        tx.execute(
            "INSERT INTO agents (uid, name, email, password_hash, groups_csv) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                persona.login,
                name,
                format!("{}@asm.example", persona.login),
                hash_password(persona.password)?,
                groups
            ],
        )?;
    }

    let day = 86_400_000_i64;
    let mut rng = fastrand::Rng::with_seed(0xA5E5_2026);
    let mut cart_no = 10_000_000_u64;
    let mut order_no = 30_000_000_u64;
    let mut with_orders = 0_u64;
    {
        let mut insert_customer = tx.prepare(
            "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, \
             signed_up, disabled, consent, password_hash, search) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut insert_cart = tx.prepare(
            "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, ?2, 'active', ?3, ?3)",
        )?;
        let mut insert_entry = tx.prepare(
            "INSERT OR IGNORE INTO cart_entries (cart_code, product_code, quantity) VALUES (?1, ?2, ?3)",
        )?;
        let mut insert_order = tx.prepare(
            "INSERT INTO orders (code, customer_id, placed, total_cents, status, subtotal_cents) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
        )?;
        let mut insert_order_entry = tx.prepare(
            "INSERT INTO order_entries (order_code, entry_number, product_code, product_name, quantity, price_cents) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut insert_address = tx.prepare(
            "INSERT INTO addresses (customer_id, kind, line1, postal_code, town, country, phone) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut insert_ticket = tx.prepare(
            "INSERT INTO tickets (id, customer_id, subject, category, status, created, updated) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut insert_ticket_event = tx.prepare(
            "INSERT INTO ticket_events (ticket_id, author, message, created) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut insert_review = tx.prepare(
            "INSERT INTO reviews (customer_id, product_code, rating, headline, comment, created) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        // The 360 data has its own generator, so the carts and orders above stay as they were.
        let mut extra = fastrand::Rng::with_seed(0x360_2026);
        let mut ticket_no = 50_000_u64;
        let mut insert_member =
            tx.prepare("INSERT INTO customer_list_members (list_id, customer_id) VALUES (?1, ?2)")?;

        let linda_hash = hash_password(CUSTOMER.password)?;
        let personas: [PersonaRow<'_>; 4] = [
            (
                LINDA_ID,
                CUSTOMER.login,
                "Linda",
                "Wolf",
                false,
                true,
                Some(&linda_hash),
            ),
            (
                DISABLED_ID,
                "dan.disabled@example.com",
                "Dan",
                "Disabled",
                true,
                true,
                None,
            ),
            (
                NO_CONSENT_ID,
                "nora.noconsent@example.com",
                "Nora",
                "Noconsent",
                false,
                false,
                None,
            ),
            (
                INJECTION_ID,
                "mallory@example.com",
                INJECTION_FIRST,
                INJECTION_LAST,
                false,
                true,
                None,
            ),
        ];
        let mut all: Vec<CustomerRow> = personas
            .iter()
            .map(|(id, uid, f, l, dis, con, pw)| {
                (
                    id.to_string(),
                    uid.to_string(),
                    f.to_string(),
                    l.to_string(),
                    *dis,
                    *con,
                    pw.map(str::to_owned),
                )
            })
            .collect();
        for i in 0..customers {
            let first = FIRST[rng.usize(..FIRST.len())];
            let last = LAST[rng.usize(..LAST.len())];
            let uid = format!(
                "{}.{}{}@example.com",
                first.to_lowercase(),
                last.to_lowercase(),
                i
            );
            all.push((
                format!("C{:07}", i + 1),
                uid,
                first.into(),
                last.into(),
                i % 97 == 13,
                i % 53 != 7,
                None,
            ));
        }
        for (n, (id, uid, first, last, disabled, consent, pw)) in all.iter().enumerate() {
            let name = format!("{first} {last}");
            let (town, country) = TOWNS[rng.usize(..TOWNS.len())];
            let signed_up = now - rng.i64(30..2_000) * day;
            let search = format!("{} {} {}", name, uid, id).to_lowercase();
            insert_customer.execute(params![
                id, uid, first, last, name, town, country, signed_up, disabled, consent, pw, search
            ])?;
            // Linda always has a cart and orders; others by chance.
            if n == 0 || rng.u8(..100) < 35 {
                cart_no += 1;
                let code = format!("{cart_no:08}");
                insert_cart.execute(params![code, id, now - rng.i64(0..30) * day])?;
                for _ in 0..rng.usize(1..4) {
                    let (product, _, _) = PRODUCTS[rng.usize(..PRODUCTS.len())];
                    insert_entry.execute(params![code, product, rng.u32(1..4)])?;
                }
            }
            // Linda is in the store; a few others are, or wait to pick an order up.
            if n == 0 || n % INSTORE_EVERY == 5 {
                insert_member.execute(params!["instore", id])?;
            }
            let has_orders = n == 0 || rng.u8(..100) < 40;
            if has_orders {
                with_orders += 1;
                if with_orders % PICKUP_EVERY == 2 {
                    insert_member.execute(params!["pickup", id])?;
                }
                for _ in 0..rng.usize(1..4) {
                    order_no += 1;
                    let code = format!("{order_no:08}");
                    let status = ["COMPLETED", "SHIPPED", "PROCESSING"][rng.usize(..3)];
                    let placed = now - rng.i64(1..700) * day;
                    let _ = rng.i64(1_000..200_000); // was the total; kept so later draws stay the same
                    let mut lines: Vec<(&str, &str, i64, i64)> = Vec::new();
                    for _ in 0..extra.usize(1..3) {
                        let (product, pname, price) = PRODUCTS[extra.usize(..PRODUCTS.len())];
                        let quantity = extra.i64(1..3);
                        if !lines.iter().any(|l| l.0 == product) {
                            lines.push((product, pname, quantity, price));
                        }
                    }
                    let total: i64 = lines.iter().map(|l| l.2 * l.3).sum();
                    // Entry numbers follow the insertion: in name order, as the lines show.
                    lines.sort_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)));
                    insert_order.execute(params![code, id, placed, total, status])?;
                    for (number, (product, pname, quantity, price)) in (0_i64..).zip(lines) {
                        insert_order_entry
                            .execute(params![code, number, product, pname, quantity, price])?;
                    }
                }
            }
            // Addresses for everyone who ordered; tickets and reviews for some.
            if has_orders {
                let street = STREETS[extra.usize(..STREETS.len())];
                let line1 = format!("{} {street}", extra.u32(1..200));
                let postal = format!("{:05}", extra.u32(10_000..99_999));
                let phone = format!("+1 555 {:04}", extra.u32(0..10_000));
                for kind in ["billing", "delivery"] {
                    insert_address
                        .execute(params![id, kind, line1, postal, town, country, phone])?;
                }
            }
            if n == 0 || extra.u8(..100) < 10 {
                for t in 0..extra.usize(1..3) {
                    ticket_no += 1;
                    let (subject, category) = TICKET_SUBJECTS[extra.usize(..TICKET_SUBJECTS.len())];
                    let created = now - extra.i64(2..300) * day;
                    let status = if n == 0 && t == 0 {
                        "OPEN"
                    } else {
                        TICKET_STATUSES[extra.usize(..TICKET_STATUSES.len())]
                    };
                    let ticket_id = format!("{ticket_no:08}");
                    insert_ticket.execute(params![
                        ticket_id,
                        id,
                        subject,
                        category,
                        status,
                        created,
                        created + extra.i64(0..2) * day
                    ])?;
                    insert_ticket_event.execute(params![ticket_id, name, subject, created])?;
                }
            }
            if n == 0 || extra.u8(..100) < 8 {
                for _ in 0..extra.usize(1..3) {
                    let (rating, headline, comment) = REVIEWS[extra.usize(..REVIEWS.len())];
                    let (product, _, _) = PRODUCTS[extra.usize(..PRODUCTS.len())];
                    insert_review.execute(params![
                        id,
                        product,
                        rating,
                        headline,
                        comment,
                        now - extra.i64(1..400) * day
                    ])?;
                }
            }
        }
        // A few anonymous carts, for "bind cart".
        let first_anonymous: u64 = FIRST_ANONYMOUS_CART.parse()?;
        for code in (first_anonymous..first_anonymous + ANONYMOUS_CARTS).map(|n| format!("{n:08}"))
        {
            tx.execute(
                "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, NULL, 'active', ?2, ?2)",
                params![code, now],
            )?;
            insert_entry.execute(params![code, PRODUCTS[rng.usize(..PRODUCTS.len())].0, 1])?;
        }
    }
    // Linda also has a delivered order (returnable), older than her other one so that her latest
    // order stays what it was; its code comes before the generated ones.
    let latest: i64 = tx.query_row(
        "SELECT COALESCE(MAX(placed), ?2) FROM orders WHERE customer_id = ?1",
        params![LINDA_ID, now],
        |r| r.get(0),
    )?;
    let delivered_lines = [("300938", 2_i64), ("4205431", 1)];
    let delivered_total: i64 = delivered_lines
        .iter()
        .filter_map(|(code, q)| PRODUCTS.iter().find(|p| p.0 == *code).map(|p| p.2 * q))
        .sum();
    tx.execute(
        "INSERT INTO orders (code, customer_id, placed, total_cents, status, subtotal_cents) \
         VALUES (?1, ?2, ?3, ?4, 'COMPLETED', ?4)",
        params![
            LINDA_DELIVERED_ORDER,
            LINDA_ID,
            latest - 3 * day,
            delivered_total
        ],
    )?;
    let delivered = delivered_lines.iter().filter_map(|(code, quantity)| {
        PRODUCTS
            .iter()
            .find(|p| p.0 == *code)
            .map(|p| (p, quantity))
    });
    for (number, ((code, name, price), quantity)) in (0_i64..).zip(delivered) {
        tx.execute(
            "INSERT INTO order_entries (order_code, entry_number, product_code, product_name, quantity, price_cents) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![LINDA_DELIVERED_ORDER, number, code, name, quantity, price],
        )?;
    }
    // Linda's profile is complete: saved cards, product interests and an assigned coupon.
    for (brand, last4, expiry, default) in [
        ("Visa", "4242", "12/2028", true),
        ("Mastercard", "5454", "03/2027", false),
    ] {
        tx.execute(
            "INSERT INTO payment_cards (customer_id, brand, last4, expiry, holder, is_default) VALUES (?1, ?2, ?3, ?4, 'Linda Wolf', ?5)",
            params![LINDA_ID, brand, last4, expiry, default],
        )?;
    }
    for (product, kind) in [("2053367", "BACK_IN_STOCK"), ("816802", "PRICE_REDUCTION")] {
        tx.execute(
            "INSERT INTO product_interests (customer_id, product_code, kind, created) VALUES (?1, ?2, ?3, ?4)",
            params![LINDA_ID, product, kind, now - 5 * day],
        )?;
    }
    tx.execute(
        "INSERT INTO customer_coupons (customer_id, coupon_code, assigned, assigned_by) VALUES (?1, 'LOYALTY20', ?2, NULL)",
        params![LINDA_ID, now - 10 * day],
    )?;
    tx.execute(
        "INSERT INTO customer_coupons (customer_id, coupon_code, assigned, assigned_by) VALUES (?1, ?2, ?3, NULL)",
        params![LINDA_ID, EXPIRED_COUPON, now - 40 * day],
    )?;
    // Linda has given one consent (consent management, not the consent to assisted service).
    tx.execute(
        "INSERT INTO consents (code, customer_id, template, version, given) \
         VALUES (?1, ?2, 'STORE_USER_INFORMATION', 1, ?3)",
        params![LINDA_CONSENT, LINDA_ID, now - 30 * day],
    )?;
    // Sort keys in name order, which also fills the search index (one pass after the bulk load).
    crate::commerce::embedded::search::rekey_all(&tx)?;
    tx.commit()?;
    Ok(())
}
