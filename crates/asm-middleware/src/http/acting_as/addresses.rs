//! The emulated customer's address book, in SAP OCC's shapes (`/users/{userId}/addresses`): list,
//! add, replace (also to make one the default), delete. Any agent may change it while emulating;
//! the domain checks an address first (`domain::address`), and every write — refused ones too —
//! is audited with the agent and the customer.

use super::{require_emulation, write_as};
use crate::domain::address::checked_address;
use crate::http::auth::SignedIn;
use crate::http::error::ApiResult;
use crate::http::extract::{Json, Path};
use crate::AppState;
use asm_types::{Address, AddressInput, AddressList, AuditAction, ErrorList};
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /users/{userId}/addresses`: the customer's addresses, the default one first.
#[utoipa::path(
    get,
    path = "/users/{userId}/addresses",
    tag = "as customer",
    operation_id = "customerAddresses",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The address book (exactly one `defaultAddress` when there are any).", body = AddressList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
) -> ApiResult<Json<AddressList>> {
    require_emulation(&state, &s.agent.uid, &user_id).await?;
    Ok(Json(s.commerce.addresses(&user_id).await?))
}

/// `POST /users/{userId}/addresses`: add an address as the customer.
#[utoipa::path(
    post,
    path = "/users/{userId}/addresses",
    tag = "as customer",
    operation_id = "createAddress",
    params(("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA")),
    request_body(content = AddressInput, content_type = "application/json", example = json!({"firstName": "Linda", "lastName": "Wolf", "line1": "5 Harbor Rd", "town": "Boston", "postalCode": "02110", "country": {"isocode": "US"}, "defaultAddress": true})),
    security(("asm_session" = [])),
    responses(
        (status = 201, description = "The address; audited `address-create`.", body = Address),
        (status = 400, description = "`ValidationError`: a missing or over-long field, control characters, a country that is not a two-letter code, or a malformed body (`subject` names the field; refused before anything is audited).", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    s: SignedIn,
    Path(user_id): Path<String>,
    Json(req): Json<AddressInput>,
) -> ApiResult<(StatusCode, Json<Address>)> {
    let address = checked_address(&req)?;
    let (commerce, user) = (s.commerce.clone(), user_id.clone());
    let (value, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::AddressCreate,
        async move { commerce.create_address(&user, address).await },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(value)))
}

/// `PUT /users/{userId}/addresses/{addressId}`: replace an address (`defaultAddress: true` makes
/// it the default).
#[utoipa::path(
    put,
    path = "/users/{userId}/addresses/{addressId}",
    tag = "as customer",
    operation_id = "replaceAddress",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("addressId" = String, Path, description = "The address's id."),
    ),
    request_body(content = AddressInput, content_type = "application/json"),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The address after; audited `address-update`.", body = Address),
        (status = 400, description = "`ValidationError`: as for a new address.", body = ErrorList),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such address.", body = ErrorList),
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, address_id)): Path<(String, String)>,
    Json(req): Json<AddressInput>,
) -> ApiResult<Json<Address>> {
    let address = checked_address(&req)?;
    let (commerce, user) = (s.commerce.clone(), user_id.clone());
    let (value, _) = write_as(
        &state,
        &s,
        &user_id,
        AuditAction::AddressUpdate,
        async move { commerce.update_address(&user, &address_id, address).await },
    )
    .await?;
    Ok(Json(value))
}

/// `DELETE /users/{userId}/addresses/{addressId}`: delete an address.
#[utoipa::path(
    delete,
    path = "/users/{userId}/addresses/{addressId}",
    tag = "as customer",
    operation_id = "deleteAddress",
    params(
        ("userId" = String, Path, description = "The emulated customer's id.", example = "C-LINDA"),
        ("addressId" = String, Path, description = "The address's id."),
    ),
    security(("asm_session" = [])),
    responses(
        (status = 204, description = "Deleted; audited `address-delete`."),
        (status = 403, description = "`NotEmulatingError`: the agent is not emulating this customer.", body = ErrorList),
        (status = 404, description = "`NotFoundError`: the customer has no such address.", body = ErrorList),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    s: SignedIn,
    Path((user_id, address_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (commerce, user) = (s.commerce.clone(), user_id.clone());
    write_as(
        &state,
        &s,
        &user_id,
        AuditAction::AddressDelete,
        async move { commerce.delete_address(&user, &address_id).await },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
