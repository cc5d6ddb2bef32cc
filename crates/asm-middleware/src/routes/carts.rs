//! Binding an anonymous cart to a customer (`POST /bind-cart`).

use crate::auth::SignedIn;
use crate::error::{ApiResult, Failure};
use crate::extract::Json;
use crate::ports::NewAudit;
use crate::routes::customers::{cart_summary, require_base_site};
use crate::routes::sessions::check_emulatable;
use crate::AppState;
use asm_types::{error_type, AuditAction, BindCartRequest, CartSummary, ErrorList};
use axum::extract::State;
use axum::http::StatusCode;
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

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

/// Binds `cart_id` to `customer_id` as the agent `agent_uid`; see [`bind_cart`].
fn bind(
    c: &mut Connection,
    customer_id: &str,
    cart_id: &str,
    replace: bool,
    now: i64,
) -> ApiResult<(CartSummary, Option<String>)> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_emulatable(&tx, customer_id)?;
    let owner: Option<Option<String>> = tx
        .query_row(
            "SELECT customer_id FROM carts WHERE code = ?1",
            params![cart_id],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        None => return Err(Failure::not_found("Cart").with_subject("cartId")),
        Some(Some(owner)) => {
            let message = if owner == customer_id {
                "This cart already belongs to this customer."
            } else {
                "This cart belongs to another customer: only anonymous carts can be bound."
            };
            return Err(Failure::new(
                StatusCode::BAD_REQUEST,
                error_type::CART_NOT_ANONYMOUS,
                message,
            )
            .with_subject("cartId"));
        }
        Some(None) => {}
    }
    let current: Option<String> = tx
        .query_row(
            "SELECT code FROM carts c WHERE customer_id = ?1 AND status = 'active' \
             AND EXISTS (SELECT 1 FROM cart_entries WHERE cart_code = c.code) \
             ORDER BY modified DESC, code DESC LIMIT 1",
            params![customer_id],
            |r| r.get(0),
        )
        .optional()?;
    if let (Some(current), false) = (&current, replace) {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            error_type::CART_CONFLICT,
            format!(
                "The customer's cart {current} has items. Replace it (it is kept as a saved cart)?"
            ),
        )
        .with_subject(current.clone()));
    }
    // The customer's active carts (with items or empty) are kept as saved carts: the bound cart
    // is the only active one.
    let mut saved = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' ORDER BY code",
        )?;
        let rows = stmt.query_map(params![customer_id], |r| r.get::<_, String>(0))?;
        for code in rows {
            saved.push(code?);
        }
    }
    tx.execute(
        "UPDATE carts SET status = 'saved' WHERE customer_id = ?1 AND status = 'active'",
        params![customer_id],
    )?;
    tx.execute(
        "UPDATE carts SET customer_id = ?1, status = 'active', modified = ?2 \
         WHERE code = ?3 AND customer_id IS NULL",
        params![customer_id, now, cart_id],
    )?;
    let detail = if saved.is_empty() {
        format!("cart {cart_id}")
    } else {
        format!("cart {cart_id}; saved {}", saved.join(", "))
    };
    let summary = cart_summary(&tx, cart_id.to_owned(), now)?;
    tx.commit()?;
    Ok((summary, Some(detail)))
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
        (status = 401, description = "`InvalidTokenError`: no agent session, or it expired.", body = ErrorList),
        (status = 403, description = "`CannotEmulateAgentError`, `CustomerDisabledError` or `CustomerConsentError`: this user cannot be served (`subject` is the customer id).", body = ErrorList),
        (status = 404, description = "`NotFoundError`: no such customer (`subject` is the customer id) or no such cart (`subject` is `cartId`).", body = ErrorList),
        (status = 409, description = "`CartConflictError`: the customer's active cart has items and `replace` is not `true`; `subject` is that cart's code.", body = ErrorList),
        (status = 415, description = "`ValidationError`: the body is not `application/json`.", body = ErrorList),
    )
)]
pub async fn bind_cart(
    State(state): State<AppState>,
    s: SignedIn,
    Json(req): Json<BindCartRequest>,
) -> ApiResult<Json<CartSummary>> {
    require_base_site(Some(&req.base_site))?;
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
    let (customer, cart_code) = (customer_id.clone(), cart_id.clone());
    let cart = state
        .audited(record, move |c| {
            bind(c, &customer, &cart_code, replace, now)
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
