//! What a provider can do, as data the caller can read before calling, and that the adapter
//! enforces before any I/O.

use std::time::Duration;

use rust_decimal::Decimal;

use crate::error::{Error, ProviderId, Result};
use crate::money::{Currency, Money};
use crate::request::{CaptureMode, CardUsage, PaymentMethod, PaymentRequest};

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
    /// The per-payment expiry the provider takes (`PaymentRequest::expires_after`), shortest
    /// and longest; `None` when it has none, and a request asking for one is refused.
    pub expiry: Option<(Duration, Duration)>,
    /// The payment methods a request may select (`PaymentRequest::methods`); empty when the
    /// provider offers no choice, and a request naming any method is refused.
    pub methods: Vec<PaymentMethod>,
    /// The longest description the provider takes, in characters; `None` when it documents no
    /// limit.
    pub description_max_chars: Option<usize>,
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
            expiry: None,
            methods: Vec::new(),
            description_max_chars: None,
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

    /// Declares a per-payment expiry between `shortest` and `longest`.
    pub fn expiry(mut self, shortest: Duration, longest: Duration) -> Self {
        self.expiry = Some((shortest, longest));
        self
    }

    /// Declares the payment methods a request may select.
    pub fn methods(mut self, methods: impl Into<Vec<PaymentMethod>>) -> Self {
        self.methods = methods.into();
        self
    }

    /// Declares the longest description, in characters.
    pub fn description_max_chars(mut self, max: usize) -> Self {
        self.description_max_chars = Some(max);
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
        self.check_amount("amount", &request.amount)?;
        self.check_expiry(provider, request.expires_after)?;
        self.check_methods(provider, &request.methods)?;
        self.check_description(request.description.as_deref())
    }

    /// Refuses an expiry the provider cannot honour: a silently ignored expiry would leave a
    /// payment open longer than the merchant asked.
    fn check_expiry(&self, provider: ProviderId, expires_after: Option<Duration>) -> Result<()> {
        let Some(asked) = expires_after else {
            return Ok(());
        };
        match self.expiry {
            None => Err(Error::invalid_input(
                "expires_after",
                format!("{} takes no per-payment expiry", provider.as_str()),
            )),
            Some((shortest, longest)) if asked < shortest || asked > longest => {
                Err(Error::invalid_input(
                    "expires_after",
                    format!(
                        "must be between {} and {} seconds, got {}",
                        shortest.as_secs(),
                        longest.as_secs(),
                        asked.as_secs()
                    ),
                ))
            }
            Some(_) => Ok(()),
        }
    }

    /// Refuses a method the provider cannot select.
    fn check_methods(&self, provider: ProviderId, methods: &[PaymentMethod]) -> Result<()> {
        for (index, method) in methods.iter().enumerate() {
            if !self.methods.contains(method) {
                return Err(Error::invalid_input(
                    format!("methods[{index}]"),
                    format!("{} cannot select {method:?}", provider.as_str()),
                ));
            }
        }
        Ok(())
    }

    /// Refuses a description over the provider's limit, counted in characters (not bytes:
    /// Georgian and Romanian text is multi-byte).
    fn check_description(&self, description: Option<&str>) -> Result<()> {
        match (self.description_max_chars, description) {
            (Some(max), Some(text)) if text.chars().count() > max => Err(Error::invalid_input(
                "description",
                format!("at most {max} characters, got {}", text.chars().count()),
            )),
            _ => Ok(()),
        }
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

    fn field_of(err: &Error) -> &str {
        match err {
            Error::InvalidInput { field, .. } => field,
            _ => "",
        }
    }

    #[test]
    fn an_expiry_is_refused_where_the_provider_takes_none() {
        let request = payment("5", Currency::MDL).expires_after(Duration::from_secs(900));
        let err = caps().check_payment(ProviderId("p"), &request).unwrap_err();
        assert_eq!(field_of(&err), "expires_after", "{err}");
        let minutes = |m: u64| Duration::from_secs(60 * m);
        let ranged = caps().expiry(minutes(2), minutes(1440));
        ranged.check_payment(ProviderId("p"), &request).unwrap();
        let too_short = payment("5", Currency::MDL).expires_after(minutes(1));
        let err = ranged
            .check_payment(ProviderId("p"), &too_short)
            .unwrap_err();
        assert!(err.to_string().contains("between 120 and 86400"), "{err}");
    }

    #[test]
    fn only_declared_methods_may_be_selected() {
        let request = payment("5", Currency::MDL)
            .method(PaymentMethod::Card)
            .method(PaymentMethod::ApplePay);
        let err = caps().check_payment(ProviderId("p"), &request).unwrap_err();
        assert_eq!(field_of(&err), "methods[0]", "{err}");
        let card_only = caps().methods([PaymentMethod::Card]);
        let err = card_only
            .check_payment(ProviderId("p"), &request)
            .unwrap_err();
        assert_eq!(field_of(&err), "methods[1]", "{err}");
        caps()
            .methods([PaymentMethod::ApplePay, PaymentMethod::Card])
            .check_payment(ProviderId("p"), &request)
            .unwrap();
    }

    #[test]
    fn a_description_is_counted_in_characters() {
        let limited = caps().description_max_chars(5);
        let georgian = payment("5", Currency::MDL).description("ქართუ");
        limited.check_payment(ProviderId("p"), &georgian).unwrap();
        let long = payment("5", Currency::MDL).description("ქართულ");
        let err = limited.check_payment(ProviderId("p"), &long).unwrap_err();
        assert_eq!(field_of(&err), "description", "{err}");
        assert!(
            err.to_string().contains("at most 5 characters, got 6"),
            "{err}"
        );
    }
}
