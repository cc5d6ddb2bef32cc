//! The ASM HTTP contract: every request and response body exchanged between the overlay
//! (wasm32) and the middleware (native). Both sides depend on this crate, so the contract
//! cannot drift. JSON field names are camelCase, as in SAP's `assistedservicewebservices`.

use serde::{Deserialize, Serialize};

/// Header every state-changing request must carry (CSRF defence together with the `Origin` check).
pub const REQUEST_HEADER: &str = "X-ASM-Request";
/// Response header with the agent session's new expiry (ms since the epoch, server clock),
/// sent on every authenticated answer.
pub const EXPIRES_HEADER: &str = "X-ASM-Session-Expires";
/// Path (under the API's base) of the explicit session renewal, `POST` (the timer's "Extend"):
/// the idle window starts again now and the answer is an [`AgentSession`].
pub const SESSION_RENEW_PATH: &str = "/agents/me/session";
/// Name of the httpOnly cookie that holds the opaque agent session id.
pub const SESSION_COOKIE: &str = "asm_session";

/// Stable error `type` values. The overlay reacts to these, never to messages.
///
/// Declared through one macro so that [`error_type::ALL`] (used for the OpenAPI `ErrorType`
/// enum and the API description) can never miss a type: add new types inside the macro call.
pub mod error_type {
    macro_rules! error_types {
        ($($(#[doc = $doc:literal])* $name:ident = $value:literal;)*) => {
            $($(#[doc = $doc])* pub const $name: &str = $value;)*
            /// Every stable error type with its meaning (the doc comment), in declaration order.
            pub const ALL: &[(&str, &str)] = &[$(($value, concat!($($doc),*))),*];
        };
    }

    error_types! {
        /// Wrong user name or password.
        INVALID_CREDENTIALS = "InvalidCredentialsError";
        /// The credentials belong to a customer, not a customer support agent.
        NOT_AN_AGENT = "NotAnAgentError";
        /// A customer support agent is signed in in this browser: the demo store's customer
        /// cannot sign in nor shop as themselves beside them (one session at a time).
        AGENT_SIGNED_IN = "AgentSignedInError";
        /// No agent session, or it expired (idle or absolute): sign in again.
        INVALID_TOKEN = "InvalidTokenError";
        /// The request lacks the `X-ASM-Request` header or comes from an origin that is not allowed.
        CSRF = "CsrfError";
        /// The agent may not do this.
        FORBIDDEN = "ForbiddenError";
        /// A parameter or body field is missing or malformed.
        VALIDATION = "ValidationError";
        /// The thing asked for does not exist.
        NOT_FOUND = "NotFoundError";
        /// The customer's account is disabled: no emulation.
        CUSTOMER_DISABLED = "CustomerDisabledError";
        /// The customer has not consented to assisted service: no emulation.
        NO_CONSENT = "CustomerConsentError";
        /// The user to emulate is an agent: agents cannot be emulated.
        CANNOT_EMULATE_AGENT = "CannotEmulateAgentError";
        /// Too many failed sign-ins; retry after the `Retry-After` header's seconds.
        TOO_MANY_ATTEMPTS = "TooManyAttemptsError";
        /// Too many of this agent's expensive requests (customer searches) in flight, or too
        /// many anonymous carts created from one client address; retry after the
        /// `Retry-After` header's seconds.
        BUSY = "TooManyRequestsError";
        /// Creating a customer: the e-mail address is already used by a customer or an agent.
        DUPLICATE_EMAIL = "DuplicateEmailError";
        /// Acting as a customer needs an active emulation of exactly that customer by this agent.
        NOT_EMULATING = "NotEmulatingError";
        /// The voucher code is unknown, not assigned to this customer, or already applied.
        VOUCHER_INVALID = "VoucherInvalidError";
        /// Binding a cart: the cart already belongs to a customer (only anonymous carts can be bound).
        CART_NOT_ANONYMOUS = "CartNotAnonymousError";
        /// Binding a cart: the customer's active cart has entries; `subject` is its code. Send
        /// `replace: true` to keep it as a saved cart and make the bound cart the active one.
        CART_CONFLICT = "CartConflictError";
        /// Saved carts: the cart's state does not allow it (an empty cart cannot be saved, only
        /// a saved cart can be restored, an ordered cart cannot be saved nor deleted).
        SAVED_CART = "SavedCartError";
        /// Cancelling order lines: the order can no longer be cancelled (shipped, delivered or
        /// cancelled already), or a quantity is above what is left of its line (`subject` names
        /// the line's entry number).
        CANCELLATION_REFUSED = "CancellationError";
        /// Returning order lines: the order is not delivered, or a quantity is above what is left
        /// to return of its line (`subject` names the line's entry number).
        RETURN_REFUSED = "ReturnRequestError";
        /// Cancelling a return request: it can no longer be cancelled (received, or cancelled
        /// already).
        CANCEL_RETURN_REFUSED = "CancelReturnRequestError";
        /// The identity provider refused the sign-in or answered something unusable (a bad,
        /// expired or used code, an invalid ID token).
        SIGN_IN_PROVIDER = "SignInProviderError";
        /// The server failed; nothing the client did wrong.
        INTERNAL = "InternalError";
        /// The server cannot reach its database or backend just now; retry after `Retry-After`.
        UNAVAILABLE = "ServiceUnavailableError";
    }
}

#[cfg(feature = "openapi")]
pub mod openapi;

mod address;
pub use address::*;
mod commerce;
pub use commerce::*;
mod consent;
pub use consent::*;
mod customer360;
pub use customer360::*;
mod support;
pub use support::*;

/// One error in an error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable machine-readable kind, one of [`error_type`].
    #[serde(rename = "type")]
    #[cfg_attr(feature = "openapi", schema(value_type = openapi::ErrorType))]
    pub kind: String,
    /// Human-readable text, safe to show to the agent.
    pub message: String,
    /// Finer reason, e.g. the field that failed validation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the error is about, e.g. a parameter name or a customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

/// The one body of every non-2xx answer: `{ "errors": [ ... ] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorList {
    /// At least one error.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub errors: Vec<ApiError>,
}

impl ErrorList {
    /// A body with a single error.
    pub fn single(kind: &str, message: impl Into<String>) -> Self {
        Self {
            errors: vec![ApiError {
                kind: kind.to_owned(),
                message: message.into(),
                reason: None,
                subject: None,
            }],
        }
    }
}

/// Agent sign-in form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentLoginRequest {
    /// Agent id or e-mail.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub username: String,
    /// Plain password (sent over TLS in production; never stored).
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub password: String,
}

/// A customer service agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Agent {
    /// Agent unique identifier.
    pub uid: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Permission groups, e.g. `asagentgroup`, `asagentsalesmanagergroup`.
    pub groups: Vec<String>,
}

/// Group every agent belongs to.
pub const AGENT_GROUP: &str = "asagentgroup";
/// Group of sales managers (may also place orders while emulating).
pub const SALES_MANAGER_GROUP: &str = "asagentsalesmanagergroup";

impl Agent {
    /// Whether the agent is a sales manager.
    pub fn is_sales_manager(&self) -> bool {
        self.groups.iter().any(|g| g == SALES_MANAGER_GROUP)
    }
}

/// The signed-in agent's session as the server sees it. Returned by sign-in, by
/// `GET /agents/me` and by [`SESSION_RENEW_PATH`] (`POST`, the timer's "Extend"). Every
/// authenticated request extends the idle window, but writes it back at most once a second:
/// only the renewal always moves the stored expiry, and `expiresAt` is always the stored one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AgentSession {
    /// Who is signed in.
    pub agent: Agent,
    /// When the session ends unless extended, in milliseconds since the Unix epoch (server clock).
    pub expires_at: i64,
    /// The server's clock when this answer was made (ms since the epoch), to correct client skew.
    pub server_time: i64,
    /// The idle timeout in seconds.
    pub idle_timeout_seconds: u32,
    /// The emulation in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation: Option<AssistedSession>,
}

