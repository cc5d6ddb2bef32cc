//! Agent sign-in, sign-out, "me" and agent details.

use crate::domain::session::SessionEnd;
use crate::domain::{throttle, DomainError};
use crate::http::auth::{self, SignedIn};
use crate::http::error::{ApiResult, Failure};
use crate::http::extract::{ClientAddr, Json, Path};
use crate::http::sessions::active_emulation;
use crate::ports::NewAudit;
use crate::AppState;
use asm_types::{Agent, AgentLoginRequest, AgentSession, AuditAction, ErrorList, SESSION_COOKIE};
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;

/// The longest agent id or e-mail a sign-in accepts (characters).
pub const MAX_USERNAME_CHARS: usize = 256;
/// The longest password a sign-in accepts (characters).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// `POST /agents/login`: checks the credentials, sets the httpOnly session cookie.
/// Customer credentials are refused with `NotAnAgentError`.
#[utoipa::path(
    post,
    path = "/agents/login",
    tag = "agents",
    operation_id = "agentLogin",
    request_body(
        content = AgentLoginRequest,
        content_type = "application/json",
        example = json!({"username": "asagent", "password": "Agent#2026"})
    ),
    security(()),
    responses(
        (status = 200, description = "Signed in: the agent session. Sets the httpOnly `asm_session` cookie.",
            body = AgentSession,
            headers(("Set-Cookie" = String, description = "`asm_session=...; HttpOnly; SameSite=Strict; Path=/`"))),
        (status = 400, description = "`ValidationError`: the body is malformed, or the user name or password is empty or too long (at most 256 and 1024 characters; `subject` names the field).", body = ErrorList),
        (status = 401, description = "`InvalidCredentialsError`: wrong user name or password.", body = ErrorList),
        (status = 403, description = "`NotAnAgentError`: these are a customer's credentials; only agents sign in. `ForbiddenError`: password sign-in is turned off (`--password-sign-in false`; agents use single sign-on).", body = ErrorList),
        (status = 429, description = "`TooManyAttemptsError`: too many failed sign-ins for this account from this client address, or from this address, or the account is slowed down after many failures from several addresses.",
            body = ErrorList,
            headers(("Retry-After" = u64, description = "Seconds until sign-in is allowed again."))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    jar: CookieJar,
    Json(req): Json<AgentLoginRequest>,
) -> ApiResult<(CookieJar, Json<AgentSession>)> {
    if !state.config.password_offered() {
        return Err(Failure::from(DomainError::refused(
            asm_types::error_type::FORBIDDEN,
            "Sign-in with a password is turned off here: use single sign-on.",
        )));
    }
    let username = req.username.trim().to_owned();
    if username.is_empty() {
        return Err(Failure::validation(
            "username",
            "Enter your agent ID or e-mail.",
        ));
    }
    if req.password.is_empty() {
        return Err(Failure::validation("password", "Enter your password."));
    }
    // Bounded before anything is audited or sent to the backend.
    crate::http::bounds::check("username", &username, MAX_USERNAME_CHARS)?;
    crate::http::bounds::check("password", &req.password, MAX_PASSWORD_CHARS)?;
    let now = state.now();
    let address = addr.map(|a| a.to_string());
    let policy = state.throttle_policy();
    let store = state.sessions.as_ref();
    let typed = throttle::account_name(&username);
    let mut keys = policy.keys(&typed, address.as_deref());
    if let Some(retry_after) = throttle::wait(store, &keys, now).await? {
        return Err(throttled(&state, &username, retry_after, now).await?);
    }
    let checked = state
        .commerce
        .authenticate(&username, &req.password)
        .await?;
    // The agent's id and e-mail are one account: the backend told which agent the name is.
    let account = throttle::account_of(&checked, &username);
    if account != typed {
        keys = policy.keys(&account, address.as_deref());
        if let Some(retry_after) = throttle::wait(store, &keys, now).await? {
            // Tokens a backend issued for this refused sign-in are revoked at once.
            if let crate::ports::Credentials::Agent(_, Some(tokens)) = &checked {
                if let Ok(sealed) = state.commerce.seal_tokens(tokens) {
                    state.commerce.sign_out(&sealed).await;
                }
            }
            return Err(throttled(&state, &username, retry_after, now).await?);
        }
    }
    let (agent, tokens) = match crate::domain::agent::sign_in(checked, &username, now) {
        Ok(signed_in) => signed_in,
        Err(refusal) => {
            // Identical refusals in a burst are one record (with a count), not one each.
            state
                .sessions
                .audit_repeated(refusal.audit, throttle::WINDOW_MS)
                .await?;
            if refusal.counts_as_failure {
                throttle::failed(store, &policy, &keys, now).await?;
            }
            state
                .metrics
                .sign_in_failed("password", refusal.error.kind());
            return Err(refusal.error.into());
        }
    };
    throttle::succeeded(store, &keys).await?;
    let (jar, session) = open_session(&state, jar, agent, tokens, now).await?;
    Ok((jar, Json(session)))
}

/// Creates the agent session of a successful sign-in (by password or through an identity
/// provider), keeping the backend `tokens` server-side, and sets the session cookie.
pub async fn open_session(
    state: &AppState,
    jar: CookieJar,
    agent: Agent,
    tokens: Option<crate::ports::TokenGrant>,
    now: i64,
) -> ApiResult<(CookieJar, AgentSession)> {
    crate::telemetry::record_agent(&agent.uid);
    // One session in a browser: a customer signed in on the store here is signed out first.
    let jar = crate::http::customer_auth::end_customer_session(state, jar).await;
    let token = auth::random_id(32)?;
    let hash = auth::token_hash(&token);
    state
        .sessions
        .create_agent_session(&hash, &agent, now)
        .await?;
    let sealed = match tokens {
        Some(tokens) => Some(state.commerce.seal_tokens(&tokens)?),
        None => None,
    };
    if let Some(sealed) = &sealed {
        state
            .sessions
            .set_backend_tokens(&hash, Some(sealed))
            .await?;
    }
    if state.config.end_older_sessions {
        let ended = state
            .sessions
            .end_other_agent_sessions(&agent.uid, &hash, now)
            .await?;
        // The older sessions' tokens are revoked unless SAP handed this sign-in the same ones.
        for old in ended.into_iter().flatten() {
            if !sealed
                .as_deref()
                .is_some_and(|new| state.commerce.shares_grant(&old, new))
            {
                state.commerce.sign_out(&old).await;
            }
        }
    }
    let emulation = active_emulation(state, &agent.uid).await?;
    let session = AgentSession {
        agent,
        expires_at: state.timeouts().expires_at(now, now),
        server_time: now,
        idle_timeout_seconds: state.config.idle_timeout,
        emulation,
    };
    let jar = jar.add(auth::session_cookie(token, state.config.secure_cookie));
    Ok((jar, session))
}

/// Audits a throttled sign-in of `username` and answers 429 with `Retry-After`.
async fn throttled(
    state: &AppState,
    username: &str,
    retry_after: u64,
    now: i64,
) -> ApiResult<Failure> {
    state
        .metrics
        .sign_in_failed("password", asm_types::error_type::TOO_MANY_ATTEMPTS);
    state
        .sessions
        .audit_repeated(
            NewAudit {
                at: now,
                agent_uid: None,
                customer_id: None,
                action: AuditAction::SignInThrottled,
                detail: Some(username.to_owned()),
            },
            throttle::WINDOW_MS,
        )
        .await?;
    Ok(DomainError::Throttled { retry_after }.into())
}

/// `POST /agents/logout`: ends the agent session (and any emulation) and clears the cookie.
/// Succeeds also when there is no session, so a stale tab can always sign out.
#[utoipa::path(
    post,
    path = "/agents/logout",
    tag = "agents",
    operation_id = "agentLogout",
    security((), ("asm_session" = [])),
    responses(
        (status = 204, description = "Signed out (also when there was no session); the cookie is cleared.",
            headers(("Set-Cookie" = String, description = "Removes the `asm_session` cookie."))),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> ApiResult<(StatusCode, CookieJar)> {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
        let hash = auth::token_hash(&token);
        let mut emulation = None;
        if let Some(record) = state.sessions.agent_session(&hash).await? {
            emulation = state.sessions.active_emulation(&record.agent.uid).await?;
            // Another live session of this agent (`--end-older-sessions false`) may hold the very
            // tokens SAP handed this one: they are left to expire rather than revoked under it.
            let shared = state
                .sessions
                .count_agent_sessions(Some(&record.agent.uid))
                .await?
                > 1;
            if let (Some(sealed), false) = (record.backend_tokens, shared) {
                state.commerce.sign_out(&sealed).await;
            }
        }
        state
            .sessions
            .end_agent_session(
                &hash,
                state.now(),
                SessionEnd::SignOut.as_str(),
                state.timeouts(),
            )
            .await?;
        // Its session-only vouchers leave the cart (if signing out ended the emulation).
        if let Some(e) = emulation {
            crate::sweep::end_session_vouchers(&state, Some(&e.session_id)).await;
        }
    }
    Ok((
        StatusCode::NO_CONTENT,
        jar.add(auth::clear_cookie(state.config.secure_cookie)),
    ))
}

/// `GET /agents/me`: the signed-in agent, the session expiry and the emulation in progress.
#[utoipa::path(
    get,
    path = "/agents/me",
    tag = "agents",
    operation_id = "currentAgent",
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The agent session.", body = AgentSession),
    )
)]
pub async fn me(State(state): State<AppState>, s: SignedIn) -> ApiResult<Json<AgentSession>> {
    let now = state.now();
    let idle_seconds = state.config.idle_timeout;
    let emulation = active_emulation(&state, &s.agent.uid).await?;
    Ok(Json(AgentSession {
        agent: s.agent,
        expires_at: s.expires_at,
        server_time: now,
        idle_timeout_seconds: idle_seconds,
        emulation,
    }))
}

