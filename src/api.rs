//! The one place that knows the middleware's URLs: typed requests, abort, timeouts and the
//! mapping of every failure (dead middleware, timeout, 4xx/5xx, malformed answer) to [`ApiError`].

use crate::lists::ListQuery;
use asm_types::{
    error_type, AgentLoginRequest, AgentSession, AssistedSession, AssistedSessionRequest,
    CustomerLists, CustomerSearchPage, ErrorList, EXPIRES_HEADER, REQUEST_HEADER,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use std::cell::Cell;
use std::rc::Rc;
use web_sys::{AbortController, RequestCredentials};

/// How long a request may take before the agent is told it timed out.
pub const TIMEOUT_MS: u32 = 15_000;

/// Why a request failed, in terms the agent can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The middleware could not be reached (network down, server dead, CORS refused).
    Unreachable,
    /// No answer within [`TIMEOUT_MS`].
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
    },
    /// The middleware answered something that is not the contract.
    Malformed,
}

impl ApiError {
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

    /// A message for the agent.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unreachable => {
                "Cannot reach the ASM service. Check the connection and try again.".into()
            }
            ApiError::Timeout => "The ASM service did not answer in time. Try again.".into(),
            ApiError::Aborted => "The request was cancelled.".into(),
            ApiError::Status { message, .. } => message.clone(),
            ApiError::Malformed => {
                "The ASM service sent an answer the overlay does not understand. Try again.".into()
            }
        }
    }

    /// Builds the error for a non-2xx answer from its status and body text.
    pub fn from_status(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorList>(body) {
            Ok(list) if !list.errors.is_empty() => {
                let first = &list.errors[0];
                ApiError::Status {
                    status,
                    kind: Some(first.kind.clone()),
                    message: first.message.clone(),
                }
            }
            _ => ApiError::Status {
                status,
                kind: None,
                message: if status >= 500 {
                    format!("The ASM service failed ({status}). Try again.")
                } else {
                    format!("The ASM service refused the request ({status}).")
                },
            },
        }
    }
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

/// Client of the ASM middleware.
#[derive(Clone, Debug)]
pub struct Api {
    base: String,
    base_site: String,
}

impl Api {
    /// A client for the API at `base` (e.g. `/asm` or `https://host/asm`) and a base site.
    pub fn new(base: String, base_site: String) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            base_site,
        }
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
        send_json(req, Some(&body), &Abort::new()).await
    }

    /// Signs the agent out (ends emulation on the server too).
    pub async fn sign_out(&self) -> Result<(), ApiError> {
        let req = self.write(Request::post(&self.url("/agents/logout")));
        send_empty(req, &Abort::new()).await
    }

    /// The signed-in agent's session, or `InvalidTokenError` when there is none.
    pub async fn me(&self) -> Result<Reply<AgentSession>, ApiError> {
        send_json::<(), _>(self.get("/agents/me"), None, &Abort::new()).await
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
        send_json::<(), _>(req, None, abort).await
    }

    /// The customer lists the agent may see, with their sizes.
    pub async fn customer_lists(&self, abort: &Abort) -> Result<Reply<CustomerLists>, ApiError> {
        let req = self
            .get("/customerlists")
            .query([("baseSite", self.base_site.as_str())]);
        send_json::<(), _>(req, None, abort).await
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
        send_json::<(), _>(req, None, abort).await
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
        send_json(req, Some(&body), &Abort::new()).await
    }

    /// Ends an emulation.
    pub async fn end_emulation(
        &self,
        session_id: &str,
    ) -> Result<Reply<AssistedSession>, ApiError> {
        let path = format!("/sessions/{}", js_sys::encode_uri_component(session_id));
        let req = self.write(Request::delete(&self.url(&path)));
        send_json::<(), _>(req, None, &Abort::new()).await
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
    req: RequestBuilder,
    body: Option<&B>,
    abort: &Abort,
) -> Result<Reply<T>, ApiError>
where
    B: serde::Serialize,
    T: DeserializeOwned,
{
    let res = send(req, body, abort).await?;
    let expires_at = expiry_of(&res);
    let text = res.text().await.map_err(|_| ApiError::Malformed)?;
    let body = serde_json::from_str(&text).map_err(|_| ApiError::Malformed)?;
    Ok(Reply { body, expires_at })
}

async fn send_empty(req: RequestBuilder, abort: &Abort) -> Result<(), ApiError> {
    send::<()>(req, None, abort).await.map(|_| ())
}

fn expiry_of(res: &Response) -> Option<i64> {
    res.headers().get(EXPIRES_HEADER)?.parse().ok()
}

/// Sends with a timeout and cancel handle; non-2xx answers become [`ApiError::Status`].
async fn send<B: serde::Serialize>(
    req: RequestBuilder,
    body: Option<&B>,
    abort: &Abort,
) -> Result<Response, ApiError> {
    let req = req.abort_signal(abort.0.as_ref().map(|c| c.signal()).as_ref());
    let req = match body {
        Some(b) => req.json(b).map_err(|_| ApiError::Malformed)?,
        None => req.build().map_err(|_| ApiError::Unreachable)?,
    };
    let timed_out = Rc::new(Cell::new(false));
    let timer = {
        let (abort, timed_out) = (abort.clone(), timed_out.clone());
        Timeout::new(TIMEOUT_MS, move || {
            timed_out.set(true);
            abort.abort();
        })
    };
    let sent = req.send().await;
    timer.cancel();
    let res = match sent {
        Ok(res) => res,
        Err(_) if timed_out.get() => return Err(ApiError::Timeout),
        Err(_) if abort.aborted() => return Err(ApiError::Aborted),
        Err(_) => return Err(ApiError::Unreachable),
    };
    if res.ok() {
        return Ok(res);
    }
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    Err(ApiError::from_status(status, &text))
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
        assert_eq!(e.message(), "Sign in again.");
    }

    #[test]
    fn html_error_page_is_still_a_clear_message() {
        let e = ApiError::from_status(502, "<html>Bad Gateway</html>");
        assert_eq!(e.kind(), None);
        assert_eq!(e.message(), "The ASM service failed (502). Try again.");
        let e = ApiError::from_status(404, "");
        assert!(e.message().contains("404"));
    }

    #[test]
    fn empty_error_list_is_not_trusted() {
        let e = ApiError::from_status(400, r#"{"errors":[]}"#);
        assert_eq!(e.kind(), None);
    }
}