/// How agents may sign in: `GET /agents/sign-in-options` (no session needed). The bar shows the
/// password form when `password` is true and a "Sign in with …" button when `sso` is present.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SignInOptions {
    /// Whether agents may sign in with a user name and password (`POST /agents/login`).
    pub password: bool,
    /// The identity provider agents may sign in with, when one is configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sso: Option<SsoOption>,
}

/// The single sign-on choice of [`SignInOptions`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SsoOption {
    /// What the button says after "Sign in with", e.g. `company sign-in`.
    pub label: String,
    /// Absolute URL to navigate the browser to (top level), with the query parameter
    /// [`SSO_RETURN_PARAM`] set to the page to come back to.
    pub start_url: String,
}

/// Query parameter of the SSO start URL: the storefront page to return to after signing in.
pub const SSO_RETURN_PARAM: &str = "returnTo";
/// Query parameter the middleware adds to the storefront page when a single sign-on failed; its
/// value is an [`SsoError`] code. The overlay shows the message and removes the parameter.
pub const SSO_ERROR_PARAM: &str = "asmSsoError";

/// Why a single sign-on failed, as sent back to the storefront page in [`SSO_ERROR_PARAM`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum SsoError {
    /// The agent cancelled at the provider (or refused consent).
    Cancelled,
    /// The provider refused or answered something unusable (a bad or expired code, an invalid
    /// ID token, another error).
    ProviderError,
    /// The provider could not be reached.
    ProviderUnavailable,
    /// The sign-in attempt is too old, or its answer was already used (a replayed callback).
    Expired,
    /// The answer does not belong to this browser's sign-in attempt (another tab started a newer
    /// one, or a forged callback).
    StateMismatch,
    /// The account is not a customer support agent.
    NotAnAgent,
    /// The server failed.
    Failed,
}

