//! SAP Commerce Cloud as the commerce backend (`--commerce sapcc`): every operation of the
//! `Commerce` port mapped to `assistedservicewebservices` or OCC (`/occ/v2/{site}/users/{userId}/…`)
//! with the agent's token and the customer in `{userId}`, as SAP-CONTRACT.md describes.
//!
//! The agent's tokens never leave the middleware: sealed in the session store, opened per
//! request ([`Commerce::for_agent`]). An expired access token (401 `InvalidTokenError` /
//! `InvalidBearerTokenError`) is refreshed once — one refresh for all requests of the session
//! failing at once, across instances too, since the store holds the current tokens — and the
//! request retried once; when the refresh is refused the agent's session ends with a clear
//! message. Every call has a timeout; SAP down, slow or answering garbage is "SAP Commerce did
//! not answer / answered something unexpected" (503, retry), never a panic.

pub mod addresses;
pub mod c360;
pub mod consents;
pub mod guest;
pub mod http;
pub mod pkce;
pub mod support;
pub mod tokens;
pub mod wire;

use crate::ports::commerce::MAX_QUANTITY;
use crate::ports::{
    AgentContext, AppliedBy, Change, Commerce, Credentials, Customer360Query, CustomerStatus,
    DomainError, DomainResult, ListFilter, NewCustomer, NewTicket, NewTicketEvent, ProfileChange,
    SaveCart, SearchRequest, SessionStore, Timeouts, TokenGrant,
};
use asm_types::{
    error_type, Address, AddressInput, AddressList, Agent, AutocompleteEntry, Cart, CartList,
    CartSummary, Carts, ConsentInput, ConsentTemplate, ConsentTemplateList, Customer360Data,
    Customer360Response, CustomerCoupon, CustomerCouponList, CustomerListId, CustomerProfile,
    CustomerSearchEntry, CustomerSearchPage, CustomerSort, EntryQuantity, Order, OrderHistory,
    Pagination, Product, ProductList, ReturnRequest, ReturnRequestList, Review, ReviewInput,
    ReviewList, SortOption, Ticket, TicketCategoryList, TicketEvent, TicketList, AGENT_GROUP,
    SALES_MANAGER_GROUP,
};
use async_trait::async_trait;
use http::{Answer, Http};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokens::{Grant, OAuthClient, Sealer};
use wire::{CartListAnswer, SapCart, User};

/// How agents sign in at SAP's authorization server (§2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SapAuth {
    /// The password grant (SAP Commerce ≤ 2211.4x).
    Password,
    /// Authorization code + PKCE through SAP's hosted sign-in page (2211-jdk21).
    Pkce,
}

/// Settings of the SAP adapter.
#[derive(Clone, Debug)]
pub struct SapConfig {
    /// `https://host` of the API (no trailing slash).
    pub url: String,
    /// The middleware's OAuth client.
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// Base site, e.g. `electronics-spa`.
    pub base_site: String,
    /// How agents sign in.
    pub auth: SapAuth,
    /// Timeout of every call.
    pub timeout: Duration,
    /// Agents (uids) who are sales managers and may place orders; SAP keeps group membership
    /// out of its tokens and answers.
    pub sales_managers: Vec<String>,
    /// The session timeouts (to end a session whose SAP tokens expired).
    pub timeouts: Timeouts,
}

/// Refresh this long before the access token expires (SAP keeps expired tokens working a
/// little, but refreshing late costs a failed call).
const REFRESH_AHEAD_MS: i64 = 30_000;

/// OCC's user id of guest carts.
const ANONYMOUS: &str = "anonymous";

/// How a session ends when SAP refuses to refresh its tokens.
const EXPIRED_END: &str = "backend-expired";

/// What the agent reads when SAP ended their session.
const EXPIRED_MESSAGE: &str =
    "Your customer support agent session is expired at SAP Commerce. Please sign in again.";

