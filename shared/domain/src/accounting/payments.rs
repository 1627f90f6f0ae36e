//! The payment report read back from the accounting system: which of our documents are paid.
//!
//! Format (CSV, produced by an ERP XL report or export procedure):
//! - UTF-8, optionally with a byte-order mark; bytes that are not UTF-8 (a Windows-1250 file)
//!   are replaced, which only matters for text we do not read (the fields read are numbers,
//!   dates and ASCII document numbers);
//! - `;` between fields, `"` quoting as in RFC 4180 (a quoted field may hold `;`, `""` and line
//!   breaks), LF or CRLF line ends; blank lines are skipped;
//! - a header row naming the columns, in any order, case, spacing and with or without Polish
//!   letters; other columns are ignored. See [`PAYMENT_REPORT_COLUMNS`]:
//!   `NumerObcy` (our document number; also `NumerDokumentu`), `NumerFaktury` (ERP XL's
//!   invoice number), `ZaplaconoRazem` (also `KwotaZaplacona`, `Zapłacono`) and `DataZaplaty`
//!   (also `DataPlatnosci`, `Data`);
//! - amounts with a decimal comma or dot, spaces as thousands separators allowed
//!   (`1 234,50`, `1234.5`), at most two decimal places, a minus sign for a refund;
//! - dates `YYYY-MM-DD` or `DD.MM.YYYY`.
//!
//! **The amount is cumulative**: everything paid for that document as of that date, not the
//! payment made on that day. A later report supersedes an earlier one, so importing the same
//! report twice, or two overlapping reports, gives the same state (the caller keeps, per
//! document, the row with the latest date). A document paid in full has the amount equal to its
//! gross total; more means an overpayment.
//!
//! Bad rows are reported with their line number, field and a message in Polish and English,
//! never dropped silently; good rows are returned even when others are bad. Whether a document
//! number is known is the caller's check.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// The recognised columns: (field, accepted header names after normalisation).
pub const PAYMENT_REPORT_COLUMNS: [(&str, &[&str]); 4] = [
    ("documentNumber", &["numerobcy", "numerdokumentu", "nrobcy", "nrdokumentu"]),
    ("invoiceNumber", &["numerfaktury", "nrfaktury"]),
    ("amountPaidTotal", &["zaplaconorazem", "kwotazaplacona", "zaplacono"]),
    ("paidOn", &["datazaplaty", "dataplatnosci", "data"]),
];

/// One good row of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentReportRow {
    /// The (1-based) line of the file the row starts on; the header is line 1 (or later, after
    /// blank lines).
    pub line_no: usize,
    /// Our document number, e.g. "ROZ/000123/2027".
    pub document_number: String,
    /// The invoice number ERP XL gave the document.
    pub invoice_number: String,
    /// Everything paid for the document as of `paid_on` (cumulative).
    pub amount_paid_total: Decimal,
    pub paid_on: NaiveDate,
}

/// A rejected row (or a problem with the whole file, on the header's line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowError {
    pub line_no: usize,
    /// The field, as in [`PAYMENT_REPORT_COLUMNS`], or `"header"` / `"row"`.
    pub field: String,
    pub message_pl: String,
    pub message_en: String,
}

impl RowError {
    fn new(line_no: usize, field: &str, pl: impl Into<String>, en: impl Into<String>) -> Self {
        RowError { line_no, field: field.to_owned(), message_pl: pl.into(), message_en: en.into() }
    }
}

/// Parses the report; see the module documentation for the format.
pub fn parse_payment_report(bytes: &[u8]) -> (Vec<PaymentReportRow>, Vec<RowError>) {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (records, unterminated) = split_records(text);
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    // A record whose quote is never closed swallowed the rest of the file: it is reported as
    // one error below, not read as a row.
    let mut records = records
        .into_iter()
        .filter(|(line, _)| Some(*line) != unterminated)
        .filter(|(_, fields)| !(fields.len() == 1 && fields[0].trim().is_empty()));

    let Some((header_line, header)) = records.next() else {
        errors.push(RowError::new(1, "header", "Plik jest pusty.", "The file is empty."));
        return (rows, errors);
    };
    let normalized: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
    let mut columns = [0usize; 4];
    let mut missing = Vec::new();
    for (slot, (field, names)) in PAYMENT_REPORT_COLUMNS.iter().enumerate() {
        match normalized.iter().position(|h| names.contains(&h.as_str())) {
            Some(index) => columns[slot] = index,
            None => missing.push(*field),
        }
    }
    if !missing.is_empty() {
        for field in missing {
            errors.push(RowError::new(
                header_line,
                field,
                format!("Brak kolumny {} w wierszu nagłówka.", column_label(field)),
                format!("The header row lacks the column {}.", column_label(field)),
            ));
        }
        return (rows, errors);
    }

    // (document, date) → (amount, line) of the first row, to catch contradicting duplicates.
    let mut seen: HashMap<(String, NaiveDate), (Decimal, usize)> = HashMap::new();
    for (line_no, fields) in records {
        let get = |slot: usize| fields.get(columns[slot]).map(|v| v.trim()).unwrap_or("");
        let before = errors.len();
        let document_number = get(0);
        if document_number.is_empty() {
            errors.push(required(line_no, "documentNumber"));
        }
        let invoice_number = get(1);
        if invoice_number.is_empty() {
            errors.push(required(line_no, "invoiceNumber"));
        }
        let amount = match parse_amount(get(2)) {
            Ok(amount) => Some(amount),
            Err(error) => {
                errors.push(error.at(line_no, "amountPaidTotal"));
                None
            }
        };
        let paid_on = match parse_date(get(3)) {
            Ok(day) => Some(day),
            Err(error) => {
                errors.push(error.at(line_no, "paidOn"));
                None
            }
        };
        if errors.len() > before {
            continue;
        }
        let (Some(amount_paid_total), Some(paid_on)) = (amount, paid_on) else { continue };
        let key = (document_number.to_owned(), paid_on);
        if let Some((earlier, earlier_line)) = seen.get(&key) {
            if *earlier != amount_paid_total {
                errors.push(RowError::new(
                    line_no,
                    "amountPaidTotal",
                    format!(
                        "Dokument {document_number} ma na dzień {paid_on} inną kwotę niż w wierszu {earlier_line} ({earlier})."
                    ),
                    format!(
                        "Document {document_number} has a different amount on {paid_on} than on line {earlier_line} ({earlier})."
                    ),
                ));
                continue;
            }
        } else {
            seen.insert(key, (amount_paid_total, line_no));
        }
        rows.push(PaymentReportRow {
            line_no,
            document_number: document_number.to_owned(),
            invoice_number: invoice_number.to_owned(),
            amount_paid_total,
            paid_on,
        });
    }
    if let Some(line_no) = unterminated {
        errors.push(RowError::new(
            line_no,
            "row",
            "Cudzysłów otwarty w tym wierszu nie został zamknięty do końca pliku.",
            "A quote opened on this line is not closed before the end of the file.",
        ));
    }
    (rows, errors)
}