impl SsoError {
    /// Every code.
    pub const ALL: [SsoError; 7] = [
        SsoError::Cancelled,
        SsoError::ProviderError,
        SsoError::ProviderUnavailable,
        SsoError::Expired,
        SsoError::StateMismatch,
        SsoError::NotAnAgent,
        SsoError::Failed,
    ];

    /// The code, e.g. `not-an-agent`.
    pub fn as_str(self) -> &'static str {
        match self {
            SsoError::Cancelled => "cancelled",
            SsoError::ProviderError => "provider-error",
            SsoError::ProviderUnavailable => "provider-unavailable",
            SsoError::Expired => "expired",
            SsoError::StateMismatch => "state-mismatch",
            SsoError::NotAnAgent => "not-an-agent",
            SsoError::Failed => "failed",
        }
    }

    /// The error with this code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == code)
    }

    /// What to tell the agent.
    pub fn message(self) -> &'static str {
        match self {
            SsoError::Cancelled => {
                "Single sign-on was cancelled. Sign in again when you are ready."
            }
            SsoError::ProviderError => {
                "The identity provider did not accept the sign-in. Please try again."
            }
            SsoError::ProviderUnavailable => {
                "The identity provider cannot be reached just now. Please try again in a moment."
            }
            SsoError::Expired => {
                "This sign-in attempt expired or was already used. Please sign in again."
            }
            SsoError::StateMismatch => {
                "This sign-in answer does not belong to this browser's sign-in attempt (was \
                 another one started in another tab?). Please sign in again."
            }
            SsoError::NotAnAgent => {
                "This account is not a customer support agent's. Only agents can sign in to \
                 Assisted Service Mode."
            }
            SsoError::Failed => "Single sign-on failed on the server. Please try again.",
        }
    }
}

