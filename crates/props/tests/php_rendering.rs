//! Number rendering against reference tables written from the protocol notes.
//!
//! 1. Maya's `amount.value` for PHP (pesos): a JSON number in major units with the currency's
//!    two decimals (maya.md §5.2, maya-checkout.md §3.1.1). paykit-maya writes it with core's
//!    `wire::decimal_number` of `Money::amount()` in a private wire struct; that struct is not
//!    reachable, so the table checks the two public pieces it is made of.
//! 2. PHP's `(string)` of a decoded JSON number (maib.md §6.3, maya-checkout.md §6.4.2): what
//!    maib's reference signer puts in the sign string, reached through
//!    `MaibWebhook::sign_result`: a number signs exactly as the string of its PHP rendering.

use paykit_core::{Currency, Money, SecretString};
use paykit_maib::MaibWebhook;
use serde::Serialize;

#[derive(Serialize)]
struct Amount {
    currency: &'static str,
    #[serde(with = "paykit_core::wire::decimal_number")]
    value: paykit_core::Decimal,
}

/// (what the merchant asks for, the `amount` object on the wire).
const MAYA_AMOUNTS: &[(&str, &str)] = &[
    ("249.50", r#"{"currency":"PHP","value":249.50}"#),
    ("249.5", r#"{"currency":"PHP","value":249.50}"#),
    ("100", r#"{"currency":"PHP","value":100.00}"#),
    ("0.01", r#"{"currency":"PHP","value":0.01}"#),
    ("1.10", r#"{"currency":"PHP","value":1.10}"#),
    (
        "9999999999.99",
        r#"{"currency":"PHP","value":9999999999.99}"#,
    ),
    ("3210.990", r#"{"currency":"PHP","value":3210.99}"#),
];

/// Amounts no PHP request may carry: more decimals than centavos, negative, not a number.
const MAYA_REFUSED: &[&str] = &["0.001", "249.505", "-1", "1e2", "249,50"];

#[test]
fn maya_amounts_are_json_numbers_with_two_decimals() {
    for (asked, wire) in MAYA_AMOUNTS {
        let money = Money::parse(asked, Currency::PHP).unwrap();
        let body = serde_json::to_string(&Amount {
            currency: money.currency().code(),
            value: money.amount(),
        })
        .unwrap();
        assert_eq!(&body, wire, "{asked}");
    }
    for refused in MAYA_REFUSED {
        assert!(Money::parse(refused, Currency::PHP).is_err(), "{refused}");
    }
}

/// (JSON literal, PHP's `(string)` of `json_decode` of it).
const PHP_STRINGS: &[(&str, &str)] = &[
    // maib.md §6.3
    ("10", "10"),
    ("10.25", "10.25"),
    ("10.00", "10"),
    ("10.0", "10"),
    ("true", "1"),
    ("false", ""),
    ("null", ""),
    // maya-checkout.md §6.4.2 step 4
    ("100.00", "100"),
    ("0.0", "0"),
    ("199.50", "199.5"),
    ("249.50", "249.5"),
    // PHP floats print with precision 14 (%.14G): exponent form from 1e14 up and below 1e-4.
    ("0.1", "0.1"),
    ("0.0001", "0.0001"),
    ("0.00001", "1.0E-5"),
    ("1e2", "100"),
    ("12345678901234.0", "12345678901234"),
    ("100000000000000.0", "1.0E+14"),
    ("1.5e20", "1.5E+20"),
    ("-0.0", "-0"),
    // Integers that fit 64 bits stay integers, however long.
    ("123456789012345678", "123456789012345678"),
    ("9223372036854775808", "9.2233720368548E+18"),
];

#[test]
fn maib_signs_numbers_as_php_prints_them() {
    let hook = MaibWebhook::new(SecretString::from("props-php-rendering")).unwrap();
    for (literal, php) in PHP_STRINGS {
        let as_number = hook.sign_result(&format!(r#"{{"a":{literal}}}"#)).unwrap();
        let as_string = hook
            .sign_result(&format!(
                r#"{{"a":{}}}"#,
                serde_json::to_string(php).unwrap()
            ))
            .unwrap();
        assert_eq!(as_number, as_string, "{literal} should sign as {php:?}");
    }
}
