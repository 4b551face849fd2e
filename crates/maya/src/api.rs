//! The native endpoint methods: every Mini App call of the spec, typed.

use std::time::Duration;

use http::HeaderName;
use http::header::{ACCEPT, CONTENT_TYPE};
use paykit_core::http::{
    ApiRequest, Credential, Effect, Idempotency, RawResponse, StatusCode, encode_path_segment,
};
use paykit_core::{
    AccessToken, Currency, Error, Money, PaymentRef, Result, SecretString, TokenSource,
};
use tokio::time::Instant;

use crate::auth::{REQUEST_REFERENCE_NO, accept_json};
use crate::error::{self, ErrorBody};
use crate::payment::{
    CreatePayment, CreatedPayment, EncryptedProfile, ExecuteOutcome, ExecutePayment,
    ExecutedPayment,
};
use crate::reference::{self, RequestReference};
use crate::session::{CustomerSession, SessionTokens};
use crate::status::MiniAppPaymentStatus;
use crate::wire::{self, AmountRequest, CreatePaymentRequest, ExecuteRequest, PaymentResponse};
use crate::{MayaClient, PROVIDER, blame, call, validate};

impl MayaClient {
    /// The client credentials token (cached; fetched from Maya Connect when missing or about
    /// to expire). Every Mini App call draws from the same cache; this is for warming it up
    /// and for diagnostics.
    pub async fn client_token(&self) -> Result<AccessToken> {
        self.inner.client_token.token().await
    }

    /// A customer session over a token pair the merchant stored from Maya's Session URL push
    /// (or a later refresh). Make one per customer and share it between that customer's calls.
    pub fn session(&self, tokens: SessionTokens) -> Result<CustomerSession> {
        CustomerSession::new(
            self.inner.api.clone(),
            self.inner.client_token.clone(),
            tokens,
            self.inner.session_cache.clone(),
        )
    }

    /// `POST /merchant/payments`: registers a payment for the session's customer.
    ///
    /// No money moves at this step (spec §5): every failure is either a refusal or retryable,
    /// and Maya's code is kept ([`Error::Api`] with `retryable: true` for its faults, 5xx and
    /// `PY00xx` alike). It is never an unknown outcome: a payment this call may have created
    /// without our hearing of it is never executed and expires. The call is still not repeated
    /// by the client once it may have been sent, because every repeat registers another
    /// payment (spec §5.4); repeating it is the caller's choice.
    pub async fn create_payment(
        &self,
        session: &CustomerSession,
        request: &CreatePayment,
    ) -> Result<CreatedPayment> {
        let p2m_id = validate::p2m_id(request.p2m_id.as_deref().or(self.inner.p2m_id.as_deref()))?;
        validate::amount("amount", &request.amount)?;
        session.check_usable()?;
        let body = CreatePaymentRequest {
            p2m_id,
            amount: AmountRequest {
                currency: request.amount.currency().code(),
                value: request.amount.amount(),
            },
        };
        let api_request = self
            .op_request(
                ApiRequest::post(CREATE_CALL, "/merchant/payments"),
                request.request_reference.as_ref(),
                session,
            )?
            .json(&body)?
            // Each request makes a new payment: never repeated once it may have arrived.
            .idempotency(Idempotency::Mutating)
            .effect(Effect::NoMoney);
        // Create moves no money, so core keeps its errors as they are: no ids to carry.
        self.send_op(&api_request, &PaymentRef::new(), session, |response| {
            if !response.is_success() {
                return Err(self.failure(response, session));
            }
            let sent = request
                .request_reference
                .clone()
                .or_else(reference::last_sent);
            created(response, request, p2m_id, sent)
        })
        .await
    }