/// Paging parameters and totals (zero-based pages).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Current page (zero-based).
    pub current_page: u32,
    /// Results per page.
    pub page_size: u32,
    /// Number of pages.
    pub total_pages: u32,
    /// Number of results over all pages.
    pub total_results: u64,
    /// The sort applied (a [`CustomerSort`] code), when the results are sortable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// True when counting stopped early: the query matches at least `totalResults` results
    /// (a customer search counts up to 1,000 matches, and with no `sort` — best matches
    /// first — only one past the page; narrow the query or sort by name to see an exact count).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub total_is_lower_bound: bool,
}

/// One customer in a search result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerSearchEntry {
    /// Customer e-mail (the login uid).
    pub uid: String,
    /// Full name.
    pub name: String,
    /// Customer id.
    pub customer_id: String,
    /// The customer's most recent cart, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_cart_id: Option<String>,
    /// Whether the customer has placed orders.
    pub has_order: bool,
    /// Why this customer cannot be emulated, as the error `type` starting emulation would
    /// answer (`CustomerDisabledError`, `CustomerConsentError`); absent when they can be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emulation_blocked: Option<String>,
    /// The order this entry is about: the searched `orderId`, or in the `pickup` list the
    /// customer's most recent order (the one to pick up); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The cart this entry is about: the searched `cartId` (this customer's active or a saved
    /// cart); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    /// Whether `cartId` is the customer's active cart or a saved one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_status: Option<CartStatus>,
    /// The customer's phone number (from their first address that has one); absent when they
    /// have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A page of customer search results.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerSearchPage {
    /// The customers on this page.
    pub entries: Vec<CustomerSearchEntry>,
    /// Paging; `sort` is the sort applied.
    pub pagination: Pagination,
    /// The sorts this search offers, the applied one `selected`.
    #[serde(default)]
    pub sorts: Vec<SortOption>,
}

/// Order of customer search results (`sort` of `GET /customers/search`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub enum CustomerSort {
    /// By name, A to Z (case-insensitive); the default.
    #[default]
    ByNameAsc,
    /// By name, Z to A.
    ByNameDesc,
    /// By e-mail (uid), A to Z.
    ByUidAsc,
    /// By e-mail (uid), Z to A.
    ByUidDesc,
    /// By the date of the customer's most recent order, oldest first; customers without orders last.
    ByOrderDateAsc,
    /// By the date of the customer's most recent order, newest first; customers without orders last.
    ByOrderDateDesc,
    /// By the agent's most recent emulation of the customer, newest first: only with
    /// `customerListId=mysessions`, where it is the default.
    BySessionDateDesc,
}

impl CustomerSort {
    /// Every sort, in the order offered.
    pub const ALL: [CustomerSort; 7] = [
        Self::ByNameAsc,
        Self::ByNameDesc,
        Self::ByUidAsc,
        Self::ByUidDesc,
        Self::ByOrderDateAsc,
        Self::ByOrderDateDesc,
        Self::BySessionDateDesc,
    ];

    /// The wire code, e.g. `byNameAsc`.
    pub fn code(self) -> &'static str {
        match self {
            Self::ByNameAsc => "byNameAsc",
            Self::ByNameDesc => "byNameDesc",
            Self::ByUidAsc => "byUidAsc",
            Self::ByUidDesc => "byUidDesc",
            Self::ByOrderDateAsc => "byOrderDateAsc",
            Self::ByOrderDateDesc => "byOrderDateDesc",
            Self::BySessionDateDesc => "bySessionDateDesc",
        }
    }

    /// A label for the agent, e.g. "Name (A-Z)".
    pub fn label(self) -> &'static str {
        match self {
            Self::ByNameAsc => "Name (A-Z)",
            Self::ByNameDesc => "Name (Z-A)",
            Self::ByUidAsc => "E-mail (A-Z)",
            Self::ByUidDesc => "E-mail (Z-A)",
            Self::ByOrderDateAsc => "Order date (oldest first)",
            Self::ByOrderDateDesc => "Order date (newest first)",
            Self::BySessionDateDesc => "Last session (newest first)",
        }
    }

    /// The sort with this wire code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One sort a search offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SortOption {
    /// The `sort` parameter value, e.g. `byNameAsc`.
    pub code: String,
    /// A label for the agent.
    pub name: String,
    /// Whether this sort was applied.
    pub selected: bool,
}

