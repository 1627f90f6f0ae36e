//! What SES would report for a message to its mailbox simulator, so the local stack runs the
//! whole loop on one machine. The emulator sends nothing anywhere; the dev tooling reads the
//! messages it recorded and feeds these events to the delivery-event handler.
//!
//! `success@`, `bounce@`, `complaint@`, `ooto@` and `suppressionlist@simulator.amazonses.com`
//! (with any `+label`) behave as SES documents. Local conventions, not SES's: any other address
//! is delivered, and a label containing `open` (or `click`) also reports an open (and a click).

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

pub const SIMULATOR_DOMAIN: &str = "simulator.amazonses.com";

/// The SES event records (JSON, as SNS would carry them) for one sent message.
pub fn simulated_events(
    message_id: &str,
    source: &str,
    destination: &str,
    sent_at: DateTime<Utc>,
    tags: &[(String, String)],
) -> Vec<String> {
    let (local, domain) = destination.rsplit_once('@').unwrap_or((destination, ""));
    let (mailbox, label) = local.split_once('+').unwrap_or((local, ""));
    let simulated = domain.eq_ignore_ascii_case(SIMULATOR_DOMAIN);
    let mailbox = if simulated { mailbox.to_ascii_lowercase() } else { "success".to_owned() };
    let label = label.to_ascii_lowercase();
    let tags: serde_json::Map<String, Value> = tags.iter().map(|(k, v)| (k.clone(), json!([v]))).collect();
    let mail = json!({
        "timestamp": sent_at.to_rfc3339(),
        "source": source,
        "messageId": message_id,
        "destination": [destination],
        "tags": tags,
    });
    let at = |seconds: i64| (sent_at + Duration::seconds(seconds)).to_rfc3339();
    let event = |event_type: &str, detail: Option<(&str, Value)>| {
        let mut record = json!({"eventType": event_type, "mail": mail.clone()});
        if let Some((name, value)) = detail {
            record[name] = value;
        }
        record.to_string()
    };
    let delivery = || {
        event(
            "Delivery",
            Some((
                "delivery",
                json!({"timestamp": at(1), "recipients": [destination], "smtpResponse": "250 2.6.0 OK"}),
            )),
        )
    };
    let bounce = |sub_type: &str| {
        event(
            "Bounce",
            Some((
                "bounce",
                json!({"bounceType": "Permanent", "bounceSubType": sub_type, "timestamp": at(1),
                       "bouncedRecipients": [{"emailAddress": destination, "action": "failed", "status": "5.1.1"}]}),
            )),
        )
    };
    let mut events = vec![event("Send", Some(("send", json!({}))))];
    match mailbox.as_str() {
        "bounce" => events.push(bounce("General")),
        "suppressionlist" => events.push(bounce("OnAccountSuppressionList")),
        "complaint" => {
            events.push(delivery());
            events.push(event(
                "Complaint",
                Some((
                    "complaint",
                    json!({"timestamp": at(2), "complaintFeedbackType": "abuse",
                           "complainedRecipients": [{"emailAddress": destination}]}),
                )),
            ));
        }
        // success, ooto (delivered; the auto-reply is inbound mail) and any other address.
        _ => {
            events.push(delivery());
            if label.contains("open") || label.contains("click") {
                events.push(event("Open", Some(("open", json!({"timestamp": at(60), "userAgent": "local"})))));
            }
            if label.contains("click") {
                events.push(event(
                    "Click",
                    Some(("click", json!({"timestamp": at(90), "link": "https://e.wokiss.pl/"}))),
                ));
            }
        }
    }
    events
}

/// SES event records wrapped as SNS delivers them to a subscribed function (one SNS record each).
pub fn sns_event(records: &[String], topic_arn: &str, at: DateTime<Utc>) -> Value {
    let records: Vec<Value> = records
        .iter()
        .enumerate()
        .map(|(index, message)| {
            json!({
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": format!("{topic_arn}:local"),
                "Sns": {
                    "Type": "Notification",
                    "MessageId": format!("local-{}-{index}", at.timestamp_micros()),
                    "TopicArn": topic_arn,
                    "Subject": null,
                    "Timestamp": at.to_rfc3339(),
                    "SignatureVersion": "1",
                    "Signature": "local",
                    "SigningCertUrl": "",
                    "UnsubscribeUrl": "",
                    "Message": message,
                    "MessageAttributes": {}
                }
            })
        })
        .collect();
    json!({ "Records": records })
}
