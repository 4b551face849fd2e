//! Payment retrieval and operations (spec §3.6, §3.7, §5): P1 by id, P2 status (public key),
//! P3 by reference (an array), voids P4–P6, refunds P7–P9, capture P10, cancel P11, and the
//! calendar-driven reversal. Voids, refunds and captures move money: never re-sent, echo
//! checked, and an unknown outcome carries the payment id and the reference.

use paykit_core::http::{Effect, Method, RawResponse, StatusCode};
use paykit_core::{Error, Money, PaymentOutcome, PaymentRef, PaymentStatus, RefundState, Result};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::auth::{KeyKind, Product};
use crate::calendar::{self, Reversal, ReversalChoice};
use crate::call::Endpoint;
use crate::status::{MayaStatus, RecordStatus};
use crate::wire::{AmountCurrency, Payment};
use crate::{MayaCheckoutClient, PROVIDER, error, validate};

const fn payments(name: &'static str, method: Method, key: KeyKind, effect: Effect) -> Endpoint {
    Endpoint::new(name, method, Product::Payments, key, effect)
}

const GET: Endpoint = payments(
    "maya-get-payment",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const STATUS: Endpoint = payments(
    "maya-get-payment-status",
    Method::GET,
    KeyKind::Public,
    Effect::Read,
);
const BY_RRN: Endpoint = payments(
    "maya-get-payments-by-reference",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const VOID: Endpoint = payments(
    "maya-void",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);
const VOIDS: Endpoint = payments(
    "maya-list-voids",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const REFUND: Endpoint = payments(
    "maya-refund",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);
const REFUNDS: Endpoint = payments(
    "maya-list-refunds",
    Method::GET,
    KeyKind::Secret,
    Effect::Read,
);
const CAPTURE: Endpoint = payments(
    "maya-capture",
    Method::POST,
    KeyKind::Secret,
    Effect::MovesMoney,
);
const CANCEL: Endpoint = payments(
    "maya-cancel",
    Method::POST,
    KeyKind::Secret,
    Effect::NoMoney,
);

/// P2's answer ("only the payment status"; its exact schema is not published).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct PaymentStatusAnswer {
    /// The payment id, when echoed.
    #[serde(default)]
    pub id: Option<String>,
    /// The status.
    pub status: MayaStatus,
}

/// A void record (P4–P6).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct VoidRecord {
    /// The void id.
    pub id: String,
    /// The payment id.
    #[serde(default)]
    pub payment: Option<String>,
    /// `SUCCESS`.
    #[serde(default)]
    pub status: Option<RecordStatus>,
    /// The reason sent.
    #[serde(default)]
    pub reason: Option<String>,
    /// The reference.
    #[serde(default)]
    pub request_reference_number: Option<String>,
    /// ISO-8601.
    #[serde(default)]
    pub void_at: Option<String>,
}

/// A refund record (shape R1; P7/P8 answers and P9 entries).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RefundRecord {
    /// The refund id.
    pub id: String,
    /// The payment id.
    #[serde(default)]
    pub payment: Option<String>,
    /// The amount, read exactly.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub amount: Option<Decimal>,
    /// The currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// `SUCCESS` counts toward the refunded total; nothing else does.
    #[serde(default)]
    pub status: Option<RecordStatus>,
    /// The reason sent.
    #[serde(default)]
    pub reason: Option<String>,
    /// ISO-8601.
    #[serde(default)]
    pub refund_at: Option<String>,
}

/// `{value, currency}` inside a refund receipt.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ReceiptAmount {
    /// The amount, exactly.
    #[serde(default, with = "paykit_core::wire::opt_decimal_number")]
    pub value: Option<Decimal>,
    /// The currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// A refund answered as a processor receipt (shape R2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RefundReceipt {
    /// The payment's processor reference.
    #[serde(default)]
    pub payment_transaction_reference_no: Option<String>,
    /// The refund's processor reference.
    #[serde(default)]
    pub refund_transaction_reference_no: Option<String>,
    /// `SUCCESS`.
    #[serde(default)]
    pub status: Option<RecordStatus>,
    /// What was refunded.
    #[serde(default)]
    pub refunded_amount: Option<ReceiptAmount>,
}

