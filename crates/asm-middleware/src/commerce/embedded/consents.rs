//! The embedded shop's consents: the site's consent templates (`consent_templates`) and the
//! customers' consents to them (`consents`: given, perhaps withdrawn). A template's current
//! consent is the customer's latest one to its version. Not the consent to assisted service
//! (`customers.consent`).

use crate::domain::consent::{give_detail, to_give, to_withdraw, withdraw_detail, Give};
use crate::format::rfc3339;
use crate::ports::{Change, DomainResult};
use asm_types::{Consent, ConsentInput, ConsentTemplate, ConsentTemplateList};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

/// The templates with `user`'s current consent to each, in the shop's order.
pub fn templates(c: &Connection, user: &str) -> DomainResult<ConsentTemplateList> {
    let mut stmt = c.prepare_cached(
        "SELECT t.id, t.name, t.description, t.version, \
                (SELECT k.code FROM consents k WHERE k.customer_id = ?1 AND k.template = t.id \
                   AND k.version = t.version ORDER BY k.given DESC, k.rowid DESC LIMIT 1) \
         FROM consent_templates t ORDER BY t.position, t.id",
    )?;
    let rows = stmt
        .query_map(params![user], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut consent = c.prepare_cached("SELECT given, withdrawn FROM consents WHERE code = ?1")?;
    let mut consent_templates = Vec::with_capacity(rows.len());
    for (id, name, description, version, code) in rows {
        let current_consent = match code {
            None => None,
            Some(code) => consent
                .query_row(params![code], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                })
                .optional()?
                .map(|(given, withdrawn)| Consent {
                    code,
                    consent_given_date: rfc3339(given),
                    consent_withdrawn_date: withdrawn.map(rfc3339),
                }),
        };
        consent_templates.push(ConsentTemplate {
            id,
            name,
            description,
            version,
            current_consent,
        });
    }
    Ok(ConsentTemplateList { consent_templates })
}

/// Gives a checked consent (nothing written when it stands already).
pub fn give(
    c: &Connection,
    user: &str,
    req: &ConsentInput,
    now: i64,
) -> DomainResult<Change<ConsentTemplate>> {
    let template = match to_give(&templates(c, user)?, req)? {
        Give::AlreadyGiven(t) => {
            return Ok(Change {
                detail: give_detail(&t, true),
                value: t,
            })
        }
        Give::Give(t) => t,
    };
    let next: i64 = c.query_row(
        "SELECT COALESCE(MAX(rowid), 0) + 1 FROM consents",
        [],
        |r| r.get(0),
    )?;
    let code = format!("{:08}", 10_000 + next);
    c.execute(
        "INSERT INTO consents (code, customer_id, template, version, given) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![code, user, template.id, template.version, now],
    )?;
    let value = templates(c, user)?
        .consent_templates
        .into_iter()
        .find(|t| t.id == template.id)
        .unwrap_or(template);
    Ok(Change {
        detail: give_detail(&value, false),
        value,
    })
}

/// Withdraws the customer's standing consent `code`.
pub fn withdraw(c: &Connection, user: &str, code: &str, now: i64) -> DomainResult<Change<()>> {
    let template = to_withdraw(&templates(c, user)?, code)?;
    c.execute(
        "UPDATE consents SET withdrawn = ?3 WHERE code = ?1 AND customer_id = ?2 AND withdrawn IS NULL",
        params![code, user, now],
    )?;
    Ok(Change {
        value: (),
        detail: withdraw_detail(&template, code),
    })
}
