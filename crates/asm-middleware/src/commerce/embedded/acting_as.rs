//! The embedded shop acting as a customer: carts, entries, vouchers, orders, coupons and the
//! profile. Each write runs in the caller's transaction (one immediate transaction per write, see
//! `EmbeddedShop::write`, which also commits the audit record with it when it has one) and
//! returns the detail of its audit record; who may call these (the emulating agent) is the
//! domain's business, not this module's.

use super::pricing::{delivery_cents, price, price_cart, Promotion};
use crate::format::{day, rfc3339};
use crate::ports::commerce::SaveCart;
use crate::ports::{AppliedBy, Change, ProfileChange};
use crate::ports::{DomainError, DomainResult};
use asm_types::{
    AppliedPromotion, AppliedVoucher, Cart, CartSave, CartStatus, Carts, CustomerCoupon,
    CustomerCouponList, CustomerProfile, Order, OrderEntry, OrderHistory, OrderLine, OrderSummary,
    Pagination, Product, ProductList, VoucherKind,
};
use r2d2_sqlite::rusqlite::{params, Connection, OptionalExtension};

pub use crate::ports::commerce::MAX_QUANTITY;

fn change<T>(value: T, detail: String) -> DomainResult<Change<T>> {
    Ok(Change { value, detail })
}

fn status_of(s: &str) -> CartStatus {
    match s {
        "saved" => CartStatus::Saved,
        "ordered" => CartStatus::Ordered,
        _ => CartStatus::Active,
    }
}

