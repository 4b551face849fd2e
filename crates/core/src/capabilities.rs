//! What a provider can do, as data the caller can read before calling, and that the adapter
//! enforces before any I/O.

use rust_decimal::Decimal;

use crate::error::{Error, ProviderId, Result};
use crate::money::{Currency, Money};
use crate::request::{CaptureMode, CardUsage, PaymentRequest};

/// How refunds work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundSupport {
    /// The protocol has no refunds.
    None,
    /// Whole amount only.
    Full,
    /// Whole or part, possibly several times up to the captured amount.
    FullAndPartial,
}

/// How a provider's callbacks are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallbackAuthenticity {
    /// The provider sends no callbacks.
    None,
    /// Callbacks carry a signature checked offline.
    Signed,
    /// Callbacks are unsigned; they are matched to stored ids and confirmed by querying the
    /// provider.
    Confirmed,
}

/// What a provider supports. Read it before calling; adapters check requests against it and
/// answer with [`Error::Unsupported`] or [`Error::InvalidInput`] without sending anything.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// Currencies accepted.
    pub currencies: Vec<Currency>,
    /// Smallest amount accepted, if the provider documents one.
    pub min_amount: Option<Decimal>,
    /// Largest amount accepted, if the provider documents one.
    pub max_amount: Option<Decimal>,
    /// Capture modes offered.
    pub capture_modes: Vec<CaptureMode>,
    /// Whether a two-step payment can be captured for less than authorized.
    pub partial_capture: bool,
    /// Whether an authorization can be released without capture.
    pub void: bool,
    /// Refund support.
    pub refunds: RefundSupport,
    /// Stored-card charges offered.
    pub saved_cards: Vec<CardUsage>,
    /// How callbacks are authenticated.
    pub callbacks: CallbackAuthenticity,
}

impl Capabilities {
    /// A provider taking `currencies`, automatic capture only, nothing else.
    pub fn new(currencies: impl Into<Vec<Currency>>) -> Self {
        Capabilities {
            currencies: currencies.into(),
            min_amount: None,
            max_amount: None,
            capture_modes: vec![CaptureMode::Automatic],
            partial_capture: false,
            void: false,
            refunds: RefundSupport::None,
            saved_cards: Vec::new(),
            callbacks: CallbackAuthenticity::None,
        }
    }

    /// Sets the amount bounds.
    pub fn amount_range(mut self, min: Option<Decimal>, max: Option<Decimal>) -> Self {
        self.min_amount = min;
        self.max_amount = max;
        self
    }

    /// Adds manual capture, and whether captures may be partial.
    pub fn manual_capture(mut self, partial: bool) -> Self {
        if !self.capture_modes.contains(&CaptureMode::Manual) {
            self.capture_modes.push(CaptureMode::Manual);
        }
        self.partial_capture = partial;
        self
    }

    /// Sets void support.
    pub fn void(mut self, supported: bool) -> Self {
        self.void = supported;
        self
    }

    /// Sets refund support.
    pub fn refunds(mut self, refunds: RefundSupport) -> Self {
        self.refunds = refunds;
        self
    }

    /// Sets stored-card support.
    pub fn saved_cards(mut self, usages: impl Into<Vec<CardUsage>>) -> Self {
        self.saved_cards = usages.into();
        self
    }

    /// Sets callback authenticity.
    pub fn callbacks(mut self, callbacks: CallbackAuthenticity) -> Self {
        self.callbacks = callbacks;
        self
    }

    /// Checks an amount's currency and bounds.
    pub fn check_amount(&self, field: &'static str, amount: &Money) -> Result<()> {
        if !self.currencies.contains(&amount.currency()) {
            let accepted: Vec<&str> = self.currencies.iter().map(|c| c.code()).collect();
            return Err(Error::invalid_input(
                "currency",
                format!(
                    "{} is not accepted; use one of {}",
                    amount.currency(),
                    accepted.join(", ")
                ),
            ));
        }
        if let Some(min) = self.min_amount {
            if amount.amount() < min {
                return Err(Error::invalid_input(
                    field,
                    format!("must be at least {min}, got {}", amount.amount()),
                ));
            }
        }
        if let Some(max) = self.max_amount {
            if amount.amount() > max {
                return Err(Error::invalid_input(
                    field,
                    format!("must be at most {max}, got {}", amount.amount()),
                ));
            }
        }
        Ok(())
    }

    /// Checks a payment request against everything declared here.
    pub fn check_payment(&self, provider: ProviderId, request: &PaymentRequest) -> Result<()> {
        if !self.capture_modes.contains(&request.capture) {
            return Err(Error::unsupported(
                provider,
                format!("{:?} capture", request.capture),
            ));
        }
        self.check_amount("amount", &request.amount)
    }

    /// Checks a refund amount (`None` = full) against [`Capabilities::refunds`].
    pub fn check_refund(&self, provider: ProviderId, amount: Option<&Money>) -> Result<()> {
        match (self.refunds, amount) {
            (RefundSupport::None, _) => Err(Error::unsupported(provider, "refunds")),
            (RefundSupport::Full, Some(_)) => Err(Error::unsupported(provider, "partial refunds")),
            (_, Some(amount)) => {
                if amount.is_zero() {
                    return Err(Error::invalid_input(
                        "amount",
                        "a refund must be more than zero",
                    ));
                }
                if !self.currencies.contains(&amount.currency()) {
                    return Err(Error::invalid_input(
                        "currency",
                        format!("{} is not accepted", amount.currency()),
                    ));
                }
                Ok(())
            }
            (_, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> Capabilities {
        Capabilities::new([Currency::MDL, Currency::EUR])
            .amount_range(Some(Decimal::ONE), None)
            .refunds(RefundSupport::FullAndPartial)
    }

    fn payment(amount: &str, currency: Currency) -> PaymentRequest {
        PaymentRequest::new(Money::parse(amount, currency).unwrap())
    }

    #[test]
    fn foreign_currency_is_rejected_by_field() {
        let err = caps()
            .check_payment(ProviderId("p"), &payment("5", Currency::GEL))
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { ref field, .. } if field == "currency"),
            "{err}"
        );
    }

    #[test]
    fn amounts_below_the_minimum_are_rejected() {
        let err = caps()
            .check_payment(ProviderId("p"), &payment("0.99", Currency::MDL))
            .unwrap_err();
        assert!(err.to_string().contains("at least 1"), "{err}");
        caps()
            .check_payment(ProviderId("p"), &payment("1.00", Currency::MDL))
            .unwrap();
    }

    #[test]
    fn manual_capture_needs_declaring() {
        let request = payment("5", Currency::MDL).capture(CaptureMode::Manual);
        let err = caps().check_payment(ProviderId("p"), &request).unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }));
        caps()
            .manual_capture(true)
            .check_payment(ProviderId("p"), &request)
            .unwrap();
    }

    #[test]
    fn refund_support_is_enforced() {
        let ten = Money::parse("10", Currency::MDL).unwrap();
        let none = Capabilities::new([Currency::MDL]);
        assert!(matches!(
            none.check_refund(ProviderId("p"), None),
            Err(Error::Unsupported { .. })
        ));
        let full = none.clone().refunds(RefundSupport::Full);
        full.check_refund(ProviderId("p"), None).unwrap();
        assert!(full.check_refund(ProviderId("p"), Some(&ten)).is_err());
        assert!(
            caps()
                .check_refund(ProviderId("p"), Some(&Money::zero(Currency::MDL)))
                .is_err()
        );
    }
}
