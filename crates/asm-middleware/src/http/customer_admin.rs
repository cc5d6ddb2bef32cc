//! Creating a customer through ASM, and the customer autocomplete.

use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{require_base_site, BaseSite, SiteParams};
use crate::http::extract::{Json, Query};
use crate::ports::NewAudit;
use crate::AppState;
use asm_types::{AuditAction, AutocompleteEntry, CustomerCreateRequest, CustomerSearchEntry};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

/// Shortest autocomplete query (after trimming).
pub const MIN_AUTOCOMPLETE_CHARS: usize = 3;
/// Most suggestions an autocomplete answers with.
pub const MAX_AUTOCOMPLETE: u32 = 10;

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
        (status = 409, description = "`DuplicateEmailError`: a customer or an agent already has this e-mail address (compared case-insensitively).", body = asm_types::ErrorList),
    )
)]
pub async fn create_customer(
    State(state): State<AppState>,
    s: SignedIn,
    BaseSite(_site): BaseSite,
    Json(req): Json<CustomerCreateRequest>,
) -> ApiResult<(StatusCode, Json<CustomerSearchEntry>)> {
    let new = crate::domain::customer::validate(&req)?;
    let customer_id = format!("C-{}", crate::http::auth::random_id(8)?.to_uppercase());
    let now = state.now();
    let agent_uid = s.agent.uid;
    let record = NewAudit {
        at: now,
        agent_uid: Some(agent_uid),
        customer_id: Some(customer_id.clone()),
        action: AuditAction::CustomerCreated,
        detail: None,
    };
    let commerce = s.commerce.clone();
    let proposed = customer_id.clone();
    let entry = state
        .audited(record, async move {
            let entry = commerce.create_customer(new, &customer_id, now).await?;
            Ok((entry, None))
        })
        .await?;
    if entry.customer_id != proposed {
        // The backend gave the customer its own id (SAP does): the record names that one, so
        // the customer's audit trail starts with their creation.
        if let Err(e) = state
            .sessions
            .audit_rename_customer(&proposed, &entry.customer_id)
            .await
        {
            tracing::error!(error = %e, "cannot name the created customer in the audit log");
        }
    }
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
    )
)]
pub async fn autocomplete(
    State(state): State<AppState>,
    s: SignedIn,
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
    require_base_site(&state.config, p.base_site.as_deref())?;
    let entries = s.commerce.autocomplete(&query, MAX_AUTOCOMPLETE).await?;
    Ok(Json(entries))
}
