//! The neutral view of what is handed to accounting: customers (kontrahenci), documents
//! (settlements and their corrections, which ERP XL turns into invoices FS / corrections FSK)
//! and the batch that carries them.
//!
//! Amounts: every line's net is `quantity × unit_net` rounded to grosze half-up, its VAT is
//! `net × rate` rounded the same way *per line*, and its gross is `net + VAT`; the totals per
//! VAT treatment and of the document are plain sums of the lines. (Art. 106e ust. 11 allows
//! rounding per line; summing rounded lines keeps every printed total equal to the sum of the
//! printed lines, which is what the units' accountants check.)

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::errors::{bounded_text, FieldError, ValidationErrors};
use crate::ids::UnitId;
use crate::training::{round_grosze, VatTreatment, VAT_RATES};
use crate::unit::Unit;
use crate::values::{Email, Nip, PostalCode, Regon, Teryt};

pub const COUNTRY_PL: &str = "PL";
pub const CURRENCY_PLN: &str = "PLN";
/// Unit of measure of a training or contract line (usługa).
pub const UNIT_OF_SERVICE: &str = "usł.";
/// Longest customer code: ERP XL's Akronim holds 20 characters (our reading; we stay well below).
pub const CODE_MAX: usize = 20;
/// Longest line description: FA(3) `P_7` is `TZnakowy512`.
pub const DESCRIPTION_MAX: usize = 512;
/// Longest document number, reason or name part that FA(3) holds in `TZnakowy` (256).
pub const TEXT_MAX: usize = 256;
pub const NAME_MAX: usize = 512;

/// A customer as the accounting system needs it (ERP XL: kontrahent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportContractor {
    pub unit_id: UnitId,
    /// The stable customer code in ERP XL (Akronim); see [`contractor_code`].
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nip: Option<Nip>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regon: Option<Regon>,
    pub street: String,
    pub postal_code: PostalCode,
    pub city: String,
    /// ISO 3166 alpha-2; always `"PL"` for the association's units.
    pub country: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

impl ExportContractor {
    /// The customer view of a unit. An invoice needs a full address, so a unit without street,
    /// postal code or city cannot be exported: every missing field is reported at once.
    pub fn from_unit(unit: &Unit, code: impl Into<String>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let code = code.into();
        if code.trim().is_empty() || code.chars().count() > CODE_MAX {
            errors.push(FieldError::new(
                "code",
                "invalid_contractor_code",
                format!("Kod kontrahenta musi mieć od 1 do {CODE_MAX} znaków."),
                format!("The customer code must have 1 to {CODE_MAX} characters."),
            ));
        }
        let street = unit.address.street.clone();
        let postal_code = unit.address.postal_code.clone();
        let city = unit.address.city.clone();
        for (field, missing) in [
            ("address.street", street.is_none()),
            ("address.postalCode", postal_code.is_none()),
            ("address.city", city.is_none()),
        ] {
            if missing {
                errors.push(FieldError::new(
                    field,
                    "required_for_invoice",
                    "Adres jednostki jest potrzebny do wystawienia faktury.",
                    "The unit's address is needed to issue an invoice.",
                ));
            }
        }
        match (street, postal_code, city) {
            (Some(street), Some(postal_code), Some(city)) if errors.is_empty() => Ok(ExportContractor {
                unit_id: unit.id,
                code,
                name: unit.name.clone(),
                nip: unit.nip.clone(),
                regon: unit.regon.clone(),
                street,
                postal_code,
                city,
                country: COUNTRY_PL.to_owned(),
                email: unit.email.clone(),
            }),
            _ => Err(errors),
        }
    }
}

