//! The embedded shop's customer sign-in: e-mail and password (Argon2id) of an enabled customer,
//! and the store sessions opened with it.

use super::EmbeddedShop;
use crate::ports::{CustomerAccounts, DomainResult, StoreCustomer};
use crate::secret;
use async_trait::async_trait;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

/// Checks the credentials and opens the session (expired ones of anyone are dropped on the way).
pub fn sign_in(
    c: &Connection,
    email: &str,
    password: &str,
    token_hash: &str,
    now: i64,
    expires: i64,
) -> DomainResult<Option<StoreCustomer>> {
    type Row = (String, String, String, Option<String>, bool);
    let row: Option<Row> = c
        .query_row(
            "SELECT customer_id, name, uid, password_hash, disabled FROM customers \
             WHERE uid = ?1 COLLATE NOCASE",
            params![email.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((customer_id, name, email, Some(phc), disabled)) = row else {
        secret::verify_against_dummy(password);
        return Ok(None);
    };
    if !secret::verify_password(password, &phc) || disabled {
        return Ok(None);
    }
    c.execute(
        "DELETE FROM customer_sessions WHERE expires <= ?1",
        params![now],
    )?;
    c.execute(
        "INSERT INTO customer_sessions (token_hash, customer_id, created, expires) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, customer_id, now, expires],
    )?;
    Ok(Some(StoreCustomer {
        customer_id,
        name,
        email,
    }))
}

/// The customer of an open session.
pub fn session(c: &Connection, token_hash: &str, now: i64) -> DomainResult<Option<StoreCustomer>> {
    Ok(c.query_row(
        "SELECT c.customer_id, c.name, c.uid FROM customer_sessions s \
         JOIN customers c ON c.customer_id = s.customer_id \
         WHERE s.token_hash = ?1 AND s.expires > ?2 AND c.disabled = 0",
        params![token_hash, now],
        |r| {
            Ok(StoreCustomer {
                customer_id: r.get(0)?,
                name: r.get(1)?,
                email: r.get(2)?,
            })
        },
    )
    .optional()?)
}

#[async_trait]
impl CustomerAccounts for EmbeddedShop {
    async fn sign_in(
        &self,
        email: &str,
        password: &str,
        token_hash: &str,
        now: i64,
        expires: i64,
    ) -> DomainResult<Option<StoreCustomer>> {
        let (e, p, t) = (email.to_owned(), password.to_owned(), token_hash.to_owned());
        self.run(move |c| sign_in(c, &e, &p, &t, now, expires))
            .await
    }

    async fn session(&self, token_hash: &str, now: i64) -> DomainResult<Option<StoreCustomer>> {
        let t = token_hash.to_owned();
        self.run(move |c| session(c, &t, now)).await
    }

    async fn sign_out(&self, token_hash: &str) -> DomainResult<()> {
        let t = token_hash.to_owned();
        self.run(move |c| {
            c.execute(
                "DELETE FROM customer_sessions WHERE token_hash = ?1",
                params![t],
            )?;
            Ok(())
        })
        .await
    }
}
