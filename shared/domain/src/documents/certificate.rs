//! Certificates of attendance (zaświadczenia o ukończeniu szkolenia).
//!
//! Who gets one: every enrolment of a completed training whose final status is `attended`
//! (the training's [`crate::training::AttendanceRule`], applied by [`Enrolment::complete`]),
//! never an absentee or a cancellation. One certificate per enrolment: the store keys it by
//! the enrolment id, so retries never issue a second one.
//!
//! Each certificate has a number in a gapless series per year (`ZAS/000123/2026`, assigned by
//! the store's counter like settlement numbers), the holder's name as it stands at issue, the
//! training's title, dates, hours, trainers and venue, and a verification code. A correction
//! of the name after issue makes a new version under the same number and code; the history
//! keeps every version, the verification page shows the latest.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::{format_date, AssociationContext, CertificateFields, PersonFields, TrainingFields};
use super::CertificateContext;
use crate::enrolment::{Enrolment, EnrolmentStatus};
use crate::errors::{bounded_text, FieldError};
use crate::ids::{CertificateId, EnrolmentId, PersonId, TrainingId, UnitId};
use crate::settlement::format_dates_pl;
use crate::training::{Training, TrainingKind};

/// The series of certificate numbers.
pub const SERIES: &str = "ZAS";
const SEQ_WIDTH: usize = 6;
const YEAR_MIN: i32 = 2000;
const YEAR_MAX: i32 = 9999;
/// Longest holder name accepted in a correction (first and last names with a space).
const HOLDER_NAME_MAX: usize = 300;

/// `ZAS/NNNNNN/RRRR`: the sequence within the issue year (from 1, zero-padded to six digits;
/// larger sequences print more digits) and the year. Stored and sent as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CertificateNumber {
    pub year: i32,
    pub seq: u32,
}

impl CertificateNumber {
    pub fn new(year: i32, seq: u32) -> Result<Self, FieldError> {
        if seq == 0 || !(YEAR_MIN..=YEAR_MAX).contains(&year) {
            return Err(invalid_number());
        }
        Ok(Self { year, seq })
    }

    /// The key of the store's counter for a year: the last sequence handed out.
    pub fn counter_key(year: i32) -> String {
        format!("NUMSEQ#{SERIES}#{year}")
    }

    /// Parses what a person types or reads off paper: surrounding spaces and lower case are
    /// accepted, and the sequence may be written without its leading zeros (`zas/123/2026`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let upper = raw.trim().to_uppercase();
        let mut parts = upper.split('/');
        let (Some(series), Some(seq), Some(year), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_number());
        };
        let digits = |s: &str| !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
        if series.trim() != SERIES || !digits(seq.trim()) || !digits(year.trim()) || year.trim().len() != 4 {
            return Err(invalid_number());
        }
        let seq = seq.trim().parse().map_err(|_| invalid_number())?;
        Self::new(year.trim().parse().map_err(|_| invalid_number())?, seq)
    }
}

fn invalid_number() -> FieldError {
    FieldError::new(
        "number",
        "invalid_certificate_number",
        "Nieprawidłowy numer zaświadczenia (oczekiwano np. ZAS/000123/2026).",
        "Invalid certificate number (expected e.g. ZAS/000123/2026).",
    )
}

impl std::fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{SERIES}/{:0width$}/{}", self.seq, self.year, width = SEQ_WIDTH)
    }
}

impl std::str::FromStr for CertificateNumber {
    type Err = FieldError;
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for CertificateNumber {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).map_err(|error| error.en)
    }
}

impl From<CertificateNumber> for String {
    fn from(number: CertificateNumber) -> Self {
        number.to_string()
    }
}

/// Characters of verification codes: no 0/O or 1/I to misread. 32 of them, so each character
/// carries exactly 5 random bits.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_LEN: usize = 12;

/// A verification code, printed `K7QF-9XMD-2PWA` (60 random bits): what the public
/// verification page is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VerificationCode([u8; CODE_LEN]);

const fn alphabet() -> [u8; 32] {
    *CODE_ALPHABET
}

