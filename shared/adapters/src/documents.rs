//! The private documents bucket: generated files (accounting exports, later certificates and
//! letters) are written here and handed out only as short-lived presigned links, after the
//! caller's access to the document was checked.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("S3: {0}")]
    Backend(String),
}

fn backend(error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Backend(error.to_string())
}

/// The bucket and a client built once per cold start.
#[derive(Clone, Debug)]
pub struct Documents {
    client: aws_sdk_s3::Client,
    bucket: std::sync::Arc<str>,
}

impl Documents {
    pub fn new(sdk_config: &aws_config::SdkConfig, bucket: &str) -> Self {
        // Path-style addressing: the local emulator serves every bucket on one host.
        let path_style = std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let config = aws_sdk_s3::config::Builder::from(sdk_config).force_path_style(path_style).build();
        Self { client: aws_sdk_s3::Client::from_conf(config), bucket: bucket.into() }
    }

    /// Writes a document; the same key written again replaces it (the bucket keeps versions).
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), DocumentError> {
        self.client
            .put_object()
            .bucket(&*self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| backend(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, DocumentError> {
        let output = self
            .client
            .get_object()
            .bucket(&*self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| backend(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(output.body.collect().await.map_err(backend)?.into_bytes().to_vec())
    }

    /// A link valid for `ttl` that downloads the document under `file_name`.
    pub async fn download_link(&self, key: &str, file_name: &str, ttl: Duration) -> Result<String, DocumentError> {
        let presigning = PresigningConfig::expires_in(ttl).map_err(backend)?;
        let request = self
            .client
            .get_object()
            .bucket(&*self.bucket)
            .key(key)
            .response_content_disposition(content_disposition(file_name))
            .presigned(presigning)
            .await
            .map_err(|e| backend(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(request.uri().to_string())
    }

    /// A link valid for `ttl` to which the browser PUTs a file of `content_type` itself (files
    /// larger than an API request may carry never pass through the functions).
    pub async fn upload_link(&self, key: &str, content_type: &str, ttl: Duration) -> Result<String, DocumentError> {
        let presigning = PresigningConfig::expires_in(ttl).map_err(backend)?;
        let request = self
            .client
            .put_object()
            .bucket(&*self.bucket)
            .key(key)
            .content_type(content_type)
            .presigned(presigning)
            .await
            .map_err(|e| backend(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(request.uri().to_string())
    }

    /// The size of a stored document; `None` when nothing is stored under `key`.
    pub async fn size(&self, key: &str) -> Result<Option<u64>, DocumentError> {
        match self.client.head_object().bucket(&*self.bucket).key(key).send().await {
            Ok(output) => Ok(Some(output.content_length.unwrap_or_default().max(0) as u64)),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
            Err(error) => Err(backend(aws_sdk_s3::error::DisplayErrorContext(error))),
        }
    }
}

/// `attachment` with an ASCII fallback and the UTF-8 name (RFC 6266), so Polish names survive.
fn content_disposition(file_name: &str) -> String {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_keeps_polish_names_and_an_ascii_fallback() {
        assert_eq!(
            content_disposition("eksport-łódź 1.xml"),
            "attachment; filename=\"eksport-__d__1.xml\"; filename*=UTF-8''eksport-%C5%82%C3%B3d%C5%BA%201.xml"
        );
    }
}
