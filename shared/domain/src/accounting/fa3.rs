//! A draft of the structured e-invoice FA(3) (KSeF) for one exported document, so that the
//! accounting side can check or issue the e-invoice from data it does not have to retype.
//!
//! It follows the official schema `schemat_FA(3)_v1-0E.xsd` (namespace
//! `http://crd.gov.pl/wzor/2025/06/25/13775/`); the sample drafts of the tests validate against
//! it (`scripts/validate-accounting-xml.py`, schema copy in `docs/accounting/fa3/`). It is a
//! *draft*: `P_2` carries our document number until ERP XL numbers the invoice, and the
//! issuer's system sends the invoice to KSeF, not e-WOKiSS.
//!
//! Mapping:
//! - `Naglowek`: `KodFormularza` "FA" (`kodSystemowy="FA (3)"`, `wersjaSchemy="1-0E"`),
//!   `WariantFormularza` 3, `DataWytworzeniaFa`, `SystemInfo` "e-WOKiSS".
//! - `Podmiot1` the association ([`SellerInfo`]); `Podmiot2` the buyer: NIP (or `BrakID` 1
//!   when the unit has none), name, address, e-mail, `NrKlienta` = our customer code,
//!   `JST` = 1 when a recipient is given (an organisational unit of the gmina or powiat), then
//!   listed in `Podmiot3` with `Rola` 8 ("JST – odbiorca"); otherwise `JST` = 2; `GV` = 2.
//! - `Fa`: `KodWaluty` PLN, `P_1` issue date, `P_1M` seller's city, `P_2` number, `P_6` sale
//!   date or `OkresFa` (`P_6_Od`, `P_6_Do`), then net and VAT sums per rate: 23 % →
//!   `P_13_1`/`P_14_1`, 8 % → `P_13_2`/`P_14_2`, 5 % → `P_13_3`/`P_14_3`, 0 % (domestic) →
//!   `P_13_6_1`, exempt → `P_13_7`; `P_15` gross total.
//! - `Adnotacje`: `P_16`, `P_17`, `P_18`, `P_18A` = 2 (no cash method, no self-billing, no
//!   reverse charge, no split-payment mark: training services are not in annex 15);
//!   `Zwolnienie`: `P_19` = 1 with `P_19A` = the legal basis (distinct bases joined with "; ")
//!   when any line is exempt, else `P_19N` = 1; `NoweSrodkiTransportu/P_22N` = 1; `P_23` = 2;
//!   `PMarzy/P_PMarzyN` = 1.
//! - `RodzajFaktury` `VAT`, or `KOR` with `PrzyczynaKorekty` and `DaneFaKorygowanej`
//!   (`DataWystFaKorygowanej`, `NrFaKorygowanej` = ERP XL's invoice number when known, else our
//!   number; `NrKSeF` 1 + `NrKSeFFaKorygowanej` when the KSeF number is known, else `NrKSeFN` 1).
//!   A correction's lines are the differences (negative amounts take a line back).
//! - `DodatkowyOpis` "Numer rozliczenia e-WOKiSS" = our number (survives renumbering of `P_2`).
//! - `FaWiersz`: `NrWierszaFa`, `P_6A` (service date, when known), `P_7` description, `P_8A`
//!   unit, `P_8B` quantity, `P_9A` unit net, `P_11` net, `P_12` "23", "8", "5", "0 KR" or "zw".
//! - `Platnosc`: `TerminPlatnosci/Termin`, `FormaPlatnosci` 6 (przelew), `RachunekBankowy/NrRB`
//!   when the seller's account is given.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::training::VatTreatment;
use crate::values::{Email, Nip, PostalCode};

use super::model::{DocumentKind, ExportContractor, ExportDocument, SaleDate};
use super::xml::{amount, date, quantity, XmlWriter};

pub const FA3_NAMESPACE: &str = "http://crd.gov.pl/wzor/2025/06/25/13775/";

/// The issuer of the invoices: the association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerInfo {
    pub nip: Nip,
    pub name: String,
    pub street: String,
    pub postal_code: PostalCode,
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// As written, at most 16 characters (FA(3) `TNumerTelefonu`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The account for payments (NRB, 26 digits; spaces are removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
}

/// The FA(3) draft of a document, dated (`DataWytworzeniaFa`) at midnight UTC of its issue day,
/// so the same document always gives the same bytes. See [`fa3_draft_at`].
pub fn fa3_draft(doc: &ExportDocument, seller: &SellerInfo) -> String {
    let midnight = doc.issue_date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc();
    fa3_draft_at(doc, seller, midnight)
}

