//! HTTP Basic with an API key as the user name and an empty password (§1.2): the public
//! key for the browser-safe endpoints, the secret key for the rest. The key layer answers
//! `K001` (no header), `K006` (not Base64), `K002` (expired key), `K003` (unknown key) and
//! `K004` (a known key of the wrong kind for the endpoint), all HTTP 401.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::MayaCheckout;
use super::errors;
use crate::server::{SimRequest, SimResponse};

/// Which key an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// `pk-…`.
    Public,
    /// `sk-…`.
    Secret,
}

/// Checks the `Authorization` header for an endpoint that takes `needed`.
pub(crate) fn check(mc: &MayaCheckout, req: &SimRequest, needed: Key) -> Result<(), SimResponse> {
    let Some(header) = req
        .header("authorization")
        .map(str::trim)
        .filter(|h| !h.is_empty())
    else {
        return Err(errors::key("K001", "Missing authentication credentials."));
    };
    let Some((scheme, encoded)) = header.split_once(' ') else {
        return Err(errors::key("K006", "Invalid authentication header format."));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(errors::key("K006", "Invalid authentication header format."));
    }
    let Some(decoded) = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return Err(errors::key("K006", "Invalid authentication header format."));
    };
    // `key:` is the documented form; a bare key (one SDK's bug) is read the same way.
    let key = decoded.split_once(':').map_or(decoded.as_str(), |(k, _)| k);
    let kind = if key == mc.config.public_key {
        Key::Public
    } else if key == mc.config.secret_key {
        Key::Secret
    } else if mc.config.expired_keys.iter().any(|k| k == key) {
        return Err(errors::key("K002", "Key has expired."));
    } else {
        return Err(errors::key(
            "K003",
            "Invalid authentication credentials. Kindly verify if the key you are using is \
             correct.",
        ));
    };
    if kind == needed {
        Ok(())
    } else {
        Err(errors::key(
            "K004",
            "Invalid endpoint. Kindly verify if the key you are using is correct for this \
             endpoint.",
        ))
    }
}
