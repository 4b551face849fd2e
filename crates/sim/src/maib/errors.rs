//! maib's error envelope `{"errors":[{errorCode, errorMessage, errorArgs?}], "ok": false}`
//! and the codes of maib.md §8.1.

use serde::Serialize;

use crate::server::SimResponse;

/// One entry of `errors[]`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MaibError {
    error_code: &'static str,
    error_message: String,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "args_as_object"
    )]
    error_args: Vec<(&'static str, String)>,
    #[serde(skip)]
    http: u16,
}

fn args_as_object<S: serde::Serializer>(
    args: &[(&'static str, String)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(args.len()))?;
    for (k, v) in args {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl MaibError {
    fn new(code: &'static str, http: u16, message: String) -> Self {
        Self {
            error_code: code,
            error_message: message,
            error_args: Vec::new(),
            http,
        }
    }

    fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.error_args.push((name, value.into()));
        self
    }

    /// The error code.
    #[cfg(test)]
    pub(crate) fn code(&self) -> &'static str {
        self.error_code
    }

    /// `10000`, HTTP 500.
    pub(crate) fn internal() -> Self {
        Self::new(
            "10000",
            500,
            "Internal error. Please retry the request".into(),
        )
    }

    /// `11001`, HTTP 401.
    pub(crate) fn bad_credentials() -> Self {
        Self::new(
            "11001",
            401,
            "Invalid credentials. Please check 'projectId' and 'projectSecret' parameters".into(),
        )
    }

    /// `11002`, HTTP 401.
    pub(crate) fn bad_refresh_token() -> Self {
        Self::new(
            "11002",
            401,
            "Invalid or expired 'refreshToken' parameter".into(),
        )
    }

    /// A missing, unknown or expired access token. maib documents HTTP 401 for this but no
    /// code; `11003` is the simulator's choice.
    pub(crate) fn bad_access_token() -> Self {
        Self::new("11003", 401, "Invalid or expired access token".into())
    }

    /// `12001`: a parameter is invalid (also used for missing parameters without a code of
    /// their own, and for wrong JSON types).
    pub(crate) fn invalid(parameter: &str) -> Self {
        Self::new("12001", 400, format!("Parameter '{parameter}' is invalid"))
            .arg("parameter", parameter)
    }

    /// `12002`: the request as a whole is invalid.
    pub(crate) fn bad_request(error: &str) -> Self {
        Self::new("12002", 400, format!("Request is invalid: {error}")).arg("error", error)
    }

    /// `12041`, HTTP 400: neither credentials nor refresh token.
    pub(crate) fn no_credentials() -> Self {
        Self::new(
            "12041",
            400,
            "Please provide 'projectId' and 'projectSecret' credentials or 'refreshToken'".into(),
        )
    }

    /// A required parameter with a dedicated code (12011, 12018, 12032, 12033).
    pub(crate) fn required(code: &'static str, parameter: &str) -> Self {
        Self::new(code, 400, format!("Parameter '{parameter}' is required"))
            .arg("parameter", parameter)
    }

    /// `12004`: language length.
    pub(crate) fn language_length(parameter: &str) -> Self {
        Self::new(
            "12004",
            400,
            format!("Parameter '{parameter}' must have 2 characters"),
        )
        .arg("parameter", parameter)
        .arg("length", "2")
    }

    /// `12005`: currency not allowed.
    pub(crate) fn currency(parameter: &str) -> Self {
        Self::new(
            "12005",
            400,
            format!("Parameter '{parameter}' is invalid. Allowed values: MDL, EUR, USD"),
        )
        .arg("parameter", parameter)
        .arg("values", "MDL, EUR, USD")
    }

    /// A too-long string (12006, 12007, 12020, 12021, 12025, 12036, 12037, and the URLs).
    pub(crate) fn too_long(code: &'static str, parameter: &str, max: usize) -> Self {
        Self::new(
            code,
            400,
            format!("Parameter '{parameter}' exceeds the maximum length of {max}"),
        )
        .arg("parameter", parameter)
        .arg("maxLength", max.to_string())
    }

    /// A malformed value (12008, 12019, 12022, 13023, 12024, 12034).
    pub(crate) fn format(code: &'static str, parameter: &str) -> Self {
        Self::new(
            code,
            400,
            format!("Parameter '{parameter}' has an invalid format"),
        )
        .arg("parameter", parameter)
    }

    /// A number out of range (12012, 12014, 12016, 12028, 12038).
    pub(crate) fn range(code: &'static str, parameter: &str, min: &str, max: &str) -> Self {
        Self::new(
            code,
            400,
            format!("Parameter '{parameter}' must be between {min} and {max}"),
        )
        .arg("parameter", parameter)
        .arg("minValue", min)
        .arg("maxValue", max)
    }

    /// Too many decimals (12013, 12015, 12017, 12029, 12039).
    pub(crate) fn scale(code: &'static str, parameter: &str) -> Self {
        Self::new(
            code,
            400,
            format!("Parameter '{parameter}' must have at most 2 decimal places"),
        )
        .arg("parameter", parameter)
        .arg("maxScale", "2")
    }

    /// `12026`: too many items.
    pub(crate) fn too_many_items() -> Self {
        Self::new("12026", 400, "Parameter 'items' exceeds 50 entries".into())
            .arg("parameter", "items")
            .arg("maxCount", "50")
    }

    /// `12040`: item quantity must be positive.
    pub(crate) fn quantity(index: usize) -> Self {
        Self::new(
            "12040",
            400,
            format!("Parameter 'items[{index}].quantity' must be greater than 0"),
        )
        .arg("itemIndex", index.to_string())
    }

    /// An item field error, with its index.
    pub(crate) fn item(self, index: usize) -> Self {
        self.arg("itemIndex", index.to_string())
    }

    /// `12035`: billerExpiry in the past.
    pub(crate) fn expiry_past(current: &str) -> Self {
        Self::new(
            "12035",
            400,
            format!("Parameter 'billerExpiry' must not be in the past (current date {current})"),
        )
        .arg("currentDate", current)
    }

    /// `13002`, HTTP 404.
    pub(crate) fn payment_not_found(id: &str) -> Self {
        Self::new("13002", 404, format!("Payment ID '{id}' not found")).arg("paymentId", id)
    }

    /// `13003`, HTTP 404.
    pub(crate) fn biller_not_found(id: &str) -> Self {
        Self::new("13003", 404, format!("Biller ID '{id}' not found")).arg("billerId", id)
    }

    /// `13004`, HTTP 409.
    pub(crate) fn confirm_too_large(held: &str) -> Self {
        Self::new(
            "13004",
            409,
            format!("Parameter 'confirmAmount' is larger than the held amount {held}"),
        )
        .arg("amount", held)
    }

    /// A business conflict without arguments (13102, 13103, 13106, 13110, 13114, 13115,
    /// 13116), HTTP 409.
    pub(crate) fn conflict(code: &'static str) -> Self {
        let message = match code {
            "13102" => "Refund amount is larger than the payment amount",
            "13103" => "Refund amount is larger than the confirmed amount",
            "13106" => "Payment does not need completion",
            "13110" => "Partial refund is not supported for payments in Hold status",
            "13114" => "Refund is impossible for a zero-amount payment",
            "13115" => "Complete is only possible for payments in Hold status",
            "13116" => "Payment is already refunded",
            _ => "Conflict",
        };
        Self::new(code, 409, message.into())
    }

    /// `13111`, HTTP 409.
    pub(crate) fn biller_inactive(id: &str) -> Self {
        Self::new("13111", 409, format!("Biller ID '{id}' is inactive")).arg("billerId", id)
    }

    /// `13112`, HTTP 409.
    pub(crate) fn biller_wrong_type(id: &str) -> Self {
        Self::new(
            "13112",
            409,
            format!("Biller ID '{id}' is not allowed for this payment type"),
        )
        .arg("billerId", id)
    }

    /// `13117`, HTTP 409.
    pub(crate) fn refund_not_allowed(status: &str) -> Self {
        Self::new(
            "13117",
            409,
            format!("Refund is not allowed for payments in status {status}"),
        )
        .arg("statusPay", status)
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    errors: &'a [MaibError],
    ok: bool,
}

/// The error envelope for `errors`, with the HTTP status of the first.
pub(crate) fn respond(errors: &[MaibError]) -> SimResponse {
    let status = errors.first().map_or(400, |e| e.http);
    SimResponse::json(status, &Envelope { errors, ok: false })
}

/// The envelope for one error.
pub(crate) fn one(error: MaibError) -> SimResponse {
    respond(std::slice::from_ref(&error))
}

/// `{"result": ..., "ok": true}` with HTTP 200.
pub(crate) fn ok<T: Serialize>(result: &T) -> SimResponse {
    #[derive(Serialize)]
    struct Ok<'a, T> {
        result: &'a T,
        ok: bool,
    }
    SimResponse::json(200, &Ok { result, ok: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_shape() {
        let res = one(MaibError::payment_not_found("x"));
        assert_eq!(res.status.as_u16(), 404);
        assert_eq!(
            std::str::from_utf8(&res.body).unwrap(),
            r#"{"errors":[{"errorCode":"13002","errorMessage":"Payment ID 'x' not found","errorArgs":{"paymentId":"x"}}],"ok":false}"#
        );
        let res = one(MaibError::bad_credentials());
        assert!(
            !std::str::from_utf8(&res.body)
                .unwrap()
                .contains("errorArgs")
        );
    }
}
