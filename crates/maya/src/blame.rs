//! Which token a 401 from the Mini App host is about. Every payment call carries two: the
//! process-wide client token (`Authorization`) and the customer's access token
//! (`X-Authorization`). Core invalidates only the one named here, so a client-key problem
//! (`K003`: credentials of the other environment) does not spend the customer's rotating
//! refresh token, and an expired customer token does not cost every other customer's calls a
//! new client token.

use paykit_core::http::RawResponse;

use crate::call;
use crate::error::ErrorBody;

/// Position of the client token among an op call's token credentials (added first).
pub(crate) const CLIENT: usize = 0;

/// Position of the customer token (added second).
pub(crate) const CUSTOMER: usize = 1;

/// The blame function of every call carrying both tokens (`ApiRequest::on_unauthorized`).
/// Core calls it on the call's first 401 only; what it blamed is kept for [`final_401`].
pub(crate) fn op_call(response: &RawResponse) -> Option<usize> {
    let blamed = of(response);
    call::update(|record| record.first_blame = Some(blamed));
    blamed
}

/// Reads the 401 a call ended on, after core renewed what the first 401 blamed and sent it
/// once more. When this one blames the *other* token (both had died: the client token's 401
/// came first, then the customer's), that token is marked to renew for one more send
/// ([`crate::call::CallRecord::renew_next`]); the same token again (a persistent `K003`), or
/// either after both were renewed, is the answer.
pub(crate) fn final_401(response: &RawResponse) {
    let Some(now) = of(response) else {
        return;
    };
    call::update(|record| {
        if let Some(Some(first)) = record.first_blame {
            if first != now {
                record.renew_next = Some(now);
            }
        }
    });
}

/// The token a 401 answer blames.
fn of(response: &RawResponse) -> Option<usize> {
    ErrorBody::parse(&response.body).and_then(|body| blame(&body))
}

/// The token a parsed error body blames. A message naming the customer's token decides first:
/// the gateway reuses its key codes for customer tokens (the simulator, written from the spec,
/// does too). Then the codes the spec attributes to the client or the merchant. Anything else
/// (an unreadable body, an undocumented code) blames both, as a 401 did before: Maya does not
/// document its customer-token errors (spec §7.2, §11.5), and the executor re-sends only once.
fn blame(body: &ErrorBody) -> Option<usize> {
    if body.names_customer_token() {
        Some(CUSTOMER)
    } else if body.concerns_client() {
        Some(CLIENT)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blamed(json: &str) -> Option<usize> {
        blame(&ErrorBody::parse(json.as_bytes()).unwrap())
    }

    #[test]
    fn client_codes_blame_the_client_token_in_every_shape() {
        for json in [
            r#"{"error":"Invalid authentication credentials. Kindly verify if the key you are using is correct.","code":"K003","reference":"r"}"#,
            r#"{"error":"Key has expired.","code":"K002"}"#,
            r#"{"error":"Missing authentication credentials.","code":"K001"}"#,
            r#"{"error":"x","code":"K004"}"#,
            r#"{"error":"x","code":"K006"}"#,
            r#"{"error":"invalid_client","error_description":"Bad client credentials."}"#,
            r#"{"code":"PY0017","message":"Merchant not found"}"#,
            r#"{"error":{"code":"PY0019","message":"Forbidden"}}"#,
            r#"{"error":{"code":"K003","message":"Invalid credentials"}}"#,
        ] {
            assert_eq!(blamed(json), Some(CLIENT), "{json}");
        }
    }

    #[test]
    fn a_message_naming_the_customer_token_blames_it() {
        for json in [
            r#"{"error":"Customer access token has expired.","code":"K002"}"#,
            r#"{"error":"Invalid customer access token.","code":"K003"}"#,
            r#"{"error":"Missing customer access token.","code":"K001"}"#,
            r#"{"code":"PY0401","message":"Customer token expired"}"#,
            r#"{"error":{"code":"X1","message":"X-Authorization is invalid"}}"#,
            r#"{"error":"invalid_token","error_description":"Customer session expired"}"#,
        ] {
            assert_eq!(blamed(json), Some(CUSTOMER), "{json}");
        }
    }

    fn unauthorized(body: &'static str) -> RawResponse {
        RawResponse {
            provider: crate::PROVIDER,
            status: paykit_core::http::StatusCode::UNAUTHORIZED,
            headers: http::HeaderMap::new(),
            body: body.as_bytes().to_vec().into(),
            mutating: true,
            sensitive: false,
        }
    }

    const CLIENT_DEAD: &str = r#"{"error":"Key has expired.","code":"K002"}"#;
    const CUSTOMER_DEAD: &str = r#"{"error":"Customer access token has expired.","code":"K002"}"#;

    #[tokio::test]
    async fn only_a_final_401_about_the_other_token_asks_for_one_more_renewal() {
        let renew = |first: &'static str, last: &'static str| async move {
            call::scope(async {
                op_call(&unauthorized(first));
                final_401(&unauthorized(last));
            })
            .await
            .1
            .renew_next
        };
        assert_eq!(renew(CLIENT_DEAD, CUSTOMER_DEAD).await, Some(CUSTOMER));
        assert_eq!(renew(CUSTOMER_DEAD, CLIENT_DEAD).await, Some(CLIENT));
        assert_eq!(renew(CLIENT_DEAD, CLIENT_DEAD).await, None);
        // Both were renewed already, or the last answer says nothing specific.
        assert_eq!(renew("", CUSTOMER_DEAD).await, None);
        assert_eq!(renew(CLIENT_DEAD, "").await, None);
    }

    #[test]
    fn anything_else_blames_both() {
        assert_eq!(
            blamed(r#"{"code":"PY0044","message":"Invalid payment"}"#),
            None
        );
        assert_eq!(
            blamed(r#"{"error":"invalid_token","error_description":"Token expired"}"#),
            None
        );
        let response = |body: &'static [u8]| RawResponse {
            provider: crate::PROVIDER,
            status: paykit_core::http::StatusCode::UNAUTHORIZED,
            headers: http::HeaderMap::new(),
            body: body.to_vec().into(),
            mutating: true,
            sensitive: false,
        };
        assert_eq!(op_call(&response(b"")), None);
        assert_eq!(op_call(&response(b"<html>401</html>")), None);
        assert_eq!(
            op_call(&response(br#"{"error":"x","code":"K003"}"#)),
            Some(CLIENT)
        );
    }
}
