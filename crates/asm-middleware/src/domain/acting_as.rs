//! Acting as the emulated customer: only for the customer the agent emulates now, only sales
//! managers place orders, and a profile change never touches e-mail or password.

use super::{DomainError, DomainResult};
use crate::ports::{EmulationRecord, ProfileChange};
use asm_types::{error_type, Agent, ProfileUpdateRequest};

/// Longest first or last name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest phone number.
pub const MAX_PHONE_CHARS: usize = 30;

/// The agent's active emulation `active` must be of `user_id` (`NotEmulatingError` otherwise,
/// naming the customer the agent does emulate).
pub fn require_emulation(
    active: Option<EmulationRecord>,
    user_id: &str,
) -> DomainResult<EmulationRecord> {
    match active {
        Some(e) if e.customer_id == user_id => Ok(e),
        Some(e) => Err(DomainError::refused(
            error_type::NOT_EMULATING,
            format!(
                "You are emulating {}, not this customer. Start emulating this customer first.",
                e.customer_name
            ),
        )
        .with_subject(user_id)),
        None => Err(DomainError::refused(
            error_type::NOT_EMULATING,
            "Start emulating this customer first: acting as a customer needs an active emulation.",
        )
        .with_subject(user_id)),
    }
}

/// Only sales managers place orders for a customer (`ForbiddenError`).
pub fn may_place_orders(agent: &Agent) -> DomainResult<()> {
    if agent.is_sales_manager() {
        Ok(())
    } else {
        Err(DomainError::refused(
            error_type::FORBIDDEN,
            "Only sales managers may place orders for a customer. Nothing was ordered.",
        ))
    }
}

fn checked_name(subject: &str, value: Option<&str>) -> DomainResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    if value.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::invalid(
            subject,
            format!("At most {MAX_NAME_CHARS} characters."),
        ));
    }
    let value = value.trim();
    if value.is_empty()
        || value.chars().any(char::is_control)
        || super::customer::has_bidi_control(value)
    {
        return Err(DomainError::invalid(
            subject,
            "Enter a name without control characters.",
        ));
    }
    Ok(Some(value.to_owned()))
}

fn checked_phone(value: Option<&str>) -> DomainResult<Option<String>> {
    let Some(value) = value else { return Ok(None) };
    let ok = value.chars().count() <= MAX_PHONE_CHARS
        && value
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +-()".contains(ch));
    if !ok {
        return Err(DomainError::invalid(
            "phone",
            format!("A phone number has at most {MAX_PHONE_CHARS} digits, spaces, +, -, ( or )."),
        ));
    }
    Ok(Some(value.trim().to_owned()))
}

/// The fields a profile change may name (as on the wire).
pub const PROFILE_FIELDS: [&str; 3] = ["firstName", "lastName", "phone"];

/// The fields of a profile request body must all be [`PROFILE_FIELDS`]: `email` and `password`
/// (the customer changes them themselves) and unknown fields are refused with `ValidationError`
/// naming the field — nothing of such a body is applied or audited.
pub fn checked_profile_fields<'a>(fields: impl IntoIterator<Item = &'a str>) -> DomainResult<()> {
    for field in fields {
        if PROFILE_FIELDS.contains(&field) {
            continue;
        }
        let message = match field {
            "email" | "emailAddress" | "password" | "uid" => format!(
                "Nobody may change a customer's {field} through assisted service; the customer \
                 changes it themselves. Nothing was changed."
            ),
            _ => format!(
                "Unknown profile field; only {} can be changed. Nothing was changed.",
                PROFILE_FIELDS.join(", ")
            ),
        };
        return Err(DomainError::invalid(field, message));
    }
    Ok(())
}

