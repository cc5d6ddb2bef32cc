//! The emulated customer's profile: read, change names or phone (never e-mail or password).

use super::{require_emulation, write_as};
use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{Json, Path};
use crate::ports::ProfileChange;
use crate::AppState;
use asm_types::{error_type, AuditAction, CustomerProfile, ErrorList, ProfileUpdateRequest};
use axum::extract::State;
use axum::http::StatusCode;

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
    Ok(Json(state.commerce.profile(&user_id).await?))
}

/// Longest first or last name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest phone number.
pub const MAX_PHONE_CHARS: usize = 30;

fn checked_name(subject: &str, value: Option<String>) -> ApiResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(Failure::validation(
            subject,
            format!("At most {MAX_NAME_CHARS} characters."),
        ));
    }
    let value = value.trim();
    if value.is_empty() || value.chars().any(char::is_control) {
        return Err(Failure::validation(
            subject,
            "Enter a name without control characters.",
        ));
    }
    Ok(Some(value.to_owned()))
}

fn checked_phone(value: Option<String>) -> ApiResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let ok = value.chars().count() <= MAX_PHONE_CHARS
        && value
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch));
    if !ok {
        return Err(Failure::validation(
            "phone",
            format!("A phone number has at most {MAX_PHONE_CHARS} digits, spaces, +, -, ( or )."),
        ));
    }
    Ok(Some(value.trim().to_owned()))
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
        (status = 400, description = "`ValidationError`: an empty or too long name, a malformed phone, or a malformed body (`subject` names the field).", body = ErrorList),
        (status = 403, description = "`ForbiddenError`: the body changes `email` or `password`, which nobody may do through ASM (nothing changes); `NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn update_profile(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<ProfileUpdateRequest>,
) -> ApiResult<Json<CustomerProfile>> {
    for (field, present) in [
        ("email", req.email.is_some()),
        ("password", req.password.is_some()),
    ] {
        if present {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                error_type::FORBIDDEN,
                format!("Nobody may change a customer's {field} through assisted service; the customer changes it themselves."),
            )
            .with_subject(field));
        }
    }
    let first = checked_name("firstName", req.first_name)?;
    let last = checked_name("lastName", req.last_name)?;
    let phone = checked_phone(req.phone)?;
    let change = ProfileChange {
        first_name: first,
        last_name: last,
        phone,
    };
    let commerce = state.commerce.clone();
    let user = user_id.clone();
    let (profile, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::ProfileUpdate,
        async move { commerce.update_profile(&user, change).await },
    )
    .await?;
    Ok(Json(profile))
}
