//! The native API's request and answer types for Mini App payments.

use std::collections::BTreeMap;
use std::fmt;

use paykit_core::{Money, PaymentOutcome, PaymentStatus, SecretString};
use serde_json::value::RawValue;

use crate::reference::RequestReference;
use crate::status::{self, MiniAppPaymentStatus};

/// `POST /merchant/payments`: register a payment of `amount` for the session's customer. No
/// money moves yet.
///
/// ```
/// use paykit_core::{Currency, Money};
/// use paykit_maya::CreatePayment;
///
/// let request = CreatePayment::new(Money::parse("249.50", Currency::PHP)?);
/// assert!(request.request_reference.is_none()); // a fresh UUIDv4 per HTTP attempt
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreatePayment {
    /// The amount, in PHP, more than zero.
    pub amount: Money,
    /// `Request-Reference-No`. `None` (the default): a fresh UUIDv4 for every HTTP attempt,
    /// as Maya asks a unique one per request. `Some`: your own trace id, sent on every attempt
    /// of this call (a create is only re-sent when it never left), so Maya's logs find it.
    pub request_reference: Option<RequestReference>,
    /// `p2mId` for this payment instead of the client's configured one.
    pub p2m_id: Option<String>,
}

impl CreatePayment {
    /// A payment of `amount` with a generated reference and the configured `p2mId`.
    pub fn new(amount: Money) -> Self {
        CreatePayment {
            amount,
            request_reference: None,
            p2m_id: None,
        }
    }

    /// Sets the `Request-Reference-No` of every attempt (see
    /// [`CreatePayment::request_reference`]).
    pub fn request_reference(mut self, reference: RequestReference) -> Self {
        self.request_reference = Some(reference);
        self
    }

    /// Sets the `p2mId` for this payment.
    pub fn p2m_id(mut self, p2m_id: impl Into<String>) -> Self {
        self.p2m_id = Some(p2m_id.into());
        self
    }
}

/// Maya's answer to create. Execute it at once: a payment bound to a customer expires within
/// seconds (spec §5.5).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatedPayment {
    /// The payment id, needed for execute.
    pub id: String,
    /// The amount (checked against the request when Maya echoes it).
    pub amount: Money,
    /// The `p2mId` echoed, when given.
    pub p2m_id: Option<String>,
    /// The `Request-Reference-No` of the request Maya answered (yours, when you set one).
    /// Maya's `requestReferenceNumber` echo is compared with it; a differing echo is logged.
    pub request_reference: RequestReference,
    /// Fields this version does not model, as their exact JSON text.
    pub extra: BTreeMap<String, Box<RawValue>>,
}

/// `POST /merchant/payments/{id}/execute`: debit the customer's wallet for a created payment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExecutePayment {
    /// The id returned by create.
    pub payment_id: String,
    /// `Request-Reference-No`. `None` (the default): a fresh UUIDv4 for every HTTP attempt
    /// (the executor's repeats after a timeout or 5xx, the repeats after a fault code, the
    /// re-send after a 401). `Some`: your own trace id, sent on every one of those attempts,
    /// so all of them are found under it in Maya's logs. The payment id, not the reference,
    /// is what makes repeating execute safe.
    pub request_reference: Option<RequestReference>,
    /// The amount create registered. When set, an answer echoing another amount is not
    /// believed: the outcome is unknown ([`paykit_core::Error::OutcomeUnknown`]).
    pub amount: Option<Money>,
}

impl ExecutePayment {
    /// Executes `payment_id`.
    pub fn new(payment_id: impl Into<String>) -> Self {
        ExecutePayment {
            payment_id: payment_id.into(),
            request_reference: None,
            amount: None,
        }
    }

