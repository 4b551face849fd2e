//! Every answer decoder of Maya's gateway, the charge echo check and the error classification.

use paykit_core::{Error, Money};
use paykit_maya_checkout::{ErrorBody, ErrorKind, Payment, error_kind, payment_outcome};

use crate::targets::decoders::response_of;

/// Every answer decoder (`paykit_maya_checkout::fuzzing::decode_response`, input as
/// [`response_of`]): a non-2xx answer never decodes as a success. A payment answer to a charge
/// is accepted with its own amount and reference and refused with any other (the echo check:
/// the amount read back is the one asked for).
pub fn maya_checkout_response(data: &[u8]) {
    let response = response_of("maya-checkout", data);
    let decoded = paykit_maya_checkout::fuzzing::decode_response(&response);
    if !response.is_success() {
        assert_eq!(
            decoded, 0,
            "a {} answer decoded as a success",
            response.status
        );
    }
    paykit_maya_checkout::fuzzing::error_body(&response.body);
    paykit_maya_checkout::fuzzing::payment(&response.body);
    if let Some(body) = ErrorBody::parse(&response.body) {
        error_body_classifies(&body, response.status.as_u16());
    }
    if !response.is_success() {
        return;
    }
    let Ok(payment) = serde_json::from_slice::<Payment>(&response.body) else {
        return;
    };
    let _ = payment_outcome(&payment, None, false);
    let Some(money) = payment.money() else {
        return;
    };
    let reference = payment
        .request_reference_number
        .clone()
        .unwrap_or_else(|| "props-reference".to_owned());
    let charge = |amount: &Money, reference: &str| {
        paykit_maya_checkout::fuzzing::charge_answer(&response, amount, reference)
    };
    assert_eq!(
        charge(&money, &reference).ok().as_ref(),
        Some(&payment),
        "a charge answer echoing its own amount and reference was refused"
    );
    if let Ok(more) = Money::from_minor(1, money.currency()).and_then(|m| money.checked_add(&m)) {
        assert!(
            matches!(charge(&more, &reference), Err(Error::Integrity { .. })),
            "a charge of {more} accepted an answer of {money}"
        );
    }
    if payment.request_reference_number.is_some() {
        assert!(
            matches!(
                charge(&money, &format!("{reference}-other")),
                Err(Error::Integrity { .. })
            ),
            "a charge accepted another reference's answer"
        );
    }
}

/// An error body has a code, and its error is classified by that code, not by the status:
/// an auth code is `Error::Auth`, any other carries the code, retryable exactly when Maya
/// documents the fault as transient.
fn error_body_classifies(body: &ErrorBody, status: u16) {
    assert!(!body.code.is_empty(), "an error body without a code");
    let kind = body.kind();
    let error = body.clone().into_error(status);
    match &error {
        Error::Auth { .. } => assert_eq!(kind, ErrorKind::Auth, "{body:?} became {error:?}"),
        Error::Api {
            code, retryable, ..
        } => {
            assert_eq!(code, &body.code);
            assert_eq!(*retryable, kind.is_transient(), "{code}");
            assert_eq!(error_kind(&error), Some(kind));
        }
        other => panic!("an error body became {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeds;

    /// The charge promise runs only on payment answers with money: some recorded answers are.
    #[test]
    fn recorded_payments_reach_the_charge_check() {
        let with_money = seeds::responses("maya-checkout")
            .unwrap()
            .iter()
            .filter_map(|seed| serde_json::from_slice::<Payment>(&seed.bytes).ok())
            .filter(|payment| payment.money().is_some())
            .count();
        assert!(with_money >= 3, "{with_money} recorded payments with money");
    }
}