    /// `POST /merchant/payments/{id}/execute`: debits the customer's wallet. Synchronous and
    /// final.
    ///
    /// Maya processes a payment at most once (spec §6.3), so this call is repeated when its
    /// answer is lost (timeouts, resets, 5xx; by the executor) and on Maya's fault codes that
    /// arrive as HTTP 400 (by [`ExecuteRetry`](crate::ExecuteRetry)). A repeat that finds the
    /// payment already executed yields [`ExecuteOutcome::AlreadyProcessed`]. Wallet declines
    /// are an `Ok` outcome, not an error.
    ///
    /// When no answer can be read after those repeats (a timeout, a 5xx, a fault code, a
    /// redirect, a success that cannot be decoded, or one about another payment or amount), the
    /// debit may have happened: the error is [`Error::OutcomeUnknown`] of
    /// `maya-execute-payment`, carrying the payment id. Reconcile it in Maya Manager.
    pub async fn execute_payment(
        &self,
        session: &CustomerSession,
        request: &ExecutePayment,
    ) -> Result<ExecuteOutcome> {
        validate::payment_id("payment_id", &request.payment_id)?;
        session.check_usable()?;
        let path = format!(
            "/merchant/payments/{}/execute",
            encode_path_segment("payment_id", &request.payment_id)?
        );
        let ids = PaymentRef::new().provider_payment_id(request.payment_id.clone());
        let retry = self.inner.execute_retry;
        // The executor's deadline bounds each call; this bounds the repeats around them, so
        // fault codes cannot stretch the whole execute to `attempts` deadlines.
        let ends = Instant::now().checked_add(self.inner.api.config().deadline);
        let mut attempt: u32 = 1;
        loop {
            let api_request = self
                .op_request(
                    ApiRequest::post(EXECUTE_CALL, path.clone()),
                    request.request_reference.as_ref(),
                    session,
                )?
                .json(&ExecuteRequest {})?
                .idempotency(Idempotency::MutatingRetrySafe)
                .effect(Effect::MovesMoney);
            let wait = retry.delay.saturating_mul(attempt);
            let step = self
                .send_op(&api_request, &ids, session, |response| {
                    // Decided when the answer is in: a repeat whose wait would cross the
                    // deadline is not made, and this answer is the result.
                    let may_repeat = attempt < retry.attempts && fits(ends, wait, Instant::now());
                    self.execute_answer(response, request, session, may_repeat)
                })
                .await?;
            match step {
                ExecuteStep::Answered(outcome) => return Ok(outcome),
                ExecuteStep::Repeat(code) => {
                    tracing::debug!(%code, attempt, "Maya fault code on execute, repeating");
                    tokio::time::sleep(wait).await;
                    attempt = attempt.saturating_add(1);
                }
            }
        }
    }

    /// `GET /profile`: the customer's profile as an encrypted JWE (decrypt it with the keys
    /// from onboarding). What it holds depends on the consented scopes.
    pub async fn profile(&self, session: &CustomerSession) -> Result<EncryptedProfile> {
        session.check_usable()?;
        let api_request = self
            .op_request(
                ApiRequest::get("maya-get-profile", "/profile"),
                None,
                session,
            )?
            // Documented with the same four headers as payments, Content-Type included.
            .header(CONTENT_TYPE, accept_json())
            .effect(Effect::Read)
            .sensitive_response();
        self.send_op(&api_request, &PaymentRef::new(), session, |response| {
            if !response.is_success() {
                return Err(self.failure(response, session));
            }
            profile_answer(response)
        })
        .await
    }

    /// One execute answer. Errors are returned plainly: core's
    /// [`HttpExecutor::call`](paykit_core::http::HttpExecutor::call) turns every fault,
    /// undecodable success and mismatched echo of this money-moving call into an unknown
    /// outcome.
    fn execute_answer(
        &self,
        response: &RawResponse,
        request: &ExecutePayment,
        session: &CustomerSession,
        may_repeat: bool,
    ) -> Result<ExecuteStep> {
        if response.is_success() {
            return executed(
                &request.payment_id,
                request.amount.as_ref(),
                request.request_reference.as_ref(),
                response,
            )
            .map(|payment| ExecuteStep::Answered(ExecuteOutcome::Executed(payment)));
        }
        let Some(body) = ErrorBody::parse(&response.body) else {
            return Err(response.unrecognized_error());
        };
        if body.is_already_processed() {
            return Ok(ExecuteStep::Answered(ExecuteOutcome::AlreadyProcessed {
                payment_id: request.payment_id.clone(),
                message: body.message,
            }));
        }
        if body.is_decline() {
            return Ok(ExecuteStep::Answered(ExecuteOutcome::Declined {
                payment_id: request.payment_id.clone(),
                code: body.code,
                message: body.message,
            }));
        }
        // Maya sends its own faults as HTTP 400, which the executor does not repeat; a 5xx it
        // has already repeated as often as its policy allows.
        if body.is_server_fault() && !response.status.is_server_error() && may_repeat {
            return Ok(ExecuteStep::Repeat(body.code));
        }
        // A fault is `retryable` (spec §7.2: "may have happened"): core makes it unknown.
        Err(self.failure(response, session))
    }