/// The change a profile request asks for: e-mail and password are refused (`ValidationError`,
/// the customer changes them themselves), names and phone checked (`ValidationError`), and a
/// request that changes nothing is refused too (it would be audited as a change).
pub fn checked_profile_change(req: &ProfileUpdateRequest) -> DomainResult<ProfileChange> {
    for (field, present) in [
        ("email", req.email.is_some()),
        ("password", req.password.is_some()),
    ] {
        if present {
            checked_profile_fields([field])?;
        }
    }
    let change = ProfileChange {
        first_name: checked_name("firstName", req.first_name.as_deref())?,
        last_name: checked_name("lastName", req.last_name.as_deref())?,
        phone: checked_phone(req.phone.as_deref())?,
    };
    if change.first_name.is_none() && change.last_name.is_none() && change.phone.is_none() {
        return Err(DomainError::invalid(
            "body",
            format!("Nothing to change: send {}.", PROFILE_FIELDS.join(", ")),
        ));
    }
    Ok(change)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn emulation(customer: &str) -> EmulationRecord {
        EmulationRecord {
            session_id: "s1".into(),
            agent_uid: "asagent".into(),
            customer_id: customer.into(),
            customer_name: "Linda Wolf".into(),
            customer_email: "linda@example.com".into(),
            base_site: "electronics".into(),
            cart_id: None,
            reason: Some("T-1".into()),
            created: 0,
            ended: None,
        }
    }

    #[test]
    fn only_the_emulated_customer_may_be_acted_for() {
        assert!(require_emulation(Some(emulation("C-1")), "C-1").is_ok());
        let other = require_emulation(Some(emulation("C-1")), "C-2").expect_err("other");
        assert_eq!(other.kind(), error_type::NOT_EMULATING);
        assert!(other.into_api_error().message.contains("Linda Wolf"));
        let none = require_emulation(None, "C-1").expect_err("none");
        assert_eq!(none.kind(), error_type::NOT_EMULATING);
    }

    #[test]
    fn only_sales_managers_place_orders() {
        let mut agent = Agent {
            uid: "a".into(),
            name: "A".into(),
            email: "a@x".into(),
            groups: vec![asm_types::AGENT_GROUP.into()],
        };
        assert_eq!(
            may_place_orders(&agent).map_err(|e| e.kind()),
            Err(error_type::FORBIDDEN)
        );
        agent.groups.push(asm_types::SALES_MANAGER_GROUP.into());
        assert!(may_place_orders(&agent).is_ok());
    }

    #[test]
    fn profile_changes_never_touch_email_or_password() {
        let req = |f: fn(&mut ProfileUpdateRequest)| {
            let mut r = ProfileUpdateRequest {
                first_name: None,
                last_name: None,
                phone: None,
                email: None,
                password: None,
            };
            f(&mut r);
            checked_profile_change(&r)
        };
        let email = req(|r| r.email = Some("x@y.z".into())).expect_err("email");
        assert_eq!(email.kind(), error_type::VALIDATION);
        let password = req(|r| r.password = Some("pw".into())).expect_err("password");
        assert_eq!(
            password.into_api_error().subject.as_deref(),
            Some("password")
        );
        let ok = req(|r| {
            r.first_name = Some("  Ada ".into());
            r.phone = Some("+1 555 0100".into());
        })
        .expect("ok");
        assert_eq!(ok.first_name.as_deref(), Some("Ada"));
        assert_eq!(ok.phone.as_deref(), Some("+1 555 0100"));
        assert!(req(|r| r.last_name = Some(" ".into())).is_err());
        assert!(req(|r| r.phone = Some("call me".into())).is_err());
        assert!(req(|r| r.first_name = Some("x".repeat(MAX_NAME_CHARS + 1))).is_err());
        assert!(req(|r| r.first_name = Some("Rtl\u{202E}gnp.exe".into())).is_err());
        let nothing = req(|_| {}).expect_err("nothing to change");
        assert_eq!(nothing.into_api_error().subject.as_deref(), Some("body"));
    }

    #[test]
    fn only_known_profile_fields_may_be_sent() {
        assert!(checked_profile_fields(["firstName", "lastName", "phone"]).is_ok());
        for field in ["email", "password", "emailAddress", "nickname"] {
            let e = checked_profile_fields(["firstName", field]).expect_err(field);
            assert_eq!(e.kind(), error_type::VALIDATION);
            assert_eq!(e.into_api_error().subject.as_deref(), Some(field));
        }
    }
}
