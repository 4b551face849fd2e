//! Each provider crate's response decoders and error mappings, reached through its
//! `fuzzing::decode_response` (not API; it exists for these targets): every decoder a call
//! runs on an answer, over one answer built from the bytes.

use http::{HeaderMap, HeaderValue, StatusCode};
use paykit_core::ProviderId;
use paykit_core::http::RawResponse;

/// The statuses a target picks from with its first byte: the documented ones (202: a refund
/// Maya is still working on) and the faults. New ones go last, so a stored input keeps its status.
pub const STATUSES: &[u16] = &[
    200, 201, 204, 302, 400, 401, 403, 404, 409, 429, 500, 502, 503, 202,
];

/// Bit of the second byte that marks the answer as one to a money-moving call.
pub const MUTATING: u8 = 1;
/// Bit of the second byte that marks the answer as secret-bearing.
pub const SENSITIVE: u8 = 2;
/// Bit of the second byte that adds `Retry-After: 7`.
pub const RETRY_AFTER: u8 = 4;

/// The answer `data` stands for: the first byte picks the status from [`STATUSES`], the
/// second holds the flags ([`MUTATING`], [`SENSITIVE`], [`RETRY_AFTER`]), the rest is the
/// body.
pub fn response_of(provider: &'static str, data: &[u8]) -> RawResponse {
    let (head, body) = data.split_at_checked(2).unwrap_or((&[0, 0], data));
    let pick = usize::from(head.first().copied().unwrap_or(0));
    let flags = head.get(1).copied().unwrap_or(0);
    let code = STATUSES
        .get(pick.checked_rem(STATUSES.len()).unwrap_or(0))
        .copied()
        .unwrap_or(200);
    let mut headers = HeaderMap::new();
    if flags & RETRY_AFTER != 0 {
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("7"));
    }
    RawResponse {
        provider: ProviderId(provider),
        status: StatusCode::from_u16(code).unwrap_or(StatusCode::OK),
        headers,
        body: body.to_vec().into(),
        mutating: flags & MUTATING != 0,
        sensitive: flags & SENSITIVE != 0,
    }
}

/// maib: the `errors[]` envelope and the `result` of every call.
pub fn maib_response(data: &[u8]) {
    let _ = paykit_maib::fuzzing::decode_response(&response_of("maib", data));
}

/// miaPOS: both error mappings, the token, payment, create and public-key answers.
pub fn miapos_response(data: &[u8]) {
    let _ = paykit_miapos::fuzzing::decode_response(&response_of("miapos", data));
}

/// iPay: the error mappings, the token, order, details, subscription, refund and
/// pre-authorization answers.
pub fn bog_response(data: &[u8]) {
    let _ = paykit_bog::fuzzing::decode_response(&response_of("bog", data));
}

/// Maya: `from_response`, the token answers, the payment answer and the profile answer.
pub fn maya_response(data: &[u8]) {
    let _ = paykit_maya::fuzzing::decode_response(&response_of("maya", data));
}
