//! Sending one e-mail through SES v2: our own rendering as Simple content (UTF-8 subject and
//! bodies, SES encodes the headers), through the configuration set that publishes delivery
//! events, tagged so those events can be tied back to what was sent.

use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::operation::send_email::SendEmailError;
use aws_sdk_sesv2::types::{
    Attachment, AttachmentContentDisposition, Body, Content, Destination, EmailContent, Message, MessageHeader,
    MessageTag,
};
use ewokiss_domain::templates::RenderedMessage;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// SES asks to slow down or is unavailable: retry later.
    #[error("SES is throttling or unavailable: {0}")]
    Retry(String),
    /// SES refused this message (bad address, not verified, suppressed): retrying won't help.
    #[error("SES rejected the message: {0}")]
    Rejected(String),
}

/// Who a message goes to and comes from; absent parts take the mailer's defaults.
#[derive(Debug, Default)]
pub struct Envelope<'a> {
    pub to: &'a str,
    pub from: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub headers: Vec<(&'a str, String)>,
    pub attachments: &'a [FileAttachment],
}

/// A file attached to a message.
#[derive(Debug, Clone)]
pub struct FileAttachment {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

pub struct Mailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    configuration_set: Option<String>,
}

impl Mailer {
    pub fn new(sdk: &aws_config::SdkConfig, from: String, configuration_set: Option<String>) -> Self {
        Self { client: aws_sdk_sesv2::Client::new(sdk), from, configuration_set }
    }

    /// Sends one message to one recipient; returns the SES message id.
    pub async fn send(&self, to: &str, message: &RenderedMessage, tags: &[(&str, &str)]) -> Result<String, MailError> {
        self.send_with(&Envelope { to, ..Default::default() }, message, tags).await
    }

    /// Sends with a sender, Reply-To and extra headers of the caller's (e.g. a mailing's From
    /// and its List-Unsubscribe headers).
    pub async fn send_with(
        &self,
        envelope: &Envelope<'_>,
        message: &RenderedMessage,
        tags: &[(&str, &str)],
    ) -> Result<String, MailError> {
        let content = |data: &str| Content::builder().data(data).charset("UTF-8").build().expect("data is set");
        let mut email = Message::builder()
            .subject(content(&message.subject))
            .body(Body::builder().text(content(&message.text)).html(content(&message.html)).build());
        for file in envelope.attachments {
            email = email.attachments(
                Attachment::builder()
                    .raw_content(aws_smithy_types::Blob::new(file.bytes.clone()))
                    .file_name(&file.file_name)
                    .content_type(&file.content_type)
                    .content_disposition(AttachmentContentDisposition::Attachment)
                    .build()
                    .expect("content and file name are set"),
            );
        }
        for (name, value) in &envelope.headers {
            email = email
                .headers(MessageHeader::builder().name(*name).value(value).build().expect("name and value are set"));
        }
        let mut request = self
            .client
            .send_email()
            .from_email_address(envelope.from.unwrap_or(&self.from))
            .set_reply_to_addresses(envelope.reply_to.map(|address| vec![address.to_owned()]))
            .destination(Destination::builder().to_addresses(envelope.to).build())
            .content(EmailContent::builder().simple(email.build()).build())
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in tags {
            request = request
                .email_tags(MessageTag::builder().name(*name).value(*value).build().expect("name and value are set"));
        }
        match request.send().await {
            Ok(output) => Ok(output.message_id.unwrap_or_default()),
            Err(SdkError::ServiceError(error)) => {
                let detail = error.err().to_string();
                match error.err() {
                    SendEmailError::MessageRejected(_)
                    | SendEmailError::MailFromDomainNotVerifiedException(_)
                    | SendEmailError::BadRequestException(_) => Err(MailError::Rejected(detail)),
                    _ => Err(MailError::Retry(detail)),
                }
            }
            Err(other) => Err(MailError::Retry(aws_sdk_sesv2::error::DisplayErrorContext(other).to_string())),
        }
    }
}

