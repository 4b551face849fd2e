//! The one mapping from iPay's status vocabulary to [`PaymentStatus`].
//!
//! | iPay says | `PaymentStatus` |
//! |---|---|
//! | create order `CREATED` | `RequiresAction` (send the customer to the approve link) |
//! | `in_progress` | `Pending` (customer on the bank page, or a recurring charge processing) |
//! | `success`, no `pre_auth_status` | `Captured` |
//! | `success` + `pre_auth_status=in_progress` | `Authorized` (blocked, `MANUAL` capture) |
//! | `success` + `pre_auth_status=success` | `Captured` (pre-authorization completed) |
//! | `success` + `pre_auth_status=success_unblocked` | `Cancelled` (block released) |
//! | `error` | `Failed` with `status_description` as the reason (`REJECTED`, or unpaid for 1 h) |
//! | pre-auth completion `success` | `Captured` (full or partial) / `Cancelled` (cancel) |
//! | legacy `PERFORMED` / `REJECTED` | `Captured` / `Failed` |
//! | anything unknown | `Pending`: never claim money moved on a word we do not know |
//!
//! iPay has no refund status: details read `success` after any refund. Whether a captured
//! payment was refunded, in part or in full, is what paykit recorded (`records.rs`), never a
//! word of iPay's and never a callback's claim. A refund notice while the block is still held,
//! or after it was released, is therefore `Authorized` or `Cancelled` as above.

use paykit_core::PaymentStatus;

use crate::model::{PaymentState, PreAuthCompletion, PreAuthStatus};

/// Everything iPay reports a status with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ProviderStatus<'a> {
    /// The `status` of a create-order answer.
    OrderCreated(&'a str),
    /// A payment's `status` and `pre_auth_status` (details, callbacks, recurring charges).
    Payment {
        state: &'a PaymentState,
        pre_auth: Option<&'a PreAuthStatus>,
        description: Option<&'a str>,
    },
    /// The answer to a pre-authorization completion.
    PreAuthCompleted {
        completion: &'a PreAuthCompletion,
        state: &'a PaymentState,
        description: Option<&'a str>,
    },
    /// The `status` of the legacy order resources.
    Legacy(&'a str),
}

/// Maps any iPay status to [`PaymentStatus`].
pub(crate) fn map(status: ProviderStatus<'_>) -> PaymentStatus {
    let failed = |description: Option<&str>| PaymentStatus::Failed {
        reason: description.map(str::to_owned),
    };
    match status {
        ProviderStatus::OrderCreated(created) => match created {
            "CREATED" | "created" | "" => PaymentStatus::RequiresAction,
            _ => PaymentStatus::Pending,
        },
        ProviderStatus::Payment {
            state,
            pre_auth,
            description,
        } => match (state, pre_auth) {
            (PaymentState::Success, None | Some(PreAuthStatus::Success)) => PaymentStatus::Captured,
            (PaymentState::Success, Some(PreAuthStatus::InProgress)) => PaymentStatus::Authorized,
            (PaymentState::Success, Some(PreAuthStatus::SuccessUnblocked)) => {
                PaymentStatus::Cancelled
            }
            (PaymentState::Success, Some(PreAuthStatus::Other(_))) => PaymentStatus::Pending,
            (PaymentState::Error, _) => failed(description),
            (PaymentState::InProgress | PaymentState::Other(_), _) => PaymentStatus::Pending,
        },
        ProviderStatus::PreAuthCompleted {
            completion,
            state,
            description,
        } => match (state, completion) {
            (PaymentState::Success, PreAuthCompletion::Full | PreAuthCompletion::Partial(_)) => {
                PaymentStatus::Captured
            }
            (PaymentState::Success, PreAuthCompletion::Cancel) => PaymentStatus::Cancelled,
            (PaymentState::Error, _) => failed(description),
            (PaymentState::InProgress | PaymentState::Other(_), _) => PaymentStatus::Pending,
        },
        ProviderStatus::Legacy(legacy) => match legacy {
            "PERFORMED" => PaymentStatus::Captured,
            "REJECTED" => failed(Some(legacy)),
            _ => PaymentStatus::Pending,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paykit_core::{Currency, Money};

    fn payment(state: &str, pre_auth: Option<&str>) -> PaymentStatus {
        let state = PaymentState::from(state);
        let pre_auth = pre_auth.map(PreAuthStatus::from);
        map(ProviderStatus::Payment {
            state: &state,
            pre_auth: pre_auth.as_ref(),
            description: Some("REJECTED"),
        })
    }

    #[test]
    fn payment_states() {
        assert_eq!(payment("success", None), PaymentStatus::Captured);
        assert_eq!(
            payment("success", Some("in_progress")),
            PaymentStatus::Authorized
        );
        assert_eq!(payment("success", Some("success")), PaymentStatus::Captured);
        assert_eq!(
            payment("success", Some("success_unblocked")),
            PaymentStatus::Cancelled
        );
        assert_eq!(payment("success", Some("weird")), PaymentStatus::Pending);
        assert_eq!(
            payment("error", None),
            PaymentStatus::Failed {
                reason: Some("REJECTED".into())
            }
        );
        assert_eq!(payment("in_progress", None), PaymentStatus::Pending);
        assert_eq!(payment("SUCCESS", None), PaymentStatus::Pending);
    }

    #[test]
    fn created_orders_wait_for_the_customer() {
        assert_eq!(
            map(ProviderStatus::OrderCreated("CREATED")),
            PaymentStatus::RequiresAction
        );
        assert_eq!(
            map(ProviderStatus::OrderCreated("HELD")),
            PaymentStatus::Pending
        );
    }

    #[test]
    fn completions() {
        let ok = PaymentState::Success;
        let partial = PreAuthCompletion::Partial(Money::parse("1", Currency::GEL).unwrap());
        for (completion, expected) in [
            (PreAuthCompletion::Full, PaymentStatus::Captured),
            (partial, PaymentStatus::Captured),
            (PreAuthCompletion::Cancel, PaymentStatus::Cancelled),
        ] {
            let got = map(ProviderStatus::PreAuthCompleted {
                completion: &completion,
                state: &ok,
                description: None,
            });
            assert_eq!(got, expected);
        }
    }

    #[test]
    fn legacy_statuses() {
        assert_eq!(
            map(ProviderStatus::Legacy("PERFORMED")),
            PaymentStatus::Captured
        );
        assert!(matches!(
            map(ProviderStatus::Legacy("REJECTED")),
            PaymentStatus::Failed { .. }
        ));
        assert_eq!(
            map(ProviderStatus::Legacy("CREATED")),
            PaymentStatus::Pending
        );
    }
}