/// One customer list in the overview (`GET /customerlists`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerListSummary {
    /// List id, the `customerListId` of `GET /customers/search`: `instore`, `pickup`, `mysessions`.
    pub id: String,
    /// Display name, e.g. "Current In-Store Customers".
    pub name: String,
    /// How many customers the list holds (for `mysessions`: for the signed-in agent).
    pub members_count: u64,
}

/// The customer lists the signed-in agent may see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerLists {
    /// The lists, in display order.
    pub customer_lists: Vec<CustomerListSummary>,
}

/// One customer list with how to show it (`GET /customerlists/{listId}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerListDetail {
    /// List id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How many customers the list holds (for `mysessions`: for the signed-in agent).
    pub members_count: u64,
    /// Whether the list may be searched (`query` with `customerListId`).
    pub search_box_enabled: bool,
    /// Fields of [`CustomerSearchEntry`] to show as extra columns besides name and e-mail,
    /// e.g. `lastCartId`, `orderId`.
    pub additional_columns: Vec<String>,
}

/// Request to bind an anonymous cart to a customer (`POST /bind-cart`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BindCartRequest {
    /// The customer who takes the cart.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub customer_id: String,
    /// Code of the anonymous cart.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub cart_id: String,
    /// Base site.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub base_site: String,
    /// Whether to replace the customer's active cart if it has entries (it is kept as a saved
    /// cart); without it such a cart answers 409 `CartConflictError`.
    #[serde(default)]
    pub replace: bool,
}

/// Request to create (register) a customer through ASM.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerCreateRequest {
    /// First name (required, at most 100 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, example = "Ada"))]
    pub first_name: String,
    /// Last name (required, at most 100 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, example = "Lovelace"))]
    pub last_name: String,
    /// E-mail address, the new customer's login (required, at most 100 characters, unique).
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 100, example = "ada.lovelace@example.com")
    )]
    pub email_address: String,
}

/// One customer suggested while the agent types (`GET /customers/autocomplete`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AutocompleteEntry {
    /// E-mail (the login uid).
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Customer id.
    pub customer_id: String,
    /// Sign-up date, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub date: String,
    /// Codes of the customer's active carts, most recently modified first.
    pub carts: Vec<String>,
}

/// One record of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Record id (grows with time).
    pub id: i64,
    /// When it happened (RFC 3339, UTC).
    pub at: String,
    /// The agent who acted, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    /// The customer concerned (e.g. the emulated customer), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// What happened.
    pub action: AuditAction,
    /// Details: the reason of an emulation start, how an emulation ended, a refused login name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For a change made through the commerce backend: `ok`, or the error type that refused it.
    /// Absent on a change means "attempted, outcome unknown" (the middleware stopped between the
    /// backend call and recording its answer); absent on other records: nothing to report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// How many times it happened, when more than once: identical refusals in a burst (failed
    /// or throttled sign-ins) are one record, from `at` to `lastAt`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<u32>,
    /// When a repeated record last happened (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_at: Option<String>,
}

macro_rules! audit_actions {
    ($($variant:ident = $text:literal: $doc:literal,)*) => {
        /// What an audit record is about (the `action` of `GET /audit`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "kebab-case")]
        pub enum AuditAction {
            $(#[doc = $doc] $variant,)*
        }

        impl AuditAction {
            /// Every action.
            pub const ALL: &'static [AuditAction] = &[$(AuditAction::$variant,)*];

            /// The action as stored and sent, e.g. `emulation-start`.
            pub fn as_str(self) -> &'static str {
                match self { $(AuditAction::$variant => $text,)* }
            }

            /// The action named `text`, if it is one.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(AuditAction::$variant),)* _ => None }
            }
        }
    };
}

