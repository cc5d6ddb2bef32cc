//! Creating a customer through ASM, and the customer autocomplete.

use crate::auth::SignedIn;
use crate::domain::format::rfc3339;
use crate::error::{ApiResult, Failure};
use crate::extract::{Json, Query};
use crate::ports::NewAudit;
use crate::routes::customers::{require_base_site, SiteParams};
use crate::AppState;
use asm_types::{
    error_type, ApiError, AuditAction, AutocompleteEntry, CustomerCreateRequest,
    CustomerSearchEntry, ErrorList,
};
use axum::extract::State;
use axum::http::StatusCode;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Deserialize;

/// Longest first name, last name or e-mail address accepted.
pub const MAX_FIELD_CHARS: usize = 100;
/// Shortest autocomplete query (after trimming).
pub const MIN_AUTOCOMPLETE_CHARS: usize = 3;
/// Most suggestions an autocomplete answers with.
pub const MAX_AUTOCOMPLETE: u32 = 10;

/// Whether `email` looks like an e-mail address: one `@`, a non-empty local part, a domain with
/// a dot that neither starts nor ends with one, no whitespace or control characters.
pub fn email_shape_ok(email: &str) -> bool {
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn field_error(subject: &str, message: String) -> ApiError {
    ApiError {
        kind: error_type::VALIDATION.to_owned(),
        message,
        reason: None,
        subject: Some(subject.to_owned()),
    }
}

/// Checks one required text field; returns the trimmed value or the field's error.
/// The length limit applies to the value as sent (as the OpenAPI `maxLength` says).
fn required(subject: &str, label: &str, value: &str) -> Result<String, ApiError> {
    if value.chars().count() > MAX_FIELD_CHARS {
        return Err(field_error(
            subject,
            format!("The {label} must be at most {MAX_FIELD_CHARS} characters long."),
        ));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(field_error(subject, format!("The {label} is required.")));
    }
    if value.chars().any(char::is_control) {
        return Err(field_error(
            subject,
            format!("The {label} must not contain control characters."),
        ));
    }
    Ok(value.to_owned())
}

/// A validated creation request: first name, last name, lower-cased e-mail.
#[derive(Debug, PartialEq, Eq)]
pub struct NewCustomer {
    /// First name, trimmed.
    pub first_name: String,
    /// Last name, trimmed.
    pub last_name: String,
    /// E-mail, trimmed and lower-cased.
    pub email: String,
}

/// Validates every field of `req`, answering one error per bad field.
pub fn validate(req: &CustomerCreateRequest) -> Result<NewCustomer, Failure> {
    let mut errors = Vec::new();
    let first_name = required("firstName", "first name", &req.first_name)
        .map_err(|e| errors.push(e))
        .ok();
    let last_name = required("lastName", "last name", &req.last_name)
        .map_err(|e| errors.push(e))
        .ok();
    let email = required("emailAddress", "email address", &req.email_address)
        .and_then(|e| {
            if email_shape_ok(&e) {
                Ok(e.to_lowercase())
            } else {
                Err(field_error(
                    "emailAddress",
                    "Enter a valid email address, e.g. name@example.com.".to_owned(),
                ))
            }
        })
        .map_err(|e| errors.push(e))
        .ok();
    match (first_name, last_name, email) {
        (Some(first_name), Some(last_name), Some(email)) => Ok(NewCustomer {
            first_name,
            last_name,
            email,
        }),
        _ => Err(Failure {
            status: StatusCode::BAD_REQUEST,
            body: ErrorList { errors },
            retry_after: None,
        }),
    }
}

fn duplicate(email: &str) -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        error_type::DUPLICATE_EMAIL,
        format!("Enter a different email address as {email} already exists."),
    )
    .with_subject("emailAddress")
}

/// Inserts the customer (consented, enabled, searchable at once).
fn insert_customer(
    c: &mut Connection,
    new: &NewCustomer,
    customer_id: &str,
    now: i64,
) -> ApiResult<CustomerSearchEntry> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let taken = tx
        .query_row(
            "SELECT 1 FROM customers WHERE uid = ?1 COLLATE NOCASE \
             UNION ALL SELECT 1 FROM agents WHERE email = ?1 COLLATE NOCASE OR uid = ?1 COLLATE NOCASE \
             LIMIT 1",
            params![new.email],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if taken {
        return Err(duplicate(&new.email));
    }
    let name = format!("{} {}", new.first_name, new.last_name);
    let search = format!("{name} {} {customer_id}", new.email).to_lowercase();
    tx.execute(
        "INSERT INTO customers (customer_id, uid, first_name, last_name, name, town, country, \
         signed_up, disabled, consent, password_hash, search) \
         VALUES (?1, ?2, ?3, ?4, ?5, '', '', ?6, 0, 1, NULL, ?7)",
        params![
            customer_id,
            new.email,
            new.first_name,
            new.last_name,
            name,
            now,
            search
        ],
    )?;
    crate::commerce::embedded::search::assign_key(&tx, customer_id)?;
    tx.commit()?;
    Ok(CustomerSearchEntry {
        uid: new.email.clone(),
        name,
        customer_id: customer_id.to_owned(),
        last_cart_id: None,
        has_order: false,
        emulation_blocked: None,
        order_id: None,
        phone: None,
    })
}

