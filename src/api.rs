//! The one place that knows the middleware's URLs: typed requests, abort, timeouts and the
//! mapping of every failure (dead middleware, timeout, 4xx/5xx, malformed answer) to [`ApiError`].

use crate::i18n::{I18n, Msg};
use crate::lists::ListQuery;
use crate::locale::Locale;
use asm_types::{
    error_type, AgentLoginRequest, AgentSession, AssistedSession, AssistedSessionRequest,
    BindCartRequest, CartList, CartSummary, Customer360Query, Customer360Request,
    Customer360Response, CustomerCreateRequest, CustomerLists, CustomerSearchEntry,
    CustomerSearchPage, ErrorList, SaveCartRequest, SignInOptions, VoucherRequest, EXPIRES_HEADER,
    REQUEST_HEADER, SESSION_RENEW_PATH,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::{AbortController, RequestCredentials};

/// How long a request may take, headers and body, before the agent is told it timed out.
pub const TIMEOUT_MS: u32 = 15_000;

/// Why a request failed, in terms the agent can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The middleware could not be reached (network down, server dead, CORS refused).
    Unreachable,
    /// No whole answer (headers and body) within [`TIMEOUT_MS`].
    Timeout,
    /// Cancelled by the overlay because a newer request superseded it.
    Aborted,
    /// The middleware answered with an error status.
    Status {
        /// HTTP status.
        status: u16,
        /// The error `type` from the body, when the body had one.
        kind: Option<String>,
        /// What to tell the agent.
        message: String,
        /// The body's errors that name a field or parameter (`subject`), in order: what to
        /// show under each input of a form.
        fields: Vec<FieldError>,
    },
    /// The middleware answered something that is not the contract.
    Malformed,
}

/// One error of an answer that names what it is about (a form field, a query parameter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as the wire names it (e.g. `emailAddress`, `orderId`).
    pub subject: String,
    /// The error `type`.
    pub kind: String,
    /// What to tell the agent.
    pub message: String,
}

impl ApiError {
    /// The server's errors that name a field (empty for other failures).
    pub fn fields(&self) -> &[FieldError] {
        match self {
            ApiError::Status { fields, .. } => fields,
            _ => &[],
        }
    }

