//! `TestApp`: both API functions built in-process exactly as their `main` builds them, against
//! the emulator started by `scripts/test` (DynamoDB table and Cognito pool from
//! infra/template.yaml). Tokens are real: users are created in the emulator's Cognito and sign
//! in with USER_PASSWORD_AUTH; the functions verify them against the pool's JWKS.

use std::collections::HashMap;

use ewokiss_adapters::config::{aws_sdk_config, HttpConfig};
use ewokiss_adapters::dynamo::Table;
use lambda_http::{Body, Request, RequestExt};
use serde_json::{json, Value};
use uuid::Uuid;

pub struct TestApp {
    pub staff: staff_api::App,
    pub extranet: extranet_api::App,
    pub table: Table,
    cognito: Cognito,
}

pub struct Response {
    pub status: u16,
    pub body: Value,
}

impl Response {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self.body
    }

    /// The field names of a 400/422 body.
    pub fn fields(&self) -> Vec<String> {
        self.body["fields"]
            .as_array()
            .map(|f| f.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect())
            .unwrap_or_default()
    }
}

pub fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the integration tests through ./scripts/test, which starts the emulator and exports the stack's variables")
    })
}

impl TestApp {
    pub async fn spawn() -> Self {
        // Server errors are logged by the handlers: shown with a failing test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("error").try_init();
        let config = HttpConfig::from_env().expect("stack variables exported by scripts/test");
        let sdk = aws_sdk_config().await;
        // One table (one call counter) behind both APIs, as both functions use the same table.
        let table = ewokiss_adapters::dynamo::Table::new(&sdk, &config.table_name);
        let app = |table: &Table| ewokiss_adapters::app::HttpApp {
            registry: ewokiss_adapters::app::Registry::new(table.clone()),
            verifier: ewokiss_adapters::auth::Verifier::new(config.auth.clone()),
            links: ewokiss_adapters::links::LinkSigner::new(config.link_secret.as_bytes()),
        };
        let billing_queue = ewokiss_adapters::queue::Queue::new(&sdk, &env("BILLING_QUEUE_URL"));
        let staff = staff_api::App {
            http: app(&table),
            billing_queue,
            documents: ewokiss_adapters::documents::Documents::new(&sdk, &env("DOCUMENTS_BUCKET")),
            seller: ewokiss_adapters::accounting_app::seller_from_env(),
            mailing_queue: ewokiss_adapters::queue::Queue::new(&sdk, &env("MAILING_QUEUE_URL")),
            mailing: ewokiss_adapters::mailing_app::MailingSettings::from_env()
                .expect("SENDER_DOMAIN, APP_URL, LINK_SIGNING_SECRET"),
            inbox: ewokiss_adapters::inbound_app::Inbox::new(
                &sdk,
                &env("INBOUND_BUCKET"),
                &env("INBOUND_ADDRESS"),
                None,
            ),
            certificate_queue: ewokiss_adapters::queue::Queue::new(&sdk, &env("CERTIFICATE_QUEUE_URL")),
            certificates: ewokiss_adapters::certificate_app::CertificateSettings::from_env().expect("APP_URL"),
        };
        let extranet = extranet_api::App {
            http: app(&table),
            documents: ewokiss_adapters::documents::Documents::new(&sdk, &env("DOCUMENTS_BUCKET")),
            certificates: ewokiss_adapters::certificate_app::CertificateSettings::from_env().expect("APP_URL"),
            certificate_queue: ewokiss_adapters::queue::Queue::new(&sdk, &env("CERTIFICATE_QUEUE_URL")),
        };
        let cognito = Cognito {
            endpoint: env("AWS_ENDPOINT_URL"),
            pool_id: env("COGNITO_USER_POOL_ID"),
            client_id: env("COGNITO_CLIENT_ID"),
            region: env("AWS_REGION"),
            http: reqwest::Client::new(),
        };
        Self { staff, extranet, table, cognito }
    }

    /// A signed-in user of `group` with the given claims; returns the ID token.
    pub async fn user(&self, group: &str, unit_id: Option<&str>, person_id: Option<&str>) -> String {
        self.cognito.user(group, unit_id, person_id).await.0
    }

    /// A signed-in user and their e-mail address.
    pub async fn user_with_email(
        &self,
        group: &str,
        unit_id: Option<&str>,
        person_id: Option<&str>,
    ) -> (String, String) {
        self.cognito.user(group, unit_id, person_id).await
    }

    pub async fn staff_token(&self) -> String {
        self.user("staff", None, None).await
    }

    pub async fn staff(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let request = build(method, &format!("{}{path}", staff_api::BASE), token, body.map(|b| b.to_string()));
        // Boxed: the handler's future lives on the heap, not in each test's (debug-build) frame.
        into_response(Box::pin(staff_api::handle(&self.staff, request)).await)
    }