/// The FA(3) draft of a document built by [`super::ExportDocumentInput::build`] (which
/// guarantees the rates are 23, 8, 5, 0 or exempt), created at `generated_at`.
pub fn fa3_draft_at(doc: &ExportDocument, seller: &SellerInfo, generated_at: DateTime<Utc>) -> String {
    let mut w = XmlWriter::new();
    w.open("Faktura", &[("xmlns", FA3_NAMESPACE)]);

    w.open("Naglowek", &[]);
    w.leaf_with("KodFormularza", &[("kodSystemowy", "FA (3)"), ("wersjaSchemy", "1-0E")], "FA");
    w.leaf("WariantFormularza", "3");
    w.leaf("DataWytworzeniaFa", &generated_at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    w.leaf("SystemInfo", "e-WOKiSS");
    w.close();

    w.open("Podmiot1", &[]);
    w.open("DaneIdentyfikacyjne", &[]);
    w.leaf("NIP", seller.nip.as_str());
    w.leaf("Nazwa", &seller.name);
    w.close();
    address(&mut w, &seller.street, &seller.postal_code, &seller.city, "PL");
    if seller.email.is_some() || seller.phone.is_some() {
        w.open("DaneKontaktowe", &[]);
        w.optional("Email", seller.email.as_ref().map(|e| e.as_str()));
        w.optional("Telefon", seller.phone.as_deref());
        w.close();
    }
    w.close();

    w.open("Podmiot2", &[]);
    identification(&mut w, &doc.buyer);
    contractor_address(&mut w, &doc.buyer);
    if let Some(email) = &doc.buyer.email {
        w.open("DaneKontaktowe", &[]);
        w.leaf("Email", email.as_str());
        w.close();
    }
    w.leaf("NrKlienta", &doc.buyer.code);
    w.leaf("JST", if doc.recipient.is_some() { "1" } else { "2" });
    w.leaf("GV", "2");
    w.close();

    if let Some(recipient) = &doc.recipient {
        w.open("Podmiot3", &[]);
        identification(&mut w, recipient);
        contractor_address(&mut w, recipient);
        w.leaf("Rola", "8");
        w.leaf("NrKlienta", &recipient.code);
        w.close();
    }

    w.open("Fa", &[]);
    w.leaf("KodWaluty", &doc.currency);
    w.leaf("P_1", &date(doc.issue_date));
    w.leaf("P_1M", &seller.city);
    w.leaf("P_2", &doc.number);
    match doc.sale {
        SaleDate::Day { date: day } => w.leaf("P_6", &date(day)),
        SaleDate::Period { from, to } => {
            w.open("OkresFa", &[]);
            w.leaf("P_6_Od", &date(from));
            w.leaf("P_6_Do", &date(to));
            w.close();
        }
    }
    let sums = RateSums::of(doc);
    for (rate, net_field, vat_field) in [(23, "P_13_1", "P_14_1"), (8, "P_13_2", "P_14_2"), (5, "P_13_3", "P_14_3")] {
        if let Some((net, vat)) = sums.rate(rate) {
            w.leaf(net_field, &amount(net));
            w.leaf(vat_field, &amount(vat));
        }
    }
    if let Some((net, _)) = sums.rate(0) {
        w.leaf("P_13_6_1", &amount(net));
    }
    if let Some(net) = sums.exempt {
        w.leaf("P_13_7", &amount(net));
    }
    w.leaf("P_15", &amount(doc.total_gross));

    w.open("Adnotacje", &[]);
    for field in ["P_16", "P_17", "P_18", "P_18A"] {
        w.leaf(field, "2");
    }
    w.open("Zwolnienie", &[]);
    if doc.has_exempt_lines() {
        w.leaf("P_19", "1");
        w.leaf("P_19A", &doc.exemption_bases().join("; "));
    } else {
        w.leaf("P_19N", "1");
    }
    w.close();
    w.open("NoweSrodkiTransportu", &[]);
    w.leaf("P_22N", "1");
    w.close();
    w.leaf("P_23", "2");
    w.open("PMarzy", &[]);
    w.leaf("P_PMarzyN", "1");
    w.close();
    w.close();

    match &doc.kind {
        DocumentKind::Settlement => w.leaf("RodzajFaktury", "VAT"),
        DocumentKind::Correction { of_number, of_issue_date, of_invoice_number, of_ksef_number, reason } => {
            w.leaf("RodzajFaktury", "KOR");
            w.leaf("PrzyczynaKorekty", reason);
            w.open("DaneFaKorygowanej", &[]);
            w.leaf("DataWystFaKorygowanej", &date(*of_issue_date));
            w.leaf("NrFaKorygowanej", of_invoice_number.as_deref().unwrap_or(of_number));
            match of_ksef_number {
                Some(ksef) => {
                    w.leaf("NrKSeF", "1");
                    w.leaf("NrKSeFFaKorygowanej", ksef);
                }
                None => w.leaf("NrKSeFN", "1"),
            }
            w.close();
        }
    }
    w.open("DodatkowyOpis", &[]);
    w.leaf("Klucz", "Numer rozliczenia e-WOKiSS");
    w.leaf("Wartosc", &doc.number);
    w.close();

    for (index, line) in doc.lines.iter().enumerate() {
        w.open("FaWiersz", &[]);
        w.leaf("NrWierszaFa", &(index + 1).to_string());
        w.optional("P_6A", line.service_date.map(date).as_deref());
        w.leaf("P_7", &line.description);
        w.leaf("P_8A", &line.unit);
        w.leaf("P_8B", &quantity(line.quantity));
        w.leaf("P_9A", &amount(line.unit_net));
        w.leaf("P_11", &amount(line.net));
        w.leaf("P_12", &p12(&line.vat));
        w.close();
    }

    w.open("Platnosc", &[]);
    w.open("TerminPlatnosci", &[]);
    w.leaf("Termin", &date(doc.payment_due));
    w.close();
    w.leaf("FormaPlatnosci", "6");
    if let Some(account) = &seller.bank_account {
        w.open("RachunekBankowy", &[]);
        w.leaf("NrRB", &account.chars().filter(|c| !c.is_whitespace()).collect::<String>());
        w.close();
    }
    w.close();

    w.close();
    w.close();
    w.finish()
}

/// `P_12` of a line: the rate, "0 KR" for the domestic 0 % rate, or "zw".
fn p12(vat: &VatTreatment) -> String {
    match vat {
        VatTreatment::Rate { percent } if percent.is_zero() => "0 KR".to_owned(),
        other => other.code(),
    }
}

fn identification(w: &mut XmlWriter, contractor: &ExportContractor) {
    w.open("DaneIdentyfikacyjne", &[]);
    match &contractor.nip {
        Some(nip) => w.leaf("NIP", nip.as_str()),
        None => w.leaf("BrakID", "1"),
    }
    w.leaf("Nazwa", &contractor.name);
    w.close();
}

fn contractor_address(w: &mut XmlWriter, contractor: &ExportContractor) {
    address(w, &contractor.street, &contractor.postal_code, &contractor.city, &contractor.country);
}

fn address(w: &mut XmlWriter, street: &str, postal_code: &PostalCode, city: &str, country: &str) {
    w.open("Adres", &[]);
    w.leaf("KodKraju", country);
    w.leaf("AdresL1", street);
    w.leaf("AdresL2", &format!("{postal_code} {city}"));
    w.close();
}

/// Net (and VAT) sums of the document per FA(3) field group.
struct RateSums {
    rates: Vec<(Decimal, Decimal, Decimal)>,
    exempt: Option<Decimal>,
}

impl RateSums {
    fn of(doc: &ExportDocument) -> Self {
        let mut sums = RateSums { rates: Vec::new(), exempt: None };
        for total in &doc.totals {
            match &total.vat {
                VatTreatment::Rate { percent } => {
                    let percent = percent.normalize();
                    match sums.rates.iter_mut().find(|(rate, _, _)| *rate == percent) {
                        Some(entry) => {
                            entry.1 += total.net;
                            entry.2 += total.vat_amount;
                        }
                        None => sums.rates.push((percent, total.net, total.vat_amount)),
                    }
                }
                VatTreatment::Exempt { .. } => {
                    *sums.exempt.get_or_insert(Decimal::ZERO) += total.net;
                }
            }
        }
        sums
    }

    fn rate(&self, percent: u32) -> Option<(Decimal, Decimal)> {
        let percent = Decimal::from(percent);
        self.rates.iter().find(|(rate, _, _)| *rate == percent).map(|(_, net, vat)| (*net, *vat))
    }
}
