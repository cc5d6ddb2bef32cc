//! SAP OCC's address book (`/users/{userId}/addresses`, SAP-CONTRACT.md §4.11: the ASM e2e suite
//! creates an address as the customer): `AddressWsDTO` in and out.

use asm_types::{Address, AddressInput, CountryRef};
use serde::Deserialize;
use serde_json::{json, Value};

/// SAP's country reference.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapCountry {
    pub isocode: String,
}

/// An OCC address; SAP may leave any field out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapAddress {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub town: String,
    pub postal_code: String,
    pub country: SapCountry,
    pub phone: Option<String>,
    pub default_address: bool,
}

impl SapAddress {
    /// Ours.
    pub fn ours(self) -> Address {
        Address {
            id: self.id,
            first_name: self.first_name,
            last_name: self.last_name,
            line1: self.line1,
            line2: self.line2.filter(|l| !l.trim().is_empty()),
            town: self.town,
            postal_code: self.postal_code,
            country: CountryRef {
                isocode: self.country.isocode,
            },
            phone: self.phone.filter(|p| !p.trim().is_empty()),
            default_address: self.default_address,
        }
    }
}

/// `{ "addresses": [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SapAddressList {
    pub addresses: Vec<SapAddress>,
}

/// The body SAP takes for a new or replaced address.
pub fn body(a: &AddressInput) -> Value {
    json!({
        "firstName": a.first_name,
        "lastName": a.last_name,
        "line1": a.line1,
        "line2": a.line2,
        "town": a.town,
        "postalCode": a.postal_code,
        "country": { "isocode": a.country.isocode },
        "phone": a.phone,
        "defaultAddress": a.default_address,
        "shippingAddress": true,
        "visibleInAddressBook": true,
    })
}
