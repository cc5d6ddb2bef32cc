//! Deep links: `?asm=true&customerId=…` with an optional `cartId` (+ `cartType`), `orderId` or
//! `ticketId`. Read once from the page's address when the overlay mounts, kept in sessionStorage
//! until the agent has signed in and started (or dismissed) it. Plain logic, tested natively.

use serde::{Deserialize, Serialize};

/// sessionStorage key of the pending deep link (survives the sign-in and a reload before it).
pub const STORAGE_KEY: &str = "asm_deep_link";
/// Longest value accepted for any deep-link parameter (longer ones are ignored as junk).
pub const MAX_VALUE_LEN: usize = 64;
/// The query parameters that make a deep link (removed from the address bar once read).
pub const PARAMS: [&str; 5] = ["customerId", "cartId", "cartType", "orderId", "ticketId"];

/// Which of the customer's carts a link's `cartId` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CartType {
    /// The customer's current cart (the emulation works on it).
    Active,
    /// A saved cart.
    Saved,
    /// An inactive (e.g. abandoned) cart.
    Inactive,
}

impl CartType {
    fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "saved" => Some(Self::Saved),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// A deep link: the customer to emulate and what to open for them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeepLink {
    /// The customer to emulate.
    pub customer_id: String,
    /// A cart of the customer's.
    pub cart_id: Option<String>,
    /// Which kind of cart `cart_id` is (`None`: the active cart).
    pub cart_type: Option<CartType>,
    /// An order of the customer's.
    pub order_id: Option<String>,
    /// The support ticket the agent works on.
    pub ticket_id: Option<String>,
}

impl DeepLink {
    /// The deep link in a query string (`?a=b&c=d`, the leading `?` optional), or `None` when it
    /// has none: `asm=true` and a valid `customerId` are required; invalid optional values are
    /// ignored (the first occurrence of a parameter counts).
    pub fn parse(query: &str) -> Option<Self> {
        let pairs = pairs(query);
        let get = |name: &str| -> Option<String> {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| clean(v))
        };
        if pairs
            .iter()
            .find(|(k, _)| k == "asm")
            .map(|(_, v)| v.as_str())
            != Some("true")
        {
            return None;
        }
        Some(Self {
            customer_id: get("customerId")?,
            cart_id: get("cartId"),
            cart_type: get("cartType").and_then(|t| CartType::parse(&t)),
            order_id: get("orderId"),
            ticket_id: get("ticketId"),
        })
    }

    /// The cart the emulation should work on (sent as the session's `cartId`): the link's cart
    /// unless it names a saved or inactive one.
    pub fn session_cart(&self) -> Option<&str> {
        match self.cart_type {
            None | Some(CartType::Active) => self.cart_id.as_deref(),
            Some(_) => None,
        }
    }

    /// What the storefront should open once the emulation started, as a
    /// [`crate::host::target`] and id: an order first, then a cart, then a ticket.
    pub fn target(&self) -> Option<(&'static str, &str)> {
        use crate::host::target;
        if let Some(order) = &self.order_id {
            Some((target::ORDER, order))
        } else if let Some(cart) = &self.cart_id {
            Some((target::CART, cart))
        } else {
            self.ticket_id.as_deref().map(|t| (target::TICKET, t))
        }
    }

    /// The customer and cart an inactive-cart link asks the agent to save for later
    /// (Spartacus's "save inactive cart"), if it is one.
    pub fn cart_to_save(&self) -> Option<CartToSave> {
        (self.cart_type == Some(CartType::Inactive)).then_some(())?;
        Some(CartToSave {
            customer_id: self.customer_id.clone(),
            cart_id: self.cart_id.clone()?,
        })
    }

    /// The emulation reason the link implies (`Ticket <id>`), if it names a ticket.
    pub fn reason(&self) -> Option<String> {
        self.ticket_id.as_ref().map(|t| format!("Ticket {t}"))
    }

    /// The link as stored in sessionStorage.
    pub fn to_json(&self) -> String {
        crate::json::to_string(self).unwrap_or_default()
    }

    /// A link read back from sessionStorage (anything that is not a valid link is `None`).
    pub fn from_json(json: &str) -> Option<Self> {
        let link: Self = crate::json::from_str(json)?;
        let valid = |v: &Option<String>| v.as_deref().is_none_or(|v| clean(v).is_some());
        (clean(&link.customer_id).is_some()
            && valid(&link.cart_id)
            && valid(&link.order_id)
            && valid(&link.ticket_id))
        .then_some(link)
    }
}