/// `POST /agents/me/session`: renews the agent session (the timer's "Extend"): the idle window
/// starts again now — written to the store even right after another request, which an ordinary
/// request within a second is not — and the answer is that of `GET /agents/me`.
#[utoipa::path(
    post,
    path = "/agents/me/session",
    tag = "agents",
    operation_id = "renewAgentSession",
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The renewed agent session: `expiresAt` counts from now (at most the absolute lifetime).", body = AgentSession),
    )
)]
pub async fn renew_session(
    State(state): State<AppState>,
    mut s: SignedIn,
) -> ApiResult<Json<AgentSession>> {
    s.renew(&state, state.now()).await?;
    me(State(state), s).await
}

/// `GET /agents/{agentId}`: an agent's details.
#[utoipa::path(
    get,
    path = "/agents/{agentId}",
    tag = "agents",
    operation_id = "getAgent",
    params(("agentId" = String, Path, description = "Agent unique identifier (uid).", example = "asagent")),
    security(("asm_session" = [])),
    responses(
        (status = 200, description = "The agent.", body = Agent),
        (status = 404, description = "`NotFoundError`: no such agent.", body = ErrorList),
    )
)]
pub async fn get_agent(s: SignedIn, Path(agent_id): Path<String>) -> ApiResult<Json<Agent>> {
    let agent = s.commerce.agent(&agent_id).await?;
    agent.map(Json).ok_or_else(|| Failure::not_found("Agent"))
}