audit_actions! {
    SignIn = "sign-in": "An agent signed in.",
    SignInFailed = "sign-in-failed": "A wrong agent id or password.",
    SignInThrottled = "sign-in-throttled": "A sign-in refused because of too many failures.",
    SignInRefusedCustomer = "sign-in-refused-customer": "A customer's credentials were refused.",
    SsoSignIn = "sso-sign-in": "An agent signed in through the identity provider (detail: the provider).",
    SsoSignInFailed = "sso-sign-in-failed": "A sign-in through the identity provider failed (detail: why).",
    SignOut = "sign-out": "An agent signed out.",
    SessionExpired = "session-expired": "An agent session timed out.",
    EmulationStart = "emulation-start": "An emulation started (detail: the reason).",
    EmulationEnd = "emulation-end": "An emulation ended (detail: agent, switched, sign-out, timeout).",
    CartCreate = "cart-create": "A cart was created for the emulated customer.",
    CartEntryAdd = "cart-entry-add": "A product was added to the cart.",
    CartEntryUpdate = "cart-entry-update": "A cart line's quantity changed.",
    CartEntryRemove = "cart-entry-remove": "A cart line was removed.",
    VoucherApply = "voucher-apply": "A voucher was applied to the cart.",
    VoucherRemove = "voucher-remove": "A voucher was removed from the cart.",
    OrderPlace = "order-place": "An order was placed.",
    OrderRefused = "order-refused": "An agent who is not a sales manager tried to place an order.",
    OrderCancel = "order-cancel": "Lines of an order were cancelled (detail: lines and quantities).",
    ReturnCreate = "return-create": "A return request was made (detail: order, lines, reason).",
    ReturnCancel = "return-cancel": "A return request was cancelled.",
    CouponAssign = "coupon-assign": "A customer coupon was assigned.",
    CouponUnassign = "coupon-unassign": "A customer coupon was unassigned.",
    ProfileUpdate = "profile-update": "The customer's profile changed.",
    CartBound = "cart-bound": "An anonymous cart was bound to a customer.",
    CustomerCreated = "customer-created": "An agent created a customer.",
    TicketCreate = "ticket-create": "A support ticket was opened as the customer (detail: id, category).",
    TicketMessage = "ticket-message": "A message was added to a support ticket (detail: id, status change).",
    ReviewCreate = "review-create": "A product review was written as the customer (detail: product, rating).",
    AddressCreate = "address-create": "An address was added to the customer's address book.",
    AddressUpdate = "address-update": "An address of the customer's address book changed (or became the default).",
    AddressDelete = "address-delete": "An address was deleted from the customer's address book.",
    CartSave = "cart-save": "A cart was saved for later (detail: cart, name).",
    CartRestore = "cart-restore": "A saved cart became the customer's active cart again (detail: the cart, and the previous active cart kept as a saved one).",
    CartDelete = "cart-delete": "One of the customer's carts was deleted.",
    ConsentGive = "consent-give": "A consent was given as the customer (detail: the template and version, the consent's code).",
    ConsentWithdraw = "consent-withdraw": "A consent was withdrawn as the customer (detail: the consent's code and template).",
    Customer360Read = "customer360-read": "An agent read a customer's Customer 360° data without emulating them (detail: the fragments).",
}

/// A customer list the agent may see (`customerListId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CustomerListId {
    /// The customers in the store now (`instore`).
    InStore,
    /// The customers picking up an order in the store (`pickup`).
    Pickup,
    /// The customers the signed-in agent emulated (`mysessions`).
    MySessions,
}

impl CustomerListId {
    /// Every list, in display order.
    pub const ALL: [CustomerListId; 3] = [
        CustomerListId::InStore,
        CustomerListId::Pickup,
        CustomerListId::MySessions,
    ];

