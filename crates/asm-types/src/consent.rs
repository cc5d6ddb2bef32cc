//! The customer's consents, in SAP OCC's shapes (`ConsentTemplateWsDTO`, `ConsentWsDTO`,
//! `ConsentTemplateListWsDTO`): what an agent gives or withdraws as the customer while emulating
//! (SAP's ASM e2e: "gives a consent"). Not the consent to assisted service
//! (`CustomerConsentError`).

use serde::{Deserialize, Serialize};

/// One consent of the customer to a template (SAP's `ConsentWsDTO`): given, and perhaps since
/// withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// The backend's code of this consent (what a withdrawal names).
    #[cfg_attr(feature = "openapi", schema(example = "00001000"))]
    pub code: String,
    /// When it was given, RFC 3339.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub consent_given_date: String,
    /// When it was withdrawn, RFC 3339; absent while it stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub consent_withdrawn_date: Option<String>,
}

/// A consent template (SAP's `ConsentTemplateWsDTO`) with the customer's current consent to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentTemplate {
    /// The template's id.
    #[cfg_attr(feature = "openapi", schema(example = "MARKETING_NEWSLETTER"))]
    pub id: String,
    /// What the customer approves.
    pub name: String,
    /// What it means for them.
    pub description: String,
    /// The template's version (a consent is given to one version).
    pub version: i64,
    /// The customer's latest consent to it: given when it has no `consentWithdrawnDate`;
    /// absent when never given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_consent: Option<Consent>,
}

impl ConsentTemplate {
    /// Whether the customer's consent to it stands (given and not withdrawn).
    pub fn given(&self) -> bool {
        self.current_consent
            .as_ref()
            .is_some_and(|c| c.consent_withdrawn_date.is_none())
    }
}

/// The consent templates of the site with the customer's consents.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConsentTemplateList {
    /// The templates.
    pub consent_templates: Vec<ConsentTemplate>,
}

/// Giving a consent: the template and the version the customer saw (SAP's form parameters
/// `consentTemplateId`, `consentTemplateVersion`, here as JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentInput {
    /// The template's id (1–64 letters, digits, `_`, `-`, `.`).
    #[cfg_attr(
        feature = "openapi",
        schema(example = "MARKETING_NEWSLETTER", min_length = 1, max_length = 64)
    )]
    pub consent_template_id: String,
    /// The template's version (its current one; 0–1000000).
    #[cfg_attr(
        feature = "openapi",
        schema(example = 1, minimum = 0, maximum = 1_000_000)
    )]
    pub consent_template_version: i64,
}