    /// The server's message for `subject` (a field or parameter), if it named it.
    pub fn field(&self, subject: &str) -> Option<&str> {
        self.fields()
            .iter()
            .find(|f| f.subject == subject)
            .map(|f| f.message.as_str())
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error's stable type, if the server sent one.
    pub fn kind(&self) -> Option<&str> {
        match self {
            ApiError::Status { kind, .. } => kind.as_deref(),
            _ => None,
        }
    }

    /// Whether the agent session is gone (sign in again).
    pub fn session_ended(&self) -> bool {
        self.kind() == Some(error_type::INVALID_TOKEN)
    }

    /// A message for the agent in the locale shown: in English the server's own message
    /// (it is often more precise, e.g. names the e-mail that is taken); in another locale the
    /// overlay's text for the error's type, the server's message for a type it does not know.
    pub fn message(&self) -> String {
        self.message_in(crate::i18n::current())
    }

    /// [`Self::message`] in the words of `i18n`.
    pub fn message_in(&self, i18n: I18n) -> String {
        match self {
            ApiError::Unreachable => i18n.t(Msg::ErrorUnreachable),
            ApiError::Timeout => i18n.t(Msg::ErrorTimeout),
            ApiError::Aborted => i18n.t(Msg::ErrorAborted),
            ApiError::Malformed => i18n.t(Msg::ErrorMalformed),
            ApiError::Status {
                status, kind: None, ..
            } => {
                let code = status.to_string();
                if *status >= 500 {
                    i18n.error_failed(&code)
                } else {
                    i18n.error_refused(&code)
                }
            }
            ApiError::Status {
                kind: Some(kind),
                message,
                ..
            } => match (i18n.locale_untracked(), error_text(kind)) {
                (Locale::En, _) | (_, None) => message.clone(),
                (_, Some(m)) => i18n.t(m),
            },
        }
    }

    /// Builds the error for a non-2xx answer from its status and body text.
    pub fn from_status(status: u16, body: &str) -> Self {
        match crate::json::from_str::<ErrorList>(body) {
            Some(list) if !list.errors.is_empty() => {
                let first = &list.errors[0];
                let fields = list
                    .errors
                    .iter()
                    .filter_map(|e| {
                        Some(FieldError {
                            subject: e.subject.clone()?,
                            kind: e.kind.clone(),
                            message: e.message.clone(),
                        })
                    })
                    .collect();
                ApiError::Status {
                    status,
                    kind: Some(first.kind.clone()),
                    message: first.message.clone(),
                    fields,
                }
            }
            _ => ApiError::Status {
                status,
                kind: None,
                fields: Vec::new(),
                message: String::new(),
            },
        }
    }
}

/// The overlay's own text for an error type of the contract (`asm_types::error_type`).
fn error_text(kind: &str) -> Option<Msg> {
    use asm_types::error_type as t;
    Some(match kind {
        t::INVALID_CREDENTIALS => Msg::ErrorTypeInvalidCredentials,
        t::NOT_AN_AGENT => Msg::ErrorTypeNotAnAgent,
        t::AGENT_SIGNED_IN => Msg::ErrorTypeAgentSignedIn,
        t::INVALID_TOKEN => Msg::ErrorTypeInvalidToken,
        t::CSRF => Msg::ErrorTypeCsrf,
        t::FORBIDDEN => Msg::ErrorTypeForbidden,
        t::VALIDATION => Msg::ErrorTypeValidation,
        t::NOT_FOUND => Msg::ErrorTypeNotFound,
        t::CUSTOMER_DISABLED => Msg::ErrorTypeCustomerDisabled,
        t::NO_CONSENT => Msg::ErrorTypeNoConsent,
        t::CANNOT_EMULATE_AGENT => Msg::ErrorTypeCannotEmulateAgent,
        t::TOO_MANY_ATTEMPTS => Msg::ErrorTypeTooManyAttempts,
        t::BUSY => Msg::ErrorTypeBusy,
        t::DUPLICATE_EMAIL => Msg::ErrorTypeDuplicateEmail,
        t::NOT_EMULATING => Msg::ErrorTypeNotEmulating,
        t::VOUCHER_INVALID => Msg::ErrorTypeVoucherInvalid,
        t::CART_NOT_ANONYMOUS => Msg::ErrorTypeCartNotAnonymous,
        t::CART_CONFLICT => Msg::ErrorTypeCartConflict,
        t::SAVED_CART => Msg::ErrorTypeSavedCart,
        t::CANCELLATION_REFUSED => Msg::ErrorTypeCancellation,
        t::RETURN_REFUSED => Msg::ErrorTypeReturn,
        t::CANCEL_RETURN_REFUSED => Msg::ErrorTypeCancelReturn,
        t::SIGN_IN_PROVIDER => Msg::ErrorTypeSignInProvider,
        t::INTERNAL => Msg::ErrorTypeInternal,
        t::UNAVAILABLE => Msg::ErrorTypeUnavailable,
        _ => return None,
    })
}

/// A file of the overlay's bundle (a locale's catalogue), read whole with the usual timeout;
/// public, so sent without credentials.
pub async fn bundle_file(url: &str) -> Result<String, ApiError> {
    Ok(
        send::<()>(TIMEOUT_MS, Request::get(url), None, &Abort::new())
            .await?
            .text,
    )
}

/// Cancels an in-flight request (wraps an `AbortController`).
#[derive(Clone, Debug)]
pub struct Abort(Option<AbortController>);

impl Abort {
    /// A new, unused cancel handle.
    pub fn new() -> Self {
        Self(AbortController::new().ok())
    }

    /// Cancels the request using this handle.
    pub fn abort(&self) {
        if let Some(c) = &self.0 {
            c.abort();
        }
    }