/// The customer code (ERP XL Akronim) for a unit, derived once at its first export and then
/// stored with the unit: the caller must keep using the stored code even if the unit's TERYT
/// code changes later, since ERP XL identifies the customer by it.
///
/// - A gmina: `JST` + the first six digits of its TERYT code (województwo, powiat, gmina),
///   e.g. `JST302109` for Kórnik (3021093). The seventh digit (RODZ) is left out because it
///   changes when a gmina wiejska becomes miejsko-wiejska; the six digits are unique among the
///   gminy of the register (a test checks it).
/// - A powiat (or miasto na prawach powiatu registered at powiat level): `JST` + 4 digits.
/// - Any other unit (organisational units, other clients): `J` + 13 characters of Crockford
///   base32 of the low 64 bits of its id (random bits of a UUIDv7, hash bits of a derived id),
///   e.g. `J0Q8ZK3V9XW4M2`.
///
/// The three forms differ in length (7, 9 and 14 characters), so they never collide.
pub fn contractor_code(unit_id: UnitId, teryt: Option<&Teryt>) -> String {
    match teryt {
        Some(code) if code.as_str().len() == 7 => format!("JST{}", &code.as_str()[..6]),
        Some(code) => format!("JST{}", code.as_str()),
        None => {
            const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
            let low = unit_id.as_uuid().as_u128() as u64;
            let mut out = String::from("J");
            for i in (0..13).rev() {
                out.push(char::from(CROCKFORD[((low >> (i * 5)) & 31) as usize]));
            }
            out
        }
    }
}

/// A stable fingerprint of every exported field of a customer (`v1-` + 32 hex digits). The
/// store keeps the fingerprint of the last export per customer; a different fingerprint now
/// means the customer is new or changed and goes into the next batch (see
/// [`contractors_to_export`]).
///
/// It is a name-based UUID (v5, SHA-1) over a length-prefixed list of the fields, so it does
/// not depend on serde, on field order in memory, or on the Rust version; changing the list of
/// fields is a new version prefix.
pub fn contractor_fingerprint(contractor: &ExportContractor) -> String {
    const NAMESPACE: Uuid = Uuid::from_u128(0x6577_6f6b_6973_732d_6163_636f_756e_7401);
    let unit_id = contractor.unit_id.to_string();
    let fields = [
        unit_id.as_str(),
        contractor.code.as_str(),
        contractor.name.as_str(),
        contractor.nip.as_ref().map_or("", |v| v.as_str()),
        contractor.regon.as_ref().map_or("", |v| v.as_str()),
        contractor.street.as_str(),
        contractor.postal_code.as_str(),
        contractor.city.as_str(),
        contractor.country.as_str(),
        contractor.email.as_ref().map_or("", |v| v.as_str()),
    ];
    let mut canonical = String::from("ewokiss-contractor-v1");
    for field in fields {
        canonical.push_str(&format!("|{}:{}", field.len(), field));
    }
    format!("v1-{}", Uuid::new_v5(&NAMESPACE, canonical.as_bytes()).simple())
}

/// The customers of these documents (buyers and recipients) that are new or changed since
/// their last export. `last_exported` maps a customer code to the fingerprint of its last
/// export. When one customer appears in several documents with different data, the snapshot of
/// the latest issued document wins. Sorted by code.
pub fn contractors_to_export(
    documents: &[ExportDocument],
    last_exported: &BTreeMap<String, String>,
) -> Vec<ExportContractor> {
    let mut latest: BTreeMap<&str, (NaiveDate, &ExportContractor)> = BTreeMap::new();
    for document in documents {
        for contractor in std::iter::once(&document.buyer).chain(document.recipient.as_ref()) {
            let entry = latest.entry(contractor.code.as_str()).or_insert((document.issue_date, contractor));
            if document.issue_date >= entry.0 {
                *entry = (document.issue_date, contractor);
            }
        }
    }
    latest
        .into_values()
        .map(|(_, contractor)| contractor)
        .filter(|contractor| last_exported.get(&contractor.code) != Some(&contractor_fingerprint(contractor)))
        .cloned()
        .collect()
}

/// One invoice line: who attended which training when, or which contract period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportLine {
    /// E.g. "Jan Kowalski — Zamówienia publiczne 2027, 12–13.03.2027".
    pub description: String,
    /// The day the service was completed (last day of the training), when known (FA(3) `P_6A`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_date: Option<NaiveDate>,
    /// Negative in a correction that takes a line back.
    pub quantity: Decimal,
    /// Unit of measure, `"usł."`.
    pub unit: String,
    pub unit_net: Decimal,
    pub net: Decimal,
    pub vat: VatTreatment,
    pub vat_amount: Decimal,
    pub gross: Decimal,
}