/// sessionStorage key of the inactive cart an opened link offers to save (kept over the
/// storefront's navigation to the cart, until saved or the emulation moves on).
pub const SAVE_KEY: &str = "asm_cart_to_save";

/// An inactive cart of a customer's that the agent may save for later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartToSave {
    /// The customer.
    pub customer_id: String,
    /// Their inactive cart.
    pub cart_id: String,
}

impl CartToSave {
    /// As kept in sessionStorage: `customer id` and `cart id` on two lines.
    pub fn to_stored(&self) -> String {
        format!("{}\n{}", self.customer_id, self.cart_id)
    }

    /// Read back from sessionStorage (anything else is `None`).
    pub fn from_stored(stored: &str) -> Option<Self> {
        let (customer, cart) = stored.split_once('\n')?;
        Some(Self {
            customer_id: clean(customer)?,
            cart_id: clean(cart)?,
        })
    }
}

/// The query string without the deep-link parameters (other parameters kept as they were),
/// with its leading `?`, or `""` when nothing is left.
pub fn strip_params(query: &str) -> String {
    let kept: Vec<&str> = query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let key = part.split('=').next().unwrap_or_default();
            !PARAMS.contains(&decode(key).as_str())
        })
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// The decoded `(key, value)` pairs of a query string.
fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = part.split_once('=').unwrap_or((part, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A usable value: trimmed, not empty, at most [`MAX_VALUE_LEN`] characters, made of letters,
/// digits and `-_.@+:` only (ids, codes, e-mail-like uids); anything else is junk.
fn clean(value: &str) -> Option<String> {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.chars().count() <= MAX_VALUE_LEN
        && v.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+' | ':'));
    ok.then(|| v.to_owned())
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte); malformed
/// escapes are kept as they are, invalid UTF-8 is replaced. In the browser by its own
/// `URLSearchParams` (the same rules), which keeps a decoder out of the first load
/// (docs/benchmarks.md, "Overlay payload"); `s` is one key or value (no `&`).
#[cfg(target_arch = "wasm32")]
pub(crate) fn decode(s: &str) -> String {
    web_sys::UrlSearchParams::new_with_str(&format!("x={s}"))
        .ok()
        .and_then(|params| params.get("x"))
        .unwrap_or_else(|| s.to_owned())
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space, `%XX` a byte); malformed
/// escapes are kept as they are, invalid UTF-8 is replaced.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::target;

    #[test]
    fn reads_every_parameter() {
        let link = DeepLink::parse(
            "?asm=true&customerId=C-LINDA&cartId=00001234&cartType=active&orderId=00005001&ticketId=T-42",
        )
        .expect("a link");
        assert_eq!(
            link,
            DeepLink {
                customer_id: "C-LINDA".into(),
                cart_id: Some("00001234".into()),
                cart_type: Some(CartType::Active),
                order_id: Some("00005001".into()),
                ticket_id: Some("T-42".into()),
            }
        );
    }

    #[test]
    fn an_inactive_cart_link_offers_its_cart_to_save() {
        let link =
            DeepLink::parse("?asm=true&customerId=C-LINDA&cartId=00001234&cartType=inactive")
                .expect("a link");
        let save = link.cart_to_save().expect("a cart to save");
        assert_eq!(save.cart_id, "00001234");
        assert_eq!(link.session_cart(), None, "not the emulation's cart");
        assert_eq!(CartToSave::from_stored(&save.to_stored()), Some(save));
        assert_eq!(CartToSave::from_stored("C-LINDA"), None);
        assert_eq!(CartToSave::from_stored("C-LINDA\n<b>"), None);
        for q in [
            "?asm=true&customerId=C-LINDA&cartId=00001234&cartType=saved",
            "?asm=true&customerId=C-LINDA&cartId=00001234",
            "?asm=true&customerId=C-LINDA&cartType=inactive",
        ] {
            let link = DeepLink::parse(q).expect("a link");
            assert_eq!(link.cart_to_save(), None, "{q}");
        }
    }

    #[test]
    fn needs_asm_true_and_a_customer() {
        assert_eq!(DeepLink::parse("?customerId=C-LINDA"), None);
        assert_eq!(DeepLink::parse("?asm=false&customerId=C-LINDA"), None);
        assert_eq!(DeepLink::parse("?asm=true"), None);
        assert_eq!(DeepLink::parse("?asm=true&customerId="), None);
        assert_eq!(DeepLink::parse(""), None);
        let link = DeepLink::parse("asm=true&customerId=C-1").expect("without ?");
        assert_eq!(link.customer_id, "C-1");
        assert_eq!(link.target(), None);
    }

    #[test]
    fn ignores_junk_and_over_long_values() {
        let long = "9".repeat(MAX_VALUE_LEN + 1);
        let q = format!(
            "?asm=true&customerId=C-LINDA&orderId={long}&cartId=%3Cscript%3E&ticketId=%20%20&cartType=weird&x=1"
        );
        let link = DeepLink::parse(&q).expect("a link");
        assert_eq!(link.order_id, None);
        assert_eq!(link.cart_id, None);
        assert_eq!(link.ticket_id, None);
        assert_eq!(link.cart_type, None);
        assert_eq!(
            DeepLink::parse("?asm=true&customerId=<b>x</b>"),
            None,
            "a junk customer id is no link"
        );
        let ok = "9".repeat(MAX_VALUE_LEN);
        let link = DeepLink::parse(&format!("?asm=true&customerId=C&orderId={ok}")).expect("link");
        assert_eq!(link.order_id.as_deref(), Some(ok.as_str()));
    }

    #[test]
    fn decodes_and_trims_and_takes_the_first_occurrence() {
        let link = DeepLink::parse(
            "?asm=true&customerId=%20linda.wolf%40example.com+&customerId=C-OTHER&ticketId=T%2D1&bad=%zz",
        )
        .expect("a link");
        assert_eq!(link.customer_id, "linda.wolf@example.com");
        assert_eq!(link.ticket_id.as_deref(), Some("T-1"));
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("a%C3%A9"), "aé");
    }

    #[test]
    fn target_prefers_order_then_cart_then_ticket() {
        let mut link = DeepLink {
            customer_id: "C".into(),
            cart_id: Some("CART".into()),
            order_id: Some("ORD".into()),
            ticket_id: Some("T".into()),
            cart_type: None,
        };
        assert_eq!(link.target(), Some((target::ORDER, "ORD")));
        link.order_id = None;
        assert_eq!(link.target(), Some((target::CART, "CART")));
        link.cart_id = None;
        assert_eq!(link.target(), Some((target::TICKET, "T")));
        assert_eq!(link.reason().as_deref(), Some("Ticket T"));
    }

    #[test]
    fn only_an_active_cart_is_the_sessions_cart() {
        let mut link = DeepLink::parse("?asm=true&customerId=C&cartId=0042").expect("link");
        assert_eq!(link.session_cart(), Some("0042"));
        link.cart_type = Some(CartType::Active);
        assert_eq!(link.session_cart(), Some("0042"));
        link.cart_type = Some(CartType::Saved);
        assert_eq!(link.session_cart(), None);
        assert_eq!(link.target(), Some((target::CART, "0042")));
        assert_eq!(
            DeepLink::parse("?asm=true&customerId=C&cartId=1&cartType=SAVED")
                .and_then(|l| l.cart_type),
            Some(CartType::Saved)
        );
    }

    #[test]
    fn strips_only_the_link_parameters() {
        assert_eq!(
            strip_params("?asm=true&customerId=C&page=order&orderId=1&cartType=saved&x=%20"),
            "?asm=true&page=order&x=%20"
        );
        assert_eq!(strip_params("?customerId=C&ticketId=T"), "");
        assert_eq!(strip_params(""), "");
        assert_eq!(strip_params("?cart%49d=1&a"), "?a");
    }

    #[test]
    fn storage_round_trip_rejects_tampered_values() {
        let link = DeepLink::parse("?asm=true&customerId=C-LINDA&ticketId=T-1").expect("link");
        assert_eq!(DeepLink::from_json(&link.to_json()), Some(link));
        assert_eq!(DeepLink::from_json("not json"), None);
        assert_eq!(
            DeepLink::from_json(
                r#"{"customerId":"<img>","cartId":null,"cartType":null,"orderId":null,"ticketId":null}"#
            ),
            None
        );
        assert_eq!(
            DeepLink::from_json(
                r#"{"customerId":"C","cartId":" ","cartType":null,"orderId":null,"ticketId":null}"#
            ),
            None
        );
    }
}
