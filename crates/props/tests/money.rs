//! `Money` round-trips through every wire form of `paykit_core::wire`, for every currency:
//! the JSON number literal, the 2-decimal string and minor units.

use paykit_core::{Currency, Decimal, Money};
use paykit_props::money_round_trips;
use proptest::prelude::*;

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

/// Amounts as merchants write them: up to the currency's decimals, with trailing zeros, from
/// cents to past `i64` minor units.
fn money() -> impl Strategy<Value = Money> {
    (
        currency(),
        prop_oneof![
            0_i128..10_000,
            0_i128..1_000_000_000_000,
            0_i128..(1_i128 << 95)
        ],
        0_u32..=2,
        0_u32..=4,
    )
        .prop_filter_map("representable", |(currency, mantissa, scale, zeros)| {
            let padded = mantissa.checked_mul(10_i128.checked_pow(zeros)?)?;
            let amount =
                Decimal::try_from_i128_with_scale(padded, scale.checked_add(zeros)?).ok()?;
            Money::new(amount, currency).ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_amount_round_trips_through_every_wire_form(money in money()) {
        money_round_trips(money);
    }

    #[test]
    fn minor_units_round_trip(minor in 0_i64..=i64::MAX, currency in currency()) {
        let money = Money::from_minor(minor, currency).unwrap();
        prop_assert_eq!(money.to_minor_units().unwrap(), minor);
        money_round_trips(money);
    }
}

#[test]
fn the_edges_round_trip() {
    for currency in Currency::ALL {
        for text in [
            "0",
            "0.00",
            "0.01",
            "10.25",
            "10.5",
            "92233720368547758.07",
            "792281625142643375935439503.35",
        ] {
            money_round_trips(Money::parse(text, *currency).unwrap());
        }
        for refused in ["0.001", "-0.01", "1e2", "", " ", "1,00", "NaN"] {
            assert!(
                Money::parse(refused, *currency).is_err(),
                "{refused} {currency}"
            );
        }
    }
}

/// Found by the property above: `Money::new` accepted an amount whose value at the currency's
/// scale does not fit Decimal's 96-bit mantissa, and kept fewer decimals
/// (`792281625142643375935439504` MDL became `...504.0`, one decimal where iPay needs two).
/// Such amounts are now refused.
#[test]
fn money_past_96_bit_minor_units_is_refused() {
    for text in [
        "792281625142643375935439504",
        "79228162514264337593543950335",
    ] {
        assert!(Money::parse(text, Currency::MDL).is_err(), "{text}");
    }
}
