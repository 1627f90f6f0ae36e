//! Signed download links for certificates: a token naming the certificate and an expiry,
//! signed with HMAC-SHA256 under a server secret. The link in the e-mail points to the app,
//! which verifies the token and answers with a fresh short-lived presigned S3 URL, so the link
//! keeps working for as long as the token says (years), while no S3 URL ever lives long.
//!
//! Token: base64url (no padding) of `version (1) ‖ certificate id (16) ‖ expiry, Unix seconds,
//! big-endian i64 (8) ‖ HMAC-SHA256 (32)`, the MAC taken over a context label and the first 25
//! bytes. 76 characters. The expiry is trusted only once the MAC checks out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::ids::CertificateId;

const VERSION: u8 = 1;
/// Binds the MAC to this use: the same secret signing anything else cannot make a link.
const CONTEXT: &[u8] = b"ewokiss:certificate-link:v1";
const BODY_LEN: usize = 1 + 16 + 8;
const MAC_LEN: usize = 32;
/// Shortest secret accepted (bytes).
pub const SECRET_MIN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token of ours at all (bad base64, wrong length or version).
    #[error("the link is malformed")]
    Malformed,
    /// Well-formed but the signature does not match: altered, or signed with another secret.
    #[error("the link has been tampered with")]
    Tampered,
    /// Genuine, but past its expiry.
    #[error("the link expired at {0}")]
    Expired(DateTime<Utc>),
    /// The server's secret is too short to sign with.
    #[error("the signing secret is shorter than {SECRET_MIN} bytes")]
    WeakSecret,
}

/// A verified token's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkClaims {
    pub certificate_id: CertificateId,
    pub expires_at: DateTime<Utc>,
}

fn mac(secret: &[u8], body: &[u8]) -> Result<Hmac<Sha256>, LinkError> {
    if secret.len() < SECRET_MIN {
        return Err(LinkError::WeakSecret);
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).map_err(|_| LinkError::WeakSecret)?;
    mac.update(CONTEXT);
    mac.update(body);
    Ok(mac)
}

/// A token for `certificate_id`, valid until `expires_at` (to the second).
pub fn sign(secret: &[u8], certificate_id: CertificateId, expires_at: DateTime<Utc>) -> Result<String, LinkError> {
    let mut token = Vec::with_capacity(BODY_LEN + MAC_LEN);
    token.push(VERSION);
    token.extend_from_slice(certificate_id.as_uuid().as_bytes());
    token.extend_from_slice(&expires_at.timestamp().to_be_bytes());
    let tag = mac(secret, &token)?.finalize().into_bytes();
    token.extend_from_slice(&tag);
    Ok(URL_SAFE_NO_PAD.encode(token))
}

/// Checks a token at `now`: the signature first (constant-time), then the expiry.
pub fn verify(secret: &[u8], token: &str, now: DateTime<Utc>) -> Result<LinkClaims, LinkError> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| LinkError::Malformed)?;
    if bytes.len() != BODY_LEN + MAC_LEN || bytes[0] != VERSION {
        return Err(LinkError::Malformed);
    }
    let (body, tag) = bytes.split_at(BODY_LEN);
    mac(secret, body)?.verify_slice(tag).map_err(|_| LinkError::Tampered)?;
    let id: [u8; 16] = body[1..17].try_into().map_err(|_| LinkError::Malformed)?;
    let seconds = i64::from_be_bytes(body[17..25].try_into().map_err(|_| LinkError::Malformed)?);
    let expires_at = DateTime::<Utc>::from_timestamp(seconds, 0).ok_or(LinkError::Malformed)?;
    if now >= expires_at {
        return Err(LinkError::Expired(expires_at));
    }
    let certificate_id = CertificateId::parse(&Uuid::from_bytes(id).to_string()).map_err(|_| LinkError::Malformed)?;
    Ok(LinkClaims { certificate_id, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test-only";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 18, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_valid_link_is_accepted_for_years_and_refused_after() {
        let id = CertificateId::generate();
        let expires = now() + Duration::days(365 * 10);
        let token = sign(SECRET, id, expires).unwrap();
        assert_eq!(token.len(), 76);
        assert!(token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        let claims = verify(SECRET, &token, now() + Duration::days(365 * 9)).unwrap();
        assert_eq!(claims, LinkClaims { certificate_id: id, expires_at: expires });
        assert_eq!(verify(SECRET, &token, expires).unwrap_err(), LinkError::Expired(expires));
        assert_eq!(verify(SECRET, &token, expires + Duration::days(1)).unwrap_err(), LinkError::Expired(expires));
    }

    #[test]
    fn other_secrets_garbage_and_weak_secrets_are_refused() {
        let token = sign(SECRET, CertificateId::generate(), now() + Duration::days(1)).unwrap();
        let other = b"another-secret-another-secret-another-secret";
        assert_eq!(verify(other, &token, now()).unwrap_err(), LinkError::Tampered);
        assert_eq!(verify(SECRET, "not a token", now()).unwrap_err(), LinkError::Malformed);
        assert_eq!(verify(SECRET, &token[..40], now()).unwrap_err(), LinkError::Malformed);
        assert_eq!(verify(SECRET, "", now()).unwrap_err(), LinkError::Malformed);
        assert_eq!(sign(b"short", CertificateId::generate(), now()).unwrap_err(), LinkError::WeakSecret);
    }

    #[test]
    fn extending_the_expiry_by_hand_is_tampering() {
        let id = CertificateId::generate();
        let token = sign(SECRET, id, now() - Duration::days(1)).unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
        bytes[17..25].copy_from_slice(&(now() + Duration::days(3650)).timestamp().to_be_bytes());
        let forged = URL_SAFE_NO_PAD.encode(bytes);
        assert_eq!(verify(SECRET, &forged, now()).unwrap_err(), LinkError::Tampered);
    }

    proptest! {
        /// Any change of any single byte is refused, never accepted for another certificate.
        #[test]
        fn any_altered_byte_is_refused(index in 0usize..(BODY_LEN + MAC_LEN), flip in 1u8..=255) {
            let id = CertificateId::generate();
            let token = sign(SECRET, id, now() + Duration::days(30)).unwrap();
            let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
            bytes[index] ^= flip;
            let altered = URL_SAFE_NO_PAD.encode(&bytes);
            let error = verify(SECRET, &altered, now()).unwrap_err();
            prop_assert!(matches!(error, LinkError::Tampered | LinkError::Malformed), "{error:?}");
        }

        #[test]
        fn signed_links_verify_until_they_expire(days in 1i64..(365 * 30), seconds in 0i64..86_400) {
            let id = CertificateId::generate();
            let expires = now() + Duration::days(days) + Duration::seconds(seconds);
            let token = sign(SECRET, id, expires).unwrap();
            prop_assert_eq!(verify(SECRET, &token, now()).unwrap().certificate_id, id);
            prop_assert_eq!(verify(SECRET, &token, expires).unwrap_err(), LinkError::Expired(expires));
        }
    }
}
