//! The batch as XML for the import into Comarch ERP XL: our own format, described by
//! `docs/accounting/ewokiss-erpxl-export.xsd` and mapped field by field onto ERP XL in
//! `docs/ACCOUNTING-EXPORT.md`. Element names are the Polish names the accounting side uses
//! (Akronim, NumerObcy, StawkaVAT, ...).
//!
//! Shape (see the XSD for types and cardinalities):
//!
//! ```text
//! EksportKsiegowy wersja="1"
//!   Naglowek: NumerPaczki, DataUtworzenia, System, LiczbaKontrahentow, LiczbaDokumentow, SumaBrutto
//!   Kontrahenci/Kontrahent*: Akronim, IdJednostki, Nazwa, NIP?, REGON?, Adres(Ulica, KodPocztowy,
//!       Miasto, Kraj), Email?, OdciskDanych
//!   Dokumenty/Dokument*: Typ (FS|FSK), NumerObcy, Korekta? (only FSK), DataWystawienia,
//!       DataSprzedazy | OkresSprzedazy(Od, Do), TerminPlatnosci, Waluta, Nabywca, Odbiorca?,
//!       Pozycje/Pozycja*, PodsumowanieVAT/Stawka*, RazemNetto, RazemVAT, RazemBrutto
//! ```

use crate::training::VatTreatment;

use super::model::{
    contractor_fingerprint, DocumentKind, ExportBatchContent, ExportContractor, ExportDocument, SaleDate,
};
use super::xml::{amount, date, quantity, XmlWriter};

/// Namespace of the format; the `1` is its major version (a breaking change is a new one).
pub const ERPXL_NAMESPACE: &str = "urn:ewokiss:accounting:erpxl-export:1";
/// Value of the root's `wersja` attribute.
pub const ERPXL_FORMAT_VERSION: &str = "1";

/// The whole batch as an XML document (UTF-8). Deterministic: the same batch gives the same bytes.
pub fn erpxl_xml(batch: &ExportBatchContent) -> String {
    let mut w = XmlWriter::new();
    w.open("EksportKsiegowy", &[("xmlns", ERPXL_NAMESPACE), ("wersja", ERPXL_FORMAT_VERSION)]);

    w.open("Naglowek", &[]);
    w.leaf("NumerPaczki", &batch.batch_number);
    w.leaf("DataUtworzenia", &batch.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    w.leaf("System", "e-WOKiSS");
    w.leaf("LiczbaKontrahentow", &batch.contractors.len().to_string());
    w.leaf("LiczbaDokumentow", &batch.documents.len().to_string());
    w.leaf("SumaBrutto", &amount(batch.total_gross()));
    w.close();

    w.open("Kontrahenci", &[]);
    for contractor in &batch.contractors {
        w.open("Kontrahent", &[]);
        contractor_fields(&mut w, contractor);
        w.leaf("OdciskDanych", &contractor_fingerprint(contractor));
        w.close();
    }
    w.close();

    w.open("Dokumenty", &[]);
    for document in &batch.documents {
        write_document(&mut w, document);
    }
    w.close();

    w.close();
    w.finish()
}

fn contractor_fields(w: &mut XmlWriter, contractor: &ExportContractor) {
    w.leaf("Akronim", &contractor.code);
    w.leaf("IdJednostki", &contractor.unit_id.to_string());
    w.leaf("Nazwa", &contractor.name);
    w.optional("NIP", contractor.nip.as_ref().map(|v| v.as_str()));
    w.optional("REGON", contractor.regon.as_ref().map(|v| v.as_str()));
    w.open("Adres", &[]);
    w.leaf("Ulica", &contractor.street);
    w.leaf("KodPocztowy", contractor.postal_code.as_str());
    w.leaf("Miasto", &contractor.city);
    w.leaf("Kraj", &contractor.country);
    w.close();
    w.optional("Email", contractor.email.as_ref().map(|v| v.as_str()));
}

fn write_document(w: &mut XmlWriter, document: &ExportDocument) {
    w.open("Dokument", &[]);
    w.leaf("Typ", document.kind.erp_type());
    w.leaf("NumerObcy", &document.number);
    if let DocumentKind::Correction { of_number, of_issue_date, of_invoice_number, of_ksef_number, reason } =
        &document.kind
    {
        w.open("Korekta", &[]);
        w.leaf("NumerObcyKorygowanego", of_number);
        w.leaf("DataWystawieniaKorygowanego", &date(*of_issue_date));
        w.optional("NumerFakturyKorygowanej", of_invoice_number.as_deref());
        w.optional("NumerKSeFKorygowanej", of_ksef_number.as_deref());
        w.leaf("Przyczyna", reason);
        w.close();
    }
    w.leaf("DataWystawienia", &date(document.issue_date));
    match document.sale {
        SaleDate::Day { date: day } => w.leaf("DataSprzedazy", &date(day)),
        SaleDate::Period { from, to } => {
            w.open("OkresSprzedazy", &[]);
            w.leaf("Od", &date(from));
            w.leaf("Do", &date(to));
            w.close();
        }
    }
    w.leaf("TerminPlatnosci", &date(document.payment_due));
    w.leaf("Waluta", &document.currency);
    w.open("Nabywca", &[]);
    contractor_fields(w, &document.buyer);
    w.close();
    if let Some(recipient) = &document.recipient {
        w.open("Odbiorca", &[]);
        contractor_fields(w, recipient);
        w.close();
    }

    w.open("Pozycje", &[]);
    for (index, line) in document.lines.iter().enumerate() {
        w.open("Pozycja", &[("Lp", &(index + 1).to_string())]);
        w.leaf("Opis", &line.description);
        w.optional("DataUslugi", line.service_date.map(date).as_deref());
        w.leaf("Ilosc", &quantity(line.quantity));
        w.leaf("JednostkaMiary", &line.unit);
        w.leaf("CenaNetto", &amount(line.unit_net));
        w.leaf("WartoscNetto", &amount(line.net));
        vat_fields(w, &line.vat);
        w.leaf("KwotaVAT", &amount(line.vat_amount));
        w.leaf("WartoscBrutto", &amount(line.gross));
        w.close();
    }
    w.close();

    w.open("PodsumowanieVAT", &[]);
    for total in &document.totals {
        w.open("Stawka", &[]);
        vat_fields(w, &total.vat);
        w.leaf("Netto", &amount(total.net));
        w.leaf("VAT", &amount(total.vat_amount));
        w.leaf("Brutto", &amount(total.gross));
        w.close();
    }
    w.close();
    w.leaf("RazemNetto", &amount(document.total_net));
    w.leaf("RazemVAT", &amount(document.total_vat));
    w.leaf("RazemBrutto", &amount(document.total_gross));
    w.close();
}

/// `StawkaVAT` ("23", "8", "5", "0" or "zw") and, for "zw", `PodstawaZwolnienia`.
fn vat_fields(w: &mut XmlWriter, vat: &VatTreatment) {
    w.leaf("StawkaVAT", &vat.code());
    if let VatTreatment::Exempt { basis } = vat {
        w.leaf("PodstawaZwolnienia", basis);
    }
}
