//! Conversions between paykit's common model and the native API: [`PaymentRequest`] into
//! maib requests, maib results into [`PaymentOutcome`].

use paykit_core::{
    Currency, Decimal, Error, Money, NextAction, PaymentOutcome, PaymentRequest, PaymentStatus,
    Result, SavedCard,
};

use crate::status::{
    Facts, FlowUnknown, PaymentFlow, after_refund, complete_status, payment_status,
};
use crate::types::{
    BillerExpiry, Checkout, ClientInfo, CompleteResult, ExecuteOneClickRequest,
    ExecuteRecurringRequest, Item, Language, Notification, PayInfo, PayRequest, PaymentLink,
    RecurringResult, RefundResult, SaveCardRequest, TransactionStatus,
};

/// `amount` in `currency` when both are known and valid.
fn money(amount: Option<Decimal>, currency: Option<&str>) -> Option<Money> {
    let currency: Currency = currency?.parse().ok()?;
    Money::new(amount?, currency).ok()
}

/// `amount` in a currency known from the request.
fn money_in(amount: Option<Decimal>, currency: Option<Currency>) -> Option<Money> {
    Money::new(amount?, currency?).ok()
}

fn raw(status: Option<&TransactionStatus>) -> Option<String> {
    status.map(|s| s.as_str().to_owned())
}

fn saved_card(biller_id: Option<&str>, card_number: Option<&str>) -> Option<SavedCard> {
    biller_id.filter(|id| !id.is_empty()).map(|id| SavedCard {
        id: id.to_owned(),
        masked_pan: card_number.map(str::to_owned),
    })
}

impl PaymentLink {
    /// The outcome of a registered payment: the customer must be sent to `pay_url`.
    pub fn outcome(&self, amount: Option<Money>) -> PaymentOutcome {
        PaymentOutcome::new(self.pay_id.clone(), PaymentStatus::RequiresAction)
            .with_next_action(NextAction::Redirect {
                url: self.pay_url.clone(),
            })
            .with_amount(amount)
            .with_order_id(self.order_id.clone())
    }
}

impl PayInfo {
    /// This payment as a [`PaymentOutcome`], for a payment created by `flow`.
    ///
    /// maib's `pay-info` does not say whether a payment was a hold, so the caller names the
    /// flow. [`paykit_core::PaymentProvider::get_payment`] reads it from the client's payment
    /// records instead.
    pub fn outcome(&self, flow: PaymentFlow) -> PaymentOutcome {
        self.outcome_for(Some(flow), false)
            .unwrap_or_else(|_| PaymentOutcome::new(self.pay_id.clone(), PaymentStatus::Pending))
    }

    /// The outcome for `flow` when known; `completed` when paykit captured this hold.
    pub(crate) fn outcome_for(
        &self,
        flow: Option<PaymentFlow>,
        completed: bool,
    ) -> Result<PaymentOutcome, FlowUnknown> {
        let facts = self.facts(completed);
        let status = payment_status(self.status.as_ref(), flow, &facts)?;
        let currency = self.currency.as_deref();
        Ok(PaymentOutcome::new(self.pay_id.clone(), status)
            .with_amount(money(self.amount, currency))
            .with_refunded(money(
                self.refund_amount.filter(|r| *r > Decimal::ZERO),
                currency,
            ))
            .with_order_id(self.order_id.clone())
            .with_saved_card(saved_card(
                self.biller_id.as_deref(),
                self.card_number.as_deref(),
            ))
            .with_raw_status(raw(self.status.as_ref())))
    }

    fn facts(&self, completed: bool) -> Facts<'_> {
        Facts {
            status_message: self.status_message.as_deref(),
            amount: self.amount,
            confirm_amount: self.confirm_amount,
            refund_amount: self.refund_amount,
            completed,
        }
    }

    /// What a refund may return at most: the captured amount of a completed hold, otherwise
    /// the amount.
    pub(crate) fn refundable(&self) -> Option<Decimal> {
        self.confirm_amount
            .filter(|c| *c > Decimal::ZERO)
            .or(self.amount)
    }
}