    /// The amount create registered ([`CreatedPayment::amount`]), checked against Maya's echo.
    pub fn amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Sets the `Request-Reference-No` of every attempt (see
    /// [`ExecutePayment::request_reference`]).
    pub fn request_reference(mut self, reference: RequestReference) -> Self {
        self.request_reference = Some(reference);
        self
    }
}

/// The payment as Maya answered execute.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ExecutedPayment {
    /// The payment id.
    pub id: String,
    /// Maya's status word, read from `status` (or `paymentStatus`).
    pub status: MiniAppPaymentStatus,
    /// The amount, when echoed.
    pub amount: Option<Money>,
    /// The `p2mId`, when echoed.
    pub p2m_id: Option<String>,
    /// The echoed `requestReferenceNumber`, when given (compared with the reference of the
    /// answered request; a differing echo is logged, not fatal: it is a trace id).
    pub request_reference_number: Option<String>,
    /// Fields this version does not model, as their exact JSON text.
    pub extra: BTreeMap<String, Box<RawValue>>,
}

/// How an execute call ended. Execute's answer is final: Mini App payments have no status
/// query and no webhook.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ExecuteOutcome {
    /// Maya answered with the payment; see its [`ExecutedPayment::status`].
    Executed(ExecutedPayment),
    /// Maya declined the debit with an error code (`PY0105` insufficient balance, `PY0116`,
    /// `PY0119`, `PY0123`). Nothing was debited.
    Declined {
        /// The payment id.
        payment_id: String,
        /// Maya's code.
        code: String,
        /// Maya's message.
        message: String,
    },
    /// `PY0010`: the payment was executed by an earlier call, approved or declined; this
    /// answer does not say which. Typically an earlier attempt's answer was lost. Reconcile in
    /// Maya Manager; never create and charge again blindly. (The common `create_payment`, whose
    /// own execute this must have been, reports it as an unknown outcome.)
    AlreadyProcessed {
        /// The payment id.
        payment_id: String,
        /// Maya's message.
        message: String,
    },
}

impl ExecuteOutcome {
    /// The payment id.
    pub fn payment_id(&self) -> &str {
        match self {
            ExecuteOutcome::Executed(payment) => &payment.id,
            ExecuteOutcome::Declined { payment_id, .. }
            | ExecuteOutcome::AlreadyProcessed { payment_id, .. } => payment_id,
        }
    }

    /// True when the wallet was debited by this call.
    pub fn is_approved(&self) -> bool {
        matches!(self, ExecuteOutcome::Executed(p) if p.status.is_approved())
    }

    /// The common outcome, for the decided cases; `None` for
    /// [`ExecuteOutcome::AlreadyProcessed`], whose result is not known from this answer.
    pub fn to_payment_outcome(&self) -> Option<PaymentOutcome> {
        match self {
            ExecuteOutcome::Executed(payment) => {
                let raw = match payment.status {
                    MiniAppPaymentStatus::Unreported => None,
                    ref word => Some(word.to_string()),
                };
                Some(
                    PaymentOutcome::new(payment.id.clone(), payment.status.to_payment_status())
                        .with_amount(payment.amount)
                        .with_raw_status(raw),
                )
            }
            ExecuteOutcome::Declined {
                payment_id,
                code,
                message,
            } => Some(
                PaymentOutcome::new(payment_id.clone(), status::declined(code, message))
                    .with_raw_status(Some(code.clone())),
            ),
            ExecuteOutcome::AlreadyProcessed { .. } => None,
        }
    }

    /// The common status, when decided (see [`ExecuteOutcome::to_payment_outcome`]).
    pub fn payment_status(&self) -> Option<PaymentStatus> {
        self.to_payment_outcome().map(|o| o.status)
    }
}

/// The customer's profile as `GET /profile` returns it: a JWE (wrapping a JWS) to decrypt with
/// the JWE/JWK keys from onboarding. It holds personal data, so it is kept secret.
#[derive(Clone)]
pub struct EncryptedProfile {
    /// The compact JWE.
    pub data: SecretString,
}

impl fmt::Debug for EncryptedProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncryptedProfile")
            .field("data", &"[REDACTED]")
            .finish()
    }
}