    fn aborted(&self) -> bool {
        self.0.as_ref().is_some_and(|c| c.signal().aborted())
    }
}

impl Default for Abort {
    fn default() -> Self {
        Self::new()
    }
}

/// Client of the ASM middleware (the default: of nothing, every request fails).
#[derive(Clone, Debug, Default)]
pub struct Api {
    base: String,
    base_site: String,
    timeout_ms: u32,
}

impl Api {
    /// A client for the API at `base` (e.g. `/asm` or `https://host/asm`) and a base site.
    pub fn new(base: String, base_site: String) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            base_site,
            timeout_ms: TIMEOUT_MS,
        }
    }

    /// The same client with another timeout for each whole answer (default [`TIMEOUT_MS`]).
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }

    /// The base site.
    pub fn base_site(&self) -> &str {
        &self.base_site
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn get(&self, path: &str) -> RequestBuilder {
        Request::get(&self.url(path)).credentials(RequestCredentials::Include)
    }

    /// State-changing requests carry the CSRF header.
    fn write(&self, builder: RequestBuilder) -> RequestBuilder {
        builder
            .credentials(RequestCredentials::Include)
            .header(REQUEST_HEADER, "1")
    }

    /// Signs the agent in.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Reply<AgentSession>, ApiError> {
        let body = AgentLoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
        };
        let req = self.write(Request::post(&self.url("/agents/login")));
        send_json(self.timeout_ms, req, Some(&body), &Abort::new()).await
    }

    /// How agents may sign in here (password form, single sign-on button).
    pub async fn sign_in_options(&self) -> Result<Reply<SignInOptions>, ApiError> {
        send_json::<(), _>(
            self.timeout_ms,
            self.get("/agents/sign-in-options"),
            None,
            &Abort::new(),
        )
        .await
    }

    /// Signs the agent out (ends emulation on the server too).
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let req = self.write(Request::post(&self.url("/agents/logout")));
        send_empty(self.timeout_ms, req, &Abort::new()).await
    }

    /// The signed-in agent's session, or `InvalidTokenError` when there is none. With `renew`
    /// (the timer's "Extend") the server's idle window starts again now, even right after
    /// another request (`POST` [`SESSION_RENEW_PATH`]); one function for both keeps the
    /// first load small.
    pub async fn me(&self, renew: bool) -> Result<Reply<AgentSession>, ApiError> {
        if let Some(started) = (!renew).then(|| STARTED.take()).flatten() {
            return answer_of(started).await?.reply(crate::json::from_str);
        }
        let req = if renew {
            self.write(Request::post(&self.url(SESSION_RENEW_PATH)))
        } else {
            self.get("/agents/me")
        };
        send_json::<(), _>(self.timeout_ms, req, None, &Abort::new()).await
    }

    /// Searches customers; `abort` cancels it when a newer search supersedes it.
    pub async fn search_customers(
        &self,
        query: &str,
        page_size: u32,
        abort: &Abort,
    ) -> Result<Reply<CustomerSearchPage>, ApiError> {
        let size = page_size.to_string();
        let req = self.get("/customers/search").query([
            ("query", query),
            ("baseSite", self.base_site.as_str()),
            ("pageSize", size.as_str()),
        ]);
        send_json::<(), _>(self.timeout_ms, req, None, abort).await
    }

    /// The customer of the order `order_id` (`entries` carry `orderId`); an unknown order is
    /// a 400 `ValidationError` whose subject is `orderId`.
    pub async fn search_by_order(
        &self,
        order_id: &str,
        abort: &Abort,
    ) -> Result<Reply<CustomerSearchPage>, ApiError> {
        let req = self.get("/customers/search").query([
            ("orderId", order_id),
            ("baseSite", self.base_site.as_str()),
            ("pageSize", "1"),
        ]);
        send_json::<(), _>(self.timeout_ms, req, None, abort).await
    }

    /// The customer whose active or saved cart `cart_id` is (the entry names it); a guest,
    /// ordered or unknown cart is a 400 on `cartId` saying which.
    pub async fn search_by_cart(
        &self,
        cart_id: &str,
        abort: &Abort,
    ) -> Result<Reply<CustomerSearchPage>, ApiError> {
        let req = self.get("/customers/search").query([
            ("cartId", cart_id),
            ("baseSite", self.base_site.as_str()),
            ("pageSize", "1"),
        ]);
        send_json::<(), _>(self.timeout_ms, req, None, abort).await
    }

    /// Creates (registers) a customer; field errors name `firstName`, `lastName` or
    /// `emailAddress`, and a taken e-mail is a 409 `DuplicateEmailError` on `emailAddress`.
    pub async fn create_customer(
        &self,
        customer: &CustomerCreateRequest,
    ) -> Result<Reply<CustomerSearchEntry>, ApiError> {
        let req = self.write(
            Request::post(&self.url("/customers")).query([("baseSite", self.base_site.as_str())]),
        );
        send_json(self.timeout_ms, req, Some(customer), &Abort::new()).await
    }

    /// The customer lists the agent may see, with their sizes.
    pub async fn customer_lists(&self, abort: &Abort) -> Result<Reply<CustomerLists>, ApiError> {
        let req = self
            .get("/customerlists")
            .query([("baseSite", self.base_site.as_str())]);
        send_json::<(), _>(self.timeout_ms, req, None, abort).await
    }

    /// One page of a customer list (searched and sorted as `list` says); `abort` cancels it
    /// when a newer page supersedes it.
    pub async fn customer_list_page(
        &self,
        list: &ListQuery,
        abort: &Abort,
    ) -> Result<Reply<CustomerSearchPage>, ApiError> {
        let params = list.params();
        let req = self
            .get("/customers/search")
            .query(params.iter().map(|(k, v)| (*k, v.as_str())))
            .query([("baseSite", self.base_site.as_str())]);
        send_json::<(), _>(self.timeout_ms, req, None, abort).await
    }

    /// Starts emulating a customer; `reason` (ticket id or note) is required by the server;
    /// `cart_id` names the cart to work on (a deep link's).
    pub async fn start_emulation(
        &self,
        customer_id: &str,
        reason: &str,
        cart_id: Option<&str>,
    ) -> Result<Reply<AssistedSession>, ApiError> {
        let body = AssistedSessionRequest {
            customer_id: customer_id.to_owned(),
            base_site: self.base_site.clone(),
            cart_id: cart_id.map(str::to_owned),
            reason: Some(reason.to_owned()),
        };
        let req = self.write(Request::post(&self.url("/sessions")));
        send_json(self.timeout_ms, req, Some(&body), &Abort::new()).await
    }

    /// Ends an emulation.
    pub async fn end_emulation(
        &self,
        session_id: &str,
    ) -> Result<Reply<AssistedSession>, ApiError> {
        let path = format!("/sessions/{}", js_sys::encode_uri_component(session_id));
        let req = self.write(Request::delete(&self.url(&path)));
        send_json::<(), _>(self.timeout_ms, req, None, &Abort::new()).await
    }
}