impl Notification {
    /// This callback's payment as a [`PaymentOutcome`], for a payment created by `flow`
    /// (a callback does not say whether the payment was a hold).
    pub fn outcome(&self, flow: PaymentFlow) -> PaymentOutcome {
        self.outcome_for(Some(flow), false)
            .unwrap_or_else(|_| PaymentOutcome::new(self.pay_id.clone(), PaymentStatus::Pending))
    }

    /// The outcome for `flow` when known; `completed` when paykit captured this hold.
    pub(crate) fn outcome_for(
        &self,
        flow: Option<PaymentFlow>,
        completed: bool,
    ) -> Result<PaymentOutcome, FlowUnknown> {
        let status = self.status_for(flow, completed)?;
        let saved = saved_card(self.biller_id.as_deref(), self.card_number.as_deref());
        Ok(self.outcome_with(status, self.pay_id.clone(), self.order_id.clone(), saved))
    }

    /// The status this callback reports for a payment created by `flow`, when known.
    pub(crate) fn status_for(
        &self,
        flow: Option<PaymentFlow>,
        completed: bool,
    ) -> Result<PaymentStatus, FlowUnknown> {
        let facts = Facts {
            status_message: self.status_message.as_deref(),
            amount: self.amount,
            confirm_amount: self.confirm_amount,
            refund_amount: self.refund_amount,
            completed,
        };
        payment_status(self.status.as_ref(), flow, &facts)
    }

    /// The outcome with `status` (from [`Notification::status_for`]), the ids moved out of
    /// the notification rather than copied: what a verified event is made of (issue 16).
    pub(crate) fn into_outcome(mut self, status: PaymentStatus) -> PaymentOutcome {
        let pay_id = std::mem::take(&mut self.pay_id);
        let order_id = self.order_id.take();
        let saved = match self.biller_id.take().filter(|id| !id.is_empty()) {
            Some(id) => Some(SavedCard {
                id,
                masked_pan: self.card_number.take(),
            }),
            None => None,
        };
        self.outcome_with(status, pay_id, order_id, saved)
    }

    fn outcome_with(
        &self,
        status: PaymentStatus,
        pay_id: String,
        order_id: Option<String>,
        saved_card: Option<SavedCard>,
    ) -> PaymentOutcome {
        let currency = self.currency.as_deref();
        PaymentOutcome::new(pay_id, status)
            .with_amount(money(self.amount, currency))
            .with_refunded(money(
                self.refund_amount.filter(|r| *r > Decimal::ZERO),
                currency,
            ))
            .with_order_id(order_id)
            .with_saved_card(saved_card)
            .with_raw_status(raw(self.status.as_ref()))
    }

    /// Whether this callback reports a refund rather than a payment.
    pub fn is_refund(&self) -> bool {
        self.status == Some(TransactionStatus::Reversed)
            || self.refund_amount.is_some_and(|r| r > Decimal::ZERO)
    }
}

impl CompleteResult {
    /// The captured payment as a [`PaymentOutcome`]; `currency` is the one of the hold (the
    /// answer names none).
    pub fn outcome(&self, currency: Option<Currency>) -> PaymentOutcome {
        PaymentOutcome::new(self.pay_id.clone(), complete_status(self.status.as_ref()))
            .with_amount(money_in(self.confirm_amount, currency))
            .with_order_id(self.order_id.clone())
            .with_raw_status(raw(self.status.as_ref()))
    }
}

impl RefundResult {
    /// The payment after this refund, as a [`PaymentOutcome`]: `before` is the payment as
    /// `pay-info` showed it before the refund (its amounts and currency), `flow` how it was
    /// created. A refund of the whole captured amount is [`PaymentStatus::Refunded`], of less
    /// [`PaymentStatus::PartiallyRefunded`]; a refund of an uncompleted hold released it
    /// ([`PaymentStatus::Cancelled`]).
    pub fn outcome(&self, before: &PayInfo, flow: PaymentFlow) -> PaymentOutcome {
        self.outcome_for(before, Some(flow), false)
            .unwrap_or_else(|_| PaymentOutcome::new(self.pay_id.clone(), PaymentStatus::Pending))
    }

