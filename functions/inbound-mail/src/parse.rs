//! The raw message → what could be read of it, with `mail-parser` (headers with RFC 2047
//! encoded words, quoted-printable and base64 bodies, the common single-byte charsets such as
//! ISO-8859-2 and Windows-1250, HTML bodies turned into text).

use chrono::{DateTime, Utc};
use ewokiss_domain::inbound::{MailAddress, ReceivedParts};
use mail_parser::{Address, HeaderValue, MessageParser, MimeHeaders};

/// What was read, and the bytes of each attachment (in the order of `parts.attachments`).
#[derive(Debug, Default)]
pub struct Parsed {
    pub parts: ReceivedParts,
    pub attachment_bytes: Vec<Vec<u8>>,
}

fn addresses(header: Option<&Address<'_>>) -> Vec<MailAddress> {
    header
        .into_iter()
        .flat_map(|address| address.iter())
        .filter_map(|addr| {
            let address = addr.address()?.trim();
            (!address.is_empty()).then(|| MailAddress {
                name: addr.name().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned),
                address: address.to_owned(),
            })
        })
        .collect()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// What SES's scan said (`X-SES-Virus-Verdict`, `X-SES-Spam-Verdict`), when it is not a pass.
fn verdict(message: &mail_parser::Message<'_>, header: &str) -> Option<String> {
    let value = message.header(header)?.as_text()?.trim().to_owned();
    (!value.eq_ignore_ascii_case("PASS")).then_some(value)
}