impl Api {
    /// Customer 360 fragments of `customer_id`: one answer per `(type, listSize)` query, each
    /// data or its own error.
    pub async fn customer360(
        &self,
        customer_id: &str,
        queries: &[(&str, Option<u32>)],
    ) -> Result<Reply<Customer360Response>, ApiError> {
        let body = Customer360Request {
            queries: queries
                .iter()
                .map(|(kind, list_size)| Customer360Query {
                    kind: (*kind).to_owned(),
                    list_size: *list_size,
                })
                .collect(),
        };
        let path = format!(
            "/customers/{}/customer360",
            js_sys::encode_uri_component(customer_id)
        );
        let req = self
            .write(Request::post(&self.url(&path)))
            .query([("baseSite", self.base_site.as_str())]);
        send(self.timeout_ms, req, Some(&body), &Abort::new())
            .await?
            .reply(crate::json::customer360)
    }

    /// Applies a voucher (cart coupon or assigned customer coupon) to the emulated customer's
    /// cart.
    pub async fn apply_voucher(
        &self,
        customer_id: &str,
        cart_id: &str,
        code: &str,
    ) -> Result<(), ApiError> {
        let path = format!("{}/vouchers", cart_path(customer_id, cart_id));
        let body = VoucherRequest {
            voucher_id: code.to_owned(),
        };
        let req = self.write(Request::post(&self.url(&path)));
        send::<VoucherRequest>(self.timeout_ms, req, Some(&body), &Abort::new())
            .await
            .map(|_| ())
    }

