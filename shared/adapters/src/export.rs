//! CSV for people who open it in Excel: UTF-8 with a byte-order mark, `;` between fields (the
//! Polish Excel default), CRLF line ends, quotes where a field needs them. Exporters only yield
//! rows; this writes them.

use lambda_http::{Body, Response};

use crate::training_app::EnrolmentView;

fn field(value: &str) -> String {
    if value.contains([';', '"', '\n', '\r']) || value.starts_with(['=', '+', '-', '@']) {
        // Quoted; a leading formula character is neutralised so a cell is never a formula.
        let safe = if value.starts_with(['=', '+', '-', '@']) { format!("'{value}") } else { value.to_owned() };
        format!("\"{}\"", safe.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

pub fn csv<I, R>(header: &[&str], rows: I) -> String
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = String>,
{
    let mut out = String::from("\u{feff}");
    out.push_str(&header.iter().map(|h| field(h)).collect::<Vec<_>>().join(";"));
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.into_iter().map(|v| field(&v)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out
}

pub fn csv_response(filename: &str, body: String) -> Response<Body> {
    Response::builder()
        .status(200)
        .header("content-type", "text/csv; charset=utf-8")
        .header("content-disposition", format!("attachment; filename=\"{filename}\""))
        .header("cache-control", "no-store")
        .body(Body::from(body))
        .expect("static headers are valid")
}

pub const ENROLMENT_HEADER: [&str; 7] = ["Osoba", "Szkolenie", "Od", "Do", "Miejsce", "Status", "Zapisano"];

/// One row per enrolment: who, which training, when, where, with what status.
pub fn enrolment_rows(views: &[EnrolmentView]) -> impl Iterator<Item = Vec<String>> + '_ {
    views.iter().map(|view| {
        let training = view.training.as_ref();
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default();
        vec![
            view.enrolment.person_name.clone(),
            training.map(|t| t.title.clone()).unwrap_or_default(),
            date(training.and_then(|t| t.starts_on)),
            date(training.and_then(|t| t.ends_on)),
            training.and_then(|t| t.venue.clone()).unwrap_or_default(),
            view.enrolment.status.code().to_owned(),
            view.enrolment.enrolled_at.format("%Y-%m-%d %H:%M").to_string(),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_neutralised() {
        let out = csv(
            &["a", "b"],
            vec![
                vec!["Kowalski; Jan".to_string(), "=SUM(A1)".to_string()],
                vec!["Zażółć \"gęślą\"".into(), "x".into()],
            ],
        );
        assert!(out.starts_with('\u{feff}'));
        let lines: Vec<&str> = out.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "a;b");
        assert_eq!(lines[1], "\"Kowalski; Jan\";\"'=SUM(A1)\"");
        assert_eq!(lines[2], "\"Zażółć \"\"gęślą\"\"\";x");
    }
}
