//! Links in e-mails that must work without logging in and for years (unsubscribe): a signed,
//! expiring token (HS256 JWT) naming the person and what the link is for. A tampered, expired
//! or repurposed token is refused.

use chrono::{DateTime, Duration, Utc};
use ewokiss_domain::ids::{MailingId, PersonId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Clone)]
pub struct LinkSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for LinkSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LinkSigner(..)")
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    purpose: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mailing: Option<String>,
    exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has expired")]
    Expired,
    #[error("the link is not valid")]
    Invalid,
}

/// What an unsubscribe link names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsubscribeLink {
    pub person_id: PersonId,
    pub mailing_id: Option<MailingId>,
}

const UNSUBSCRIBE: &str = "unsubscribe";

impl LinkSigner {
    pub fn new(secret: &[u8]) -> Self {
        Self { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// The secret from `LINK_SIGNING_SECRET`.
    pub fn from_env() -> Result<Self, crate::config::MissingVariable> {
        Ok(Self::new(crate::config::required_env("LINK_SIGNING_SECRET")?.as_bytes()))
    }

    /// An unsubscribe token valid for five years (a newsletter is read long after it is sent).
    pub fn unsubscribe_token(&self, link: UnsubscribeLink, now: DateTime<Utc>) -> String {
        let claims = Claims {
            sub: link.person_id.to_string(),
            purpose: UNSUBSCRIBE.into(),
            mailing: link.mailing_id.map(|id| id.to_string()),
            exp: (now + Duration::days(5 * 366)).timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    pub fn verify_unsubscribe(&self, token: &str) -> Result<UnsubscribeLink, LinkError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_aud = false;
        let claims = decode::<Claims>(token.trim(), &self.decoding, &validation)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => LinkError::Expired,
                _ => LinkError::Invalid,
            })?
            .claims;
        if claims.purpose != UNSUBSCRIBE {
            return Err(LinkError::Invalid);
        }
        let person_id = PersonId::parse(&claims.sub).map_err(|_| LinkError::Invalid)?;
        let mailing_id = claims.mailing.as_deref().map(MailingId::parse).transpose().map_err(|_| LinkError::Invalid)?;
        Ok(UnsubscribeLink { person_id, mailing_id })
    }
}

/// How long an e-mailed certificate link works: the customer wants certificates downloadable
/// "at any time"; the link is exchanged for a fresh 5-minute presigned URL on each use.
const LINK_YEARS: i64 = 10;

#[derive(Debug, Clone)]
pub struct CertificateSettings {
    /// The web app's public address (APP_URL): verification page and download links.
    pub app_url: String,
    /// LINK_SIGNING_SECRET.
    pub secret: Vec<u8>,
}

impl CertificateSettings {
    pub fn from_env() -> Result<Self, crate::config::MissingVariable> {
        Ok(Self {
            app_url: crate::config::required_env("APP_URL")?.trim_end_matches('/').to_owned(),
            secret: crate::config::required_env("LINK_SIGNING_SECRET")?.into_bytes(),
        })
    }

    pub fn verify_url(&self, code: &ewokiss_domain::documents::certificate::VerificationCode) -> String {
        format!("{}/#/verify/{code}", self.app_url)
    }

    /// The e-mailed link: the app checks the token and answers with a fresh presigned URL.
    pub fn download_link(&self, id: ewokiss_domain::ids::CertificateId) -> String {
        let expires = Utc::now() + chrono::Duration::days(366 * LINK_YEARS);
        let token = ewokiss_domain::documents::link::sign(&self.secret, id, expires)
            .expect("an HMAC key of any length is accepted");
        format!("{}/api/extranet/public/certificates/download?token={token}", self.app_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_link_round_trips_and_a_tampered_or_foreign_one_is_refused() {
        let signer = LinkSigner::new(b"test-secret-of-enough-length-0123456789");
        let link = UnsubscribeLink { person_id: PersonId::generate(), mailing_id: Some(MailingId::generate()) };
        let token = signer.unsubscribe_token(link, Utc::now());
        assert_eq!(signer.verify_unsubscribe(&token), Ok(link));
        let mut tampered = token.clone();
        tampered.insert(tampered.len() / 2, 'x');
        assert_eq!(signer.verify_unsubscribe(&tampered), Err(LinkError::Invalid));
        let other = LinkSigner::new(b"another-secret-of-enough-length-987654");
        assert_eq!(other.verify_unsubscribe(&token), Err(LinkError::Invalid));
        let old = signer.unsubscribe_token(link, Utc::now() - Duration::days(6 * 366));
        assert_eq!(signer.verify_unsubscribe(&old), Err(LinkError::Expired));
    }
}