struct Shared {
    config: SapConfig,
    http: Http,
    oauth: OAuthClient,
    sealer: Sealer,
    store: Arc<dyn SessionStore>,
    /// One lock per agent session while its tokens are refreshed (single flight).
    refreshing: std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// The signed-in agent the adapter acts for.
struct AgentSession {
    session: String,
    agent: Agent,
    grant: tokio::sync::Mutex<Option<TokenGrant>>,
}

/// The SAP Commerce backend; [`Commerce::for_agent`] gives the one acting for an agent.
#[derive(Clone)]
pub struct SapCommerce {
    shared: Arc<Shared>,
    agent: Option<Arc<AgentSession>>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A path segment, percent-encoded.
fn seg(s: &str) -> String {
    urlencoding::encode(s).into_owned()
}

/// SAP's code of one of our customer lists.
pub fn sap_list(list: CustomerListId) -> Option<&'static str> {
    match list {
        CustomerListId::InStore => Some("instoreCustomers"),
        CustomerListId::Pickup => Some("bopisCustomers"),
        CustomerListId::MySessions => None,
    }
}

impl SapCommerce {
    /// The adapter with `key` sealing tokens in `store`; its calls are timed in `metrics`.
    pub fn new(
        config: SapConfig,
        key: [u8; 32],
        store: Arc<dyn SessionStore>,
        metrics: Option<Arc<crate::metrics::Metrics>>,
    ) -> Result<Self, String> {
        let http = Http::new(config.timeout, metrics)?;
        let url = config.url.trim_end_matches('/').to_owned();
        let oauth = OAuthClient {
            base: format!("{url}/authorizationserver"),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                config: SapConfig { url, ..config },
                http,
                oauth,
                sealer: Sealer::new(key),
                store,
                refreshing: std::sync::Mutex::new(HashMap::new()),
            }),
            agent: None,
        })
    }

    fn config(&self) -> &SapConfig {
        &self.shared.config
    }

    fn client(&self) -> &Client {
        self.shared.http.client()
    }

    /// `{host}/assistedservicewebservices{path}`.
    fn asm(&self, path: &str) -> String {
        format!("{}/assistedservicewebservices{path}", self.config().url)
    }

    /// `{host}/occ/v2/{site}{path}`.
    fn occ(&self, path: &str) -> String {
        format!(
            "{}/occ/v2/{}{path}",
            self.config().url,
            seg(&self.config().base_site)
        )
    }

    /// `{host}/occ/v2/{site}/users/{user}{path}`.
    fn user(&self, user: &str, path: &str) -> String {
        self.occ(&format!("/users/{}{path}", seg(user)))
    }

    fn site(&self) -> [(&'static str, String); 1] {
        [("baseSite", self.config().base_site.clone())]
    }

    fn session(&self) -> DomainResult<&Arc<AgentSession>> {
        self.agent.as_ref().ok_or(DomainError::SignedOut)
    }

    /// The agent's access token, refreshed first when it is about to expire.
    async fn token(&self) -> DomainResult<String> {
        let a = self.session()?;
        let grant = a.grant.lock().await.clone();
        let Some(grant) = grant else {
            return Err(self.expire().await);
        };
        if grant.expires_at - now_ms() < REFRESH_AHEAD_MS && grant.refresh_token.is_some() {
            return self.refreshed(&grant.access_token).await;
        }
        Ok(grant.access_token)
    }

    /// A fresh access token after `stale` failed: another request (here or on another
    /// instance) may have refreshed it already — then that one — else one refresh.
    async fn refreshed(&self, stale: &str) -> DomainResult<String> {
        let a = self.session()?;
        let lock = {
            let mut map = self
                .shared
                .refreshing
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            map.retain(|_, l| Arc::strong_count(l) > 1);
            map.entry(a.session.clone()).or_default().clone()
        };
        let _flight = lock.lock().await;
        let stored = self
            .shared
            .store
            .agent_session(&a.session)
            .await?
            .ok_or(DomainError::SignedOut)?;
        let Some(current) = stored
            .backend_tokens
            .as_deref()
            .and_then(|t| self.shared.sealer.open(t))
        else {
            return Err(self.expire().await);
        };
        if current.access_token != stale {
            let token = current.access_token.clone();
            *a.grant.lock().await = Some(current);
            return Ok(token);
        }
        let Some(refresh) = current.refresh_token.clone() else {
            return Err(self.expire().await);
        };
        let grant = self
            .shared
            .oauth
            .token(
                &self.shared.http,
                "refresh_token",
                &[("refresh_token", refresh.as_str())],
                now_ms(),
            )
            .await?;
        match grant {
            Grant::Granted(mut fresh) => {
                // Without a new refresh token the old one stays (§2.1).
                if fresh.refresh_token.is_none() {
                    fresh.refresh_token = Some(refresh);
                }
                let sealed = self.shared.sealer.seal(&fresh)?;
                self.shared
                    .store
                    .set_backend_tokens(&a.session, Some(&sealed))
                    .await?;
                let token = fresh.access_token.clone();
                *a.grant.lock().await = Some(fresh);
                Ok(token)
            }
            Grant::Refused(_) | Grant::Unsupported => Err(self.expire().await),
        }
    }

    /// Ends the agent's session because SAP will not take its tokens any more.
    async fn expire(&self) -> DomainError {
        if let Some(a) = &self.agent {
            if let Err(e) = self
                .shared
                .store
                .end_agent_session(&a.session, now_ms(), EXPIRED_END, self.config().timeouts)
                .await
            {
                tracing::error!(error = %e, "cannot end the expired session");
            }
        }
        DomainError::refused(error_type::INVALID_TOKEN, EXPIRED_MESSAGE)
    }

    /// Sends a request built by `build` with the agent's bearer; on an expired token refreshes
    /// once and retries once (§2.3). Any status comes back; transport failures are errors.
    async fn call<F>(&self, build: F) -> DomainResult<Answer>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        let token = self.token().await?;
        let answer = self
            .shared
            .http
            .send(build(self.client()).bearer_auth(&token))
            .await?;
        if !answer.token_expired() {
            return Ok(answer);
        }
        let fresh = self.refreshed(&token).await?;
        let retried = self
            .shared
            .http
            .send(build(self.client()).bearer_auth(&fresh))
            .await?;
        if retried.token_expired() {
            return Err(self.expire().await);
        }
        Ok(retried)
    }

    /// [`Self::call`] for a customer; for OCC's `anonymous` user (guest carts) without a bearer,
    /// as SAP takes guest-cart calls without one (§4, guest carts by guid).
    async fn call_as<F>(&self, user: &str, build: F) -> DomainResult<Answer>
    where
        F: Fn(&Client) -> RequestBuilder,
    {
        if user == ANONYMOUS {
            return self.shared.http.send(build(self.client())).await;
        }
        self.call(build).await
    }

    /// A GET answered with JSON `T`.
    async fn get<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> DomainResult<T> {
        self.call(|c| c.get(url).query(query)).await?.json()
    }

    /// A customer (`GET /users/{id}`, by customerId or uid); `None` when SAP knows no such user.
    async fn find_user(&self, id: &str) -> DomainResult<Option<User>> {
        let answer = self.call(|c| c.get(self.user(id, ""))).await?;
        if answer.status.is_success() {
            return answer.json().map(Some);
        }
        match answer.error() {
            e if e.kind() == error_type::NOT_FOUND => Ok(None),
            // SAP answers an unknown id in the path with 400 UnknownIdentifierError (mapped to
            // NotFound) or, for some versions, a plain 400 ValidationError naming the user.
            DomainError::Refused { kind, .. }
                if kind == error_type::VALIDATION && answer.status == StatusCode::BAD_REQUEST =>
            {
                Ok(None)
            }
            e => Err(e),
        }
    }

    async fn user_or_404(&self, id: &str) -> DomainResult<User> {
        self.find_user(id)
            .await?
            .ok_or_else(|| DomainError::not_found("Customer"))
    }

    async fn cart_list(&self, user: &str) -> DomainResult<CartListAnswer> {
        self.get(&self.user(user, "/carts"), &[("fields", "FULL".to_owned())])
            .await
    }

    async fn sap_cart(&self, user: &str, cart: &str) -> DomainResult<SapCart> {
        let url = self.user(user, &format!("/carts/{}", seg(cart)));
        self.call_as(user, |c| c.get(&url).query(&[("fields", "FULL")]))
            .await?
            .json()
    }

    /// A write's answer checked, then the cart read back.
    async fn cart_after(&self, answer: Answer, user: &str, cart: &str) -> DomainResult<Cart> {
        answer.ok()?;
        Ok(self.sap_cart(user, cart).await?.ours())
    }

    /// The agent `uid` as the middleware knows them: SAP answers nothing about the agent
    /// (`/users/current` is for customers only, roles are not in the tokens), so the name is
    /// the uid and sales managers come from the configuration.
    fn agent_of(&self, uid: &str) -> Agent {
        let mut groups = vec![AGENT_GROUP.to_owned()];
        if self.config().sales_managers.iter().any(|m| m == uid) {
            groups.push(SALES_MANAGER_GROUP.to_owned());
        }
        Agent {
            uid: uid.to_owned(),
            name: uid.to_owned(),
            email: uid.to_owned(),
            groups,
        }
    }

    /// The agent behind freshly granted tokens for `uid`, or `None` when the user is no agent
    /// (SAP answers 403 on the ASM endpoints; the tokens are then revoked).
    pub(crate) async fn agent_for_grant(
        &self,
        grant: &TokenGrant,
        uid: &str,
    ) -> DomainResult<Option<Agent>> {
        let http = &self.shared.http;
        let lists = http
            .send(
                self.client()
                    .get(self.asm("/customerlists"))
                    .query(&self.site())
                    .bearer_auth(&grant.access_token),
            )
            .await?;
        if lists.status == StatusCode::FORBIDDEN {
            self.shared.oauth.revoke(http, grant).await;
            return Ok(None);
        }
        lists.ok()?;
        Ok(Some(self.agent_of(uid)))
    }

    fn sort_code(sort: CustomerSort) -> Option<&'static str> {
        match sort {
            CustomerSort::BySessionDateDesc => None,
            other => Some(other.code()),
        }
    }

    /// The emulated customers (`mysessions`): our own list, each looked up at SAP.
    async fn emulated_page(
        &self,
        emulated: Vec<(String, i64)>,
        request: &SearchRequest,
    ) -> DomainResult<CustomerSearchPage> {
        let mut users = Vec::new();
        for (id, started) in emulated {
            if let Some(u) = self.find_user(&id).await? {
                let q = request.query.as_str();
                if q.is_empty()
                    || u.uid.to_lowercase().contains(q)
                    || u.full_name().to_lowercase().contains(q)
                {
                    users.push((u, started));
                }
            }
        }
        let sort = request.sort.unwrap_or(CustomerSort::BySessionDateDesc);
        match sort {
            CustomerSort::ByNameAsc => users.sort_by_key(|(u, _)| u.full_name().to_lowercase()),
            CustomerSort::ByNameDesc => {
                users.sort_by_key(|(u, _)| std::cmp::Reverse(u.full_name().to_lowercase()))
            }
            CustomerSort::ByUidAsc => users.sort_by_key(|(u, _)| u.uid.to_lowercase()),
            CustomerSort::ByUidDesc => {
                users.sort_by_key(|(u, _)| std::cmp::Reverse(u.uid.to_lowercase()))
            }
            _ => users.sort_by_key(|(_, started)| std::cmp::Reverse(*started)),
        }
        let size = request.page_size.max(1);
        let total = users.len() as u64;
        let entries = users
            .into_iter()
            .skip((request.current_page as usize).saturating_mul(size as usize))
            .take(size as usize)
            .map(|(u, _)| u.search_entry())
            .collect();
        let sorts = [
            CustomerSort::BySessionDateDesc,
            CustomerSort::ByNameAsc,
            CustomerSort::ByNameDesc,
            CustomerSort::ByUidAsc,
            CustomerSort::ByUidDesc,
        ]
        .into_iter()
        .map(|s| SortOption {
            code: s.code().to_owned(),
            name: s.label().to_owned(),
            selected: s == sort,
        })
        .collect();
        Ok(CustomerSearchPage {
            entries,
            pagination: Pagination {
                current_page: request.current_page,
                page_size: size,
                total_pages: u32::try_from(total.div_ceil(u64::from(size))).unwrap_or(u32::MAX),
                total_results: total,
                sort: Some(sort.code().to_owned()),
                total_is_lower_bound: false,
            },
            sorts,
        })
    }

    /// The customer's coupons: assigned ones (OCC) and those that may be assigned (Customer 360).
    async fn coupon_list(&self, user: &str) -> DomainResult<Vec<CustomerCoupon>> {
        let assigned: wire::CouponsAnswer = self
            .get(
                &self.user(user, "/customercoupons"),
                &[
                    ("pageSize", "100".to_owned()),
                    ("sort", "startDate:asc".to_owned()),
                ],
            )
            .await?;
        let available = c360::assignable_coupons(self, user).await?;
        let mut coupons: Vec<CustomerCoupon> = assigned
            .coupons
            .into_iter()
            .map(|c| coupon(c, true))
            .collect();
        for c in available {
            if !coupons.iter().any(|a| a.code == c.code) {
                coupons.push(c);
            }
        }
        Ok(coupons)
    }
}

