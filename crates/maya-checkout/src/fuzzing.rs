//! Decoder hooks for the fuzz targets and property tests: every parser a provider or a
//! callback sender can reach. Not part of the public API.

use paykit_core::json_literal::JsonLiteral;

use crate::flatten::{NumberRendering, flatten};
use crate::signature::SignatureHeader;
use crate::webhook::{Routing, decode};

/// Maya's error body parser.
pub fn error_body(bytes: &[u8]) {
    let _ = crate::error::ErrorBody::parse(bytes).map(|body| body.describe());
}

/// The payment object decoder.
pub fn payment(bytes: &[u8]) {
    let _ = serde_json::from_slice::<crate::wire::Payment>(bytes);
}

/// The signature header parser.
pub fn signature_header(text: &str) {
    let _ = SignatureHeader::parse(text);
}

/// The flattener under both renderings, and the webhook body decoder.
pub fn webhook_body(bytes: &[u8]) {
    if let Ok(tree) = JsonLiteral::parse(bytes) {
        let _ = flatten(&tree, "n", NumberRendering::Canonical);
        let _ = flatten(&tree, "n", NumberRendering::RawToken);
    }
    let _ = decode(bytes, &Routing::ByStatus);
}

/// The timestamp parser of the Manila calendar.
pub fn timestamp(text: &str) {
    let _ = crate::calendar::ManilaDay::of_timestamp(text);
}
