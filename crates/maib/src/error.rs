//! maib's response envelope and its error table (protocol notes maib.md §1.1, §8).
//!
//! Every response is `{"result": ..., "ok": true}` or `{"errors": [...], "ok": false}` with a
//! non-2xx status. Every entry of `errors[]` (code, message and `errorArgs`) is kept in
//! [`Error::Api`]'s message in the form [`crate::api_errors`] reads back; the first entry's
//! code is the error's `code`.
//!
//! This module only reads answers. What an answer means for money (a `10000` during a refund is
//! an unknown outcome, during a `pay` a retryable error) is decided by core's
//! [`paykit_core::http::HttpExecutor::call`] from the [`paykit_core::http::Effect`] each call
//! declares: the parse here reports maib's fault plainly as `Error::Api { retryable: true }`.

use paykit_core::http::RawResponse;
use paykit_core::{Error, Result};
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::PROVIDER;
use crate::api_errors::{ApiErrorEntry, render_api_errors};
use crate::wire::{ApiErrorItem, Envelope};

/// The documented error codes: code, meaning, HTTP status (spec §8.1).
const CODES: &[(&str, &str, u16)] = &[
    (
        "10000",
        "internal error; retry, and report it if it persists",
        500,
    ),
    ("11001", "invalid projectId / projectSecret", 401),
    (
        "11002",
        "invalid or expired refreshToken, or no credentials given",
        401,
    ),
    ("11101", "calling IP not registered on the Project", 403),
    ("12001", "a parameter is invalid", 400),
    ("12002", "the request is invalid", 400),
    ("12004", "language has the wrong length", 400),
    ("12005", "currency not allowed", 400),
    ("12006", "phone too long", 400),
    ("12007", "email too long", 400),
    ("12008", "email malformed", 400),
    ("12011", "payId required", 400),
    ("12012", "confirmAmount out of range", 400),
    ("12013", "confirmAmount has too many decimals", 400),
    ("12014", "amount out of range", 400),
    ("12015", "amount has too many decimals", 400),
    ("12016", "delivery out of range", 400),
    ("12017", "delivery has too many decimals", 400),
    ("12018", "clientIp required", 400),
    ("12019", "clientIp is not an IPv4 address", 400),
    ("12020", "description too long", 400),
    ("12021", "clientName too long", 400),
    ("12022", "okUrl malformed", 400),
    ("12023", "failUrl malformed", 400),
    (
        "13023",
        "failUrl malformed (code as printed in maib's table)",
        400,
    ),
    ("12024", "callbackUrl malformed", 400),
    ("12025", "orderId too long", 400),
    ("12026", "too many items", 400),
    ("12028", "refundAmount out of range", 400),
    ("12029", "refundAmount has too many decimals", 400),
    ("12032", "billerId required", 400),
    ("12033", "billerExpiry required", 400),
    ("12034", "billerExpiry is not MMYY", 400),
    ("12035", "billerExpiry is in the past", 400),
    ("12036", "items[].id too long", 400),
    ("12037", "items[].name too long", 400),
    ("12038", "items[].price out of range", 400),
    ("12039", "items[].price has too many decimals", 400),
    ("12040", "items[].quantity must be more than 0", 400),
    ("12041", "credentials or refresh token required", 400),
    ("13002", "payment not found", 404),
    ("13003", "stored card (billerId) not found", 404),
    ("13004", "confirmAmount exceeds the held amount", 409),
    ("13101", "processing error", 409),
    ("13102", "refundAmount exceeds the payment amount", 409),
    ("13103", "refundAmount exceeds the captured amount", 409),
    ("13106", "the payment does not need completion", 409),
    ("13107", "no okUrl in the request or on the Project", 409),
    ("13108", "no failUrl in the request or on the Project", 409),
    (
        "13109",
        "no callbackUrl in the request or on the Project",
        409,
    ),
    ("13110", "partial refund of a held payment", 409),
    ("13111", "stored card inactive", 409),
    (
        "13112",
        "stored card not allowed for this payment type",
        409,
    ),
    (
        "13113",
        "payment type not allowed in this currency for the Project",
        409,
    ),
    ("13114", "refund of a zero-amount payment", 409),
    ("13115", "complete works only on held payments", 409),
    ("13116", "already refunded", 409),
    ("13117", "refund not allowed in the payment's status", 409),
];