impl ExportLine {
    /// A line with its amounts computed: net = quantity × unit net, VAT = net × rate (0 when
    /// exempt), gross = net + VAT, each rounded to grosze half-up.
    pub fn new(description: impl Into<String>, quantity: Decimal, unit_net: Decimal, vat: VatTreatment) -> Self {
        let net = round_grosze(quantity * unit_net);
        let vat_amount = line_vat(net, &vat);
        ExportLine {
            description: description.into(),
            service_date: None,
            quantity,
            unit: UNIT_OF_SERVICE.to_owned(),
            unit_net,
            net,
            vat,
            vat_amount,
            gross: net + vat_amount,
        }
    }

    pub fn with_service_date(mut self, day: NaiveDate) -> Self {
        self.service_date = Some(day);
        self
    }
}

fn line_vat(net: Decimal, vat: &VatTreatment) -> Decimal {
    match vat {
        VatTreatment::Rate { percent } => round_grosze(net * *percent / Decimal::ONE_HUNDRED),
        VatTreatment::Exempt { .. } => Decimal::new(0, 2),
    }
}

/// The sums of one VAT treatment (a rate, or "zw" with one legal basis).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VatTotal {
    pub vat: VatTreatment,
    pub net: Decimal,
    pub vat_amount: Decimal,
    pub gross: Decimal,
}

/// What the document is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentKind {
    /// A settlement (rozliczenie) → an invoice (ERP XL FS, FA(3) `VAT`).
    Settlement,
    /// A correction of an earlier exported document (ERP XL FSK, FA(3) `KOR`). Its lines carry
    /// the differences (negative for what is taken back).
    #[serde(rename_all = "camelCase")]
    Correction {
        /// Our number of the corrected document, e.g. "ROZ/000123/2027".
        of_number: String,
        /// Its issue date (FA(3) `DataWystFaKorygowanej`).
        of_issue_date: NaiveDate,
        /// The invoice number ERP XL gave the corrected document, once known from a payment
        /// report (FA(3) `NrFaKorygowanej`; our number stands in while it is unknown).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        of_invoice_number: Option<String>,
        /// The KSeF number of the corrected invoice, when known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        of_ksef_number: Option<String>,
        reason: String,
    },
}

impl DocumentKind {
    /// The ERP XL document type: `FS` (faktura sprzedaży) or `FSK` (korekta).
    pub fn erp_type(&self) -> &'static str {
        match self {
            Self::Settlement => "FS",
            Self::Correction { .. } => "FSK",
        }
    }
}

/// When the service was performed: one day (FA(3) `P_6`) or a billing period (`OkresFa`), as
/// for a contract billed quarterly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SaleDate {
    Day { date: NaiveDate },
    Period { from: NaiveDate, to: NaiveDate },
}

/// One document handed to accounting, with its amounts computed (build it through
/// [`ExportDocumentInput::build`], which also checks it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDocument {
    /// Our document number, e.g. "ROZ/000123/2027" (ERP XL: numer obcy).
    pub number: String,
    pub kind: DocumentKind,
    pub issue_date: NaiveDate,
    pub sale: SaleDate,
    pub payment_due: NaiveDate,
    /// The buyer's customer code (= `buyer.code`).
    pub contractor_code: String,
    /// The buyer as of the document (nabywca).
    pub buyer: ExportContractor,
    /// A recipient other than the buyer (odbiorca): an organisational unit of a gmina or powiat
    /// when the gmina or powiat is the buyer (FA(3): `JST` = 1 and `Podmiot3` with role 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<ExportContractor>,
    pub lines: Vec<ExportLine>,
    /// Sums per VAT treatment: rates from the highest, then "zw" per legal basis.
    pub totals: Vec<VatTotal>,
    pub total_net: Decimal,
    pub total_vat: Decimal,
    pub total_gross: Decimal,
    /// Always `"PLN"`.
    pub currency: String,
}

impl ExportDocument {
    /// True when any line is exempt ("zw").
    pub fn has_exempt_lines(&self) -> bool {
        self.lines.iter().any(|line| matches!(line.vat, VatTreatment::Exempt { .. }))
    }

    /// The distinct legal bases of the exempt lines, in line order.
    pub fn exemption_bases(&self) -> Vec<&str> {
        let mut bases: Vec<&str> = Vec::new();
        for line in &self.lines {
            if let VatTreatment::Exempt { basis } = &line.vat {
                if !bases.contains(&basis.as_str()) {
                    bases.push(basis);
                }
            }
        }
        bases
    }
}