    /// The outcome for `flow` when known; `completed` when paykit captured this hold.
    pub(crate) fn outcome_for(
        &self,
        before: &PayInfo,
        flow: Option<PaymentFlow>,
        completed: bool,
    ) -> Result<PaymentOutcome, FlowUnknown> {
        let refunded = self.refund_amount.or_else(|| before.refundable());
        let status = after_refund(refunded, flow, &before.facts(completed))?;
        let currency = before.currency.as_deref();
        let returned = match status {
            PaymentStatus::Refunded | PaymentStatus::PartiallyRefunded => money(refunded, currency),
            // A released hold took no money, so none came back.
            _ => None,
        };
        Ok(PaymentOutcome::new(self.pay_id.clone(), status)
            .with_amount(money(before.amount, currency))
            .with_refunded(returned)
            .with_order_id(self.order_id.clone().or_else(|| before.order_id.clone()))
            .with_raw_status(raw(self.status.as_ref())))
    }
}

impl RecurringResult {
    /// The merchant-initiated charge as a [`PaymentOutcome`] (synchronous: captured or failed).
    pub fn outcome(&self) -> PaymentOutcome {
        let facts = Facts {
            status_message: self.status_message.as_deref(),
            amount: self.amount,
            ..Facts::default()
        };
        // A direct charge: its status never needs a flow it does not have.
        let status = payment_status(self.status.as_ref(), Some(PaymentFlow::Direct), &facts)
            .unwrap_or(PaymentStatus::Pending);
        PaymentOutcome::new(self.pay_id.clone(), status)
            .with_amount(money(self.amount, self.currency.as_deref()))
            .with_order_id(self.order_id.clone())
            .with_saved_card(saved_card(
                self.biller_id.as_deref(),
                self.card_number.as_deref(),
            ))
            .with_raw_status(raw(self.status.as_ref()))
    }
}

/// The customer's IPv4 address, which maib requires.
fn client_ip(request: &PaymentRequest) -> Result<std::net::Ipv4Addr> {
    request.customer.ip.ok_or_else(|| {
        Error::invalid_input(
            "customer.ip",
            "maib requires the customer's IPv4 address (clientIp)",
        )
    })
}

fn language(request: &PaymentRequest) -> Result<Option<Language>> {
    request.language.as_deref().map(str::parse).transpose()
}

/// Order lines; every price in the payment's currency.
fn items(request: &PaymentRequest) -> Result<Vec<Item>> {
    request
        .items
        .iter()
        .enumerate()
        .map(|(index, line)| {
            if line.unit_price.currency() != request.amount.currency() {
                return Err(Error::invalid_input(
                    format!("items[{index}].unit_price"),
                    format!(
                        "in {}, the payment is in {}",
                        line.unit_price.currency(),
                        request.amount.currency()
                    ),
                ));
            }
            Ok(Item {
                id: line.id.clone(),
                name: Some(line.name.clone()),
                price: Some(line.unit_price.amount()),
                quantity: Some(line.quantity),
            })
        })
        .collect()
}

fn checkout(request: &PaymentRequest) -> Result<Checkout> {
    Ok(Checkout {
        language: language(request)?,
        description: request.description.clone(),
        order_id: request.order_id.clone(),
        delivery: None,
        items: items(request)?,
        callback_url: request.callback_url.clone(),
        ok_url: request.return_url.clone(),
        // Core's documented fallback: maib would otherwise send a failed customer to the
        // Project's configured failUrl (or refuse with 13108 when there is none).
        fail_url: request
            .fail_url
            .clone()
            .or_else(|| request.return_url.clone()),
    })
}