/// What a refund call answered: one of the two observed 200 shapes, or 202 "still ongoing".
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundAnswer {
    /// R1: a refund record.
    Record(RefundRecord),
    /// R2: a processor receipt.
    Receipt(RefundReceipt),
    /// HTTP 202 `ONGOING`: accepted, not final. Poll [`MayaCheckoutClient::refunds`].
    Ongoing {
        /// Maya's message.
        message: Option<String>,
    },
}

impl RefundAnswer {
    /// True when Maya reported the refund done (`SUCCESS`).
    pub fn is_success(&self) -> bool {
        match self {
            RefundAnswer::Record(record) => record.status == Some(RecordStatus::Success),
            RefundAnswer::Receipt(receipt) => receipt.status == Some(RecordStatus::Success),
            RefundAnswer::Ongoing { .. } => false,
        }
    }
}

/// P10's body: `{requestReferenceNumber, captureAmount{amount, currency}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CaptureRequest {
    /// Normally the authorization's reference.
    pub request_reference_number: String,
    /// Shape B.
    pub capture_amount: AmountCurrency,
}

impl CaptureRequest {
    /// Captures `amount` under `reference`.
    pub fn new(amount: &Money, reference: impl Into<String>) -> Self {
        CaptureRequest {
            request_reference_number: reference.into(),
            capture_amount: AmountCurrency::of(amount),
        }
    }
}

/// P11's answer: its schema is not published; the status when one is given, and the body.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CancelAnswer {
    /// `status`, when the body has one.
    pub status: Option<MayaStatus>,
    /// The body as received (`Null` when empty).
    pub raw: Value,
}

/// What [`MayaCheckoutClient::reverse`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reversed {
    /// Voided (the whole amount).
    Voided(VoidRecord),
    /// Refunded `amount`.
    Refunded {
        /// How much was asked back.
        amount: Money,
        /// What remains refundable once this refund succeeds.
        left: Money,
        /// Maya's answer.
        answer: RefundAnswer,
    },
}

#[derive(Serialize)]
struct ReasonBody<'a> {
    reason: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefundBody<'a> {
    total_amount: AmountCurrency,
    reason: &'a str,
}

/// Checks that an echoed amount equals `expected` (same currency, same value at any scale).
pub(crate) fn echo_amount(
    amount: Option<Decimal>,
    currency: Option<&str>,
    expected: &Money,
) -> Result<()> {
    let integrity = |field: &'static str, actual: String, wanted: String| Error::Integrity {
        provider: PROVIDER,
        field: field.into(),
        expected: wanted,
        actual,
    };
    let amount = amount
        .ok_or_else(|| integrity("amount", "absent".to_owned(), expected.amount().to_string()))?;
    if amount.normalize() != expected.amount().normalize() {
        return Err(integrity(
            "amount",
            amount.to_string(),
            expected.amount().to_string(),
        ));
    }
    if let Some(currency) = currency {
        if currency != expected.currency().code() {
            return Err(integrity(
                "currency",
                currency.to_owned(),
                expected.currency().code().to_owned(),
            ));
        }
    }
    Ok(())
}

fn echo_payment(echoed: Option<&str>, payment_id: Option<&str>) -> Result<()> {
    if let (Some(echoed), Some(expected)) = (echoed, payment_id) {
        if echoed != expected {
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "payment".into(),
                expected: expected.to_owned(),
                actual: echoed.to_owned(),
            });
        }
    }
    Ok(())
}

/// A capture's answer (P10): the capture payment, refused when it echoes another reference.
pub(crate) fn parse_capture(response: &RawResponse, reference: &str) -> Result<Payment> {
    let payment: Payment = error::parse(response)?;
    if let Some(echoed) = &payment.request_reference_number {
        if echoed != reference {
            return Err(Error::Integrity {
                provider: PROVIDER,
                field: "requestReferenceNumber".into(),
                expected: reference.to_owned(),
                actual: echoed.clone(),
            });
        }
    }
    Ok(payment)
}