/// The data of a document before its totals are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDocumentInput {
    pub number: String,
    pub kind: DocumentKind,
    pub issue_date: NaiveDate,
    pub sale: SaleDate,
    pub payment_due: NaiveDate,
    pub buyer: ExportContractor,
    pub recipient: Option<ExportContractor>,
    pub lines: Vec<ExportLine>,
}

impl ExportDocumentInput {
    /// Checks the document and computes its totals. Every problem is reported at once, naming
    /// the field (`lines[2].vat`, `kind.reason`, ...).
    pub fn build(self) -> Result<ExportDocument, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut text = |field: &str, value: &str, max: usize| {
            if let Err(error) = bounded_text(value, max) {
                errors.push(FieldError::from_value(field, &error));
            }
        };
        text("number", &self.number, TEXT_MAX);
        text("buyer.name", &self.buyer.name, NAME_MAX);
        text("buyer.street", &self.buyer.street, TEXT_MAX);
        text("buyer.city", &self.buyer.city, TEXT_MAX);
        if let DocumentKind::Correction { of_number, reason, of_invoice_number, .. } = &self.kind {
            text("kind.ofNumber", of_number, TEXT_MAX);
            text("kind.reason", reason, TEXT_MAX);
            if let Some(invoice) = of_invoice_number {
                text("kind.ofInvoiceNumber", invoice, TEXT_MAX);
            }
        }
        for (index, line) in self.lines.iter().enumerate() {
            text(&format!("lines[{index}].description"), &line.description, DESCRIPTION_MAX);
        }
        for (field, contractor) in
            std::iter::once(("buyer", &self.buyer)).chain(self.recipient.iter().map(|r| ("recipient", r)))
        {
            if contractor.code.trim().is_empty() || contractor.code.chars().count() > CODE_MAX {
                errors.push(FieldError::new(
                    format!("{field}.code"),
                    "invalid_contractor_code",
                    format!("Kod kontrahenta musi mieć od 1 do {CODE_MAX} znaków."),
                    format!("The customer code must have 1 to {CODE_MAX} characters."),
                ));
            }
            if contractor.country != COUNTRY_PL {
                errors.push(FieldError::new(
                    format!("{field}.country"),
                    "unsupported_country",
                    "Eksport obsługuje tylko kontrahentów krajowych (PL).",
                    "The export handles domestic customers (PL) only.",
                ));
            }
        }
        if self.lines.is_empty() {
            errors.push(FieldError::new(
                "lines",
                "no_lines",
                "Dokument musi mieć co najmniej jedną pozycję.",
                "A document needs at least one line.",
            ));
        }
        for (index, line) in self.lines.iter().enumerate() {
            check_line(&mut errors, index, line);
        }
        if self.payment_due < self.issue_date {
            errors.push(FieldError::new(
                "paymentDue",
                "due_before_issue",
                "Termin płatności nie może być wcześniejszy niż data wystawienia.",
                "The payment due date cannot be before the issue date.",
            ));
        }
        if let SaleDate::Period { from, to } = self.sale {
            if to < from {
                errors.push(FieldError::new(
                    "sale.to",
                    "period_reversed",
                    "Koniec okresu nie może być wcześniejszy niż jego początek.",
                    "The period cannot end before it starts.",
                ));
            }
        }
        if let DocumentKind::Correction { of_issue_date, .. } = &self.kind {
            if *of_issue_date > self.issue_date {
                errors.push(FieldError::new(
                    "kind.ofIssueDate",
                    "corrected_after_correction",
                    "Korygowany dokument nie może być wystawiony po korekcie.",
                    "The corrected document cannot be issued after its correction.",
                ));
            }
        }
        let totals = vat_totals(&self.lines);
        let total_net: Decimal = totals.iter().map(|t| t.net).sum();
        let total_vat: Decimal = totals.iter().map(|t| t.vat_amount).sum();
        let total_gross: Decimal = totals.iter().map(|t| t.gross).sum();
        if self.kind == DocumentKind::Settlement && total_gross < Decimal::ZERO {
            errors.push(FieldError::new(
                "lines",
                "negative_total",
                "Rozliczenie nie może mieć ujemnej wartości; użyj korekty.",
                "A settlement cannot have a negative total; use a correction.",
            ));
        }
        errors.into_result(|| ExportDocument {
            contractor_code: self.buyer.code.clone(),
            number: self.number,
            kind: self.kind,
            issue_date: self.issue_date,
            sale: self.sale,
            payment_due: self.payment_due,
            buyer: self.buyer,
            recipient: self.recipient,
            lines: self.lines,
            totals,
            total_net,
            total_vat,
            total_gross,
            currency: CURRENCY_PLN.to_owned(),
        })
    }
}