/// What maib's error table says about `code` (e.g. `"13116"` → "already refunded"), if it is
/// documented.
///
/// ```
/// assert_eq!(paykit_maib::describe_error_code("11001"), Some("invalid projectId / projectSecret"));
/// assert_eq!(paykit_maib::describe_error_code("99999"), None);
/// ```
pub fn describe_error_code(code: &str) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, meaning, _)| *meaning)
}

/// True for the error maib documents as transient (`10000`, "internal error; retry").
pub fn is_transient_error_code(code: &str) -> bool {
    code == "10000"
}

/// The codes that mean "these credentials or this refresh token are no good".
fn is_credentials_code(code: &str) -> bool {
    matches!(code, "11001" | "11002" | "12041")
}

/// The `result` of a successful response, or the error it carries.
pub(crate) fn parse<T: DeserializeOwned>(response: &RawResponse) -> Result<T> {
    if !response.is_success() {
        return Err(error_from(response));
    }
    let envelope: Envelope<T> = response.json()?;
    let errors = envelope.errors.unwrap_or_default();
    if !errors.is_empty() && (envelope.ok == Some(false) || envelope.result.is_none()) {
        return Err(api_error(response, &errors));
    }
    if envelope.ok == Some(false) {
        return Err(Error::decode(
            PROVIDER,
            "`ok` is false but there are no `errors`",
            &response.body,
            response.sensitive,
        ));
    }
    envelope.result.ok_or_else(|| {
        Error::decode(
            PROVIDER,
            "the response has no `result`",
            &response.body,
            response.sensitive,
        )
    })
}

/// The error for a non-2xx response: maib's envelope when there is one, otherwise core's
/// reading of the bare status.
pub(crate) fn error_from(response: &RawResponse) -> Error {
    let errors = serde_json::from_slice::<Envelope<IgnoredAny>>(&response.body)
        .ok()
        .and_then(|e| e.errors)
        .unwrap_or_default();
    if errors.is_empty() {
        return response.unrecognized_error();
    }
    api_error(response, &errors)
}

