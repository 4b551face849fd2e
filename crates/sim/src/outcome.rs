//! How the simulator decides a payment's fate: the documented test input is the amount's
//! cents. `.01` (e.g. 10.01) is declined; everything else is approved.

use rust_decimal::Decimal;

/// Whether a payment of `amount` is declined.
pub(crate) fn declined(amount: Decimal) -> bool {
    amount.fract() == Decimal::new(1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_01_decline() {
        assert!(declined(Decimal::new(1001, 2)));
        assert!(declined(Decimal::new(10010, 3)));
        assert!(declined(Decimal::new(1, 2)));
        assert!(!declined(Decimal::new(1000, 2)));
        assert!(!declined(Decimal::new(1011, 2)));
        assert!(!declined(Decimal::new(1002, 2)));
        assert!(!declined(Decimal::new(10011, 3)));
    }
}
