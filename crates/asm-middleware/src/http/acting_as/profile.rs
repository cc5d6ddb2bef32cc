//! The emulated customer's profile: read, change names or phone (never e-mail or password).

use super::{require_emulation, write_as};
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{Json, Path};
use crate::AppState;
use asm_types::{AuditAction, CustomerProfile, ErrorList, ProfileUpdateRequest};
use axum::extract::State;

/// `GET /users/{userId}`: the customer's profile as "My account" shows it.
#[utoipa::path(
    get,
    path = "/users/{userId}",
    tag = "as customer",
    operation_id = "customerProfile",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The profile.", body = CustomerProfile),
    )
)]
pub async fn profile(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<CustomerProfile>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.profile(&user_id).await?))
}

/// `PATCH /users/{userId}`: change the customer's name or phone. E-mail and password changes are refused.
#[utoipa::path(
    patch,
    path = "/users/{userId}",
    tag = "as customer",
    operation_id = "updateCustomerProfile",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = ProfileUpdateRequest, content_type = "application/json", example = json!({"firstName": "Linda", "phone": "+1 555 0100"})),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The changed profile.", body = CustomerProfile),
        (status = 400, description = "`ValidationError`: the body names `email`, `password` (nobody may change them through ASM) or an unknown field, changes nothing, has an empty or too long name, a name with control or bidirectional control characters, a malformed phone, or is malformed (`subject` names the field); nothing changes and nothing is audited.", body = ErrorList),
    )
)]
pub async fn update_profile(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> ApiResult<Json<CustomerProfile>> {
    crate::domain::acting_as::checked_profile_fields(body.keys().map(String::as_str))?;
    let req: ProfileUpdateRequest = serde_json::from_value(serde_json::Value::Object(body))
        .map_err(|e| Failure::validation("body", e.to_string()))?;
    let change = crate::domain::acting_as::checked_profile_change(&req)?;
    let commerce = s.commerce.clone();
    let user = user_id.clone();
    let (profile, session) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ProfileUpdate,
        async move { commerce.update_profile(&user, change).await },
    )
    .await?;
    // The emulation shows the customer's new name from now on (the bar, `/agents/me`).
    state
        .sessions
        .set_emulation_customer(&session.session_id, &profile.name, &profile.email)
        .await?;
    Ok(Json(profile))
}