/// Ours of one of SAP's customer coupons.
fn coupon(c: wire::SapCoupon, assigned: bool) -> CustomerCoupon {
    CustomerCoupon {
        name: c.name.unwrap_or_else(|| c.coupon_id.clone()),
        description: c.description.unwrap_or_default(),
        percent: None,
        start_date: c.start_date.as_deref().map(wire::date),
        end_date: c.end_date.as_deref().map(wire::date),
        assigned,
        code: c.coupon_id,
    }
}

fn change<T>(value: T, detail: String) -> Change<T> {
    Change { value, detail }
}

#[async_trait]
impl Commerce for SapCommerce {
    fn for_agent(&self, agent: &AgentContext) -> Option<Arc<dyn Commerce>> {
        let grant = agent
            .backend_tokens
            .as_deref()
            .and_then(|t| self.shared.sealer.open(t));
        Some(Arc::new(SapCommerce {
            shared: self.shared.clone(),
            agent: Some(Arc::new(AgentSession {
                session: agent.session.clone(),
                agent: agent.agent.clone(),
                grant: tokio::sync::Mutex::new(grant),
            })),
        }))
    }

    async fn sign_out(&self, backend_tokens: &str) {
        if let Some(grant) = self.shared.sealer.open(backend_tokens) {
            self.shared.oauth.revoke(&self.shared.http, &grant).await;
        }
    }

    fn shares_grant(&self, sealed: &str, other: &str) -> bool {
        let open = |s| self.shared.sealer.open(s);
        match (open(sealed), open(other)) {
            (Some(a), Some(b)) => {
                a.access_token == b.access_token
                    || (a.refresh_token.is_some() && a.refresh_token == b.refresh_token)
            }
            _ => false,
        }
    }

    fn seal_tokens(&self, tokens: &TokenGrant) -> DomainResult<String> {
        self.shared.sealer.seal(tokens)
    }

    async fn ping(&self) -> DomainResult<()> {
        // Any answer of SAP's own (a 401 without a token) says it is up.
        let answer = self
            .shared
            .http
            .send(
                self.client()
                    .get(self.asm("/customerlists"))
                    .query(&self.site()),
            )
            .await?;
        if answer.status.is_server_error() {
            return Err(answer.error());
        }
        Ok(())
    }

    async fn authenticate(&self, username: &str, password: &str) -> DomainResult<Credentials> {
        if self.config().auth == SapAuth::Pkce {
            return Err(DomainError::refused(
                error_type::VALIDATION,
                "This SAP Commerce signs agents in on its own sign-in page: use the sign-in button.",
            )
            .with_subject("password"));
        }
        let grant = self
            .shared
            .oauth
            .token(
                &self.shared.http,
                "password",
                &[("username", username), ("password", password)],
                now_ms(),
            )
            .await?;
        let grant = match grant {
            Grant::Granted(g) => g,
            // SAP does not say whether the user exists.
            Grant::Refused(_) => return Ok(Credentials::Unknown),
            Grant::Unsupported => {
                return Err(DomainError::refused(
                    error_type::VALIDATION,
                    "SAP Commerce does not take passwords here (it signs agents in on its own \
                     sign-in page); ask the operator to set --sapcc-auth pkce.",
                )
                .with_subject("password"))
            }
        };
        // SAP's user ids are case-insensitive; it keeps them lower-case.
        let uid = username.trim().to_lowercase();
        Ok(match self.agent_for_grant(&grant, &uid).await? {
            Some(agent) => Credentials::Agent(agent, Some(grant)),
            None => Credentials::Customer,
        })
    }