    /// Sends a Mini App call. The executor renews the token a 401 blames and sends the call
    /// once more; when that ends on a 401 blaming the *other* token (both had died: a client
    /// token past its hour and a customer token past `expiresAt` at once), that token is
    /// renewed too and the call sent one last time. A 401 means Maya refused the token before
    /// doing anything, so even create may be sent again. Bounded: at most two executor calls,
    /// so four requests, and never a second round for the token already renewed.
    async fn send_op<T>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
        session: &CustomerSession,
        parse: impl Fn(&RawResponse) -> Result<T>,
    ) -> Result<T> {
        let (result, record) = self.send_once(request, ids, &parse).await;
        let Some(token) = record.renew_next.filter(|_| result.is_err()) else {
            return result;
        };
        tracing::debug!(
            token,
            "HTTP 401 about the other token: renewing it, sending once more"
        );
        let renewed = if token == blame::CLIENT {
            let source = &self.inner.client_token;
            source
                .token()
                .await
                .map(|current| source.invalidate(&current))
        } else {
            session.invalidate_current().await
        };
        match renewed {
            Ok(()) => self.send_once(request, ids, &parse).await.0,
            // The token source cannot even hand out the current token: the 401 stands.
            Err(_) => result,
        }
    }

    /// One executor call with its own [`call`] record; a final 401 is read by
    /// [`blame::final_401`] before `parse` sees it.
    async fn send_once<T>(
        &self,
        request: &ApiRequest,
        ids: &PaymentRef,
        parse: &impl Fn(&RawResponse) -> Result<T>,
    ) -> (Result<T>, call::CallRecord) {
        let sent = self.inner.api.call(request, ids, |response| {
            if response.status == StatusCode::UNAUTHORIZED {
                blame::final_401(response);
            }
            parse(response)
        });
        call::scope(sent).await
    }

    /// A Mini App call with both tokens and a `Request-Reference-No`: the merchant's own on
    /// every attempt when given (their trace id, kept as they chose it), else a fresh one per
    /// HTTP attempt. A 401 renews only the token Maya's answer blames.
    fn op_request(
        &self,
        request: ApiRequest,
        reference: Option<&RequestReference>,
        session: &CustomerSession,
    ) -> Result<ApiRequest> {
        let name = HeaderName::from_static(REQUEST_REFERENCE_NO);
        let request = match reference {
            Some(reference) => request.header(name, reference::header(reference)?),
            None => request.header_per_attempt(name, reference::fresh_header),
        };
        // Credential order is what `blame` indexes: client first, customer second.
        Ok(request
            .header(ACCEPT, accept_json())
            .auth(Credential::Bearer(self.inner.client_token.clone()))
            .auth(session.credential())
            .on_unauthorized(blame::op_call))
    }

    /// The error for a non-success Mini App answer, with the customer's tokens scrubbed.
    fn failure(&self, response: &RawResponse, session: &CustomerSession) -> Error {
        let secrets = session.secret_values();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        error::from_response(response, &secrets)
    }
}

/// The name of create in traces and errors.
const CREATE_CALL: &str = "maya-create-payment";

/// The name of execute in traces and in [`Error::OutcomeUnknown`]: a lost execute is told
/// apart from a lost create by it.
pub(crate) const EXECUTE_CALL: &str = "maya-execute-payment";

/// True when waiting `wait` from `now` still ends before the call's deadline `ends` (`None`: a
/// deadline too far to represent).
fn fits(ends: Option<Instant>, wait: Duration, now: Instant) -> bool {
    ends.is_none_or(|ends| now.checked_add(wait).is_some_and(|after| after < ends))
}

/// What one execute attempt came to.
enum ExecuteStep {
    /// A final answer.
    Answered(ExecuteOutcome),
    /// A fault code answered as HTTP 400, with attempts left: send it again.
    Repeat(String),
}

/// The profile of a 2xx `GET /profile` answer.
pub(crate) fn profile_answer(response: &RawResponse) -> Result<EncryptedProfile> {
    let body: wire::ProfileResponse = response.json()?;
    if body.data.trim().is_empty() {
        return Err(error::unexpected(
            "profile data is empty",
            &response.body,
            true,
        ));
    }
    Ok(EncryptedProfile {
        data: SecretString::from(body.data),
    })
}