    /// Removes a voucher from the emulated customer's cart.
    pub async fn remove_voucher(
        &self,
        customer_id: &str,
        cart_id: &str,
        code: &str,
    ) -> Result<(), ApiError> {
        let path = format!(
            "{}/vouchers/{}",
            cart_path(customer_id, cart_id),
            js_sys::encode_uri_component(code)
        );
        send_empty(
            self.timeout_ms,
            self.write(Request::delete(&self.url(&path))),
            &Abort::new(),
        )
        .await
    }

    /// Saves one of the emulated customer's active carts for later (under its number).
    pub async fn save_cart(&self, customer_id: &str, cart_id: &str) -> Result<(), ApiError> {
        let path = format!("{}/save", cart_path(customer_id, cart_id));
        let req = self.write(Request::patch(&self.url(&path)));
        send::<SaveCartRequest>(
            self.timeout_ms,
            req,
            Some(&SaveCartRequest::default()),
            &Abort::new(),
        )
        .await
        .map(|_| ())
    }

    /// Assigns (`assign`) or unassigns a customer coupon to/from the emulated customer.
    pub async fn assign_coupon(
        &self,
        customer_id: &str,
        code: &str,
        assign: bool,
    ) -> Result<(), ApiError> {
        let path = format!(
            "/users/{}/customercoupons/{}/claim",
            js_sys::encode_uri_component(customer_id),
            js_sys::encode_uri_component(code)
        );
        let req = if assign {
            Request::post(&self.url(&path))
        } else {
            Request::delete(&self.url(&path))
        };
        send_empty(self.timeout_ms, self.write(req), &Abort::new()).await
    }
}

fn cart_path(customer_id: &str, cart_id: &str) -> String {
    format!(
        "/users/{}/carts/{}",
        js_sys::encode_uri_component(customer_id),
        js_sys::encode_uri_component(cart_id)
    )
}

impl Api {
    /// Binds the anonymous cart `cart_id` to `customer_id`; with `replace` the customer's
    /// current cart (with items) is kept as a saved cart instead of answering 409
    /// `CartConflictError`.
    pub async fn bind_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        replace: bool,
    ) -> Result<Reply<CartSummary>, ApiError> {
        let body = BindCartRequest {
            customer_id: customer_id.to_owned(),
            cart_id: cart_id.to_owned(),
            base_site: self.base_site.clone(),
            replace,
        };
        let req = self.write(Request::post(&self.url("/bind-cart")));
        send_json(self.timeout_ms, req, Some(&body), &Abort::new()).await
    }

    /// The customer's active and saved carts.
    pub async fn customer_carts(&self, customer_id: &str) -> Result<Reply<CartList>, ApiError> {
        let path = format!(
            "/customers/{}/carts",
            js_sys::encode_uri_component(customer_id)
        );
        let req = self
            .get(&path)
            .query([("baseSite", self.base_site.as_str())]);
        send_json::<(), _>(self.timeout_ms, req, None, &Abort::new()).await
    }
}

/// A successful answer and the session expiry the server reported with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    /// The body.
    pub body: T,
    /// New expiry of the agent session (server clock, ms), when the server sent it.
    pub expires_at: Option<i64>,
}