/// A cancel's answer (P11): any 2xx, its body (if any) kept with the status it names.
pub(crate) fn parse_cancel(response: &RawResponse) -> Result<CancelAnswer> {
    if !response.is_success() {
        return Err(error::from_response(response));
    }
    let raw = if response.is_empty() {
        Value::Null
    } else {
        response.json()?
    };
    let status = raw
        .get("status")
        .and_then(Value::as_str)
        .map(MayaStatus::parse);
    Ok(CancelAnswer { status, raw })
}

/// A void's answer (P4), refused when it names another payment than `payment_id`.
pub(crate) fn parse_void(response: &RawResponse, payment_id: Option<&str>) -> Result<VoidRecord> {
    let record: VoidRecord = error::parse(response)?;
    echo_payment(record.payment.as_deref(), payment_id)?;
    Ok(record)
}

/// A refund's answer (P7): a refund record, a refund receipt, or 202 while Maya works on it;
/// refused when it names another payment or amount than asked.
pub(crate) fn parse_refund(
    response: &RawResponse,
    payment_id: Option<&str>,
    amount: &Money,
) -> Result<RefundAnswer> {
    if !response.is_success() {
        return Err(error::from_response(response));
    }
    if response.status == StatusCode::ACCEPTED {
        let message = serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned));
        return Ok(RefundAnswer::Ongoing { message });
    }
    let value: Value = response.json()?;
    if value.get("id").is_some() {
        let record: RefundRecord = response.json()?;
        echo_payment(record.payment.as_deref(), payment_id)?;
        if record.amount.is_some() {
            echo_amount(record.amount, record.currency.as_deref(), amount)?;
        }
        return Ok(RefundAnswer::Record(record));
    }
    if value.get("refundTransactionReferenceNo").is_some() || value.get("refundedAmount").is_some()
    {
        let receipt: RefundReceipt = response.json()?;
        if let Some(refunded) = &receipt.refunded_amount {
            echo_amount(refunded.value, refunded.currency.as_deref(), amount)?;
        }
        return Ok(RefundAnswer::Receipt(receipt));
    }
    Err(Error::decode(
        PROVIDER,
        "a refund answer that is neither a refund record nor a receipt",
        &response.body,
        false,
    ))
}

fn refund_money(amount: &Money, reason: &str) -> Result<()> {
    validate::amount("amount", amount)?;
    validate::reason(reason)
}

impl MayaCheckoutClient {
    /// P1 `GET /payments/v1/payments/{id}`.
    pub async fn payment(&self, payment_id: &str) -> Result<Payment> {
        let request = self.request(&GET, payment_path(payment_id)?)?;
        self.send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
    }

    /// P2 `GET /payments/v1/payments/{id}/status` (public key): the status only, for a
    /// browser-side poll without the secret key.
    pub async fn payment_status(&self, payment_id: &str) -> Result<PaymentStatusAnswer> {
        let request = self.request(&STATUS, format!("{}/status", payment_path(payment_id)?))?;
        self.send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
    }

    /// P3 `GET /payments/v1/payment-rrns/{rrn}`: every payment under a reference (failed and
    /// expired attempts, authorizations and captures included). Maya's `PY0009` "none" is an
    /// empty list. This is the lookup to make before re-trying anything that may have moved
    /// money.
    pub async fn payments_by_reference(&self, reference: &str) -> Result<Vec<Payment>> {
        let path = format!(
            "/payments/v1/payment-rrns/{}",
            validate::reference_segment(reference)?
        );
        let request = self.request(&BY_RRN, path)?;
        let ids = PaymentRef::new().merchant_reference(reference);
        match self.send(&request, &ids).await {
            Err(error) if error.api_code() == Some("PY0009") => Ok(Vec::new()),
            other => other,
        }
    }