    pub async fn extranet(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let request = build(method, &format!("{}{path}", extranet_api::BASE), token, body.map(|b| b.to_string()));
        into_response(Box::pin(extranet_api::handle(&self.extranet, request)).await)
    }

    /// A raw body (malformed JSON, oversize) to the staff API.
    pub async fn staff_raw(&self, method: &str, path: &str, token: &str, body: String) -> Response {
        let request = build(method, &format!("{}{path}", staff_api::BASE), Some(token), Some(body));
        // Boxed: the handler's future lives on the heap, not in each test's (debug-build) frame.
        into_response(Box::pin(staff_api::handle(&self.staff, request)).await)
    }

    /// A top-level unit with a unique name; returns its JSON.
    pub async fn unit(&self, staff: &str, name_prefix: &str) -> Value {
        let name = format!("{name_prefix} {}", short_id());
        self.staff("POST", "/units", Some(staff), Some(json!({"kind": "inna", "name": name}))).await.expect(201)
    }

    pub async fn sub_unit(&self, staff: &str, parent: &str, name_prefix: &str) -> Value {
        let name = format!("{name_prefix} {}", short_id());
        let body = json!({"kind": "jednostka_organizacyjna", "name": name, "parentId": parent});
        self.staff("POST", "/units", Some(staff), Some(body)).await.expect(201)
    }

    pub async fn person(&self, staff: &str, unit_id: &str, first: &str, last: &str) -> Value {
        let body = json!({"firstName": first, "lastName": last, "unitId": unit_id, "email": unique_email(), "phone": "600 100 200", "position": "Inspektor"});
        self.staff("POST", "/persons", Some(staff), Some(body)).await.expect(201)
    }
}

pub fn short_id() -> String {
    Uuid::new_v4().simple().to_string()[..8].to_owned()
}

/// A unique tag of letters only (names may not contain digits).
pub fn letters_id() -> String {
    short_id().chars().map(|c| if c.is_ascii_digit() { char::from(b'g' + (c as u8 - b'0')) } else { c }).collect()
}

pub fn unique_email() -> String {
    format!("test.{}@gmina-test.pl", short_id())
}

pub fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

fn build(method: &str, uri: &str, token: Option<&str>, body: Option<String>) -> Request {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let mut builder =
        lambda_http::http::Request::builder().method(method).uri(path).header("content-type", "application/json");
    if let Some(token) = token {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    let request = builder.body(body.map(Body::from).unwrap_or(Body::Empty)).expect("valid request");
    // API Gateway hands the query string over parsed; so do we.
    let mut params: HashMap<String, Vec<String>> = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.entry(decode(key)).or_default().push(decode(value));
    }
    request.with_query_string_parameters(params)
}

fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out).expect("utf-8 query")
}

fn into_response(response: lambda_http::Response<Body>) -> Response {
    let status = response.status().as_u16();
    let body = match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap_or(Value::String(text.clone())),
        Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
        Body::Empty => Value::Null,
        _ => Value::Null,
    };
    Response { status, body }
}

/// The emulator's Cognito, spoken to over its JSON protocol.
struct Cognito {
    endpoint: String,
    pool_id: String,
    client_id: String,
    region: String,
    http: reqwest::Client,
}

const PASSWORD: &str = "Test-Password-2026";

impl Cognito {
    async fn call(&self, action: &str, body: Value) -> Value {
        let response = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{action}"))
            // The emulator takes the region from the credential scope (it checks no signature).
            .header("authorization", format!("AWS4-HMAC-SHA256 Credential=test/20260101/{}/cognito-idp/aws4_request, SignedHeaders=host, Signature=0", self.region))
            .body(body.to_string())
            .send()
            .await
            .expect("emulator answers");
        let status = response.status();
        let text = response.text().await.expect("body");
        assert!(status.is_success(), "Cognito {action} failed: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn user(&self, group: &str, unit_id: Option<&str>, person_id: Option<&str>) -> (String, String) {
        let email = unique_email();
        let mut attributes =
            vec![json!({"Name": "email", "Value": email}), json!({"Name": "name", "Value": format!("Test {group}")})];
        if let Some(unit) = unit_id {
            attributes.push(json!({"Name": "custom:unit_id", "Value": unit}));
        }
        if let Some(person) = person_id {
            attributes.push(json!({"Name": "custom:person_id", "Value": person}));
        }
        self.call("AdminCreateUser", json!({"UserPoolId": self.pool_id, "Username": email, "UserAttributes": attributes, "MessageAction": "SUPPRESS"})).await;
        self.call(
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool_id, "Username": email, "Password": PASSWORD, "Permanent": true}),
        )
        .await;
        self.call("AdminAddUserToGroup", json!({"UserPoolId": self.pool_id, "Username": email, "GroupName": group}))
            .await;
        let auth = self
            .call("InitiateAuth", json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id, "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}}))
            .await;
        (auth["AuthenticationResult"]["IdToken"].as_str().expect("an ID token").to_owned(), email)
    }
}
