//! Amounts of money: a [`Decimal`] and a [`Currency`], with exact conversions to every wire form
//! the providers use. There is no floating point anywhere on this path.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::error::Error;

/// An ISO 4217 currency that at least one provider accepts.
///
/// Our own enum rather than a general currency crate: each variant carries the exponent the
/// providers expect, and an unknown code is an input error, not a silent pass-through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Currency {
    /// Moldovan leu.
    MDL,
    /// Georgian lari.
    GEL,
    /// Philippine peso.
    PHP,
    /// Euro.
    EUR,
    /// US dollar.
    USD,
    /// Pound sterling.
    GBP,
    /// Romanian leu.
    RON,
}

impl Currency {
    /// Every currency this crate knows, in declaration order.
    pub const ALL: &'static [Currency] = &[
        Currency::MDL,
        Currency::GEL,
        Currency::PHP,
        Currency::EUR,
        Currency::USD,
        Currency::GBP,
        Currency::RON,
    ];

    /// The three-letter ISO 4217 code.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::MDL => "MDL",
            Currency::GEL => "GEL",
            Currency::PHP => "PHP",
            Currency::EUR => "EUR",
            Currency::USD => "USD",
            Currency::GBP => "GBP",
            Currency::RON => "RON",
        }
    }

    /// Number of decimal places of the minor unit (2 for all currencies listed here).
    pub const fn exponent(self) -> u32 {
        match self {
            Currency::MDL
            | Currency::GEL
            | Currency::PHP
            | Currency::EUR
            | Currency::USD
            | Currency::GBP
            | Currency::RON => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = Error;

    /// Parses an ISO code, case-insensitively (providers echo `gel` and `GEL` alike).
    fn from_str(code: &str) -> Result<Self, Error> {
        Currency::ALL
            .iter()
            .copied()
            .find(|c| c.code().eq_ignore_ascii_case(code))
            .ok_or_else(|| Error::invalid_input("currency", format!("unknown currency {code:?}")))
    }
}

/// A non-negative amount in a currency, with no more decimals than the currency has.
///
/// The invariants hold for every value: the only constructors check them.
///
/// ```
/// use paykit_core::{Currency, Money};
/// use rust_decimal::Decimal;
///
/// let price = Money::parse("10.25", Currency::MDL)?;
/// assert_eq!(price.to_fixed_string(), "10.25");
/// assert_eq!(price.to_minor_units()?, 1025);
/// assert!(Money::parse("10.255", Currency::MDL).is_err());
/// assert!(Money::new(Decimal::NEGATIVE_ONE, Currency::MDL).is_err());
/// # Ok::<(), paykit_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Builds an amount, rejecting negatives and more decimals than `currency` has.
    ///
    /// Trailing zeros beyond the exponent are harmless (`10.2500` is `10.25`), so the check is on
    /// the normalized value; the stored amount keeps the currency's scale.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, Error> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Error::invalid_input(
                "amount",
                format!("must not be negative, got {amount}"),
            ));
        }
        let normalized = amount.normalize();
        let exponent = currency.exponent();
        if normalized.scale() > exponent {
            return Err(Error::invalid_input(
                "amount",
                format!("{currency} has {exponent} decimals, got {amount}"),
            ));
        }
        let mut amount = normalized;
        amount.rescale(exponent);
        if amount.scale() != exponent {
            // At the currency's scale the value needs more than Decimal's 96-bit mantissa, and
            // `rescale` kept fewer decimals: `to_fixed_string` would drop a digit a provider
            // requires. No payment is that large; refuse it.
            return Err(Error::invalid_input(
                "amount",
                format!("too large to carry {exponent} decimals in {currency}"),
            ));
        }
        Ok(Money { amount, currency })
    }

    /// Parses a decimal literal such as `"10.25"` (no exponent notation, no thousands separators).
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        let value = Decimal::from_str_exact(amount.trim()).map_err(|_| {
            Error::invalid_input("amount", format!("not a decimal number: {amount:?}"))
        })?;
        Money::new(value, currency)
    }

    /// Builds an amount from minor units (cents): `from_minor(1025, MDL)` is 10.25 MDL.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, Error> {
        Money::new(Decimal::new(minor, currency.exponent()), currency)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::new(0, currency.exponent()),
            currency,
        }
    }

    /// The amount in major units (e.g. 10.25).
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    /// The amount with exactly the currency's decimals: `"10.25"`, `"10.00"`.
    ///
    /// This is the fixed 2-decimal string form (Bank of Georgia iPay) and the JSON number literal
    /// form (maib, Maya) alike: a JSON number is written from this text, never from a float.
    pub fn to_fixed_string(&self) -> String {
        // `amount` always has the currency's scale (see `new`), so Display prints it exactly.
        self.amount.to_string()
    }

    /// The amount in minor units (1025 for 10.25). Fails only beyond `i64`.
    pub fn to_minor_units(&self) -> Result<i64, Error> {
        let mut scaled = self.amount;
        scaled.rescale(self.currency.exponent());
        i64::try_from(scaled.mantissa())
            .map_err(|_| Error::invalid_input("amount", "too large for minor units"))
    }

    /// Adds two amounts of the same currency.
    pub fn checked_add(&self, other: &Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        let sum = self
            .amount
            .checked_add(other.amount)
            .ok_or_else(|| Error::invalid_input("amount", "sum overflows"))?;
        Money::new(sum, self.currency)
    }

    /// Subtracts `other`, failing when the result would be negative or currencies differ.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, Error> {
        self.same_currency(other)?;
        if other.amount > self.amount {
            return Err(Error::invalid_input(
                "amount",
                format!("{other} exceeds {self}"),
            ));
        }
        Money::new(self.amount - other.amount, self.currency)
    }

    fn same_currency(&self, other: &Money) -> Result<(), Error> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::invalid_input(
                "currency",
                format!("{} and {} differ", self.currency, other.currency),
            ))
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_fixed_string(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn amounts_too_large_for_the_currency_scale_are_refused() {
        // Needs more than Decimal's 96-bit mantissa at scale 2: would print one decimal.
        let error = Money::parse("792281625142643375935439504", Currency::MDL).unwrap_err();
        assert!(matches!(error, Error::InvalidInput { ref field, .. } if field == "amount"));
        let large = Money::parse("792281625142643375935439.50", Currency::MDL).unwrap();
        assert_eq!(large.to_fixed_string(), "792281625142643375935439.50");
    }

    #[test]
    fn rejects_more_decimals_than_the_currency_has() {
        for currency in Currency::ALL {
            let err = Money::new(dec("1.001"), *currency).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "amount"));
        }
    }

    #[test]
    fn accepts_trailing_zeros_beyond_the_exponent() {
        let m = Money::new(dec("10.2500"), Currency::EUR).unwrap();
        assert_eq!(m.to_fixed_string(), "10.25");
    }

    #[test]
    fn rejects_negative_amounts() {
        let err = Money::parse("-0.01", Currency::MDL).unwrap_err();
        assert!(err.to_string().contains("negative"), "{err}");
    }

    #[test]
    fn negative_zero_is_zero() {
        let m = Money::new(dec("-0"), Currency::MDL).unwrap();
        assert!(m.is_zero());
        assert_eq!(m.to_fixed_string(), "0.00");
    }

    #[test]
    fn fixed_string_pads_to_the_exponent() {
        assert_eq!(
            Money::parse("10", Currency::GEL).unwrap().to_fixed_string(),
            "10.00"
        );
        assert_eq!(
            Money::parse("0.5", Currency::GEL)
                .unwrap()
                .to_fixed_string(),
            "0.50"
        );
    }

    #[test]
    fn minor_units_round_trip_exactly() {
        for minor in [0_i64, 1, 99, 100, 1025, 12_345_678_901] {
            let m = Money::from_minor(minor, Currency::PHP).unwrap();
            assert_eq!(m.to_minor_units().unwrap(), minor);
            let again = Money::parse(&m.to_fixed_string(), Currency::PHP).unwrap();
            assert_eq!(again, m);
        }
    }

    #[test]
    fn values_a_float_cannot_hold_survive() {
        // 0.1 + 0.2 style values and amounts past 2^53 cents stay exact.
        let m = Money::parse("90071992547409.93", Currency::USD).unwrap();
        assert_eq!(m.to_fixed_string(), "90071992547409.93");
        assert_eq!(m.to_minor_units().unwrap(), 9_007_199_254_740_993);
        let sum = Money::parse("0.10", Currency::USD)
            .unwrap()
            .checked_add(&Money::parse("0.20", Currency::USD).unwrap())
            .unwrap();
        assert_eq!(sum.to_fixed_string(), "0.30");
    }

    #[test]
    fn parse_rejects_garbage_and_exponents() {
        for bad in ["", "abc", "1e3", "1,00", "NaN", "--1"] {
            assert!(
                Money::parse(bad, Currency::MDL).is_err(),
                "{bad:?} accepted"
            );
        }
    }

    #[test]
    fn subtraction_never_goes_negative() {
        let ten = Money::parse("10", Currency::MDL).unwrap();
        let eleven = Money::parse("11", Currency::MDL).unwrap();
        assert!(ten.checked_sub(&eleven).is_err());
        assert_eq!(eleven.checked_sub(&ten).unwrap().to_fixed_string(), "1.00");
    }

    #[test]
    fn mixing_currencies_is_an_error() {
        let a = Money::parse("1", Currency::MDL).unwrap();
        let b = Money::parse("1", Currency::EUR).unwrap();
        let err = a.checked_add(&b).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "currency"));
    }

    #[test]
    fn currency_codes_parse_case_insensitively() {
        assert_eq!("gel".parse::<Currency>().unwrap(), Currency::GEL);
        assert_eq!("MDL".parse::<Currency>().unwrap(), Currency::MDL);
        assert!("XYZ".parse::<Currency>().is_err());
    }

    #[test]
    fn display_shows_amount_and_code() {
        assert_eq!(
            Money::parse("7.5", Currency::EUR).unwrap().to_string(),
            "7.50 EUR"
        );
    }
}