    async fn agent(&self, uid: &str) -> DomainResult<Option<Agent>> {
        // SAP shows an agent only themself.
        Ok(self
            .agent
            .as_ref()
            .filter(|a| a.agent.uid == uid)
            .map(|a| a.agent.clone()))
    }

    async fn search(&self, request: SearchRequest) -> DomainResult<CustomerSearchPage> {
        if let Some(ListFilter::Emulated(emulated)) = &request.list {
            return self.emulated_page(emulated.clone(), &request).await;
        }
        if request.cart_id.is_some() && request.order_id.is_none() {
            // §3.1: SAP's customer search knows no cart parameter.
            return Err(DomainError::invalid(
                "cartId",
                "SAP Commerce cannot find a customer by cart number. Search by name, e-mail or order number.",
            ));
        }
        let mut query: Vec<(&str, String)> = self.site().to_vec();
        query.push(("pageSize", request.page_size.max(1).to_string()));
        query.push(("currentPage", request.current_page.to_string()));
        if let Some(order) = &request.order_id {
            query.push(("orderId", order.clone()));
        }
        if !request.query.is_empty() {
            query.push(("query", request.query.clone()));
        }
        if let Some(ListFilter::Stored(list)) = &request.list {
            if let Some(id) = sap_list(*list) {
                query.push(("customerListId", id.to_owned()));
            }
        }
        match request.sort.and_then(Self::sort_code) {
            Some(code) => query.push(("sort", code.to_owned())),
            // As Spartacus: a plain search sorts by name; a list keeps SAP's default.
            None if request.list.is_none() => query.push(("sort", "byNameAsc".to_owned())),
            None => {}
        }
        let answer = self
            .call(|c| c.get(self.asm("/customers/search")).query(&query))
            .await?;
        if let Some(order) = &request.order_id {
            // §3.1: an unknown order is a 400 whose message contains "Wrong orderId".
            if answer.status == StatusCode::BAD_REQUEST
                && answer
                    .sap_error()
                    .is_some_and(|e| e.message.contains("Wrong orderId"))
            {
                return Err(DomainError::invalid("orderId", "No order has this code."));
            }
            let mut page: wire::SearchPage = answer.json()?;
            let mut out = search_page(std::mem::take(&mut page));
            for e in &mut out.entries {
                e.order_id = Some(order.clone());
            }
            return Ok(out);
        }
        Ok(search_page(answer.json()?))
    }

    async fn autocomplete(&self, query: &str, limit: u32) -> DomainResult<Vec<AutocompleteEntry>> {
        let mut q: Vec<(&str, String)> = self.site().to_vec();
        q.push(("customerQuery", query.to_owned()));
        let suggestions: Vec<wire::Suggestion> =
            self.get(&self.asm("/customers/autocomplete"), &q).await?;
        Ok(suggestions
            .into_iter()
            .take(limit as usize)
            .map(|s| AutocompleteEntry {
                // SAP's suggestions have no customerId; OCC takes the uid (e-mail) in its place.
                customer_id: s.email.clone(),
                email: s.email,
                full_name: s.full_name,
                date: s.date.as_deref().map(wire::date).unwrap_or_default(),
                carts: s.carts,
            })
            .collect())
    }

    async fn list_members_count(&self, list: CustomerListId) -> DomainResult<u64> {
        let Some(id) = sap_list(list) else {
            return Ok(0);
        };
        let mut q: Vec<(&str, String)> = self.site().to_vec();
        q.push(("customerListId", id.to_owned()));
        q.push(("pageSize", "1".to_owned()));
        let page: wire::SearchPage = self.get(&self.asm("/customers/search"), &q).await?;
        Ok(u64::try_from(page.pagination.total_results).unwrap_or(0))
    }

    async fn customer_status(&self, customer_id: &str) -> DomainResult<Option<CustomerStatus>> {
        if let Some(me) = self.agent.as_ref().filter(|a| a.agent.uid == customer_id) {
            return Ok(Some(CustomerStatus {
                name: me.agent.name.clone(),
                email: me.agent.email.clone(),
                is_agent: true,
                disabled: false,
                consent: true,
            }));
        }
        let Some(user) = self.find_user(customer_id).await? else {
            return Ok(None);
        };
        // SAP's customer search finds customers only: an id it does not list is an agent or
        // an employee. (SAP has no consent to assisted service: everyone may be served.)
        let mut q: Vec<(&str, String)> = self.site().to_vec();
        q.push(("query", user.uid.clone()));
        q.push(("pageSize", "20".to_owned()));
        let page: wire::SearchPage = self.get(&self.asm("/customers/search"), &q).await?;
        let is_customer = page.entries.iter().any(|e| e.uid == user.uid);
        Ok(Some(CustomerStatus {
            name: user.full_name(),
            email: user.uid.clone(),
            is_agent: !is_customer,
            disabled: user.deactivation_date.is_some(),
            consent: true,
        }))
    }

    async fn cart_owner(&self, cart_id: &str) -> DomainResult<Option<Option<String>>> {
        // SAP tells a cart's owner only through the owner's path; see `owns_cart`.
        let _ = cart_id;
        Ok(None)
    }

    async fn owns_cart(&self, customer_id: &str, cart_id: &str) -> DomainResult<bool> {
        let answer = self
            .call(|c| c.get(self.user(customer_id, &format!("/carts/{}", seg(cart_id)))))
            .await?;
        if answer.status.is_success() {
            return Ok(true);
        }
        match answer.error() {
            e if e.kind() == error_type::NOT_FOUND || e.kind() == error_type::VALIDATION => {
                Ok(false)
            }
            e => Err(e),
        }
    }

    async fn active_cart(&self, customer_id: &str) -> DomainResult<Option<String>> {
        Ok(self
            .cart_list(customer_id)
            .await?
            .current()
            .map(|c| c.code.clone()))
    }

    async fn customer_summary(&self, customer_id: &str) -> DomainResult<Customer360Data> {
        c360::summary(self, customer_id).await
    }

    async fn customer_carts(&self, customer_id: &str) -> DomainResult<CartList> {
        self.user_or_404(customer_id).await?;
        let list = self.cart_list(customer_id).await?;
        let (saved, active): (Vec<&SapCart>, Vec<&SapCart>) =
            list.carts.iter().partition(|c| c.is_saved());
        Ok(CartList {
            carts: active.into_iter().map(SapCart::summary).collect(),
            saved_carts: saved.into_iter().map(SapCart::summary).collect(),
        })
    }

    async fn customer360(
        &self,
        customer_id: &str,
        queries: Vec<Customer360Query>,
        now: i64,
    ) -> DomainResult<Customer360Response> {
        let _ = now;
        c360::fragments(self, customer_id, queries).await
    }