fn column_label(field: &str) -> &'static str {
    match field {
        "documentNumber" => "NumerObcy",
        "invoiceNumber" => "NumerFaktury",
        "amountPaidTotal" => "ZaplaconoRazem",
        _ => "DataZaplaty",
    }
}

fn required(line_no: usize, field: &str) -> RowError {
    RowError::new(
        line_no,
        field,
        format!("Brak wartości w kolumnie {}.", column_label(field)),
        format!("The column {} is empty.", column_label(field)),
    )
}

/// Lowercase ASCII letters and digits only, Polish letters folded (`Zapłacono razem` →
/// `zaplaconorazem`).
fn normalize_header(raw: &str) -> String {
    raw.nfkd()
        .map(|c| if c == 'ł' || c == 'Ł' { 'l' } else { c })
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Splits the text into records of fields, each with the line it starts on. Returns also the
/// line of the record whose quote is still open at the end of the file.
fn split_records(text: &str) -> (Vec<(usize, Vec<String>)>, Option<usize>) {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1;
    let mut record_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            }
            '"' if field.trim().is_empty() => {
                field.clear();
                in_quotes = true;
            }
            '\n' | '\r' if in_quotes => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                field.push('\n');
                line += 1;
            }
            '\n' | '\r' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                records.push((record_line, std::mem::take(&mut fields)));
                line += 1;
                record_line = line;
            }
            ';' if !in_quotes => fields.push(std::mem::take(&mut field)),
            c => field.push(c),
        }
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((record_line, fields));
    }
    (records, in_quotes.then_some(record_line))
}

struct FieldProblem {
    pl: String,
    en: String,
}

impl FieldProblem {
    fn at(self, line_no: usize, field: &str) -> RowError {
        RowError::new(line_no, field, self.pl, self.en)
    }
}

fn parse_amount(raw: &str) -> Result<Decimal, FieldProblem> {
    let invalid = || FieldProblem {
        pl: format!("Nieprawidłowa kwota „{raw}” (np. 1234,50 albo 1234.50; najwyżej 2 miejsca po przecinku)."),
        en: format!("Invalid amount \"{raw}\" (e.g. 1234,50 or 1234.50; at most 2 decimal places)."),
    };
    if raw.is_empty() {
        return Err(FieldProblem { pl: "Brak kwoty.".into(), en: "The amount is missing.".into() });
    }
    let cleaned: String = raw.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    let (negative, digits) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.as_str()),
    };
    let separators = digits.chars().filter(|c| matches!(c, ',' | '.')).count();
    if digits.is_empty() || separators > 1 || !digits.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return Err(invalid());
    }
    let digits = digits.replace(',', ".");
    if digits.starts_with('.') || digits.ends_with('.') || digits.split('.').nth(1).is_some_and(|f| f.len() > 2) {
        return Err(invalid());
    }
    let mut amount: Decimal = digits.parse().map_err(|_| invalid())?;
    amount.rescale(2);
    Ok(if negative { -amount } else { amount })
}

fn parse_date(raw: &str) -> Result<NaiveDate, FieldProblem> {
    if raw.is_empty() {
        return Err(FieldProblem { pl: "Brak daty.".into(), en: "The date is missing.".into() });
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .or_else(|| NaiveDate::parse_from_str(raw, "%d.%m.%Y").ok().filter(|_| raw.len() == 10))
        .ok_or_else(|| FieldProblem {
            pl: format!("Nieprawidłowa data „{raw}” (RRRR-MM-DD albo DD.MM.RRRR)."),
            en: format!("Invalid date \"{raw}\" (YYYY-MM-DD or DD.MM.YYYY)."),
        })
}