fn client(request: &PaymentRequest) -> ClientInfo {
    ClientInfo {
        name: request.customer.name.clone(),
        email: request.customer.email.clone(),
        phone: request.customer.phone.clone(),
    }
}

/// `pay` / `hold` for a common request.
pub(crate) fn pay_request(request: &PaymentRequest) -> Result<PayRequest> {
    Ok(PayRequest {
        amount: request.amount,
        client_ip: client_ip(request)?,
        client: client(request),
        checkout: checkout(request)?,
    })
}

/// `savecard-*` for a common request: a zero amount stores the card without charging it.
pub(crate) fn save_card_request(
    request: &PaymentRequest,
    biller_expiry: BillerExpiry,
) -> Result<SaveCardRequest> {
    Ok(SaveCardRequest {
        biller_expiry,
        client_ip: client_ip(request)?,
        currency: request.amount.currency(),
        amount: (!request.amount.is_zero()).then(|| request.amount.amount()),
        client: client(request),
        checkout: checkout(request)?,
    })
}

/// `execute-recurring` for a common request (no customer, language or URLs).
pub(crate) fn execute_recurring_request(
    card_id: &str,
    request: &PaymentRequest,
) -> Result<ExecuteRecurringRequest> {
    Ok(ExecuteRecurringRequest {
        biller_id: card_id.to_owned(),
        amount: request.amount,
        description: request.description.clone(),
        order_id: request.order_id.clone(),
        delivery: None,
        items: items(request)?,
    })
}

