//! Identity provider adapters: implementations of the sign-in port (`ports::SignInProvider`).
//! `oidc`: any OpenID Connect provider (authorization code + PKCE, ID-token validation).

pub mod oidc;