    /// The payment under `reference` that has taken the customer's money (paid, authorized or
    /// captured), if any: what to check before re-creating a charge whose outcome is unknown.
    pub async fn paid_by_reference(&self, reference: &str) -> Result<Option<Payment>> {
        let all = self.payments_by_reference(reference).await?;
        Ok(all.into_iter().find(|payment| {
            payment.is_paid == Some(true)
                || matches!(
                    payment.status,
                    MayaStatus::PaymentSuccess
                        | MayaStatus::Authorized
                        | MayaStatus::Captured
                        | MayaStatus::Done
                )
        }))
    }

    /// P4 `POST /payments/v1/payments/{id}/voids`: the whole amount, on the payment's Manila
    /// day only. Moves money: never re-sent.
    pub async fn void_payment(&self, payment_id: &str, reason: &str) -> Result<VoidRecord> {
        validate::reason(reason)?;
        let path = format!("{}/voids", payment_path(payment_id)?);
        let request = self.request(&VOID, path)?.json(&ReasonBody { reason })?;
        let ids = PaymentRef::new().provider_payment_id(payment_id);
        self.send_with(&request, &ids, |r| parse_void(r, Some(payment_id)))
            .await
    }

    /// P5 `POST /payments/v1/payment-rrns/{rrn}/voids`: only when the reference names one
    /// payment (`PY0104` otherwise).
    pub async fn void_by_reference(&self, reference: &str, reason: &str) -> Result<VoidRecord> {
        validate::reason(reason)?;
        let path = format!(
            "/payments/v1/payment-rrns/{}/voids",
            validate::reference_segment(reference)?
        );
        let request = self.request(&VOID, path)?.json(&ReasonBody { reason })?;
        let ids = PaymentRef::new().merchant_reference(reference);
        self.send_with(&request, &ids, |r| parse_void(r, None))
            .await
    }

    /// P6 `GET /payments/v1/payments/{id}/voids` (`PY0063` "none" is an empty list).
    pub async fn voids(&self, payment_id: &str) -> Result<Vec<VoidRecord>> {
        let request = self.request(&VOIDS, format!("{}/voids", payment_path(payment_id)?))?;
        match self
            .send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
        {
            Err(error) if error.api_code() == Some("PY0063") => Ok(Vec::new()),
            other => other,
        }
    }

    /// P6 `GET /payments/v1/payments/{id}/voids/{voidId}`.
    pub async fn void_record(&self, payment_id: &str, void_id: &str) -> Result<VoidRecord> {
        let path = format!(
            "{}/voids/{}",
            payment_path(payment_id)?,
            validate::segment("void_id", void_id)?
        );
        let request = self.request(&VOIDS, path)?;
        self.send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
    }

    /// P9 `GET /payments/v1/payments/{id}/refunds/{refundId}`: how to follow a refund Maya
    /// answered 202 `ONGOING`.
    pub async fn refund_record(&self, payment_id: &str, refund_id: &str) -> Result<RefundRecord> {
        let path = format!(
            "{}/refunds/{}",
            payment_path(payment_id)?,
            validate::segment("refund_id", refund_id)?
        );
        let request = self.request(&REFUNDS, path)?;
        self.send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
    }

    /// P7 `POST /payments/v1/payments/{id}/refunds`: from the next Manila day for 180 days,
    /// partial allowed. Moves money: never re-sent (a second refund refunds twice).
    pub async fn refund_payment(
        &self,
        payment_id: &str,
        amount: &Money,
        reason: &str,
    ) -> Result<RefundAnswer> {
        refund_money(amount, reason)?;
        let path = format!("{}/refunds", payment_path(payment_id)?);
        let request = self.request(&REFUND, path)?.json(&RefundBody {
            total_amount: AmountCurrency::of(amount),
            reason,
        })?;
        let ids = PaymentRef::new().provider_payment_id(payment_id);
        self.send_with(&request, &ids, |r| {
            parse_refund(r, Some(payment_id), amount)
        })
        .await
    }