async fn send_json<B, T>(
    timeout_ms: u32,
    req: RequestBuilder,
    body: Option<&B>,
    abort: &Abort,
) -> Result<Reply<T>, ApiError>
where
    B: serde::Serialize,
    T: DeserializeOwned,
{
    send(timeout_ms, req, body, abort)
        .await?
        .reply(crate::json::from_str)
}

async fn send_empty(timeout_ms: u32, req: RequestBuilder, abort: &Abort) -> Result<(), ApiError> {
    send::<()>(timeout_ms, req, None, abort).await.map(|_| ())
}

thread_local! {
    /// The loader's `fetch` of `GET /agents/me`, until the restore reads it (once).
    static STARTED: std::cell::RefCell<Option<js_sys::Promise>> = const { std::cell::RefCell::new(None) };
}

/// Keeps the loader's request for the session (started beside the overlay's download, with a
/// [`TIMEOUT_MS`] abort signal of its own) for the first [`Api::me`].
pub fn started_session_request(fetch: js_sys::Promise) {
    STARTED.set(Some(fetch));
}

/// The answer to a request the loader started: read to its end, failures mapped as [`send`]
/// maps them (the loader's signal ends it with a `TimeoutError`).
async fn answer_of(fetch: js_sys::Promise) -> Result<Answer, ApiError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let read = async {
        let res: web_sys::Response = JsFuture::from(fetch).await?.dyn_into()?;
        let text = JsFuture::from(res.text()?).await?;
        Ok::<_, wasm_bindgen::JsValue>((Response::from(res), text.as_string()))
    };
    match read.await {
        Ok((res, Some(text))) => answered(&res, text),
        Ok((_, None)) => Err(ApiError::Malformed),
        Err(e) => {
            let name = js_sys::Reflect::get(&e, &"name".into()).ok();
            Err(match name.and_then(|n| n.as_string()).as_deref() {
                Some("TimeoutError") => ApiError::Timeout,
                _ => ApiError::Unreachable,
            })
        }
    }
}

/// A successful answer read to its end.
struct Answer {
    expires_at: Option<i64>,
    text: String,
}

impl Answer {
    /// The body read by `decode` (not the contract: [`ApiError::Malformed`]), with the expiry.
    fn reply<T>(self, decode: impl FnOnce(&str) -> Option<T>) -> Result<Reply<T>, ApiError> {
        Ok(Reply {
            body: decode(&self.text).ok_or(ApiError::Malformed)?,
            expires_at: self.expires_at,
        })
    }
}

fn expiry_of(res: &Response) -> Option<i64> {
    res.headers().get(EXPIRES_HEADER)?.parse().ok()
}

/// Sends with a timeout and cancel handle and reads the whole body: the timeout covers the
/// headers *and* the body, so a server that sends headers and then stalls still ends in
/// [`ApiError::Timeout`]. Non-2xx answers become [`ApiError::Status`].
async fn send<B: serde::Serialize>(
    timeout_ms: u32,
    req: RequestBuilder,
    body: Option<&B>,
    abort: &Abort,
) -> Result<Answer, ApiError> {
    let req = req.abort_signal(abort.0.as_ref().map(|c| c.signal()).as_ref());
    let req = match body {
        Some(b) => req
            .header("Content-Type", "application/json")
            .body(crate::json::to_string(b).ok_or(ApiError::Malformed)?)
            .map_err(|_| ApiError::Unreachable)?,
        None => req.build().map_err(|_| ApiError::Unreachable)?,
    };
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let (abort, timed_out) = (abort.clone(), timed_out.clone());
        Timeout::new(timeout_ms, move || {
            timed_out.set(true);
            abort.abort();
        })
    };
    let read = async {
        let res = req.send().await?;
        let text = res.text().await?;
        Ok::<_, gloo_net::Error>((res, text))
    };
    let outcome = read.await;
    timer.cancel();
    let (res, text) = match outcome {
        Ok(read) => read,
        Err(_) if timed_out.get() => return Err(ApiError::Timeout),
        Err(_) if abort.aborted() => return Err(ApiError::Aborted),
        Err(_) => return Err(ApiError::Unreachable),
    };
    answered(&res, text)
}