impl VerificationCode {
    /// The code from 8 random bytes (the low 60 bits are used, 5 per character).
    pub fn from_random(bytes: [u8; 8]) -> Self {
        let bits = u64::from_be_bytes(bytes);
        let alphabet = alphabet();
        let mut code = [0u8; CODE_LEN];
        for (index, slot) in code.iter_mut().enumerate() {
            *slot = alphabet[((bits >> (index * 5)) & 0x1f) as usize];
        }
        Self(code)
    }

    /// A fresh random code (from the OS generator, through UUIDv4).
    pub fn generate() -> Self {
        let random = uuid::Uuid::new_v4().into_bytes();
        let mut bytes = [0u8; 8];
        // Bytes 0..6 and 8 of a v4 UUID are fully random (6 and 7 carry the version, 8 the variant).
        bytes[..6].copy_from_slice(&random[..6]);
        bytes[6..].copy_from_slice(&random[10..12]);
        Self::from_random(bytes)
    }

    /// Accepts lower case, spaces and dashes anywhere: `k7qf 9xmd-2pwa` is `K7QF-9XMD-2PWA`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let alphabet = alphabet();
        let mut code = [0u8; CODE_LEN];
        let mut len = 0;
        for c in raw.chars().filter(|c| !matches!(c, '-' | ' ' | '\u{2013}' | '\u{2010}')) {
            let upper = c.to_ascii_uppercase();
            if len == CODE_LEN || !upper.is_ascii() || !alphabet.contains(&(upper as u8)) {
                return Err(invalid_code());
            }
            code[len] = upper as u8;
            len += 1;
        }
        if len != CODE_LEN {
            return Err(invalid_code());
        }
        Ok(Self(code))
    }
}

fn invalid_code() -> FieldError {
    FieldError::new(
        "code",
        "invalid_verification_code",
        "Nieprawidłowy kod weryfikacyjny (12 znaków, np. K7QF-9XMD-2PWA).",
        "Invalid verification code (12 characters, e.g. K7QF-9XMD-2PWA).",
    )
}

impl std::fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (index, group) in self.0.chunks(4).enumerate() {
            if index > 0 {
                f.write_str("-")?;
            }
            // Only alphabet bytes are ever stored.
            f.write_str(std::str::from_utf8(group).map_err(|_| std::fmt::Error)?)?;
        }
        Ok(())
    }
}

impl TryFrom<String> for VerificationCode {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw).map_err(|error| error.en)
    }
}

impl From<VerificationCode> for String {
    fn from(code: VerificationCode) -> Self {
        code.to_string()
    }
}

/// One version of a certificate. Versions share `id`, `number` and `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    pub id: CertificateId,
    #[schema(value_type = String, example = "ZAS/000123/2026")]
    pub number: CertificateNumber,
    /// 1 at issue; each correction adds one.
    pub version: u32,
    pub training_id: TrainingId,
    /// One certificate per enrolment: the idempotency key of generation.
    pub enrolment_id: EnrolmentId,
    pub person_id: PersonId,
    pub unit_id: UnitId,
    /// The holder's unit path (root … unit), for access checks from the record itself.
    pub unit_path: Vec<UnitId>,
    /// The holder's name as it stood when this version was issued.
    pub holder_name: String,
    pub training_title: String,
    pub training_kind: String,
    /// The kind's Polish name, e.g. `szkolenie otwarte`.
    pub training_kind_name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Every session's day, in order.
    pub session_dates: Vec<NaiveDate>,
    #[schema(value_type = String, example = "12")]
    pub hours: Decimal,
    pub trainers: Vec<String>,
    /// The venue as printed, or `online`.
    pub venue: String,
    #[schema(value_type = String, example = "K7QF-9XMD-2PWA")]
    pub code: VerificationCode,
    /// When this version was issued.
    pub issued_at: DateTime<Utc>,
    /// When version 1 was issued.
    pub first_issued_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("the training is not completed")]
    TrainingNotCompleted,
    #[error("the enrolment belongs to another training")]
    OtherTraining,
    #[error("the person did not attend (status {0})")]
    NotAttended(EnrolmentStatus),
    #[error("the training has no sessions")]
    NoSessions,
    #[error("the number is of year {number}, the certificate is issued in {issued}")]
    WrongYear { number: i32, issued: i32 },
    #[error("invalid name")]
    InvalidName(FieldError),
    #[error("the name is unchanged")]
    NameUnchanged,
}

