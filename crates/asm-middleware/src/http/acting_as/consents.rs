//! The emulated customer's consents, in SAP OCC's shapes: the consent templates with the
//! customer's current consent to each (`GET /users/{userId}/consenttemplates`), giving one
//! (`POST /users/{userId}/consents`, JSON here; SAP takes a form) and withdrawing one
//! (`DELETE /users/{userId}/consents/{consentCode}`). Any agent may do it while emulating; the
//! input is checked first and the rules decided in `domain::consent`, and every write —
//! refused ones too — is audited with the agent and the customer. Not the customer's consent
//! to assisted service (`CustomerConsentError`).

use super::{require_emulation, write_as};
use crate::domain::consent::{checked_code, checked_input};
use crate::http::auth::SignedIn;
use crate::http::error::ApiResult;
use crate::http::extract::{Json, Path};
use crate::AppState;
use asm_types::{AuditAction, ConsentInput, ConsentTemplate, ConsentTemplateList, ErrorList};
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /users/{userId}/consenttemplates`: the consent templates with the customer's current
/// consent to each.
#[utoipa::path(
    get,
    path = "/users/{userId}/consenttemplates",
    tag = "as customer",
    operation_id = "customerConsentTemplates",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The templates; one whose `currentConsent` has no `consentWithdrawnDate` is given.", body = ConsentTemplateList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn templates(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<ConsentTemplateList>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.consent_templates(&user_id).await?))
}

/// `POST /users/{userId}/consents`: give a consent as the customer. Giving one that stands
/// already answers the template as it is (idempotent; nothing changes).
#[utoipa::path(
    post,
    path = "/users/{userId}/consents",
    tag = "as customer",
    operation_id = "giveConsent",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = ConsentInput, content_type = "application/json", example = json!({"consentTemplateId": "MARKETING_NEWSLETTER", "consentTemplateVersion": 1})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The template with its `currentConsent`; audited `consent-give`.", body = ConsentTemplate),
        (status = 400, description = "`ValidationError`: a template id that is not 1–64 letters, digits, `_`, `-`, `.`, a version out of range or not the template's current one (`subject` names the field), or a malformed body.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such consent template (`subject` `consentTemplateId`).", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn give(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<ConsentInput>,
) -> ApiResult<(StatusCode, Json<ConsentTemplate>)> {
    let consent = checked_input(&req)?;
    let (commerce, user, now) = (s.commerce.clone(), user_id.clone(), state.now());
    let (value, _) = write_as(&state, &s, &user_id, AuditAction::ConsentGive, async move {
        commerce.give_consent(&user, consent, now).await
    })
    .await?;
    Ok((StatusCode::CREATED, Json(value)))
}

/// `DELETE /users/{userId}/consents/{consentCode}`: withdraw one of the customer's consents.
#[utoipa::path(
    delete,
    path = "/users/{userId}/consents/{consentCode}",
    tag = "as customer",
    operation_id = "withdrawConsent",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("consentCode" = String, Path, description = "The code of the customer's current consent (`currentConsent.code`)."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 204, description = "Withdrawn; audited `consent-withdraw`."),
        (status = 400, description = "`ValidationError`: the consent was already withdrawn, or the code is malformed (`subject` `consentCode`).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such current consent (another customer's or an old code).", body = ErrorList),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, code)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let code = checked_code(&code)?;
    let (commerce, user, now) = (s.commerce.clone(), user_id.clone(), state.now());
    write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ConsentWithdraw,
        async move { commerce.withdraw_consent(&user, &code, now).await },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