    /// The id as sent, e.g. `instore`.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerListId::InStore => "instore",
            CustomerListId::Pickup => "pickup",
            CustomerListId::MySessions => "mysessions",
        }
    }

    /// The list named `id`, if it is one.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == id)
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// The records on this page.
    pub entries: Vec<AuditEntry>,
    /// Paging.
    pub pagination: Pagination,
}

/// Request to start emulating a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssistedSessionRequest {
    /// Customer to emulate.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub customer_id: String,
    /// Base site.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, pattern = r"\S"))]
    pub base_site: String,
    /// Optional cart to work with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    /// Why the agent emulates: a ticket id or a short note (required, 1..=500 characters, no
    /// control characters; audited with the emulation start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 500,
            pattern = r"\S",
            example = "Ticket 4711"
        )
    )]
    pub reason: Option<String>,
}

/// Status of an assisted (emulation) session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionStatus {
    /// Emulation in progress.
    Active,
    /// Emulation ended.
    Ended,
}

/// An assisted service session: an agent emulating a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AssistedSession {
    /// Unique session identifier.
    pub session_id: String,
    /// The emulating agent.
    pub agent_id: String,
    /// The emulated customer.
    pub customer_id: String,
    /// The emulated customer's full name.
    pub customer_name: String,
    /// The emulated customer's e-mail.
    pub customer_email: String,
    /// Base site.
    pub base_site: String,
    /// The cart worked with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_id: Option<String>,
    /// Start time, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub created_at: String,
    /// Active or ended.
    pub status: SessionStatus,
}

/// One line of a cart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartEntry {
    /// Product code.
    pub product_code: String,
    /// Product name.
    pub product_name: String,
    /// Quantity.
    pub quantity: u32,
    /// Formatted line total.
    pub total: String,
}

/// A cart with its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartSummary {
    /// Cart code (the "cart number" a customer reads out).
    pub code: String,
    /// Number of items.
    pub total_items: u32,
    /// Formatted total.
    pub total: String,
    /// Last modification, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub modified: String,
    /// The lines.
    #[serde(default)]
    pub entries: Vec<CartEntry>,
}

/// A customer's carts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CartList {
    /// Active carts, most recently modified first.
    pub carts: Vec<CartSummary>,
    /// Saved carts (e.g. replaced by a bound cart), most recently modified first.
    #[serde(default)]
    pub saved_carts: Vec<CartSummary>,
}

/// A customer's town and country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomerAddress {
    /// Town.
    pub town: String,
    /// ISO country code.
    pub country: String,
}

/// The customer's most recent activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct LatestActivity {
    /// `ORDER` or `CART`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What happened, e.g. "Order 30000001 placed".
    pub description: String,
    /// When, RFC 3339.
    pub date: String,
}

/// Header of the customer 360 view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer360Overview {
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Registration date, RFC 3339.
    pub signed_up_date: String,
    /// Town and country.
    pub address: CustomerAddress,
    /// Most recent order or cart change, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_activity: Option<LatestActivity>,
}

/// One order in a summary list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OrderSummary {
    /// Order code.
    pub code: String,
    /// Order status.
    pub status: String,
    /// Formatted total.
    pub total: String,
    /// Placement date, RFC 3339.
    pub placed: String,
}

/// One support ticket in a summary list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TicketSummary {
    /// Ticket id.
    pub id: String,
    /// Subject.
    pub subject: String,
    /// Status.
    pub status: String,
    /// Creation date, RFC 3339.
    pub created: String,
}