impl CertificateError {
    pub fn field_error(&self) -> FieldError {
        let (field, code, pl, en) = match self {
            Self::InvalidName(error) => return error.clone(),
            Self::TrainingNotCompleted => (
                "trainingId",
                "training_not_completed",
                "Zaświadczenia wystawia się po zakończeniu szkolenia i zatwierdzeniu obecności.".to_owned(),
                "Certificates are issued once the training is completed and attendance is final.".to_owned(),
            ),
            Self::OtherTraining => (
                "enrolmentId",
                "other_training",
                "Zgłoszenie dotyczy innego szkolenia.".to_owned(),
                "The enrolment belongs to another training.".to_owned(),
            ),
            Self::NotAttended(status) => (
                "enrolmentId",
                "not_attended",
                "Zaświadczenie przysługuje tylko osobom obecnym na szkoleniu.".to_owned(),
                format!("Only persons who attended get a certificate (status: {status})."),
            ),
            Self::NoSessions => (
                "trainingId",
                "no_sessions",
                "Szkolenie nie ma terminów zajęć.".to_owned(),
                "The training has no sessions.".to_owned(),
            ),
            Self::WrongYear { number, issued } => (
                "number",
                "wrong_year",
                format!("Numer z roku {number} nie pasuje do daty wystawienia ({issued})."),
                format!("A number of {number} does not match the issue year {issued}."),
            ),
            Self::NameUnchanged => (
                "holderName",
                "name_unchanged",
                "Imię i nazwisko się nie zmieniło.".to_owned(),
                "The name has not changed.".to_owned(),
            ),
        };
        FieldError::new(field, code, pl, en)
    }
}

/// Whether an enrolment earns a certificate: the training is past completion and the
/// enrolment's final status is `attended`.
pub fn is_eligible(training: &Training, enrolment: &Enrolment) -> Result<(), CertificateError> {
    if enrolment.training_id != training.id {
        return Err(CertificateError::OtherTraining);
    }
    if !training.phase.is_past_completion() {
        return Err(CertificateError::TrainingNotCompleted);
    }
    match enrolment.status {
        EnrolmentStatus::Attended => Ok(()),
        other => Err(CertificateError::NotAttended(other)),
    }
}

/// The enrolments of a completed training that get a certificate, in the given order.
pub fn eligible<'a>(training: &Training, enrolments: &'a [Enrolment]) -> Vec<&'a Enrolment> {
    enrolments.iter().filter(|enrolment| is_eligible(training, enrolment).is_ok()).collect()
}

/// The year whose series numbers a certificate issued at `now` (Warsaw calendar).
pub fn number_year(now: DateTime<Utc>) -> i32 {
    crate::time::warsaw_date(now).year()
}

impl Certificate {
    /// Version 1 for an eligible enrolment; `number` comes from the store's counter for
    /// [`number_year`] of `now`, `code` from [`VerificationCode::generate`].
    pub fn issue(
        training: &Training,
        kinds: &[TrainingKind],
        enrolment: &Enrolment,
        number: CertificateNumber,
        code: VerificationCode,
        now: DateTime<Utc>,
    ) -> Result<Certificate, CertificateError> {
        is_eligible(training, enrolment)?;
        let (Some(starts_on), Some(ends_on)) = (training.starts_on(), training.ends_on()) else {
            return Err(CertificateError::NoSessions);
        };
        if number.year != number_year(now) {
            return Err(CertificateError::WrongYear { number: number.year, issued: number_year(now) });
        }
        let venue = match (&training.venue, training.online) {
            (_, true) => "online".to_owned(),
            (Some(venue), false) => venue_line(venue),
            (None, false) => String::new(),
        };
        Ok(Certificate {
            id: CertificateId::generate(),
            number,
            version: 1,
            training_id: training.id,
            enrolment_id: enrolment.id,
            person_id: enrolment.person_id,
            unit_id: enrolment.unit_id,
            unit_path: enrolment.unit_path.clone(),
            holder_name: enrolment.person_name.clone(),
            training_title: training.title.clone(),
            training_kind: training.kind_code.clone(),
            training_kind_name: TrainingKind::find(kinds, &training.kind_code)
                .map(|kind| kind.name_pl.clone())
                .unwrap_or_else(|| "szkolenie".to_owned()),
            starts_on,
            ends_on,
            session_dates: training.sessions.iter().map(|s| s.date).collect(),
            hours: training.total_hours().normalize(),
            trainers: training.trainers.iter().map(|t| t.name.clone()).collect(),
            venue,
            code,
            issued_at: now,
            first_issued_at: now,
            correction_reason: None,
        })
    }