/// A whole answer: non-2xx becomes [`ApiError::Status`].
fn answered(res: &Response, text: String) -> Result<Answer, ApiError> {
    if !res.ok() {
        return Err(ApiError::from_status(res.status(), &text));
    }
    Ok(Answer {
        expires_at: expiry_of(res),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_gives_type_and_message() {
        let e = ApiError::from_status(
            401,
            r#"{"errors":[{"type":"InvalidTokenError","message":"Sign in again."}]}"#,
        );
        assert!(e.session_ended());
        assert_eq!(e.message_in(I18n::new(Vec::new())), "Sign in again.");
    }

    #[test]
    fn html_error_page_is_still_a_clear_message() {
        let e = ApiError::from_status(502, "<html>Bad Gateway</html>");
        assert_eq!(e.kind(), None);
        assert_eq!(
            e.message_in(I18n::new(Vec::new())),
            "The ASM service failed (502). Try again."
        );
        let e = ApiError::from_status(404, "");
        assert!(e.message_in(I18n::new(Vec::new())).contains("404"));
    }

    #[test]
    fn errors_that_name_a_field_are_kept_per_field() {
        let e = ApiError::from_status(
            400,
            r#"{"errors":[
                {"type":"ValidationError","message":"The first name is required.","subject":"firstName"},
                {"type":"ValidationError","message":"Enter a valid email address.","subject":"emailAddress"},
                {"type":"ValidationError","message":"baseSite is required."}]}"#,
        );
        assert_eq!(
            e.message_in(I18n::new(Vec::new())),
            "The first name is required."
        );
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.fields().len(), 2);
        assert_eq!(e.field("firstName"), Some("The first name is required."));
        assert_eq!(
            e.field("emailAddress"),
            Some("Enter a valid email address.")
        );
        assert_eq!(e.field("lastName"), None);
        let dup = ApiError::from_status(
            409,
            r#"{"errors":[{"type":"DuplicateEmailError","message":"Enter a different email address as a@b.c already exists.","subject":"emailAddress"}]}"#,
        );
        assert_eq!(dup.kind(), Some("DuplicateEmailError"));
        assert!(dup
            .field("emailAddress")
            .is_some_and(|m| m.contains("already exists")));
        assert!(ApiError::Unreachable.fields().is_empty());
        assert!(ApiError::from_status(502, "nope").fields().is_empty());
    }

    #[test]
    fn another_locale_shows_the_overlays_text_for_a_known_type_and_the_servers_otherwise() {
        let de = I18n::new(vec![(Locale::De, "de.json".into())]);
        let catalogue =
            crate::i18n::Catalogue::parse(include_str!(concat!(env!("OUT_DIR"), "/de.json")));
        de.add(Locale::De, catalogue.expect("the built German catalogue"));
        de.choose(Locale::De);
        let known = ApiError::from_status(
            401,
            r#"{"errors":[{"type":"InvalidCredentialsError","message":"Wrong user name or password."}]}"#,
        );
        assert_eq!(
            known.message_in(de),
            "Agenten-ID, E-Mail oder Passwort ist falsch."
        );
        let unknown = ApiError::from_status(
            400,
            r#"{"errors":[{"type":"SomethingNewError","message":"Something new."}]}"#,
        );
        assert_eq!(unknown.message_in(de), "Something new.");
        assert_eq!(
            ApiError::from_status(503, "<html>").message_in(de),
            "Fehler im ASM-Dienst (503). Versuchen Sie es erneut."
        );
        assert!(ApiError::Timeout
            .message_in(de)
            .starts_with("Der ASM-Dienst hat nicht"));
        assert_eq!(
            known.message_in(I18n::new(Vec::new())),
            "Wrong user name or password.",
            "English keeps the server's message"
        );
    }

    #[test]
    fn empty_error_list_is_not_trusted() {
        let e = ApiError::from_status(400, r#"{"errors":[]}"#);
        assert_eq!(e.kind(), None);
    }
}