/// Maps `errors[]` to one [`Error`], keeping every entry.
fn api_error(response: &RawResponse, errors: &[ApiErrorItem]) -> Error {
    let status = response.status.as_u16();
    let entries: Vec<ApiErrorEntry> = errors.iter().map(ApiErrorItem::entry).collect();
    let code = entries.first().map(|e| e.code.clone()).unwrap_or_default();
    let message = render_api_errors(&entries);
    if status == 401 || is_credentials_code(&code) {
        return Error::Auth {
            provider: PROVIDER,
            message,
        };
    }
    Error::Api {
        provider: PROVIDER,
        http_status: Some(status),
        // A transient maib fault: repeatable when nothing moves; core turns it into an unknown
        // outcome for a call that may move money.
        retryable: is_transient_error_code(&code),
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use paykit_core::http::StatusCode;
    use paykit_core::{Sent, TransportKind};

    use super::*;
    use crate::api_errors::api_errors;
    use crate::wire::DeleteWire;

    fn response(status: u16, body: &str) -> RawResponse {
        RawResponse {
            provider: PROVIDER,
            status: StatusCode::from_u16(status).unwrap(),
            headers: Default::default(),
            body: body.to_owned().into_bytes().into(),
            mutating: true,
            sensitive: false,
        }
    }

    fn parse_delete(status: u16, body: &str) -> Result<DeleteWire> {
        parse(&response(status, body))
    }

    #[test]
    fn success_with_string_ok() {
        let r = parse_delete(
            200,
            r#"{"result":{"billerId":"b","status":"OK"},"ok":"true"}"#,
        )
        .unwrap();
        assert_eq!(r.into_result("b").biller_id, "b");
    }

    #[test]
    fn every_error_code_and_every_error_arg_is_kept() {
        let body = r#"{"errors":[{"errorCode":"12001","errorMessage":"Parameter 'amount' is invalid","errorArgs":{"parameter":"amount"}},{"errorCode":"12014","errorMessage":"Parameter 'amount' out of range","errorArgs":{"parameter":"amount","minValue":1,"maxValue":"100000"}},{"errorCode":"12005","errorMessage":"bad currency"}],"ok":false}"#;
        let err = parse_delete(400, body).unwrap_err();
        let Error::Api {
            http_status,
            code,
            retryable,
            ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!((*http_status, code.as_str()), (Some(400), "12001"));
        assert!(!retryable);
        let entries = api_errors(&err);
        assert_eq!(
            entries,
            vec![
                ApiErrorEntry::new("12001", "Parameter 'amount' is invalid")
                    .arg("parameter", "amount"),
                ApiErrorEntry::new("12014", "Parameter 'amount' out of range")
                    .arg("parameter", "amount")
                    .arg("minValue", "1")
                    .arg("maxValue", "100000"),
                ApiErrorEntry::new("12005", "bad currency"),
            ]
        );
        // Display drops none of them.
        let shown = err.to_string();
        for needle in [
            "12001",
            "12014",
            "12005",
            "minValue",
            "100000",
            "bad currency",
        ] {
            assert!(shown.contains(needle), "{needle}: {shown}");
        }
    }

    #[test]
    fn internal_errors_are_plain_retryable_api_errors_for_core_to_classify() {
        let body =
            r#"{"errors":[{"errorCode":"10000","errorMessage":"Internal error"}],"ok":false}"#;
        let err = parse_delete(500, body).unwrap_err();
        assert!(
            matches!(err, Error::Api { retryable: true, ref code, .. } if code == "10000"),
            "{err:?}"
        );
    }

    #[test]
    fn credential_errors_are_auth_errors() {
        for body in [
            r#"{"errors":[{"errorCode":"11001","errorMessage":"Invalid credentials"}],"ok":false}"#,
            r#"{"errors":[{"errorCode":"12041","errorMessage":"Provide credentials"}],"ok":false}"#,
        ] {
            let err = parse_delete(400, body).unwrap_err();
            assert!(matches!(err, Error::Auth { .. }), "{err:?}");
            assert_eq!(api_errors(&err).len(), 1);
        }
        let err = parse_delete(401, r#"{"errors":[{"errorCode":"11002"}]}"#).unwrap_err();
        assert!(err.to_string().contains("11002"), "{err}");
    }

    #[test]
    fn ok_false_on_200_is_an_error() {
        let err = parse_delete(
            200,
            r#"{"errors":[{"errorCode":"13003","errorMessage":"Biller not found"}],"ok":false}"#,
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some("13003"));
    }

    #[test]
    fn bodies_without_an_envelope() {
        let err = parse_delete(502, "<html>Bad gateway</html>").unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportKind::Status(502),
                    sent: Sent::MaybeSent,
                    ..
                }
            ),
            "{err:?}"
        );
        for body in [
            r#"{"result":"#,
            r#"{"ok":true}"#,
            r#"{"result":{"billerId":"b"},"ok":false}"#,
            r#"{"result":{"status":{}},"ok":true}"#,
        ] {
            let err = parse_delete(200, body).unwrap_err();
            assert!(matches!(err, Error::Decode { .. }), "{body}: {err:?}");
        }
    }

    #[test]
    fn the_table_is_searchable() {
        assert_eq!(describe_error_code("13116"), Some("already refunded"));
        assert!(is_transient_error_code("10000"));
        assert!(!is_transient_error_code("12001"));
    }
}
