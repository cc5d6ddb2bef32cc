//! The embedded shop's address books: a customer's delivery addresses (the billing address is the
//! profile's). An address without names of its own (seeded) carries the customer's; with no
//! address flagged as the default, the first one is.

use crate::ports::{Change, DomainError, DomainResult};
use asm_types::{Address, AddressInput, AddressList, CountryRef};
use r2d2_sqlite::rusqlite::{params, Connection};

fn not_found() -> DomainError {
    DomainError::not_found("Address").with_subject("addressId")
}

/// The customer's address book, the default address first.
pub fn addresses(c: &Connection, user: &str) -> DomainResult<AddressList> {
    let mut stmt = c.prepare_cached(
        "SELECT a.id, COALESCE(a.first_name, c.first_name), COALESCE(a.last_name, c.last_name), \
                a.line1, a.line2, a.town, a.postal_code, a.country, a.phone, a.is_default \
         FROM addresses a JOIN customers c ON c.customer_id = a.customer_id \
         WHERE a.customer_id = ?1 AND a.kind = 'delivery' ORDER BY a.is_default DESC, a.id",
    )?;
    let mut addresses = stmt
        .query_map(params![user], |r| {
            Ok(Address {
                id: r.get::<_, i64>(0)?.to_string(),
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                line1: r.get(3)?,
                line2: r.get(4)?,
                town: r.get(5)?,
                postal_code: r.get(6)?,
                country: CountryRef { isocode: r.get(7)? },
                phone: r.get(8)?,
                default_address: r.get(9)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(first) = addresses.first_mut() {
        first.default_address = true;
    }
    Ok(AddressList { addresses })
}

fn id_of(id: &str) -> DomainResult<i64> {
    id.trim().parse().map_err(|_| not_found())
}

fn one(c: &Connection, user: &str, id: i64) -> DomainResult<Address> {
    addresses(c, user)?
        .addresses
        .into_iter()
        .find(|a| a.id == id.to_string())
        .ok_or_else(not_found)
}

fn make_default(c: &Connection, user: &str, id: i64) -> DomainResult<()> {
    c.execute(
        "UPDATE addresses SET is_default = (id = ?2) WHERE customer_id = ?1 AND kind = 'delivery'",
        params![user, id],
    )?;
    Ok(())
}

/// Adds an address (checked by the domain).
pub fn create(c: &Connection, user: &str, a: &AddressInput) -> DomainResult<Change<Address>> {
    c.execute(
        "INSERT INTO addresses (customer_id, kind, first_name, last_name, line1, line2, town, postal_code, country, phone) \
         VALUES (?1, 'delivery', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![user, a.first_name, a.last_name, a.line1, a.line2, a.town, a.postal_code, a.country.isocode, a.phone],
    )?;
    settled(c, user, c.last_insert_rowid(), a)
}

/// After a write of address `id`: made the default if asked, read back, and described for the
/// audit record.
fn settled(c: &Connection, user: &str, id: i64, a: &AddressInput) -> DomainResult<Change<Address>> {
    if a.default_address {
        make_default(c, user, id)?;
    }
    let address = one(c, user, id)?;
    let default = if address.default_address {
        " (default)"
    } else {
        ""
    };
    let detail = format!("address {id}: {}, {}{default}", a.line1, a.town);
    Ok(Change {
        value: address,
        detail,
    })
}

/// Replaces one of the customer's addresses.
pub fn update(
    c: &Connection,
    user: &str,
    id: &str,
    a: &AddressInput,
) -> DomainResult<Change<Address>> {
    let id = id_of(id)?;
    let changed = c.execute(
        "UPDATE addresses SET first_name = ?3, last_name = ?4, line1 = ?5, line2 = ?6, town = ?7, \
                postal_code = ?8, country = ?9, phone = ?10 \
         WHERE id = ?2 AND customer_id = ?1 AND kind = 'delivery'",
        params![
            user,
            id,
            a.first_name,
            a.last_name,
            a.line1,
            a.line2,
            a.town,
            a.postal_code,
            a.country.isocode,
            a.phone
        ],
    )?;
    if changed == 0 {
        return Err(not_found());
    }
    settled(c, user, id, a)
}

/// Deletes one of the customer's addresses.
pub fn delete(c: &Connection, user: &str, id: &str) -> DomainResult<Change<()>> {
    let id = id_of(id)?;
    let deleted = c.execute(
        "DELETE FROM addresses WHERE id = ?2 AND customer_id = ?1 AND kind = 'delivery'",
        params![user, id],
    )?;
    if deleted == 0 {
        return Err(not_found());
    }
    Ok(Change {
        value: (),
        detail: format!("address {id}"),
    })
}
