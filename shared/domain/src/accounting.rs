//! Hand-over to the accounting system (Comarch ERP XL, formerly CDN XL) and the way back.
//!
//! The association's accounting issues the invoices in ERP XL; e-WOKiSS hands it the data it
//! needs (customer master data and the settlements) and reads back which invoices are paid.
//! Comarch publishes no generic XML document-import format for ERP XL (integrations go through
//! its Windows API or custom import procedures), so the hand-over format is ours, documented
//! in `docs/ACCOUNTING-EXPORT.md` with an XSD in `docs/accounting/`.
//!
//! Everything here is pure: exporters only turn the given data into rows and bytes
//! ([`erpxl_xml`], [`batch_csv`], [`fa3_draft`]); [`parse_payment_report`] only turns bytes into
//! rows and per-row errors. Storing, numbering and deciding what goes into a batch is the
//! caller's business.
//!
//! The types in [`model`] are a neutral *view* of what is exported: the settlement documents of
//! the billing module are converted into them, so this module does not depend on how
//! settlements are stored.

pub mod csv;
pub mod erpxl;
pub mod fa3;
pub mod model;
pub mod payments;
mod xml;

#[cfg(test)]
mod tests;

pub use csv::{batch_csv, CSV_COLUMNS};
pub use erpxl::{erpxl_xml, ERPXL_NAMESPACE};
pub use fa3::{fa3_draft, fa3_draft_at, SellerInfo, FA3_NAMESPACE};
pub use model::{
    contractor_code, contractor_fingerprint, contractors_to_export, DocumentKind, ExportBatchContent, ExportContractor,
    ExportDocument, ExportDocumentInput, ExportLine, SaleDate, VatTotal,
};
pub use payments::{parse_payment_report, PaymentReportRow, RowError, PAYMENT_REPORT_COLUMNS};