    /// P8 `POST /payments/v1/payment-rrns/{rrn}/refunds`: only when the reference names one
    /// payment.
    pub async fn refund_by_reference(
        &self,
        reference: &str,
        amount: &Money,
        reason: &str,
    ) -> Result<RefundAnswer> {
        refund_money(amount, reason)?;
        let path = format!(
            "/payments/v1/payment-rrns/{}/refunds",
            validate::reference_segment(reference)?
        );
        let request = self.request(&REFUND, path)?.json(&RefundBody {
            total_amount: AmountCurrency::of(amount),
            reason,
        })?;
        let ids = PaymentRef::new().merchant_reference(reference);
        self.send_with(&request, &ids, |r| parse_refund(r, None, amount))
            .await
    }

    /// P9 `GET /payments/v1/payments/{id}/refunds` (`PY0046` "none" is an empty list).
    pub async fn refunds(&self, payment_id: &str) -> Result<Vec<RefundRecord>> {
        let request = self.request(&REFUNDS, format!("{}/refunds", payment_path(payment_id)?))?;
        match self
            .send(&request, &PaymentRef::new().provider_payment_id(payment_id))
            .await
        {
            Err(error) if error.api_code() == Some("PY0046") => Ok(Vec::new()),
            other => other,
        }
    }

    /// Σ of the payment's refund records with status `SUCCESS`.
    pub async fn refunded_total(&self, payment_id: &str) -> Result<Decimal> {
        Ok(self
            .refunds(payment_id)
            .await?
            .iter()
            .filter(|record| record.status == Some(RecordStatus::Success))
            .filter_map(|record| record.amount)
            .fold(Decimal::ZERO, |sum, amount| {
                sum.checked_add(amount).unwrap_or(sum)
            }))
    }

    /// P10 `POST /payments/v1/payments/{id}/capture`: captures part or all of an
    /// authorization. Maya creates a **new** payment record (returned here) that is voided or
    /// refunded on its own; re-read the authorization for its totals. Moves money: never
    /// re-sent.
    pub async fn capture_payment(
        &self,
        authorization_id: &str,
        capture: &CaptureRequest,
    ) -> Result<Payment> {
        let currency = crate::wire::currency_of(&capture.capture_amount.currency)
            .ok_or_else(|| Error::invalid_input("currency", "unknown currency code"))?;
        validate::amount(
            "capture_amount",
            &Money::new(capture.capture_amount.amount, currency)?,
        )?;
        validate::reference(
            "request_reference_number",
            &capture.request_reference_number,
        )?;
        let path = format!("{}/capture", payment_path(authorization_id)?);
        let request = self.request(&CAPTURE, path)?.json(capture)?;
        let ids = PaymentRef::new()
            .provider_payment_id(authorization_id)
            .merchant_reference(&capture.request_reference_number);
        let reference = &capture.request_reference_number;
        self.send_with(&request, &ids, |response| {
            parse_capture(response, reference)
        })
        .await
    }

    /// P11 `POST /payments/v1/payments/{id}/cancel`: stops an unpaid payment. Maya's reference
    /// says it works against production only.
    pub async fn cancel(&self, payment_id: &str) -> Result<CancelAnswer> {
        let path = format!("{}/cancel", payment_path(payment_id)?);
        let request = self.request(&CANCEL, path)?.json(&serde_json::json!({}))?;
        let ids = PaymentRef::new().provider_payment_id(payment_id);
        self.send_with(&request, &ids, parse_cancel).await
    }