/// `execute-oneclick` for a common request.
pub(crate) fn execute_oneclick_request(
    card_id: &str,
    request: &PaymentRequest,
) -> Result<ExecuteOneClickRequest> {
    Ok(ExecuteOneClickRequest {
        biller_id: card_id.to_owned(),
        amount: request.amount,
        client_ip: client_ip(request)?,
        checkout: checkout(request)?,
    })
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use paykit_core::{Customer, LineItem};

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn common_requests_need_an_ip() {
        let request = PaymentRequest::new(Money::parse("10", Currency::MDL).unwrap());
        let err = pay_request(&request).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "customer.ip"));
    }

    #[test]
    fn common_requests_map_field_by_field() {
        let request = PaymentRequest::new(Money::parse("10.25", Currency::MDL).unwrap())
            .order_id("123")
            .description("Order #123")
            .language("RO")
            .return_url("https://s.md/ok")
            .fail_url("https://s.md/fail")
            .callback_url("https://s.md/cb")
            .customer(
                Customer::default()
                    .ip(Ipv4Addr::new(1, 2, 3, 4))
                    .email("a@b.md"),
            )
            .item(LineItem::new("P", Money::parse("2.5", Currency::MDL).unwrap(), 2).id("10"));
        let pay = pay_request(&request).unwrap();
        assert_eq!(pay.client_ip, Ipv4Addr::new(1, 2, 3, 4));
        assert_eq!(pay.checkout.language, Some(Language::Ro));
        assert_eq!(pay.checkout.ok_url.as_deref(), Some("https://s.md/ok"));
        assert_eq!(pay.client.email.as_deref(), Some("a@b.md"));
        assert_eq!(pay.checkout.items[0].price, Some(dec("2.50")));
        let bad = request.clone().language("de");
        assert!(pay_request(&bad).is_err());
        let eur_item = request.item(LineItem::new(
            "E",
            Money::parse("1", Currency::EUR).unwrap(),
            1,
        ));
        let err = pay_request(&eur_item).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "items[1].unit_price")
        );
    }

    #[test]
    fn zero_amount_stores_the_card_only() {
        let request = PaymentRequest::new(Money::zero(Currency::EUR))
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST));
        let save = save_card_request(&request, BillerExpiry::parse("1230").unwrap()).unwrap();
        assert_eq!(save.amount, None);
        assert_eq!(save.currency, Currency::EUR);
    }

    #[test]
    fn pay_info_outcomes() {
        let info = PayInfo {
            pay_id: "p".into(),
            status: Some(TransactionStatus::Ok),
            amount: Some(dec("10.25")),
            refund_amount: Some(dec("5")),
            currency: Some("MDL".into()),
            biller_id: Some("b".into()),
            card_number: Some("510218******1124".into()),
            ..PayInfo::default()
        };
        let outcome = info.outcome(PaymentFlow::Direct);
        assert_eq!(outcome.status, PaymentStatus::PartiallyRefunded);
        assert_eq!(outcome.amount.unwrap().to_fixed_string(), "10.25");
        assert_eq!(outcome.refunded.unwrap().to_fixed_string(), "5.00");
        assert_eq!(outcome.saved_card.unwrap().id, "b");
        assert_eq!(outcome.raw_status.as_deref(), Some("OK"));
        let odd_currency = PayInfo {
            currency: Some("XYZ".into()),
            ..info
        };
        assert!(odd_currency.outcome(PaymentFlow::Direct).amount.is_none());
    }

    fn paid(amount: &str) -> PayInfo {
        PayInfo {
            pay_id: "p".into(),
            status: Some(TransactionStatus::Ok),
            amount: Some(dec(amount)),
            currency: Some("MDL".into()),
            ..PayInfo::default()
        }
    }

    fn refund(amount: Option<&str>) -> RefundResult {
        RefundResult {
            pay_id: "p".into(),
            order_id: None,
            status: Some(TransactionStatus::Ok),
            status_code: Some("400".into()),
            status_message: Some("Accepted".into()),
            refund_amount: amount.map(dec),
        }
    }

    #[test]
    fn a_refund_of_the_whole_amount_is_refunded_not_partial() {
        let before = paid("10.25");
        for answered in [Some("10.25"), Some("10.250"), None] {
            let outcome = refund(answered).outcome(&before, PaymentFlow::Direct);
            assert_eq!(outcome.status, PaymentStatus::Refunded, "{answered:?}");
            assert_eq!(outcome.refunded.unwrap().to_fixed_string(), "10.25");
        }
        let part = refund(Some("4")).outcome(&before, PaymentFlow::Direct);
        assert_eq!(part.status, PaymentStatus::PartiallyRefunded);
        // A completed hold: measured against what was captured.
        let captured = PayInfo {
            confirm_amount: Some(dec("8")),
            ..paid("10.25")
        };
        let whole = refund(Some("8")).outcome(&captured, PaymentFlow::Hold);
        assert_eq!(whole.status, PaymentStatus::Refunded);
        // An uncompleted hold is released: cancelled, nothing refunded.
        let released = refund(Some("10.25")).outcome(&paid("10.25"), PaymentFlow::Hold);
        assert_eq!(released.status, PaymentStatus::Cancelled);
        assert_eq!(released.refunded, None);
        // Without the flow, a whole refund of a payment that may be a hold is not guessed.
        assert!(
            refund(None)
                .outcome_for(&paid("10.25"), None, false)
                .is_err()
        );
    }

    #[test]
    fn the_fail_url_falls_back_to_the_return_url() {
        let request = PaymentRequest::new(Money::parse("10", Currency::MDL).unwrap())
            .return_url("https://s.md/back")
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST));
        let pay = pay_request(&request).unwrap();
        assert_eq!(pay.checkout.ok_url.as_deref(), Some("https://s.md/back"));
        assert_eq!(pay.checkout.fail_url.as_deref(), Some("https://s.md/back"));
        let own = pay_request(&request.fail_url("https://s.md/fail")).unwrap();
        assert_eq!(own.checkout.fail_url.as_deref(), Some("https://s.md/fail"));
        let none = PaymentRequest::new(Money::parse("10", Currency::MDL).unwrap())
            .customer(Customer::default().ip(Ipv4Addr::LOCALHOST));
        assert_eq!(pay_request(&none).unwrap().checkout.fail_url, None);
    }
}