    async fn create_customer(
        &self,
        new: NewCustomer,
        customer_id: &str,
        now: i64,
    ) -> DomainResult<CustomerSearchEntry> {
        // SAP assigns the customer's id itself.
        let _ = (customer_id, now);
        let body = json!({
            "firstName": new.first_name,
            "lastName": new.last_name,
            "emailAddress": new.email,
        });
        let answer = self
            .call(|c| {
                c.post(self.asm("/customers"))
                    .query(&self.site())
                    .json(&body)
            })
            .await?;
        let user: User = answer.json().map_err(|e| {
            if e.kind() == error_type::DUPLICATE_EMAIL {
                // SAP says only "Duplicate User id" (§3.6): tell the agent which e-mail is taken,
                // as Spartacus does.
                DomainError::refused(
                    error_type::DUPLICATE_EMAIL,
                    format!(
                        "Enter a different email address as {} already exists.",
                        new.email.trim()
                    ),
                )
                .with_subject("emailAddress")
            } else {
                e
            }
        })?;
        Ok(user.search_entry())
    }

    async fn bind_cart(
        &self,
        customer_id: &str,
        cart_id: &str,
        replace: bool,
        now: i64,
    ) -> DomainResult<Change<CartSummary>> {
        let _ = now;
        // bind-cart takes the uid (§3.5).
        let user = self.user_or_404(customer_id).await?;
        let carts = self.cart_list(customer_id).await?;
        // One of the customer's own carts (her active or a saved one) is not anonymous: refused
        // before the replace question, which would otherwise be asked about a cart SAP refuses.
        if carts.carts.iter().any(|c| c.code == cart_id) {
            return Err(DomainError::refused(
                error_type::CART_NOT_ANONYMOUS,
                "This cart already belongs to this customer.",
            )
            .with_subject("cartId"));
        }
        let previous = carts
            .current()
            .filter(|c| !c.entries.is_empty() && c.code != cart_id)
            .map(|c| c.code.clone());
        if let (Some(code), false) = (&previous, replace) {
            return Err(DomainError::refused(
                error_type::CART_CONFLICT,
                "The customer's active cart has items. Replace it (it is kept as a saved cart) or cancel.",
            )
            .with_subject(code.clone()));
        }
        let form = [("cartId", cart_id), ("customerId", user.uid.as_str())];
        let answer = self
            .call(|c| {
                c.post(self.asm("/bind-cart"))
                    .query(&self.site())
                    .form(&form)
            })
            .await?;
        if answer.status == StatusCode::BAD_REQUEST {
            let message = answer.sap_error().map(|e| e.message).unwrap_or_default();
            return Err(DomainError::refused(
                error_type::CART_NOT_ANONYMOUS,
                if message.is_empty() {
                    "SAP Commerce refused to bind this cart.".to_owned()
                } else {
                    format!("SAP Commerce refused to bind this cart: {message}")
                },
            )
            .with_subject("cartId"));
        }
        answer.ok()?;
        let mut detail = format!("cart {cart_id} bound to {}", user.uid);
        if let Some(old) = previous {
            // Spartacus's replace flow: the previous active cart becomes a saved cart.
            let save = self
                .call(|c| {
                    c.patch(self.user(customer_id, &format!("/carts/{}/save", seg(&old))))
                        .query(&[("saveCartName", old.as_str()), ("saveCartDescription", "-")])
                })
                .await?;
            save.ok()?;
            detail.push_str(&format!("; cart {old} kept as a saved cart"));
        }
        let cart = self.sap_cart(customer_id, cart_id).await?;
        Ok(change(cart.summary(), detail))
    }

    async fn products(&self) -> DomainResult<ProductList> {
        // The catalogue needs no agent.
        let answer = self
            .shared
            .http
            .send(
                self.client()
                    .get(self.occ("/products/search"))
                    .query(&[("pageSize", "100"), ("fields", "FULL")]),
            )
            .await?;
        let page: wire::ProductPage = answer.json()?;
        Ok(ProductList {
            products: page
                .products
                .into_iter()
                .filter_map(|p| {
                    Some(Product {
                        name: p.name.clone().unwrap_or_else(|| p.code.clone()),
                        price: p.price.as_ref()?.ours(),
                        code: p.code,
                    })
                })
                .collect(),
        })
    }

    async fn carts(&self, user: &str) -> DomainResult<Carts> {
        let list = self.cart_list(user).await?;
        let mut carts: Vec<Cart> = list.carts.iter().map(SapCart::ours).collect();
        carts.sort_by_key(|c| c.status != asm_types::CartStatus::Active);
        Ok(Carts { carts })
    }

    async fn current_cart(&self, user: &str, now: i64) -> DomainResult<Change<(bool, Cart)>> {
        let _ = now;
        if let Some(cart) = self.cart_list(user).await?.current() {
            let detail = format!("cart {}: the current cart", cart.code);
            return Ok(change((false, cart.ours()), detail));
        }
        let answer = self
            .call(|c| {
                c.post(self.user(user, "/carts"))
                    .query(&[("fields", "FULL")])
                    .json(&json!({}))
            })
            .await?;
        let cart: SapCart = answer.json()?;
        let detail = format!("cart {}: created", cart.code);
        Ok(change((true, cart.ours()), detail))
    }

    async fn cart(&self, user: &str, cart_id: &str) -> DomainResult<Cart> {
        Ok(self.sap_cart(user, cart_id).await?.ours())
    }