/// The seed contract's customer 360 summary (`GET /customers/{customerId}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Customer360Data {
    /// Header data.
    pub overview: Customer360Overview,
    /// Most recent orders first (at most 5).
    pub recent_orders: Vec<OrderSummary>,
    /// Active carts, most recently modified first.
    pub active_carts: Vec<CartSummary>,
    /// Support tickets, most recently updated first.
    pub support_tickets: Vec<TicketSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sso_error_codes_serialise_as_their_codes() {
        for e in SsoError::ALL {
            let json = serde_json::to_string(&e).expect("serialise");
            assert_eq!(json, format!("\"{}\"", e.as_str()));
            assert_eq!(SsoError::parse(e.as_str()), Some(e));
            assert!(!e.message().is_empty());
        }
        assert_eq!(SsoError::parse("NotAnAgent"), None);
        let options = SignInOptions {
            password: true,
            sso: Some(SsoOption {
                label: "Okta".into(),
                start_url: "https://asm.example/asm/agents/sso/start".into(),
            }),
        };
        let json = serde_json::to_value(&options).expect("serialise");
        assert_eq!(
            json["sso"]["startUrl"],
            "https://asm.example/asm/agents/sso/start"
        );
    }

    #[test]
    fn customer_list_ids_serialise_as_their_ids() {
        for list in CustomerListId::ALL {
            let json = serde_json::to_string(&list).expect("serialise");
            assert_eq!(json, format!("\"{}\"", list.as_str()));
            assert_eq!(CustomerListId::parse(list.as_str()), Some(list));
        }
        assert_eq!(CustomerListId::parse("InStore"), None);
    }

    #[test]
    fn audit_actions_serialise_as_their_names() {
        for action in AuditAction::ALL {
            let json = serde_json::to_string(action).expect("serialise");
            assert_eq!(json, format!("\"{}\"", action.as_str()));
            assert_eq!(AuditAction::parse(action.as_str()), Some(*action));
        }
        assert_eq!(AuditAction::parse("nonsense"), None);
    }

    #[test]
    fn error_body_uses_type_field() {
        let body = ErrorList::single(error_type::INVALID_TOKEN, "expired");
        let json = serde_json::to_string(&body).expect("serialise");
        assert_eq!(
            json,
            r#"{"errors":[{"type":"InvalidTokenError","message":"expired"}]}"#
        );
    }

    #[test]
    fn every_error_type_is_listed_once_with_its_meaning() {
        let kinds: Vec<&str> = error_type::ALL.iter().map(|(k, _)| *k).collect();
        for k in [
            error_type::INVALID_TOKEN,
            error_type::CSRF,
            error_type::INTERNAL,
        ] {
            assert!(kinds.contains(&k), "{k}");
        }
        let mut unique = kinds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), kinds.len(), "duplicate error type");
        for (kind, meaning) in error_type::ALL {
            assert!(kind.ends_with("Error"), "{kind}");
            assert!(!meaning.trim().is_empty(), "{kind} has no meaning");
        }
    }

    #[test]
    fn session_status_is_upper_case_as_in_the_seed() {
        let json = serde_json::to_string(&SessionStatus::Active).expect("serialise");
        assert_eq!(json, r#""ACTIVE""#);
    }

    #[test]
    fn search_page_reads_the_seed_shape() {
        let page: CustomerSearchPage = serde_json::from_str(
            r#"{"entries":[{"uid":"a@b.c","name":"A B","customerId":"c1","hasOrder":true}],
                "pagination":{"currentPage":0,"pageSize":20,"totalPages":1,"totalResults":1}}"#,
        )
        .expect("parse");
        assert_eq!(page.entries[0].customer_id, "c1");
        assert_eq!(page.entries[0].last_cart_id, None);
        assert_eq!(page.pagination.total_results, 1);
    }

    #[test]
    fn sales_manager_is_recognised_by_group() {
        let mut agent = Agent {
            uid: "a".into(),
            name: "A".into(),
            email: "a@x".into(),
            groups: vec![AGENT_GROUP.into()],
        };
        assert!(!agent.is_sales_manager());
        agent.groups.push(SALES_MANAGER_GROUP.into());
        assert!(agent.is_sales_manager());
    }
}
