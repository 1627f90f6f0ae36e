//! The batch as CSV: one row per document line, every row carrying its document's header and
//! buyer, so one flat file is enough for a spreadsheet or an import procedure.
//!
//! Dialect, chosen for Polish Excel and ERP import tools: UTF-8 with a byte-order mark (without
//! it Excel reads UTF-8 as Windows-1250), `;` between fields (Excel's separator in the Polish
//! locale, where `,` is the decimal separator), CRLF line ends, a field quoted with `"` when it
//! holds `;`, `"`, CR or LF (a `"` inside doubled). Amounts and quantities with a decimal
//! *comma* and no thousands separator (`1234,50`, `-450,00`), so Polish Excel reads numbers as
//! numbers; dates `YYYY-MM-DD`. A text field that starts with `=`, `+`, `-` or `@` gets a
//! leading `'` so that a spreadsheet never runs it as a formula; numeric fields are ours and are
//! written as they are (a correction's `-450,00` stays a number).

use rust_decimal::Decimal;

use crate::training::VatTreatment;

use super::model::{DocumentKind, ExportBatchContent, SaleDate};
use super::xml;

/// The header row, in column order. One row per document line.
pub const CSV_COLUMNS: [&str; 31] = [
    "NumerPaczki",
    "TypDokumentu",
    "NumerObcy",
    "NumerObcyKorygowanego",
    "DataWystawieniaKorygowanego",
    "PrzyczynaKorekty",
    "DataWystawienia",
    "DataSprzedazy",
    "OkresOd",
    "OkresDo",
    "TerminPlatnosci",
    "Waluta",
    "AkronimNabywcy",
    "NazwaNabywcy",
    "NIPNabywcy",
    "REGONNabywcy",
    "Ulica",
    "KodPocztowy",
    "Miasto",
    "AkronimOdbiorcy",
    "Lp",
    "Opis",
    "DataUslugi",
    "Ilosc",
    "JednostkaMiary",
    "CenaNetto",
    "WartoscNetto",
    "StawkaVAT",
    "PodstawaZwolnienia",
    "KwotaVAT",
    "WartoscBrutto",
];

/// A text field: quoted when needed, formulas neutralised.
fn text(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn number(value: Decimal) -> String {
    xml::amount(value).replace('.', ",")
}

fn quantity(value: Decimal) -> String {
    xml::quantity(value).replace('.', ",")
}

/// The batch as CSV text (starting with the BOM).
pub fn batch_csv(batch: &ExportBatchContent) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_COLUMNS.join(";"));
    out.push_str("\r\n");
    for document in &batch.documents {
        let (of_number, of_date, reason) = match &document.kind {
            DocumentKind::Settlement => (String::new(), String::new(), String::new()),
            DocumentKind::Correction { of_number, of_issue_date, reason, .. } => {
                (text(of_number), xml::date(*of_issue_date), text(reason))
            }
        };
        let (sale_day, from, to) = match document.sale {
            SaleDate::Day { date } => (xml::date(date), String::new(), String::new()),
            SaleDate::Period { from, to } => (String::new(), xml::date(from), xml::date(to)),
        };
        let buyer = &document.buyer;
        for (index, line) in document.lines.iter().enumerate() {
            let basis = match &line.vat {
                VatTreatment::Exempt { basis } => text(basis),
                VatTreatment::Rate { .. } => String::new(),
            };
            let row = [
                text(&batch.batch_number),
                document.kind.erp_type().to_owned(),
                text(&document.number),
                of_number.clone(),
                of_date.clone(),
                reason.clone(),
                xml::date(document.issue_date),
                sale_day.clone(),
                from.clone(),
                to.clone(),
                xml::date(document.payment_due),
                document.currency.clone(),
                text(&buyer.code),
                text(&buyer.name),
                buyer.nip.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                buyer.regon.as_ref().map(|v| v.to_string()).unwrap_or_default(),
                text(&buyer.street),
                buyer.postal_code.to_string(),
                text(&buyer.city),
                document.recipient.as_ref().map(|r| text(&r.code)).unwrap_or_default(),
                (index + 1).to_string(),
                text(&line.description),
                line.service_date.map(xml::date).unwrap_or_default(),
                quantity(line.quantity),
                text(&line.unit),
                number(line.unit_net),
                number(line.net),
                line.vat.code(),
                basis,
                number(line.vat_amount),
                number(line.gross),
            ];
            out.push_str(&row.join(";"));
            out.push_str("\r\n");
        }
    }
    out
}