    /// Returns a payment's money: `amount` (`None` = all that remains), void or refund as
    /// `choice` says ([`ReversalChoice::ByCalendar`]: void on the payment's Manila day, refund
    /// from the next). Reads the payment (P1) and, for a refund, its refunds (P9) first, so a
    /// partial reversal on the payment's day or a refund above what remains is refused before
    /// any money-moving call. With a payment-records store configured, the refund is written
    /// down before it is sent and settled from Maya's answer (see the builder's `records`).
    pub async fn reverse(
        &self,
        payment_id: &str,
        amount: Option<&Money>,
        choice: ReversalChoice,
        reason: &str,
    ) -> Result<Reversed> {
        validate::reason(reason)?;
        let payment = self.payment(payment_id).await?;
        let total = payment
            .money()
            .ok_or_else(|| Error::decode(PROVIDER, "the payment has no amount", b"", false))?;
        if let Some(amount) = amount {
            validate::amount("amount", amount)?;
            if amount.currency() != total.currency() {
                return Err(Error::invalid_input(
                    "currency",
                    "differs from the payment's",
                ));
            }
        }
        let partial = amount.is_some_and(|a| a.amount() != total.amount());
        match calendar::decide(choice, payment.created_at.as_deref(), self.now(), partial)? {
            Reversal::Void => {
                let reversed = Reversed::Voided(self.void_payment(payment_id, reason).await?);
                self.remember_state(&reversal_outcome(payment_id, &reversed))
                    .await?;
                Ok(reversed)
            }
            Reversal::Refund => {
                let refunded = self.refunded_total(payment_id).await?;
                let remaining = total
                    .amount()
                    .checked_sub(refunded)
                    .unwrap_or(Decimal::ZERO);
                let wanted = match amount {
                    Some(amount) => *amount,
                    None => Money::new(remaining, total.currency())?,
                };
                if wanted.amount() > remaining || remaining <= Decimal::ZERO {
                    return Err(Error::invalid_input(
                        "amount",
                        format!("only {remaining} of {} is left to refund", total.amount()),
                    ));
                }
                let left = Money::new(
                    remaining
                        .checked_sub(wanted.amount())
                        .unwrap_or(Decimal::ZERO),
                    total.currency(),
                )?;
                let entry = self.refund_requested(payment_id, wanted).await?;
                let answer = match self.refund_payment(payment_id, &wanted, reason).await {
                    Ok(answer) => answer,
                    Err(error) => {
                        if !error.outcome_unknown() {
                            // A known refusal: nothing moved.
                            let before = PaymentOutcome::new(payment_id, PaymentStatus::Captured);
                            self.refund_settled(entry, RefundState::Refused, &before)
                                .await?;
                        }
                        return Err(error);
                    }
                };
                let state = if answer.is_success() {
                    RefundState::Confirmed
                } else {
                    RefundState::Accepted
                };
                let reversed = Reversed::Refunded {
                    amount: wanted,
                    left,
                    answer,
                };
                self.refund_settled(entry, state, &reversal_outcome(payment_id, &reversed))
                    .await?;
                Ok(reversed)
            }
        }
    }
}

/// The common outcome of a reversal: `cancelled` after a void; after a refund `refunded` when
/// nothing is left, `partially_refunded` otherwise, `pending` while Maya reports it ongoing.
pub(crate) fn reversal_outcome(payment_id: &str, reversed: &Reversed) -> PaymentOutcome {
    match reversed {
        Reversed::Voided(_) => PaymentOutcome::new(payment_id, PaymentStatus::Cancelled)
            .with_raw_status(Some(MayaStatus::Voided.as_str().to_owned())),
        Reversed::Refunded {
            amount,
            left,
            answer,
        } => {
            let (status, raw) = match answer {
                RefundAnswer::Ongoing { .. } => (PaymentStatus::Pending, "ONGOING"),
                _ if left.is_zero() => (PaymentStatus::Refunded, "REFUNDED"),
                _ => (PaymentStatus::PartiallyRefunded, "REFUNDED"),
            };
            PaymentOutcome::new(payment_id, status)
                .with_refunded(Some(*amount))
                .with_raw_status(Some(raw.to_owned()))
        }
    }
}

fn payment_path(payment_id: &str) -> Result<String> {
    Ok(format!(
        "/payments/v1/payments/{}",
        validate::segment("payment_id", payment_id)?
    ))
}