/// The create answer, checked against the request.
pub(crate) fn created(
    response: &RawResponse,
    request: &CreatePayment,
    p2m_id: &str,
    sent: Option<RequestReference>,
) -> Result<CreatedPayment> {
    let wire: PaymentResponse = response.json()?;
    let id = payment_id(wire.id.as_deref(), response)?;
    if let Some(echoed) = echoed_amount(wire.amount.as_ref(), response)? {
        integrity("amount", &request.amount, &echoed)?;
    }
    if let Some(echoed) = &wire.p2m_id {
        if echoed != p2m_id {
            return Err(mismatch("p2mId", p2m_id, echoed));
        }
    }
    reference::check_echo(wire.request_reference_number.as_deref(), sent.as_ref());
    // Always recorded (every attempt makes or carries one); the echo is the fallback that
    // keeps a create that happened from being reported as failed.
    let request_reference = match sent {
        Some(sent) => sent,
        None => wire
            .request_reference_number
            .as_deref()
            .and_then(|echoed| RequestReference::parse(echoed).ok())
            .ok_or_else(|| {
                error::unexpected("no Request-Reference-No known for the answer", b"", false)
            })?,
    };
    Ok(CreatedPayment {
        id,
        amount: request.amount,
        p2m_id: wire.p2m_id,
        request_reference,
        extra: wire::extra_fields(&response.body, wire::PAYMENT_FIELDS),
    })
}

/// The execute answer, checked against the payment asked for and, when known, its amount.
pub(crate) fn executed(
    payment_id: &str,
    amount: Option<&Money>,
    request_reference: Option<&RequestReference>,
    response: &RawResponse,
) -> Result<ExecutedPayment> {
    let wire: PaymentResponse = response.json()?;
    if let Some(echoed) = &wire.id {
        if echoed != payment_id {
            return Err(mismatch("id", payment_id, echoed));
        }
    }
    let sent = request_reference.cloned().or_else(reference::last_sent);
    reference::check_echo(wire.request_reference_number.as_deref(), sent.as_ref());
    let echoed_amount = echoed_amount(wire.amount.as_ref(), response)?;
    if let (Some(expected), Some(echoed)) = (amount, &echoed_amount) {
        integrity("amount", expected, echoed)?;
    }
    let status = wire
        .status
        .as_deref()
        .or(wire.payment_status.as_deref())
        .map_or(MiniAppPaymentStatus::Unreported, |raw| {
            MiniAppPaymentStatus::parse(&wire::text_of(raw))
        });
    Ok(ExecutedPayment {
        id: payment_id.to_owned(),
        status,
        amount: echoed_amount,
        p2m_id: wire.p2m_id,
        request_reference_number: wire.request_reference_number,
        extra: wire::extra_fields(&response.body, wire::PAYMENT_FIELDS),
    })
}

/// The payment id of a create answer: present and usable in execute's path.
pub(crate) fn payment_id(id: Option<&str>, response: &RawResponse) -> Result<String> {
    match id {
        Some(id) if validate::payment_id("id", id).is_ok() => Ok(id.to_owned()),
        Some(_) => Err(error::unexpected(
            "the payment id is not a UUID-like id of at most 36 characters",
            &response.body,
            false,
        )),
        None => Err(error::unexpected("no payment id", &response.body, false)),
    }
}

/// An echoed `amount`, as money; `None` when Maya did not echo one.
fn echoed_amount(
    amount: Option<&wire::AmountResponse>,
    response: &RawResponse,
) -> Result<Option<Money>> {
    let Some(amount) = amount else {
        return Ok(None);
    };
    let Some(value) = amount.value else {
        return Ok(None);
    };
    let currency = match amount.currency.as_deref() {
        Some(code) => code.parse::<Currency>().map_err(|_| Error::Integrity {
            provider: PROVIDER,
            field: "amount.currency".into(),
            expected: validate::CURRENCY.code().to_owned(),
            actual: code.chars().take(16).collect(),
        })?,
        None => validate::CURRENCY,
    };
    // Money refuses negatives and sub-centavo values: an echo like that is not what was sent.
    Money::new(value, currency).map(Some).map_err(|_| {
        error::unexpected(
            format!("amount.value {value} is not a valid {currency} amount"),
            &response.body,
            false,
        )
    })
}

/// Checks an echoed amount against the requested one.
fn integrity(field: &'static str, expected: &Money, actual: &Money) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::Integrity {
            provider: PROVIDER,
            field: field.into(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        })
    }
}

fn mismatch(field: &'static str, expected: &str, actual: &str) -> Error {
    Error::Integrity {
        provider: PROVIDER,
        field: field.into(),
        expected: expected.to_owned(),
        actual: actual.chars().take(64).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_fits_only_when_its_wait_ends_before_the_deadline() {
        let now = Instant::now();
        let ends = now.checked_add(Duration::from_secs(10));
        assert!(fits(ends, Duration::from_secs(9), now));
        assert!(!fits(ends, Duration::from_secs(10), now));
        assert!(!fits(ends, Duration::MAX, now));
        assert!(fits(None, Duration::from_secs(3600), now));
    }
}
