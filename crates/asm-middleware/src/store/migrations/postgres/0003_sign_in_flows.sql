-- Pending sign-ins through an identity provider (authorization code + PKCE): created when the
-- browser is sent to the provider, used once by the callback on whichever instance it lands.
CREATE TABLE sign_in_flows (
    state TEXT PRIMARY KEY,
    binding_hash TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    return_to TEXT NOT NULL,
    created BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    uses BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sign_in_flows_expires ON sign_in_flows (expires_at);