fn promotions(c: &Connection) -> DomainResult<Vec<Promotion>> {
    let mut stmt = c.prepare_cached(
        "SELECT code, description, threshold_cents, percent FROM promotions ORDER BY code",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Promotion {
                code: r.get(0)?,
                description: r.get(1)?,
                threshold_cents: r.get(2)?,
                percent: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn line(product_code: String, product_name: String, quantity: u32, unit: i64) -> OrderLine {
    OrderLine {
        product_code,
        product_name,
        quantity,
        base_price: price(unit),
        total_price: price(unit * i64::from(quantity)),
        give_away: false,
    }
}

/// Reads a cart with its lines, vouchers, promotions and totals.
pub fn load_cart(c: &Connection, code: &str) -> DomainResult<Option<Cart>> {
    type Head = (String, i64, Option<String>, Option<String>, Option<i64>);
    let head: Option<Head> = c
        .query_row(
            "SELECT status, modified, saved_name, saved_description, saved_at FROM carts \
             WHERE code = ?1",
            params![code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((status, modified, saved_name, saved_description, saved_at)) = head else {
        return Ok(None);
    };
    // A cart saved before saves had names (replaced by a bound cart) goes by its number.
    let saved = (status == "saved").then(|| CartSave {
        name: saved_name.unwrap_or_else(|| code.to_owned()),
        description: saved_description.unwrap_or_default(),
        time: rfc3339(saved_at.unwrap_or(modified)),
    });
    let mut stmt = c.prepare_cached(
        "SELECT p.code, p.name, e.quantity, p.price_cents FROM cart_entries e \
         JOIN products p ON p.code = e.product_code WHERE e.cart_code = ?1 ORDER BY p.name",
    )?;
    let mut entries = stmt
        .query_map(params![code], |r| {
            Ok(line(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let vouchers = super::vouchers::applied(c, code)?;
    let paid_lines = !entries.is_empty();
    // A gift voucher's product is a line of its own at price 0, while the voucher is applied.
    entries.extend(
        vouchers
            .iter()
            .filter_map(|v| v.gift.clone())
            .map(|(code, name)| OrderLine {
                give_away: true,
                ..line(code, name, 1, 0)
            }),
    );
    let free_shipping = vouchers.iter().any(|v| v.kind == VoucherKind::FreeShipping);
    let sub_total: i64 = entries.iter().map(|e| e.total_price.value_cents).sum();
    let percents: Vec<i64> = vouchers.iter().map(|v| v.percent.unwrap_or(0)).collect();
    let priced = price_cart(
        sub_total,
        &percents,
        &promotions(c)?,
        delivery_cents(paid_lines, free_shipping),
    );
    Ok(Some(Cart {
        code: code.to_owned(),
        guid: None,
        status: status_of(&status),
        total_items: entries.iter().map(|e| e.quantity).sum(),
        entries,
        sub_total: price(priced.sub_total),
        vouchers: vouchers
            .into_iter()
            .zip(priced.voucher_discounts.iter())
            .map(|(v, discount)| AppliedVoucher {
                code: v.code,
                name: v.name,
                description: v.description,
                percent: v.percent.and_then(|p| u32::try_from(p).ok()),
                discount: price(*discount),
                kind: v.kind,
                gift_product: v.gift.map(|(code, _)| code),
                session_only: v.session_only,
            })
            .collect(),
        promotions: priced
            .promotion
            .iter()
            .map(|(p, discount)| AppliedPromotion {
                code: p.code.clone(),
                description: p.description.clone(),
                discount: price(*discount),
            })
            .collect(),
        total_discounts: price(priced.total_discounts),
        delivery_cost: Some(price(priced.delivery)),
        total_price: price(priced.total),
        modified: rfc3339(modified),
        saved,
    }))
}

/// The status (`active`, `saved`, `ordered`) of the customer's cart `cart_id`; `NotFoundError`
/// when it is not theirs.
fn owned_cart_status(c: &Connection, user_id: &str, cart_id: &str) -> DomainResult<String> {
    c.query_row(
        "SELECT status FROM carts WHERE code = ?1 AND customer_id = ?2",
        params![cart_id, user_id],
        |r| r.get(0),
    )
    .optional()?
    .ok_or_else(|| DomainError::not_found("Cart").with_subject("cartId"))
}

/// The customer's active cart `cart_id`, ready to change: 404 if it is not theirs, 400 if it
/// is no longer active.
fn writable_cart(c: &Connection, user_id: &str, cart_id: &str) -> DomainResult<()> {
    match owned_cart_status(c, user_id, cart_id)?.as_str() {
        "active" => Ok(()),
        _ => Err(DomainError::invalid(
            "cartId",
            "This cart is no longer active (saved or ordered); use the customer's active cart.",
        )),
    }
}

pub(crate) fn touch_cart(c: &Connection, cart_id: &str, now: i64) -> DomainResult<()> {
    c.execute(
        "UPDATE carts SET modified = ?1 WHERE code = ?2",
        params![now, cart_id],
    )?;
    Ok(())
}

fn cart_answer(c: &Connection, cart_id: &str) -> DomainResult<Cart> {
    load_cart(c, cart_id)?.ok_or_else(|| DomainError::not_found("Cart").with_subject("cartId"))
}

/// The paging of page `current_page` of `page_size` rows out of `total`.
pub(crate) fn page_of(current_page: u32, page_size: u32, total: u64) -> Pagination {
    Pagination {
        current_page,
        page_size,
        total_pages: u32::try_from(total.div_ceil(u64::from(page_size.max(1)))).unwrap_or(u32::MAX),
        total_results: total,
        ..Pagination::default()
    }
}

/// The SQL of [`next_code`]: the largest numeric code through `{table}_code_number`.
fn largest_code_sql(table: &str) -> String {
    format!("SELECT CAST(code AS INTEGER) FROM {table} ORDER BY CAST(code AS INTEGER) DESC LIMIT 1")
}

/// The next number after the largest numeric code of `table` (8 digits, zero-padded), read off
/// the index on the code's number: one step, however many carts or orders there are.
pub(crate) fn next_code(c: &Connection, table: &str, floor: i64) -> DomainResult<String> {
    let max: Option<i64> = c
        .query_row(&largest_code_sql(table), [], |r| r.get(0))
        .optional()?;
    Ok(format!("{:08}", max.unwrap_or(floor).max(floor) + 1))
}

/// Reads an order of `user_id`.
pub fn load_order(c: &Connection, user_id: &str, code: &str) -> DomainResult<Option<Order>> {
    type Head = (
        String,
        String,
        i64,
        i64,
        Option<i64>,
        i64,
        Option<String>,
        Option<String>,
        i64,
    );
    let head: Option<Head> = c
        .query_row(
            "SELECT code, status, placed, total_cents, subtotal_cents, discount_cents, vouchers, placed_by, \
                    delivery_cents \
             FROM orders WHERE code = ?1 AND customer_id = ?2",
            params![code, user_id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                ))
            },
        )
        .optional()?;
    let Some((code, status, placed, total, sub_total, discount, vouchers, placed_by, delivery)) =
        head
    else {
        return Ok(None);
    };
    let cancellable = super::returns::CANCELLABLE_ORDER_STATUSES.contains(&status.as_str());
    let returnable = status == super::returns::RETURNABLE_ORDER_STATUS;
    let mut stmt = c.prepare_cached(
        "SELECT e.entry_number, e.product_code, e.product_name, e.quantity, e.price_cents, e.cancelled, e.give_away, \
                (SELECT COALESCE(SUM(re.quantity), 0) FROM return_entries re \
                   JOIN return_requests r ON r.code = re.return_code \
                  WHERE r.order_code = e.order_code AND re.entry_number = e.entry_number \
                    AND r.status NOT IN ('CANCELED', 'CANCELLING')) \
         FROM order_entries e WHERE e.order_code = ?1 ORDER BY e.entry_number",
    )?;
    let entries = stmt
        .query_map(params![code], |r| {
            let l = line(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            let cancelled: u32 = r.get(5)?;
            let give_away: bool = r.get(6)?;
            let returned: u32 = r.get(7)?;
            let left = l
                .quantity
                .saturating_sub(cancelled)
                .saturating_sub(returned);
            Ok(OrderEntry {
                entry_number: r.get(0)?,
                product_code: l.product_code,
                product_name: l.product_name,
                quantity: l.quantity,
                base_price: l.base_price,
                total_price: l.total_price,
                cancelled_quantity: cancelled,
                returned_quantity: returned,
                cancellable_quantity: if cancellable { left } else { 0 },
                returnable_quantity: if returnable { left } else { 0 },
                give_away,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let cancellable = cancellable && entries.iter().any(|e| e.cancellable_quantity > 0);
    let returnable = returnable && entries.iter().any(|e| e.returnable_quantity > 0);
    Ok(Some(Order {
        code,
        status,
        placed: rfc3339(placed),
        placed_by,
        entries,
        sub_total: price(sub_total.unwrap_or(total + discount - delivery)),
        total_discounts: price(discount),
        delivery_cost: Some(price(delivery)),
        total_price: price(total),
        vouchers: vouchers
            .unwrap_or_default()
            .split(',')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect(),
        cancellable,
        returnable,
    }))
}

const SELECT_COUPON: &str = "SELECT k.code, k.name, k.description, k.percent, k.starts, k.ends, \
     cc.customer_id IS NOT NULL FROM coupons k \
     LEFT JOIN customer_coupons cc ON cc.coupon_code = k.code AND cc.customer_id = ?1";

fn coupon_from_row(
    r: &r2d2_sqlite::rusqlite::Row<'_>,
) -> r2d2_sqlite::rusqlite::Result<CustomerCoupon> {
    Ok(CustomerCoupon {
        code: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        percent: r.get(3)?,
        start_date: Some(rfc3339(r.get(4)?)),
        end_date: Some(rfc3339(r.get(5)?)),
        assigned: r.get(6)?,
    })
}

fn load_coupon(c: &Connection, user_id: &str, code: &str) -> DomainResult<Option<CustomerCoupon>> {
    Ok(c.query_row(
        &format!("{SELECT_COUPON} WHERE k.code = ?2"),
        params![user_id, code],
        coupon_from_row,
    )
    .optional()?)
}

fn load_profile(c: &Connection, user_id: &str) -> DomainResult<CustomerProfile> {
    c.query_row(
        "SELECT c.customer_id, c.uid, c.first_name, c.last_name, c.name, \
         (SELECT phone FROM addresses a WHERE a.customer_id = c.customer_id AND a.phone IS NOT NULL \
          ORDER BY a.kind = 'delivery' DESC, a.id LIMIT 1) \
         FROM customers c WHERE c.customer_id = ?1",
        params![user_id],
        |r| {
            Ok(CustomerProfile {
                customer_id: r.get(0)?,
                email: r.get(1)?,
                first_name: r.get(2)?,
                last_name: r.get(3)?,
                name: r.get(4)?,
                phone: r.get(5)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| DomainError::not_found("Customer").with_subject(user_id))
}

/// The catalogue, by name.
pub fn products(c: &Connection) -> DomainResult<ProductList> {
    let mut stmt =
        c.prepare_cached("SELECT code, name, price_cents FROM products ORDER BY name")?;
    let products = stmt
        .query_map([], |r| {
            Ok(Product {
                code: r.get(0)?,
                name: r.get(1)?,
                price: price(r.get(2)?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ProductList { products })
}

/// The customer's active carts first, then saved ones; most recently changed first.
pub fn carts(c: &Connection, user: &str) -> DomainResult<Carts> {
    let mut stmt = c.prepare_cached(
        "SELECT code FROM carts WHERE customer_id = ?1 AND status IN ('active', 'saved') \
         ORDER BY status = 'saved', modified DESC, code DESC",
    )?;
    let codes = stmt
        .query_map(params![user], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut carts = Vec::with_capacity(codes.len());
    for code in codes {
        carts.extend(load_cart(c, &code)?);
    }
    Ok(Carts { carts })
}

/// The customer's current active cart, created when there is none (`true`: created).
pub fn current_cart(c: &Connection, user: &str, now: i64) -> DomainResult<Change<(bool, Cart)>> {
    let current: Option<String> = c
        .query_row(
            "SELECT code FROM carts WHERE customer_id = ?1 AND status = 'active' \
             ORDER BY modified DESC, code DESC LIMIT 1",
            params![user],
            |r| r.get(0),
        )
        .optional()?;
    let (created, code) = match current {
        Some(code) => (false, code),
        None => {
            let code = next_code(c, "carts", 10_000_000)?;
            c.execute(
                "INSERT INTO carts (code, customer_id, status, created, modified) VALUES (?1, ?2, 'active', ?3, ?3)",
                params![code, user, now],
            )?;
            (true, code)
        }
    };
    let cart = cart_answer(c, &code)?;
    change((created, cart), format!("cart {code}"))
}

/// One of the customer's carts.
pub fn cart(c: &Connection, user: &str, cart_id: &str) -> DomainResult<Cart> {
    let owned = c
        .query_row(
            "SELECT 1 FROM carts WHERE code = ?1 AND customer_id = ?2",
            params![cart_id, user],
            |_| Ok(()),
        )
        .optional()?;
    if owned.is_none() {
        return Err(DomainError::not_found("Cart").with_subject("cartId"));
    }
    cart_answer(c, cart_id)
}

/// Saves the customer's active cart `cart_id` for later (the route checked that it may be).
pub fn save_cart(
    c: &Connection,
    user: &str,
    cart_id: &str,
    save: &SaveCart,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    c.execute(
        "UPDATE carts SET status = 'saved', saved_name = ?2, saved_description = ?3, \
         saved_at = ?4, modified = ?4 WHERE code = ?1",
        params![cart_id, save.name, save.description, now],
    )?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id} saved as \"{}\"", save.name),
    )
}

/// Makes the customer's saved cart `cart_id` the current cart; the current one, when it has
/// items, is kept as a saved cart under its number.
pub fn restore_cart(
    c: &Connection,
    user: &str,
    cart_id: &str,
    now: i64,
) -> DomainResult<Change<Cart>> {
    if owned_cart_status(c, user, cart_id)? != "saved" {
        return Err(DomainError::refused(
            asm_types::error_type::SAVED_CART,
            "This cart is not a saved cart.",
        )
        .with_subject("cartId"));
    }
    let current: Option<String> = c
        .query_row(
            "SELECT code FROM carts c WHERE customer_id = ?1 AND status = 'active' \
             ORDER BY modified DESC, code DESC LIMIT 1",
            params![user],
            |r| r.get(0),
        )
        .optional()?;
    let mut detail = format!("cart {cart_id} restored");
    if let Some(current) = current {
        let kept = c.execute(
            "UPDATE carts SET status = 'saved', saved_name = code, saved_description = '', \
             saved_at = ?2 WHERE code = ?1 \
             AND EXISTS (SELECT 1 FROM cart_entries WHERE cart_code = ?1)",
            params![current, now],
        )?;
        if kept > 0 {
            detail.push_str(&format!("; cart {current} kept as a saved cart"));
        }
    }
    c.execute(
        "UPDATE carts SET status = 'active', saved_name = NULL, saved_description = NULL, \
         saved_at = NULL, modified = ?2 WHERE code = ?1",
        params![cart_id, now],
    )?;
    change(cart_answer(c, cart_id)?, detail)
}

/// Deletes the customer's active or saved cart `cart_id` with its lines and vouchers.
pub fn delete_cart(c: &Connection, user: &str, cart_id: &str) -> DomainResult<Change<()>> {
    if owned_cart_status(c, user, cart_id)? == "ordered" {
        return Err(DomainError::refused(
            asm_types::error_type::SAVED_CART,
            "This cart was ordered: it cannot be deleted.",
        )
        .with_subject("cartId"));
    }
    c.execute(
        "DELETE FROM cart_entries WHERE cart_code = ?1",
        params![cart_id],
    )?;
    c.execute(
        "DELETE FROM cart_vouchers WHERE cart_code = ?1",
        params![cart_id],
    )?;
    c.execute("DELETE FROM carts WHERE code = ?1", params![cart_id])?;
    change((), format!("cart {cart_id} deleted"))
}

/// Adds `quantity` of `product` to the customer's active cart (capped at [`MAX_QUANTITY`]).
pub fn add_entry(
    c: &Connection,
    user: &str,
    cart_id: &str,
    product: &str,
    quantity: u32,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    let product = product.trim();
    let known = c
        .query_row(
            "SELECT 1 FROM products WHERE code = ?1",
            params![product],
            |_| Ok(()),
        )
        .optional()?;
    if known.is_none() {
        return Err(DomainError::not_found("Product").with_subject("productCode"));
    }
    c.execute(
        "INSERT INTO cart_entries (cart_code, product_code, quantity) VALUES (?1, ?2, ?3) \
         ON CONFLICT (cart_code, product_code) DO UPDATE SET quantity = MIN(quantity + excluded.quantity, ?4)",
        params![cart_id, product, quantity, MAX_QUANTITY],
    )?;
    touch_cart(c, cart_id, now)?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id}: added {quantity} x {product}"),
    )
}

/// Sets a line's quantity (0 removes it).
pub fn update_entry(
    c: &Connection,
    user: &str,
    cart_id: &str,
    product: &str,
    quantity: u32,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    let changed = if quantity == 0 {
        c.execute(
            "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
            params![cart_id, product],
        )?
    } else {
        c.execute(
            "UPDATE cart_entries SET quantity = ?3 WHERE cart_code = ?1 AND product_code = ?2",
            params![cart_id, product, quantity],
        )?
    };
    if changed == 0 {
        return Err(DomainError::not_found("Cart entry").with_subject("productCode"));
    }
    touch_cart(c, cart_id, now)?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id}: {product} quantity {quantity}"),
    )
}

/// Removes a line.
pub fn remove_entry(
    c: &Connection,
    user: &str,
    cart_id: &str,
    product: &str,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    let changed = c.execute(
        "DELETE FROM cart_entries WHERE cart_code = ?1 AND product_code = ?2",
        params![cart_id, product],
    )?;
    if changed == 0 {
        return Err(DomainError::not_found("Cart entry").with_subject("productCode"));
    }
    touch_cart(c, cart_id, now)?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id}: removed {product}"),
    )
}

/// Applies a cart voucher or an assigned customer coupon (case-insensitive), `by` the agent in
/// an emulation (see [`super::vouchers::apply`]).
pub fn apply_voucher(
    c: &Connection,
    user: &str,
    cart_id: &str,
    wanted: &str,
    by: Option<AppliedBy<'_>>,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    let code = super::vouchers::apply(c, cart_id, Some(user), wanted, by, now)?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id}: applied voucher {code}"),
    )
}

/// Removes an applied voucher (case-insensitive).
pub fn remove_voucher(
    c: &Connection,
    user: &str,
    cart_id: &str,
    voucher: &str,
    now: i64,
) -> DomainResult<Change<Cart>> {
    writable_cart(c, user, cart_id)?;
    super::vouchers::remove(c, cart_id, voucher, now)?;
    change(
        cart_answer(c, cart_id)?,
        format!("cart {cart_id}: removed voucher {voucher}"),
    )
}

/// A page of the customer's orders, newest first.
pub fn orders(
    c: &Connection,
    user: &str,
    current_page: u32,
    page_size: u32,
) -> DomainResult<OrderHistory> {
    let total: i64 = c.query_row(
        "SELECT COUNT(*) FROM orders WHERE customer_id = ?1",
        params![user],
        |r| r.get(0),
    )?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut stmt = c.prepare_cached(
        "SELECT code, status, total_cents, placed FROM orders WHERE customer_id = ?1 \
         ORDER BY placed DESC, code DESC LIMIT ?2 OFFSET ?3",
    )?;
    let orders = stmt
        .query_map(
            params![
                user,
                i64::from(page_size),
                i64::from(current_page) * i64::from(page_size)
            ],
            |r| {
                Ok(OrderSummary {
                    code: r.get(0)?,
                    status: r.get(1)?,
                    total: crate::format::money(r.get(2)?),
                    placed: rfc3339(r.get(3)?),
                })
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(OrderHistory {
        orders,
        pagination: page_of(current_page, page_size, total),
    })
}

/// One of the customer's orders.
pub fn order(c: &Connection, user: &str, code: &str) -> DomainResult<Order> {
    load_order(c, user, code)?.ok_or_else(|| DomainError::not_found("Order").with_subject("code"))
}

/// Places an order from the customer's active cart `cart_id`, recording `placed_by`.
pub fn place_order(
    c: &Connection,
    user: &str,
    cart_id: &str,
    placed_by: &str,
    now: i64,
) -> DomainResult<Change<Order>> {
    let cart_id = cart_id.trim();
    writable_cart(c, user, cart_id)?;
    let Some(cart) = load_cart(c, cart_id)? else {
        return Err(DomainError::not_found("Cart").with_subject("cartId"));
    };
    if cart.entries.is_empty() {
        return Err(DomainError::invalid(
            "cartId",
            "The cart is empty: add products before placing the order.",
        ));
    }
    let code = next_code(c, "orders", 30_000_000)?;
    let vouchers: Vec<String> = cart.vouchers.iter().map(|v| v.code.clone()).collect();
    c.execute(
        "INSERT INTO orders (code, customer_id, placed, total_cents, status, placed_by, subtotal_cents, discount_cents, vouchers, delivery_cents) \
         VALUES (?1, ?2, ?3, ?4, 'CREATED', ?5, ?6, ?7, ?8, ?9)",
        params![
            code,
            user,
            now,
            cart.total_price.value_cents,
            (!placed_by.is_empty()).then_some(placed_by),
            cart.sub_total.value_cents,
            cart.total_discounts.value_cents,
            vouchers.join(","),
            cart.delivery_cost.as_ref().map_or(0, |d| d.value_cents)
        ],
    )?;
    for (number, e) in (0_i64..).zip(&cart.entries) {
        c.execute(
            "INSERT INTO order_entries (order_code, entry_number, product_code, product_name, quantity, price_cents, give_away) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![code, number, e.product_code, e.product_name, e.quantity, e.base_price.value_cents, e.give_away],
        )?;
    }
    c.execute(
        "UPDATE carts SET status = 'ordered', modified = ?1 WHERE code = ?2",
        params![now, cart_id],
    )?;
    let order =
        load_order(c, user, &code)?.ok_or_else(|| DomainError::internal("order vanished"))?;
    let detail = format!(
        "order {code} from cart {cart_id}, total {}",
        order.total_price.formatted_value
    );
    change(order, detail)
}

/// Every coupon, the customer's assigned ones first.
pub fn coupons(c: &Connection, user: &str) -> DomainResult<CustomerCouponList> {
    let mut stmt = c.prepare_cached(&format!(
        "{SELECT_COUPON} ORDER BY cc.customer_id IS NULL, k.code"
    ))?;
    let coupons = stmt
        .query_map(params![user], coupon_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CustomerCouponList { coupons })
}

/// Assigns a coupon to the customer.
pub fn assign_coupon(
    c: &Connection,
    user: &str,
    code: &str,
    agent: &str,
    now: i64,
) -> DomainResult<Change<CustomerCoupon>> {
    let Some(coupon) = load_coupon(c, user, code)? else {
        return Err(DomainError::not_found("Coupon").with_subject("couponCode"));
    };
    // Only a coupon valid now can be given (one the customer has already stays theirs).
    let (starts, ends): (i64, i64) = c.query_row(
        "SELECT starts, ends FROM coupons WHERE code = ?1",
        params![coupon.code],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if !coupon.assigned && ends <= now {
        return Err(DomainError::invalid(
            "couponCode",
            format!("Coupon {} expired on {}.", coupon.code, day(ends)),
        ));
    }
    if !coupon.assigned && starts > now {
        return Err(DomainError::invalid(
            "couponCode",
            format!("Coupon {} is valid from {}.", coupon.code, day(starts)),
        ));
    }
    c.execute(
        "INSERT OR IGNORE INTO customer_coupons (customer_id, coupon_code, assigned, assigned_by) VALUES (?1, ?2, ?3, ?4)",
        params![user, coupon.code, now, agent],
    )?;
    let detail = format!("coupon {}", coupon.code);
    change(
        CustomerCoupon {
            assigned: true,
            ..coupon
        },
        detail,
    )
}

/// Takes a coupon back, also from the customer's active carts.
pub fn unassign_coupon(
    c: &Connection,
    user: &str,
    code: &str,
) -> DomainResult<Change<CustomerCoupon>> {
    let Some(coupon) = load_coupon(c, user, code)? else {
        return Err(DomainError::not_found("Coupon").with_subject("couponCode"));
    };
    c.execute(
        "DELETE FROM customer_coupons WHERE customer_id = ?1 AND coupon_code = ?2",
        params![user, coupon.code],
    )?;
    c.execute(
        "DELETE FROM cart_vouchers WHERE voucher_code = ?1 AND cart_code IN \
         (SELECT code FROM carts WHERE customer_id = ?2 AND status = 'active')",
        params![coupon.code, user],
    )?;
    let detail = format!("coupon {}", coupon.code);
    change(
        CustomerCoupon {
            assigned: false,
            ..coupon
        },
        detail,
    )
}

/// The customer's profile.
pub fn profile(c: &Connection, user: &str) -> DomainResult<CustomerProfile> {
    load_profile(c, user)
}

/// Changes the customer's names (a new place in the name order) or phone.
pub fn update_profile(
    c: &Connection,
    user: &str,
    update: ProfileChange,
) -> DomainResult<Change<CustomerProfile>> {
    let before = load_profile(c, user)?;
    let first_name = update.first_name.unwrap_or(before.first_name);
    let last_name = update.last_name.unwrap_or(before.last_name);
    let name = format!("{first_name} {last_name}");
    let search = format!("{name} {} {}", before.email, before.customer_id).to_lowercase();
    c.execute(
        "UPDATE customers SET first_name = ?1, last_name = ?2, name = ?3, search = ?4 WHERE customer_id = ?5",
        params![first_name, last_name, name, search, user],
    )?;
    // A new name has a new place in the name order (and in the search index).
    super::search::assign_key(c, user)?;
    let mut changed = vec!["name"];
    if let Some(phone) = update.phone {
        let phone = (!phone.is_empty()).then_some(phone);
        let updated = c.execute(
            "UPDATE addresses SET phone = ?1 WHERE customer_id = ?2",
            params![phone, user],
        )?;
        if updated == 0 && phone.is_some() {
            c.execute(
                "INSERT INTO addresses (customer_id, kind, line1, postal_code, town, country, phone) \
                 SELECT customer_id, 'delivery', '', '', town, country, ?1 FROM customers WHERE customer_id = ?2",
                params![phone, user],
            )?;
        }
        changed.push("phone");
    }
    let profile = load_profile(c, user)?;
    change(profile, format!("changed {}", changed.join(", ")))
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn the_next_code_is_read_off_the_index() {
        let mut c = Connection::open_in_memory().expect("db");
        crate::commerce::embedded::schema::migrate(&mut c).expect("migrate");
        for table in ["carts", "orders"] {
            let plan: Vec<String> = {
                let mut stmt = c
                    .prepare(&format!("EXPLAIN QUERY PLAN {}", largest_code_sql(table)))
                    .expect("plan");
                let rows = stmt.query_map([], |r| r.get::<_, String>(3)).expect("rows");
                rows.map(|r| r.expect("row")).collect()
            };
            assert!(
                plan.iter()
                    .any(|p| p.contains(&format!("INDEX {table}_code_number"))),
                "{table}: {plan:?}"
            );
            assert!(!plan.iter().any(|p| p.contains("TEMP B-TREE")), "{plan:?}");
        }
        assert_eq!(
            next_code(&c, "carts", 10_000_000).expect("code"),
            "10000001"
        );
        c.execute(
            "INSERT INTO carts (code, status, created, modified) VALUES ('10000041', 'active', 0, 0), ('9', 'active', 0, 0)",
            [],
        )
        .expect("carts");
        assert_eq!(
            next_code(&c, "carts", 10_000_000).expect("code"),
            "10000042"
        );
    }
}