/// How a message answers another: its threading headers and where answers to it should go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Threading {
    /// The Message-ID answered (without `<>`).
    pub in_reply_to: Option<String>,
    /// The thread's Message-IDs, oldest first (without `<>`).
    pub references: Vec<String>,
    /// The Reply-To address (e.g. a plus-address carrying a training's reply token).
    pub reply_to: Option<String>,
}

/// SES accepts header values of printable ASCII up to this length.
const HEADER_VALUE_MAX: usize = 870;

fn printable(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| (0x20..0x7f).contains(&b))
}

impl Threading {
    /// `In-Reply-To` and `References` as SES custom headers; ids that are not printable ASCII
    /// are left out, and the oldest references are dropped to fit SES's length limit.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(id) = self.in_reply_to.as_deref().filter(|id| printable(id)) {
            headers.push(("In-Reply-To", format!("<{id}>")));
        }
        let mut ids: Vec<String> =
            self.references.iter().filter(|id| printable(id)).map(|id| format!("<{id}>")).collect();
        while !ids.is_empty() && ids.join(" ").len() > HEADER_VALUE_MAX {
            ids.remove(0);
        }
        if !ids.is_empty() {
            headers.push(("References", ids.join(" ")));
        }
        headers
    }
}

fn send_error(error: SdkError<SendEmailError, aws_smithy_runtime_api::http::Response>) -> MailError {
    match error {
        SdkError::ServiceError(error) => {
            let detail = error.err().to_string();
            match error.err() {
                SendEmailError::MessageRejected(_)
                | SendEmailError::MailFromDomainNotVerifiedException(_)
                | SendEmailError::BadRequestException(_) => MailError::Rejected(detail),
                _ => MailError::Retry(detail),
            }
        }
        other => MailError::Retry(aws_sdk_sesv2::error::DisplayErrorContext(other).to_string()),
    }
}

impl Mailer {
    /// Sends a plain-text message that answers another (a staff reply to received mail):
    /// `In-Reply-To`/`References` as SES v2 custom headers of the Simple content, and Reply-To.
    /// Returns the SES message id.
    pub async fn send_text_reply(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        threading: &Threading,
        tags: &[(&str, &str)],
    ) -> Result<String, MailError> {
        let content = |data: &str| Content::builder().data(data).charset("UTF-8").build().expect("data is set");
        let mut email = Message::builder().subject(content(subject)).body(Body::builder().text(content(text)).build());
        for (name, value) in threading.headers() {
            email = email.headers(
                aws_sdk_sesv2::types::MessageHeader::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .expect("name and value are set"),
            );
        }
        let mut request = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .set_reply_to_addresses(threading.reply_to.clone().map(|address| vec![address]))
            .content(EmailContent::builder().simple(email.build()).build())
            .set_configuration_set_name(self.configuration_set.clone());
        for (name, value) in tags {
            request = request
                .email_tags(MessageTag::builder().name(*name).value(*value).build().expect("name and value are set"));
        }
        request.send().await.map(|output| output.message_id.unwrap_or_default()).map_err(send_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threading_headers_are_bracketed_ascii_within_the_limit() {
        let threading = Threading {
            in_reply_to: Some("abc@gmina.pl".into()),
            references: (0..100).map(|i| format!("ref-{i}@x.pl")).chain(["zażółć@x.pl".to_owned()]).collect(),
            reply_to: None,
        };
        let headers = threading.headers();
        assert_eq!(headers[0], ("In-Reply-To", "<abc@gmina.pl>".to_owned()));
        let (name, references) = &headers[1];
        assert_eq!(*name, "References");
        assert!(references.len() <= HEADER_VALUE_MAX);
        assert!(references.ends_with("<ref-99@x.pl>"), "the newest are kept: {references}");
        assert!(!references.contains("ref-0@"));
        assert!(Threading::default().headers().is_empty());
    }
}
