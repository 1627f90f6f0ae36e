//! Configuration read once per cold start from the environment; a missing variable stops the
//! function at start with the variable's name, not at the first request.

use std::env;

#[derive(Debug, thiserror::Error)]
#[error("missing or empty environment variable {0}")]
pub struct MissingVariable(pub &'static str);

/// A required variable; empty counts as missing.
pub fn required_env(name: &'static str) -> Result<String, MissingVariable> {
    env::var(name).ok().filter(|value| !value.trim().is_empty()).ok_or(MissingVariable(name))
}

/// What an HTTP function needs: its table and how to verify tokens.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub table_name: String,
    pub auth: AuthConfig,
    /// Signs links that work without logging in (unsubscribe, documents).
    pub link_secret: String,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The token's `iss` (the AWS-style URL of the user pool).
    pub issuer: String,
    /// Where the pool's keys are served (locally the emulator's URL differs from the issuer).
    pub jwks_url: String,
    /// The app client id the ID token must be issued to.
    pub audience: String,
}

impl HttpConfig {
    pub fn from_env() -> Result<Self, MissingVariable> {
        Ok(Self {
            table_name: required_env("TABLE_NAME")?,
            auth: AuthConfig::from_env()?,
            link_secret: required_env("LINK_SIGNING_SECRET")?,
        })
    }
}

impl AuthConfig {
    pub fn from_env() -> Result<Self, MissingVariable> {
        Ok(Self {
            issuer: required_env("COGNITO_ISSUER")?,
            jwks_url: required_env("COGNITO_JWKS_URL")?,
            audience: required_env("COGNITO_AUDIENCE")?,
        })
    }
}

/// The AWS SDK configuration; `AWS_ENDPOINT_URL` points every client at the local emulator.
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// JSON logs for CloudWatch; `RUST_LOG` sets the level.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_current_span(false)
        .without_time()
        .with_target(false)
        .try_init();
}
