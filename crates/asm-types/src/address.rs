//! The customer's address book, in SAP OCC's shapes (`AddressWsDTO`, `AddressListWsDTO`): what an
//! agent reads and changes while emulating (SAP's ASM e2e: "creates an address as the customer").

use serde::{Deserialize, Serialize};

/// A country by its ISO 3166-1 alpha-2 code (SAP's `CountryWsDTO`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CountryRef {
    /// ISO code, e.g. `US`.
    #[cfg_attr(
        feature = "openapi",
        schema(example = "US", min_length = 2, max_length = 2)
    )]
    pub isocode: String,
}

/// An address of the customer's address book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// The backend's id.
    pub id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Street and number.
    pub line1: String,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Town.
    pub town: String,
    /// Postal code.
    pub postal_code: String,
    /// Country.
    pub country: CountryRef,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The customer's default address (exactly one when there are any).
    #[serde(default)]
    pub default_address: bool,
}

/// The customer's address book, the default address first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AddressList {
    /// The addresses.
    pub addresses: Vec<Address>,
}

/// A new address, or all of a changed one (SAP's `AddressWsDTO` without `id`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    /// First name (1–255 characters).
    pub first_name: String,
    /// Last name (1–255 characters).
    pub last_name: String,
    /// Street and number (1–255 characters).
    pub line1: String,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// Town (1–255 characters).
    pub town: String,
    /// Postal code (1–32 characters).
    pub postal_code: String,
    /// Country.
    pub country: CountryRef,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Make it the default address.
    #[serde(default)]
    pub default_address: bool,
}
