//! The embedded shop's agents: sign-in with a password (Argon2id hashes) and agent details.

use crate::db::parse_groups;
use crate::ports::Credentials;
use crate::ports::DomainResult;
use crate::secret;
use asm_types::Agent;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

/// Checks `username` (agent id, agent e-mail or customer e-mail) and `password`. Unknown names
/// spend the time of a real check (no user enumeration by timing).
pub fn authenticate(c: &Connection, username: &str, password: &str) -> DomainResult<Credentials> {
    let agent = c
        .query_row(
            "SELECT uid, name, email, groups_csv, password_hash, disabled FROM agents \
             WHERE uid = ?1 OR email = ?1 COLLATE NOCASE",
            params![username],
            |r| {
                Ok((
                    Agent {
                        uid: r.get(0)?,
                        name: r.get(1)?,
                        email: r.get(2)?,
                        groups: parse_groups(&r.get::<_, String>(3)?),
                    },
                    r.get::<_, String>(4)?,
                    r.get::<_, bool>(5)?,
                ))
            },
        )
        .optional()?;
    if let Some((agent, phc, disabled)) = agent {
        let ok = secret::verify_password(password, &phc) && !disabled;
        return Ok(if ok {
            Credentials::Agent(agent, None)
        } else {
            Credentials::WrongPassword(agent.uid)
        });
    }
    let customer_hash: Option<Option<String>> = c
        .query_row(
            "SELECT password_hash FROM customers WHERE uid = ?1",
            params![username],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match customer_hash.flatten() {
        Some(phc) if secret::verify_password(password, &phc) => Credentials::Customer,
        _ => {
            secret::verify_against_dummy(password);
            Credentials::Unknown
        }
    })
}

/// An agent's details.
pub fn agent(c: &Connection, uid: &str) -> DomainResult<Option<Agent>> {
    Ok(c.query_row(
        "SELECT uid, name, email, groups_csv FROM agents WHERE uid = ?1",
        params![uid],
        |r| {
            Ok(Agent {
                uid: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
                groups: parse_groups(&r.get::<_, String>(3)?),
            })
        },
    )
    .optional()?)
}