    async fn save_cart(
        &self,
        user: &str,
        cart_id: &str,
        save: SaveCart,
        _now: i64,
    ) -> DomainResult<Change<Cart>> {
        // SAP's form (Spartacus sends a "-" for no description).
        let description = if save.description.is_empty() {
            "-"
        } else {
            save.description.as_str()
        };
        let query = [
            ("saveCartName", save.name.as_str()),
            ("saveCartDescription", description),
        ];
        let answer = self
            .call_as(user, |c| {
                c.patch(self.user(user, &format!("/carts/{}/save", seg(cart_id))))
                    .query(&query)
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        let detail = format!("cart {cart_id} saved as \"{}\"", save.name);
        Ok(change(cart, detail))
    }

    async fn restore_cart(
        &self,
        user: &str,
        cart_id: &str,
        _now: i64,
    ) -> DomainResult<Change<Cart>> {
        let mut detail = format!("cart {cart_id} restored");
        // Spartacus's restore flow: the current cart, when it has items, is saved first.
        let list = self.cart_list(user).await?;
        if let Some(current) = list
            .current()
            .filter(|c| !c.entries.is_empty() && c.code != cart_id)
        {
            let code = current.code.clone();
            let query = [
                ("saveCartName", code.as_str()),
                ("saveCartDescription", "-"),
            ];
            self.call_as(user, |c| {
                c.patch(self.user(user, &format!("/carts/{}/save", seg(&code))))
                    .query(&query)
            })
            .await?
            .ok()?;
            detail.push_str(&format!("; cart {code} kept as a saved cart"));
        }
        let answer = self
            .call_as(user, |c| {
                c.patch(self.user(user, &format!("/carts/{}/restoresavedcart", seg(cart_id))))
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        Ok(change(cart, detail))
    }

    async fn delete_cart(&self, user: &str, cart_id: &str) -> DomainResult<Change<()>> {
        self.call_as(user, |c| {
            c.delete(self.user(user, &format!("/carts/{}", seg(cart_id))))
        })
        .await?
        .ok()?;
        Ok(change((), format!("cart {cart_id} deleted")))
    }

    async fn add_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        _now: i64,
    ) -> DomainResult<Change<Cart>> {
        let cart = self.sap_cart(user, cart_id).await?;
        let existing = cart.entries.iter().find(|e| e.product.code == product);
        let had = existing.map_or(0, |e| wire::clamp_u32(e.quantity));
        let wanted = had.saturating_add(quantity).min(MAX_QUANTITY);
        let answer = match existing {
            Some(e) => {
                let n = e.entry_number;
                self.call_as(user, |c| {
                    c.patch(self.user(user, &format!("/carts/{}/entries/{n}", seg(cart_id))))
                        .json(&json!({ "quantity": wanted }))
                })
                .await?
            }
            None => {
                self.call_as(user, |c| {
                    c.post(self.user(user, &format!("/carts/{}/entries", seg(cart_id))))
                        .json(&json!({ "quantity": wanted, "product": { "code": product } }))
                })
                .await?
            }
        };
        let modification: wire::CartModification = if answer.body.is_empty() {
            wire::CartModification::default()
        } else {
            answer.json()?
        };
        // A 200 from add does not mean success (§4.3): read the status.
        if modification.quantity_added == Some(0)
            && modification
                .status_code
                .as_deref()
                .is_some_and(|s| s != "success")
        {
            return Err(DomainError::refused(
                error_type::VALIDATION,
                modification
                    .status_message
                    .unwrap_or_else(|| "SAP Commerce added nothing to the cart.".to_owned()),
            )
            .with_subject("productCode"));
        }
        let cart = self.sap_cart(user, cart_id).await?.ours();
        let detail = format!("cart {cart_id}: {product} now {wanted}");
        Ok(change(cart, detail))
    }

    async fn update_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        quantity: u32,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        if quantity == 0 {
            return self.remove_entry(user, cart_id, product, now).await;
        }
        let cart = self.sap_cart(user, cart_id).await?;
        let n = entry_number(&cart, product)?;
        let quantity = quantity.min(MAX_QUANTITY);
        let answer = self
            .call_as(user, |c| {
                c.patch(self.user(user, &format!("/carts/{}/entries/{n}", seg(cart_id))))
                    .json(&json!({ "quantity": quantity }))
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        Ok(change(
            cart,
            format!("cart {cart_id}: {product} set to {quantity}"),
        ))
    }

    async fn remove_entry(
        &self,
        user: &str,
        cart_id: &str,
        product: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let _ = now;
        let cart = self.sap_cart(user, cart_id).await?;
        let n = entry_number(&cart, product)?;
        let answer = self
            .call_as(user, |c| {
                c.delete(self.user(user, &format!("/carts/{}/entries/{n}", seg(cart_id))))
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        Ok(change(cart, format!("cart {cart_id}: removed {product}")))
    }

    async fn apply_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        _by: Option<AppliedBy<'_>>,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let _ = now;
        let answer = self
            .call(|c| {
                c.post(self.user(user, &format!("/carts/{}/vouchers", seg(cart_id))))
                    .query(&[("voucherId", code)])
                    .json(&json!({}))
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        Ok(change(cart, format!("cart {cart_id}: applied {code}")))
    }

    async fn remove_voucher(
        &self,
        user: &str,
        cart_id: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<Cart>> {
        let _ = now;
        let answer = self
            .call(|c| {
                c.delete(self.user(
                    user,
                    &format!("/carts/{}/vouchers/{}", seg(cart_id), seg(code)),
                ))
            })
            .await?;
        let cart = self.cart_after(answer, user, cart_id).await?;
        Ok(change(cart, format!("cart {cart_id}: removed {code}")))
    }

    async fn orders(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<OrderHistory> {
        let history: wire::OrderHistoryAnswer = self
            .get(
                &self.user(user, "/orders"),
                &[
                    ("pageSize", page_size.max(1).to_string()),
                    ("currentPage", current_page.to_string()),
                    ("sort", "byDate".to_owned()),
                ],
            )
            .await?;
        Ok(OrderHistory {
            orders: history.orders.iter().map(wire::SapOrder::summary).collect(),
            pagination: history.pagination.ours(),
        })
    }

    async fn order(&self, user: &str, code: &str) -> DomainResult<Order> {
        let order: wire::SapOrder = self
            .get(
                &self.user(user, &format!("/orders/{}", seg(code))),
                &[("fields", "FULL".to_owned())],
            )
            .await?;
        Ok(order.ours(None))
    }

    async fn place_order(
        &self,
        user: &str,
        cart_id: &str,
        placed_by: &str,
        now: i64,
    ) -> DomainResult<Change<Order>> {
        let _ = now;
        // `cartId` goes in the query (§4.5); SAP records the agent as the acting user.
        let answer = self
            .call(|c| {
                c.post(self.user(user, "/orders"))
                    .query(&[("fields", "FULL"), ("cartId", cart_id)])
            })
            .await?;
        let order: wire::SapOrder = answer.json()?;
        let detail = format!("order {} placed from cart {cart_id}", order.code);
        Ok(change(order.ours(Some(placed_by.to_owned())), detail))
    }

    async fn cancel_order(
        &self,
        user: &str,
        code: &str,
        entries: Vec<EntryQuantity>,
        now: i64,
    ) -> DomainResult<Change<Order>> {
        let _ = now;
        // §4.6: JSON `CancellationRequestEntryInputList`, 200 with an empty body.
        let body = json!({
            "cancellationRequestEntryInputs": entries
                .iter()
                .map(|e| json!({ "orderEntryNumber": e.order_entry_number, "quantity": e.quantity }))
                .collect::<Vec<_>>(),
        });
        self.call(|c| {
            c.post(self.user(user, &format!("/orders/{}/cancellation", seg(code))))
                .json(&body)
        })
        .await?
        .ok()?;
        let order = self.order(user, code).await?;
        let lines = entries
            .iter()
            .map(|e| format!("line {} x {}", e.order_entry_number, e.quantity))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(change(order, format!("order {code}: cancelled {lines}")))
    }

    async fn returns(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<ReturnRequestList> {
        let list: wire::SapReturnList = self
            .get(
                &self.user(user, "/orderReturns"),
                &[
                    ("fields", "FULL".to_owned()),
                    ("pageSize", page_size.max(1).to_string()),
                    ("currentPage", current_page.to_string()),
                    ("sort", "byDate".to_owned()),
                ],
            )
            .await?;
        Ok(list.ours())
    }

    async fn return_request(&self, user: &str, code: &str) -> DomainResult<ReturnRequest> {
        let r: wire::SapReturn = self
            .get(
                &self.user(user, &format!("/orderReturns/{}", seg(code))),
                &[("fields", "FULL".to_owned())],
            )
            .await?;
        Ok(r.ours())
    }

    async fn create_return(
        &self,
        user: &str,
        order_code: &str,
        entries: Vec<EntryQuantity>,
        reason: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>> {
        let _ = (agent, now);
        // §4.7: JSON `ReturnRequestEntryInputList`, 201 `ReturnRequest`. SAP's input has no
        // reason: the audit record keeps it.
        let body = json!({
            "orderCode": order_code,
            "returnRequestEntryInputs": entries
                .iter()
                .map(|e| json!({ "orderEntryNumber": e.order_entry_number, "quantity": e.quantity }))
                .collect::<Vec<_>>(),
        });
        let answer = self
            .call(|c| {
                c.post(self.user(user, "/orderReturns"))
                    .query(&[("fields", "FULL")])
                    .json(&body)
            })
            .await?;
        let created: wire::SapReturn = answer.json()?;
        let mut value = created.ours();
        value.reason = Some(reason.to_owned());
        let lines = entries
            .iter()
            .map(|e| format!("line {} x {}", e.order_entry_number, e.quantity))
            .collect::<Vec<_>>()
            .join(", ");
        let detail = format!(
            "return {} of order {order_code}: {lines} (reason: {reason})",
            value.code
        );
        Ok(change(value, detail))
    }

    async fn cancel_return(
        &self,
        user: &str,
        code: &str,
        now: i64,
    ) -> DomainResult<Change<ReturnRequest>> {
        let _ = now;
        // §4.7: PATCH `{"status": "CANCELLING"}`, 200 with an empty body.
        self.call(|c| {
            c.patch(self.user(user, &format!("/orderReturns/{}", seg(code))))
                .json(&json!({ "status": "CANCELLING" }))
        })
        .await?
        .ok()?;
        let value = self.return_request(user, code).await?;
        let detail = format!("return {code} of order {} cancelled", value.order_code);
        Ok(change(value, detail))
    }

    async fn tickets(
        &self,
        user: &str,
        current_page: u32,
        page_size: u32,
    ) -> DomainResult<TicketList> {
        // §4.9: `sort` byDate (SAP's default), BASIC fields.
        let list: support::SapTicketList = self
            .get(
                &self.user(user, "/tickets"),
                &[
                    ("pageSize", page_size.max(1).to_string()),
                    ("currentPage", current_page.to_string()),
                    ("sort", "byDate".to_owned()),
                ],
            )
            .await?;
        Ok(list.ours())
    }

    async fn ticket(&self, user: &str, id: &str) -> DomainResult<Ticket> {
        let t: support::SapTicket = self
            .get(
                &self.user(user, &format!("/tickets/{}", seg(id))),
                &[("fields", "FULL".to_owned())],
            )
            .await?;
        Ok(t.ours())
    }

    async fn ticket_categories(&self) -> DomainResult<TicketCategoryList> {
        let answer = self
            .shared
            .http
            .send(self.client().get(self.occ("/ticketCategories")))
            .await?;
        let list: support::SapCategories = answer.json()?;
        Ok(list.ours())
    }

    async fn create_ticket(
        &self,
        user: &str,
        new: NewTicket,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Ticket>> {
        let _ = (agent, now);
        // §4.9: JSON `TicketStarter`, 201 `TicketDetails`; customer-only in some versions.
        let mut body = json!({
            "subject": new.subject,
            "message": new.message,
            "ticketCategory": { "id": new.category },
        });
        if let Some(a) = &new.associated_to {
            body["associatedTo"] = json!({ "code": a.code, "type": a.kind });
        }
        let answer = self
            .call(|c| c.post(self.user(user, "/tickets")).json(&body))
            .await?;
        let created: support::SapTicket = answer
            .json()
            .map_err(|e| support::customer_only(e, "open support tickets"))?;
        let value = created.ours();
        let detail = format!("ticket {}: opened ({})", value.id, new.category);
        Ok(change(value, detail))
    }

    async fn add_ticket_event(
        &self,
        user: &str,
        id: &str,
        event: NewTicketEvent,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<TicketEvent>> {
        let _ = (agent, now);
        // §4.9: JSON `{message, toStatus?: {id}}`, 201 `TicketEvent`; customer-only.
        let mut body = json!({ "message": event.message });
        if let Some(to) = &event.to_status {
            body["toStatus"] = json!({ "id": to });
        }
        let answer = self
            .call(|c| {
                c.post(self.user(user, &format!("/tickets/{}/events", seg(id))))
                    .json(&body)
            })
            .await?;
        let created: support::SapTicketEvent = answer
            .json()
            .map_err(|e| support::customer_only(e, "write in support tickets"))?;
        let detail = match &event.to_status {
            Some(to) => format!("ticket {id}: message added, status {to}"),
            None => format!("ticket {id}: message added"),
        };
        Ok(change(created.ours(), detail))
    }

    async fn reviews(&self, product: &str) -> DomainResult<ReviewList> {
        // A product's reviews need no agent (as the catalogue).
        let answer = self
            .shared
            .http
            .send(
                self.client()
                    .get(self.occ(&format!("/products/{}/reviews", seg(product))))
                    .query(&[("fields", "FULL")]),
            )
            .await?;
        let list: support::SapReviewList = answer.json()?;
        Ok(list.ours(product))
    }

    async fn create_review(
        &self,
        user: &str,
        product: &str,
        review: ReviewInput,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<Review>> {
        let _ = (agent, now);
        // §4.10: no `{userId}` in the path; the `sap-commerce-cloud-user-id` header names the
        // emulated customer (§1.2.5). Where SAP ignores it, the review is the agent's or
        // anonymous: the audit record keeps who it was written for.
        let body = json!({
            "rating": review.rating,
            "headline": review.headline,
            "comment": review.comment,
        });
        let answer = self
            .call(|c| {
                c.post(self.occ(&format!("/products/{}/reviews", seg(product))))
                    .header("sap-commerce-cloud-user-id", user)
                    .json(&body)
            })
            .await?;
        let created: support::SapReview = answer.json()?;
        let mut value = created.ours(product);
        value.added_by_agent = true;
        let detail = format!("review of {product}: {} stars", review.rating);
        Ok(change(value, detail))
    }

    async fn coupons(&self, user: &str) -> DomainResult<CustomerCouponList> {
        Ok(CustomerCouponList {
            coupons: self.coupon_list(user).await?,
        })
    }

    async fn assign_coupon(
        &self,
        user: &str,
        code: &str,
        agent: &str,
        now: i64,
    ) -> DomainResult<Change<CustomerCoupon>> {
        let _ = (agent, now);
        let answer = self
            .call(|c| c.post(self.user(user, &format!("/customercoupons/{}/claim", seg(code)))))
            .await?;
        let claim: wire::ClaimAnswer = answer.json()?;
        let mut value = coupon(claim.coupon, true);
        if value.code.is_empty() {
            value.code = code.to_owned();
        }
        Ok(change(value, format!("coupon {code} assigned")))
    }

    async fn unassign_coupon(
        &self,
        user: &str,
        code: &str,
    ) -> DomainResult<Change<CustomerCoupon>> {
        let known = self
            .coupon_list(user)
            .await?
            .into_iter()
            .find(|c| c.code == code && c.assigned)
            .ok_or_else(|| DomainError::not_found("Assigned coupon"))?;
        let answer = self
            .call(|c| c.delete(self.user(user, &format!("/customercoupons/{}/claim", seg(code)))))
            .await?;
        answer.ok()?;
        Ok(change(
            CustomerCoupon {
                assigned: false,
                ..known
            },
            format!("coupon {code} taken back"),
        ))
    }

    async fn addresses(&self, user: &str) -> DomainResult<AddressList> {
        let answer = self.call(|c| c.get(self.user(user, "/addresses"))).await?;
        let mut list: Vec<Address> = answer
            .json::<addresses::SapAddressList>()?
            .addresses
            .into_iter()
            .map(addresses::SapAddress::ours)
            .collect();
        list.sort_by_key(|a| !a.default_address);
        Ok(AddressList { addresses: list })
    }

    async fn create_address(
        &self,
        user: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>> {
        let body = addresses::body(&address);
        let answer = self
            .call(|c| c.post(self.user(user, "/addresses")).json(&body))
            .await?;
        let value = answer.json::<addresses::SapAddress>()?.ours();
        let detail = format!("address {}: {}, {}", value.id, value.line1, value.town);
        Ok(change(value, detail))
    }

    async fn update_address(
        &self,
        user: &str,
        id: &str,
        address: AddressInput,
    ) -> DomainResult<Change<Address>> {
        // §4.11: PUT replaces the address; 200 with an empty body: read it back.
        let body = addresses::body(&address);
        let answer = self
            .call(|c| {
                c.put(self.user(user, &format!("/addresses/{}", seg(id))))
                    .json(&body)
            })
            .await?;
        answer.ok()?;
        let value = self
            .addresses(user)
            .await?
            .addresses
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| DomainError::not_found("Address").with_subject("addressId"))?;
        let detail = format!("address {id}: {}, {}", value.line1, value.town);
        Ok(change(value, detail))
    }

    async fn delete_address(&self, user: &str, id: &str) -> DomainResult<Change<()>> {
        let answer = self
            .call(|c| c.delete(self.user(user, &format!("/addresses/{}", seg(id)))))
            .await?;
        answer.ok()?;
        Ok(change((), format!("address {id}")))
    }

    async fn consent_templates(&self, user: &str) -> DomainResult<ConsentTemplateList> {
        let answer = self
            .call(|c| c.get(self.user(user, "/consenttemplates")))
            .await?;
        Ok(answer.json::<consents::SapConsentTemplateList>()?.ours())
    }

    async fn give_consent(
        &self,
        user: &str,
        consent: ConsentInput,
        _now: i64,
    ) -> DomainResult<Change<ConsentTemplate>> {
        use crate::domain::consent::{give_detail, to_give, Give};
        // The rules on SAP's own list first, so both backends answer alike (SAP itself answers
        // an unknown id or version with 400 UnknownIdentifierError).
        let template = match to_give(&self.consent_templates(user).await?, &consent)? {
            Give::AlreadyGiven(t) => {
                let detail = give_detail(&t, true);
                return Ok(change(t, detail));
            }
            Give::Give(t) => t,
        };
        let version = template.version.to_string();
        let form = [
            ("consentTemplateId", template.id.as_str()),
            ("consentTemplateVersion", version.as_str()),
        ];
        let answer = self
            .call(|c| c.post(self.user(user, "/consents")).form(&form))
            .await?;
        let value = answer.json::<consents::SapConsentTemplate>()?.ours();
        let detail = give_detail(&value, false);
        Ok(change(value, detail))
    }

    async fn withdraw_consent(
        &self,
        user: &str,
        code: &str,
        _now: i64,
    ) -> DomainResult<Change<()>> {
        use crate::domain::consent::{to_withdraw, withdraw_detail};
        let template = to_withdraw(&self.consent_templates(user).await?, code)?;
        let answer = self
            .call(|c| c.delete(self.user(user, &format!("/consents/{}", seg(code)))))
            .await?;
        answer.ok()?;
        Ok(change((), withdraw_detail(&template, code)))
    }

    async fn profile(&self, user: &str) -> DomainResult<CustomerProfile> {
        Ok(profile(self.user_or_404(user).await?))
    }

    async fn update_profile(
        &self,
        user: &str,
        change_: ProfileChange,
    ) -> DomainResult<Change<CustomerProfile>> {
        // A form sends the phone it showed: only a changed one is refused.
        if let Some(phone) = &change_.phone {
            let shown = profile(self.user_or_404(user).await?).phone;
            if phone.trim() != shown.as_deref().unwrap_or("").trim() {
                return Err(DomainError::invalid(
                    "phone",
                    "SAP Commerce keeps phone numbers in the customer's addresses; change it there.",
                ));
            }
        }
        let mut body = serde_json::Map::new();
        if let Some(first) = &change_.first_name {
            body.insert("firstName".into(), json!(first));
        }
        if let Some(last) = &change_.last_name {
            body.insert("lastName".into(), json!(last));
        }
        let body = serde_json::Value::Object(body);
        let answer = self
            .call(|c| c.patch(self.user(user, "")).json(&body))
            .await?;
        answer.ok()?;
        let value = profile(self.user_or_404(user).await?);
        let detail = format!("profile: name {}", value.name);
        Ok(change(value, detail))
    }
}

/// The entry number of `product` in `cart` (SAP addresses entries by number).
fn entry_number(cart: &SapCart, product: &str) -> DomainResult<i64> {
    cart.entries
        .iter()
        .find(|e| e.product.code == product)
        .map(|e| e.entry_number)
        .ok_or_else(|| DomainError::not_found("Cart entry").with_subject("productCode"))
}

fn profile(u: User) -> CustomerProfile {
    CustomerProfile {
        customer_id: u.id(),
        email: u.uid.clone(),
        name: u.full_name(),
        phone: u.default_address.as_ref().and_then(|a| a.phone.clone()),
        first_name: u.first_name,
        last_name: u.last_name,
    }
}

fn search_page(page: wire::SearchPage) -> CustomerSearchPage {
    let sorts = page
        .sorts
        .iter()
        .filter_map(|s| {
            let sort = CustomerSort::parse(&s.code)?;
            Some(SortOption {
                code: s.code.clone(),
                name: sort.label().to_owned(),
                selected: s.selected || page.pagination.sort.as_deref() == Some(s.code.as_str()),
            })
        })
        .collect();
    CustomerSearchPage {
        pagination: page.pagination.ours(),
        entries: page.entries.into_iter().map(User::search_entry).collect(),
        sorts,
    }
}
