//! Who may sign in: only agents, with the right password; what a refused sign-in records.

use super::DomainError;
use crate::ports::{Credentials, DomainResult, ExternalSignIn, NewAudit, TokenGrant};
use asm_types::{error_type, Agent, AuditAction, AGENT_GROUP};

/// A refused sign-in: its audit record, whether it counts against the throttle, and the error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What the audit log records.
    pub audit: NewAudit,
    /// A wrong password or unknown name counts towards the throttle; a customer's right
    /// credentials do not (they are right, just not an agent's).
    pub counts_as_failure: bool,
    /// The answer.
    pub error: DomainError,
}

/// The agent who may sign in with `credentials` (typed as `username` at `now`), or why not.
/// An unknown name is recorded as typed; a known agent's wrong password under the agent's id.
pub fn sign_in(
    credentials: Credentials,
    username: &str,
    now: i64,
) -> Result<(Agent, Option<TokenGrant>), Box<Refusal>> {
    let audit = |agent_uid: Option<String>, action, detail: Option<String>| NewAudit {
        at: now,
        agent_uid,
        customer_id: None,
        action,
        detail,
    };
    let invalid = || {
        DomainError::refused(
            error_type::INVALID_CREDENTIALS,
            "The agent ID or password is wrong.",
        )
    };
    let refusal = match credentials {
        Credentials::Agent(agent, tokens) => return Ok((agent, tokens)),
        Credentials::Customer => Refusal {
            audit: audit(
                None,
                AuditAction::SignInRefusedCustomer,
                Some(username.to_owned()),
            ),
            counts_as_failure: false,
            error: DomainError::refused(
                error_type::NOT_AN_AGENT,
                "These are customer credentials. Only customer support agents can sign in to \
                 Assisted Service Mode.",
            ),
        },
        Credentials::WrongPassword(uid) => Refusal {
            audit: audit(Some(uid), AuditAction::SignInFailed, None),
            counts_as_failure: true,
            error: invalid(),
        },
        Credentials::Unknown => Refusal {
            audit: audit(None, AuditAction::SignInFailed, Some(username.to_owned())),
            counts_as_failure: true,
            error: invalid(),
        },
    };
    Err(Box::new(refusal))
}

/// The agent an identity provider signed in (`result` of the provider's code exchange, through
/// `provider`), or why not. Whatever the provider mapped, only a member of `asagentgroup` signs
/// in. A non-agent is recorded as a refused customer (as with a password); any other failure as
/// `sso-sign-in-failed` with the provider and the error type. No refusal counts towards the
/// password throttle.
pub fn external_sign_in(
    result: DomainResult<ExternalSignIn>,
    provider: &str,
    now: i64,
) -> Result<ExternalSignIn, Box<Refusal>> {
    let refusal = |action, detail: String, error| {
        Box::new(Refusal {
            audit: NewAudit {
                at: now,
                agent_uid: None,
                customer_id: None,
                action,
                detail: Some(detail),
            },
            counts_as_failure: false,
            error,
        })
    };
    let not_an_agent = |who: String| {
        refusal(
            AuditAction::SignInRefusedCustomer,
            who,
            DomainError::refused(
                error_type::NOT_AN_AGENT,
                "This account is not a customer support agent's. Only agents can sign in to \
                 Assisted Service Mode.",
            ),
        )
    };
    match result {
        Ok(signed_in) if signed_in.agent.groups.iter().any(|g| g == AGENT_GROUP) => Ok(signed_in),
        Ok(signed_in) => Err(not_an_agent(signed_in.agent.uid)),
        Err(DomainError::Refused {
            kind: error_type::NOT_AN_AGENT,
            subject,
            ..
        }) => Err(not_an_agent(subject.unwrap_or_default())),
        Err(error) => Err(refusal(
            AuditAction::SsoSignInFailed,
            format!("{provider}: {}", error.kind()),
            error,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_agents_sign_in_through_a_provider() {
        let agent = |groups: &[&str]| ExternalSignIn {
            agent: Agent {
                uid: "jdoe".into(),
                name: "J".into(),
                email: "j@x".into(),
                groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            },
            tokens: None,
        };
        let ok = external_sign_in(Ok(agent(&[AGENT_GROUP])), "Okta", 1).expect("agent");
        assert_eq!(ok.agent.uid, "jdoe");
        let customer = external_sign_in(Ok(agent(&["customergroup"])), "Okta", 1).expect_err("no");
        assert_eq!(customer.error.kind(), error_type::NOT_AN_AGENT);
        assert_eq!(customer.audit.action, AuditAction::SignInRefusedCustomer);
        assert_eq!(customer.audit.detail.as_deref(), Some("jdoe"));
        let said_no = external_sign_in(
            Err(DomainError::refused(error_type::NOT_AN_AGENT, "no").with_subject("c@x")),
            "Okta",
            1,
        )
        .expect_err("no");
        assert_eq!(said_no.audit.detail.as_deref(), Some("c@x"));
        let down = external_sign_in(Err(DomainError::Unavailable("down".into())), "Okta", 1)
            .expect_err("down");
        assert_eq!(down.audit.action, AuditAction::SsoSignInFailed);
        assert_eq!(
            down.audit.detail.as_deref(),
            Some("Okta: ServiceUnavailableError")
        );
        assert!(!down.counts_as_failure && !customer.counts_as_failure);
    }

    #[test]
    fn only_agents_with_the_right_password_sign_in() {
        let agent = Agent {
            uid: "asagent".into(),
            name: "A".into(),
            email: "a@x".into(),
            groups: vec![],
        };
        assert_eq!(
            sign_in(Credentials::Agent(agent.clone(), None), "asagent", 1),
            Ok((agent, None))
        );
        let customer = sign_in(Credentials::Customer, "linda@x", 1).expect_err("customer");
        assert_eq!(customer.error.kind(), error_type::NOT_AN_AGENT);
        assert!(!customer.counts_as_failure);
        assert_eq!(customer.audit.action, AuditAction::SignInRefusedCustomer);
        let wrong =
            sign_in(Credentials::WrongPassword("asagent".into()), "AsAgent", 1).expect_err("wrong");
        assert_eq!(wrong.error.kind(), error_type::INVALID_CREDENTIALS);
        assert!(wrong.counts_as_failure);
        assert_eq!(wrong.audit.agent_uid.as_deref(), Some("asagent"));
        assert_eq!(wrong.audit.detail, None);
        let unknown = sign_in(Credentials::Unknown, "nobody", 1).expect_err("unknown");
        assert_eq!(unknown.audit.detail.as_deref(), Some("nobody"));
        assert_eq!(unknown.audit.agent_uid, None);
    }
}
