//! SAP OCC's consents (`/users/{userId}/consenttemplates`, `/consents`, `/consents/{code}`;
//! SAP-CONTRACT.md §4.11, Spartacus's `default-occ-user-config.ts`): `ConsentTemplateWsDTO` with
//! its `currentConsent` in, SAP's dates made RFC 3339.

use super::wire::date;
use asm_types::{Consent, ConsentTemplate, ConsentTemplateList};
use serde::Deserialize;

/// SAP's `ConsentWsDTO`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapConsent {
    pub code: String,
    pub consent_given_date: Option<String>,
    pub consent_withdrawn_date: Option<String>,
}

/// SAP's `ConsentTemplateWsDTO`; SAP may leave any field out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapConsentTemplate {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: i64,
    pub current_consent: Option<SapConsent>,
}

impl SapConsentTemplate {
    /// Ours: a current consent without a code is none; one without a given date (never seen)
    /// keeps an empty one.
    pub fn ours(self) -> ConsentTemplate {
        let current_consent = self
            .current_consent
            .filter(|c| !c.code.trim().is_empty())
            .map(|c| Consent {
                code: c.code,
                consent_given_date: c
                    .consent_given_date
                    .as_deref()
                    .map(date)
                    .unwrap_or_default(),
                consent_withdrawn_date: c
                    .consent_withdrawn_date
                    .as_deref()
                    .filter(|d| !d.trim().is_empty())
                    .map(date),
            });
        ConsentTemplate {
            name: if self.name.trim().is_empty() {
                self.id.clone()
            } else {
                self.name
            },
            id: self.id,
            description: self.description,
            version: self.version,
            current_consent,
        }
    }
}

/// `{ "consentTemplates": [...] }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SapConsentTemplateList {
    pub consent_templates: Vec<SapConsentTemplate>,
}

impl SapConsentTemplateList {
    /// Ours.
    pub fn ours(self) -> ConsentTemplateList {
        ConsentTemplateList {
            consent_templates: self
                .consent_templates
                .into_iter()
                .map(SapConsentTemplate::ours)
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_and_its_consent_are_read_with_rfc3339_dates() {
        let list: SapConsentTemplateList = serde_json::from_value(serde_json::json!({
            "consentTemplates": [
                {"id": "MARKETING_NEWSLETTER", "name": "Marketing", "description": "E-mails", "version": 0},
                {"id": "PERSONALIZATION", "version": 2, "currentConsent": {
                    "code": "0001", "consentGivenDate": "2026-09-28T10:23:55+0000",
                    "consentWithdrawnDate": "2026-09-29T10:23:55+0000"}},
            ]
        }))
        .expect("list");
        let ours = list.ours();
        assert_eq!(ours.consent_templates[0].current_consent, None);
        assert!(!ours.consent_templates[0].given());
        let t = &ours.consent_templates[1];
        assert_eq!(
            t.name, "PERSONALIZATION",
            "a template without a name shows its id"
        );
        let c = t.current_consent.as_ref().expect("consent");
        assert_eq!(c.consent_given_date, "2026-09-28T10:23:55Z");
        assert_eq!(
            c.consent_withdrawn_date.as_deref(),
            Some("2026-09-29T10:23:55Z")
        );
        assert!(!t.given());
    }
}
