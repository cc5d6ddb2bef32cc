//! Binding an anonymous cart to a customer (`POST /bind-cart`).

use crate::http::auth::SignedIn;
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::require_base_site;
use crate::http::extract::Json;
use crate::ports::NewAudit;
use crate::AppState;
use asm_types::{AuditAction, BindCartRequest, CartSummary, ErrorList};
use axum::extract::State;

/// A required text field of the body, trimmed.
fn required(subject: &str, value: &str) -> ApiResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Failure::validation(
            subject,
            format!("The {subject} is required."),
        ));
    }
    Ok(value.to_owned())
}

/// `POST /bind-cart`: give an anonymous cart to a customer, as their active cart.
#[utoipa::path(
    post,
    path = "/bind-cart",
    tag = "customers",
    operation_id = "bindCart",
    request_body(
        content = BindCartRequest,
        content_type = "application/json",
        example = json!({"customerId": "C-LINDA", "cartId": "90000001", "baseSite": "electronics", "replace": true})
    ),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The cart now belongs to the customer and is their active cart (and the cart of the agent's emulation of this customer, if any); the customer's previous active carts are kept as saved carts. Audited as `cart-bound`.", body = CartSummary),
        (status = 400, description = "`ValidationError`: malformed body, or `customerId`, `cartId` or `baseSite` empty (`subject` names the field). `CartNotAnonymousError`: the cart already belongs to a customer, this one or another (`subject` is `cartId`).", body = ErrorList),
        (status = 403, description = "`CannotEmulateAgentError`, `CustomerDisabledError` or `CustomerConsentError`: this user cannot be served (`subject` is the customer id).", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer (`subject` is the customer id) or no such cart (`subject` is `cartId`).", body = ErrorList),
        (status = 409, description = "`CartConflictError`: the customer's active cart has items and `replace` is not `true`; `subject` is that cart's code.", body = ErrorList),
    )
)]
pub async fn bind_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Json(req): Json<BindCartRequest>,
) -> ApiResult<Json<CartSummary>> {
    require_base_site(&state.config, Some(&req.base_site))?;
    let customer_id = required("customerId", &req.customer_id)?;
    let cart_id = required("cartId", &req.cart_id)?;
    let now = state.now();
    let agent_uid = s.agent.uid;
    let replace = req.replace;
    let record = NewAudit {
        at: now,
        agent_uid: Some(agent_uid.clone()),
        customer_id: Some(customer_id.clone()),
        action: AuditAction::CartBound,
        detail: None,
    };
    let status = s.commerce.customer_status(&customer_id).await?;
    crate::domain::emulation::check_emulatable(&customer_id, status.as_ref())?;
    let (commerce, customer, cart_code) =
        (s.commerce.clone(), customer_id.clone(), cart_id.clone());
    let cart = state
        .audited(record, async move {
            let change = commerce
                .bind_cart(&customer, &cart_code, replace, now)
                .await?;
            Ok((change.value, Some(change.detail)))
        })
        .await?;
    // The cart becomes the cart of the agent's emulation of this customer, if any.
    if let Some(emulation) = state.sessions.active_emulation(&agent_uid).await? {
        if emulation.customer_id == customer_id {
            state
                .sessions
                .set_emulation_cart(&emulation.session_id, Some(&cart_id), None)
                .await?;
        }
    }
    Ok(Json(cart))
}