/// Reads a raw message; never fails (an unreadable message gives empty parts and a problem).
pub fn parse(raw: &[u8]) -> Parsed {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Parsed {
            parts: ReceivedParts {
                problems: vec!["not an e-mail message (nothing could be parsed)".into()],
                ..Default::default()
            },
            attachment_bytes: Vec::new(),
        };
    };
    let mut problems = Vec::new();
    if message.headers().is_empty() {
        problems.push("the message has no headers".into());
    }
    let date = message.date().and_then(|date| DateTime::<Utc>::from_timestamp(date.to_timestamp(), 0));
    let texts: Vec<String> =
        (0..message.text_body_count()).filter_map(|i| message.body_text(i)).map(|t| t.into_owned()).collect();
    let virus = verdict(&message, "X-SES-Virus-Verdict");
    if let Some(spam) = verdict(&message, "X-SES-Spam-Verdict") {
        problems.push(format!("SES spam verdict: {spam}"));
    }
    let mut attachments = Vec::new();
    let mut attachment_bytes = Vec::new();
    match &virus {
        Some(verdict) => {
            let count = message.attachment_count();
            problems.push(format!("SES virus verdict: {verdict}; {count} attachment(s) not stored"));
        }
        None => {
            for part in message.attachments() {
                let content_type = part.content_type().map(|ct| match ct.subtype() {
                    Some(subtype) => format!("{}/{subtype}", ct.ctype()),
                    None => ct.ctype().to_owned(),
                });
                let bytes = part.contents().to_vec();
                attachments.push(crate::attachment(part.attachment_name(), content_type, bytes.len()));
                attachment_bytes.push(bytes);
            }
        }
    }
    let parts = ReceivedParts {
        from: addresses(message.from()).into_iter().next(),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        subject: message.subject().map(str::to_owned),
        date,
        message_id: message.message_id().map(str::to_owned),
        in_reply_to: id_list(message.in_reply_to()),
        references: id_list(message.references()),
        text: (!texts.is_empty()).then(|| texts.join("\n\n")),
        attachments,
        problems,
    };
    Parsed { parts, attachment_bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLISH: &str = "From: =?UTF-8?Q?Jan_Kowalski_=C5=BB=C3=B3=C5=82kiewski?= <Jan.Zolkiewski@Gmina-Test.pl>\r\n\
To: =?UTF-8?Q?Biuro_WOKiSS?= <biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl>\r\n\
Cc: sekretariat@gmina-test.pl\r\n\
Subject: =?UTF-8?B?WmfFgm9zemVuaWUgbmEgc3prb2xlbmllIOKAkyDFgsOzZMW6?=\r\n\
Date: Fri, 20 Nov 2026 10:15:00 +0100\r\n\
Message-ID: <20261120.abc@gmina-test.pl>\r\n\
In-Reply-To: <out-1@wokiss.pl>\r\n\
References: <out-0@wokiss.pl> <out-1@wokiss.pl>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"XYZ\"\r\n\
\r\n\
--XYZ\r\n\
Content-Type: text/plain; charset=iso-8859-2\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Dzie=F1 dobry, zg=B3aszam udzia=B3 w szkoleniu.\r\n\
--XYZ\r\n\
Content-Type: application/pdf; name=\"=?UTF-8?Q?zg=C5=82oszenie.pdf?=\"\r\n\
Content-Disposition: attachment; filename=\"=?UTF-8?Q?zg=C5=82oszenie.pdf?=\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n\
--XYZ--\r\n";

    #[test]
    fn reads_encoded_words_quoted_printable_latin2_and_attachments() {
        let Parsed { parts, attachment_bytes } = parse(POLISH.as_bytes());
        let from = parts.from.unwrap();
        assert_eq!(from.name.as_deref(), Some("Jan Kowalski Żółkiewski"));
        assert_eq!(from.address, "Jan.Zolkiewski@Gmina-Test.pl");
        assert_eq!(parts.to[0].address, "biuro+t-aaaaaaaaaaaaaaaaaaaaaaaaaa@wokiss.pl");
        assert_eq!(parts.cc[0].address, "sekretariat@gmina-test.pl");
        assert_eq!(parts.subject.as_deref(), Some("Zgłoszenie na szkolenie – łódź"));
        assert_eq!(parts.date.unwrap().to_rfc3339(), "2026-11-20T09:15:00+00:00");
        assert_eq!(parts.message_id.as_deref(), Some("20261120.abc@gmina-test.pl"));
        assert_eq!(parts.in_reply_to, ["out-1@wokiss.pl"]);
        assert_eq!(parts.references, ["out-0@wokiss.pl", "out-1@wokiss.pl"]);
        assert_eq!(parts.text.as_deref().map(str::trim), Some("Dzień dobry, zgłaszam udział w szkoleniu."));
        assert_eq!(parts.attachments.len(), 1);
        assert_eq!(parts.attachments[0].name.as_deref(), Some("zgłoszenie.pdf"));
        assert_eq!(parts.attachments[0].content_type.as_deref(), Some("application/pdf"));
        assert!(attachment_bytes[0].starts_with(b"%PDF-1.4"));
        assert_eq!(parts.attachments[0].size, attachment_bytes[0].len() as u64);
        assert!(parts.problems.is_empty(), "{:?}", parts.problems);
    }

    #[test]
    fn html_only_mail_becomes_text() {
        let raw = b"From: a@b.pl\r\nSubject: x\r\nContent-Type: text/html; charset=windows-1250\r\n\r\n<p>Dzie\xf1 <b>dobry</b></p>";
        let text = parse(raw).parts.text.unwrap();
        assert!(text.contains("Dzień dobry"), "{text}");
        assert!(!text.contains('<'), "no markup: {text}");
    }

    #[test]
    fn garbage_is_read_as_far_as_possible() {
        for raw in [&b""[..], b"\x00\x01\x02 not mail at all", b"From: \r\n\r\n", b"Subject: only\r\n"] {
            let parsed = parse(raw);
            assert!(parsed.parts.from.is_none(), "{raw:?}");
        }
        assert!(!parse(b"").parts.problems.is_empty());
    }

    #[test]
    fn a_virus_verdict_withholds_attachments() {
        let raw = POLISH.replace(
            "MIME-Version: 1.0\r\n",
            "X-SES-Virus-Verdict: FAIL\r\nX-SES-Spam-Verdict: PASS\r\nMIME-Version: 1.0\r\n",
        );
        let parsed = parse(raw.as_bytes());
        assert!(parsed.parts.attachments.is_empty() && parsed.attachment_bytes.is_empty());
        assert_eq!(parsed.parts.problems, ["SES virus verdict: FAIL; 1 attachment(s) not stored"]);
    }
}