/// `POST /customers`: register a new customer on the agent's behalf.
#[utoipa::path(
    post,
    path = "/customers",
    tag = "customers",
    operation_id = "createCustomer",
    params(SiteParams),
    request_body(
        content = CustomerCreateRequest,
        content_type = "application/json",
        example = json!({"firstName": "Ada", "lastName": "Lovelace", "emailAddress": "ada.lovelace@example.com"})
    ),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The customer was created: consented to assisted service, enabled, found by search at once.", body = asm_types::CustomerSearchEntry),
        (status = 400, description = "`ValidationError`: one error per bad field (`subject` is `firstName`, `lastName` or `emailAddress`: missing, longer than 100 characters, or a malformed e-mail), `baseSite` missing, or a malformed body.", body = asm_types::ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
        (status = 409, description = "`DuplicateEmailError`: a customer or an agent already has this e-mail address (compared case-insensitively).", body = asm_types::ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = asm_types::ErrorList),
    )
)]
pub async fn create_customer(
    State(state): State<AppState>,
    s: SignedIn,
    Query(p): Query<SiteParams>,
    Json(req): Json<CustomerCreateRequest>,
) -> ApiResult<(StatusCode, Json<CustomerSearchEntry>)> {
    require_base_site(p.base_site.as_deref())?;
    let new = validate(&req)?;
    let customer_id = format!("C-{}", crate::auth::random_id(8)?.to_uppercase());
    let now = state.now();
    let agent_uid = s.agent.uid;
    let record = NewAudit {
        at: now,
        agent_uid: Some(agent_uid),
        customer_id: Some(customer_id.clone()),
        action: AuditAction::CustomerCreated,
        detail: None,
    };
    let entry = state
        .audited(record, move |c| {
            Ok((insert_customer(c, &new, &customer_id, now)?, None))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Query of `GET /customers/autocomplete`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AutocompleteParams {
    /// Part of a name, e-mail or customer id: at least 3 characters (after trimming).
    #[param(required = true, min_length = 3, example = "linda")]
    pub customer_query: Option<String>,
    /// Base site (required).
    #[param(
        required = true,
        min_length = 1,
        pattern = r"\S",
        example = "electronics"
    )]
    pub base_site: Option<String>,
}

/// `GET /customers/autocomplete`: up to 10 customers matching what the agent typed, by name.
#[utoipa::path(
    get,
    path = "/customers/autocomplete",
    tag = "customers",
    operation_id = "autocompleteCustomers",
    params(AutocompleteParams),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "At most 10 customers whose name, e-mail or id contains the query, by name, each with the codes of their active carts.", body = Vec<asm_types::AutocompleteEntry>),
        (status = 400, description = "`ValidationError`: `customerQuery` shorter than 3 characters (after trimming) or missing, `baseSite` missing, or a malformed parameter (`subject` names it).", body = asm_types::ErrorList),
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = asm_types::ErrorList),
    )
)]
pub async fn autocomplete(
    State(state): State<AppState>,
    _s: SignedIn,
    Query(p): Query<AutocompleteParams>,
) -> ApiResult<Json<Vec<AutocompleteEntry>>> {
    let query = p
        .customer_query
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_lowercase();
    if query.chars().count() < MIN_AUTOCOMPLETE_CHARS {
        return Err(Failure::validation(
            "customerQuery",
            format!("Type at least {MIN_AUTOCOMPLETE_CHARS} characters."),
        ));
    }
    require_base_site(p.base_site.as_deref())?;
    let entries = state
        .db(move |c| {
            let page = crate::commerce::embedded::search::search_customers(
                c,
                &query,
                0,
                MAX_AUTOCOMPLETE,
            )?;
            let mut signed_up =
                c.prepare_cached("SELECT signed_up FROM customers WHERE customer_id = ?1")?;
            let mut carts = c.prepare_cached(
                "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' \
                 ORDER BY modified DESC, code",
            )?;
            let mut out = Vec::with_capacity(page.entries.len());
            for e in page.entries {
                let date: i64 = signed_up.query_row(params![e.customer_id], |r| r.get(0))?;
                let codes = carts
                    .query_map(params![e.customer_id], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                out.push(AutocompleteEntry {
                    email: e.uid,
                    full_name: e.name,
                    customer_id: e.customer_id,
                    date: rfc3339(date),
                    carts: codes,
                });
            }
            Ok(out)
        })
        .await?;
    Ok(Json(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for ok in ["a@b.co", "Ada.Lovelace+x@mail.example.com"] {
            assert!(email_shape_ok(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@.co", "a@b.", "a@@b.co", "a@b@c.co", "a b@c.co", "a@b..co",
        ] {
            assert!(!email_shape_ok(bad), "{bad}");
        }
    }

    #[test]
    fn validation_reports_every_bad_field() {
        let req = CustomerCreateRequest {
            first_name: " ".into(),
            last_name: "x".repeat(101),
            email_address: "nope".into(),
        };
        let err = validate(&req).expect_err("invalid");
        let subjects: Vec<_> = err
            .body
            .errors
            .iter()
            .map(|e| e.subject.clone().unwrap_or_default())
            .collect();
        assert_eq!(subjects, ["firstName", "lastName", "emailAddress"]);
        let ok = validate(&CustomerCreateRequest {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email_address: " Ada@Example.COM ".into(),
        })
        .expect("valid");
        assert_eq!(ok.first_name, "Ada");
        assert_eq!(ok.email, "ada@example.com");
    }
}
