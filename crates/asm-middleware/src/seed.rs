//! Deterministic demo store: products, customers with carts and orders, agents, and the test
//! personas. The same count always yields the same store.

use crate::auth::hash_password;
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
            "INSERT INTO orders (code, customer_id, placed, total_cents, status) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
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
            if n == 0 || rng.u8(..100) < 40 {
                with_orders += 1;
                if with_orders % PICKUP_EVERY == 2 {
                    insert_member.execute(params!["pickup", id])?;
                }
                for _ in 0..rng.usize(1..4) {
                    order_no += 1;
                    let status = ["COMPLETED", "SHIPPED", "PROCESSING"][rng.usize(..3)];
                    insert_order.execute(params![
                        format!("{order_no:08}"),
                        id,
                        now - rng.i64(1..700) * day,
                        rng.i64(1_000..200_000),
                        status
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
    tx.commit()?;
    Ok(())
}