    /// A new version with the holder's corrected name: same id, number and code.
    pub fn correct_name(
        &self,
        new_name: &str,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Certificate, CertificateError> {
        let name = bounded_text(new_name, HOLDER_NAME_MAX)
            .map_err(|e| CertificateError::InvalidName(FieldError::from_value("holderName", &e)))?;
        if name == self.holder_name {
            return Err(CertificateError::NameUnchanged);
        }
        let mut next = self.clone();
        next.holder_name = name;
        next.version = self.version + 1;
        next.issued_at = now;
        next.correction_reason = reason.map(str::trim).filter(|r| !r.is_empty()).map(str::to_owned);
        Ok(next)
    }

    /// Where the PDF of this version is stored in the private bucket; versions never overwrite
    /// each other.
    pub fn storage_key(&self) -> String {
        format!("certificates/{}/{:06}/{}-v{}.pdf", self.number.year, self.number.seq, self.id, self.version)
    }

    /// The file name offered on download: `ZAS-000123-2026.pdf`.
    pub fn file_name(&self) -> String {
        format!("{}.pdf", self.number.to_string().replace('/', "-"))
    }

    /// What the public verification page shows: nothing beyond number, holder and training.
    pub fn verification(&self) -> VerificationView {
        VerificationView {
            number: self.number,
            holder_name: self.holder_name.clone(),
            training_title: self.training_title.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
        }
    }

    /// The values the certificate template sees.
    pub fn context(&self, verify_url: &str) -> CertificateContext {
        let hours = self.hours.normalize().to_string().replace('.', ",");
        CertificateContext {
            association: AssociationContext::default(),
            certificate: CertificateFields {
                number: self.number.to_string(),
                code: self.code.to_string(),
                verify_url: verify_url.to_owned(),
                issued_on: format_date(crate::time::warsaw_date(self.issued_at)),
                version: self.version.to_string(),
            },
            person: PersonFields { name: self.holder_name.clone() },
            training: TrainingFields {
                title: self.training_title.clone(),
                kind: self.training_kind_name.clone(),
                dates: format_session_dates(&self.session_dates, self.starts_on, self.ends_on),
                hours,
                trainers: self.trainers.join(", "),
                venue: self.venue.clone(),
            },
        }
    }
}

/// Consecutive days as a span (`15–16.12.2026`); days with gaps listed (`03.12.2026, 10.12.2026`).
fn format_session_dates(dates: &[NaiveDate], starts_on: NaiveDate, ends_on: NaiveDate) -> String {
    let mut days: Vec<NaiveDate> = dates.to_vec();
    days.dedup();
    let consecutive = days.windows(2).all(|pair| (pair[1] - pair[0]).num_days() == 1);
    if consecutive || days.is_empty() {
        format_dates_pl(starts_on, ends_on)
    } else {
        days.iter().map(|day| format_date(*day)).collect::<Vec<_>>().join(", ")
    }
}

fn venue_line(venue: &crate::training::Venue) -> String {
    let address = &venue.address;
    let postal_city = [address.postal_code.as_ref().map(|c| c.as_str()), address.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    [Some(venue.name.as_str()), address.street.as_deref(), Some(postal_city.as_str())]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The public verification page's answer for a real code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationView {
    #[schema(value_type = String, example = "ZAS/000123/2026")]
    pub number: CertificateNumber,
    pub holder_name: String,
    pub training_title: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}
