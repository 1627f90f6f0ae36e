//! Bearer-token verification: every HTTP function checks the Cognito ID token itself —
//! RS256 only, signature against the pool's JWKS (cached; refetched when an unknown key id
//! appears, at most once a minute), issuer, audience and expiry — and turns its claims into
//! an [`Actor`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ewokiss_domain::access::Actor;
use ewokiss_domain::ids::{PersonId, UnitId};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::config::AuthConfig;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no bearer token")]
    Missing,
    #[error("token rejected: {0}")]
    Invalid(String),
    #[error("token valid but not usable here: {0}")]
    NoAccess(String),
    #[error("the key set could not be fetched: {0}")]
    KeysUnavailable(String),
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    token_use: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
    #[serde(default, rename = "custom:unit_id")]
    unit_id: Option<String>,
    #[serde(default, rename = "custom:person_id")]
    person_id: Option<String>,
}

const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

pub struct Verifier {
    config: AuthConfig,
    http: reqwest::Client,
    cache: RwLock<KeyCache>,
}

impl Verifier {
    pub fn new(config: AuthConfig) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("HTTP client builds");
        Self { config, http, cache: RwLock::new(KeyCache { keys: HashMap::new(), fetched_at: None }) }
    }

    /// Verifies an `Authorization` header value and returns the caller.
    pub async fn actor(&self, authorization: Option<&str>) -> Result<Actor, AuthError> {
        let token = authorization
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(AuthError::Missing)?;
        let claims = self.verify(token).await?;
        let unit_id = claims.unit_id.as_deref().filter(|v| !v.is_empty()).map(UnitId::parse).transpose();
        let person_id = claims.person_id.as_deref().filter(|v| !v.is_empty()).map(PersonId::parse).transpose();
        let (Ok(unit_id), Ok(person_id)) = (unit_id, person_id) else {
            return Err(AuthError::Invalid("malformed unit or person claim".into()));
        };
        let name = claims.name.clone().or_else(|| claims.email.clone()).unwrap_or_else(|| claims.sub.clone());
        Actor::from_claims(claims.sub, name, claims.email, &claims.groups, unit_id, person_id)
            .map_err(|e| AuthError::NoAccess(e.to_string()))
    }

    async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::RS256 {
            return Err(AuthError::Invalid("only RS256 is accepted".into()));
        }
        let kid = header.kid.ok_or_else(|| AuthError::Invalid("no key id".into()))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let data = decode::<Claims>(token, &key, &validation).map_err(|e| AuthError::Invalid(e.to_string()))?;
        if data.claims.token_use.as_deref().is_some_and(|use_| use_ != "id") {
            return Err(AuthError::Invalid("an ID token is required".into()));
        }
        Ok(data.claims)
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cache.read().await.keys.get(kid) {
            return Ok(key.clone());
        }
        let mut cache = self.cache.write().await;
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        let recently = cache.fetched_at.is_some_and(|at| at.elapsed() < REFRESH_AT_MOST_EVERY);
        if !recently {
            cache.keys = self.fetch_keys().await?;
            cache.fetched_at = Some(Instant::now());
        }
        cache.keys.get(kid).cloned().ok_or_else(|| AuthError::Invalid("unknown key id".into()))
    }

    async fn fetch_keys(&self) -> Result<HashMap<String, DecodingKey>, AuthError> {
        let unavailable = |e: reqwest::Error| AuthError::KeysUnavailable(e.to_string());
        let set: JwkSet = self
            .http
            .get(&self.config.jwks_url)
            .send()
            .await
            .map_err(unavailable)?
            .error_for_status()
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        Ok(set
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect())
    }
}