fn check_line(errors: &mut ValidationErrors, index: usize, line: &ExportLine) {
    let field = |name: &str| format!("lines[{index}].{name}");
    if line.quantity.is_zero() {
        errors.push(FieldError::new(
            field("quantity"),
            "zero_quantity",
            "Ilość nie może być zerem.",
            "Quantity cannot be zero.",
        ));
    }
    if line.unit_net.normalize().scale() > 2 {
        errors.push(FieldError::new(
            field("unitNet"),
            "too_many_decimals",
            "Cena jednostkowa ma najwyżej 2 miejsca po przecinku.",
            "The unit price has at most 2 decimal places.",
        ));
    }
    if let VatTreatment::Rate { percent } = &line.vat {
        if !VAT_RATES.iter().any(|rate| Decimal::from(*rate) == *percent) {
            errors.push(FieldError::new(
                field("vat"),
                "invalid_vat",
                "Stawka VAT musi być jedną z: 23, 8, 5, 0 albo „zw” (zwolnione).",
                "The VAT rate must be one of 23, 8, 5, 0 or \"zw\" (exempt).",
            ));
        }
    }
    let net = round_grosze(line.quantity * line.unit_net);
    let vat = line_vat(net, &line.vat);
    if line.net != net || line.vat_amount != vat || line.gross != net + vat {
        errors.push(FieldError::new(
            field("net"),
            "amounts_inconsistent",
            format!("Kwoty pozycji się nie zgadzają: oczekiwano netto {net}, VAT {vat}, brutto {}.", net + vat),
            format!("The line's amounts do not add up: expected net {net}, VAT {vat}, gross {}.", net + vat),
        ));
    }
    if line.unit.trim().is_empty() {
        errors.push(FieldError::required(field("unit")));
    }
}

/// Sort key of a VAT treatment: rates from the highest, then exemptions by basis.
fn vat_order(vat: &VatTreatment) -> (u8, Decimal, String) {
    match vat {
        VatTreatment::Rate { percent } => (0, -*percent, String::new()),
        VatTreatment::Exempt { basis } => (1, Decimal::ZERO, basis.clone()),
    }
}

fn vat_totals(lines: &[ExportLine]) -> Vec<VatTotal> {
    let mut totals: Vec<VatTotal> = Vec::new();
    for line in lines {
        let vat = match &line.vat {
            VatTreatment::Rate { percent } => VatTreatment::Rate { percent: percent.normalize() },
            exempt => exempt.clone(),
        };
        match totals.iter_mut().find(|total| total.vat == vat) {
            Some(total) => {
                total.net += line.net;
                total.vat_amount += line.vat_amount;
                total.gross += line.gross;
            }
            None => totals.push(VatTotal { vat, net: line.net, vat_amount: line.vat_amount, gross: line.gross }),
        }
    }
    totals.sort_by_key(|total| vat_order(&total.vat));
    totals
}

/// One batch handed to accounting: the customers to create or update first, then the documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportBatchContent {
    /// E.g. "EXP/0007/2027".
    pub batch_number: String,
    pub created_at: DateTime<Utc>,
    /// New or changed customers (see [`contractors_to_export`]); customers exported before and
    /// unchanged are not repeated, the documents refer to them by code.
    pub contractors: Vec<ExportContractor>,
    pub documents: Vec<ExportDocument>,
}

impl ExportBatchContent {
    /// Sum of the documents' gross totals: a control sum for the receiving side.
    pub fn total_gross(&self) -> Decimal {
        self.documents.iter().map(|d| d.total_gross).sum()
    }
}
