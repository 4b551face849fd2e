//! # paykit-props
//!
//! Every parser paykit runs over bytes it did not write (callbacks, provider answers, keys,
//! the Maya Session URL push), wrapped as one function of `&[u8]` per fuzz target. The same
//! functions run two ways:
//!
//! - on stable, as bounded property tests (`tests/`), over random bytes and mutations of seed
//!   inputs taken from `fixtures/`, in `cargo test`;
//! - on nightly, under libFuzzer, from `fuzz/` (`cargo xtask fuzz`).
//!
//! A target panics only on a bug: a panic inside paykit, or a promise broken (a verifier that
//! accepts in one path and refuses in another, a signed event fit for fulfilment, a decimal
//! that does not read back as written). See the README for the list and the budgets.

#![allow(
    clippy::panic,
    reason = "a fuzz target reports a bug by panicking; nothing here runs in an application"
)]

mod json_text;
pub mod mutate;
mod ready;
pub mod seeds;
mod targets;

pub use targets::{
    MUTATING, RETRY_AFTER, SENSITIVE, STATUSES, bog_response, maib_response, maya_response,
    miapos_response, response_of,
};
pub use targets::{
    bog_notification, json_literal, maib_api_errors, maib_callback, maya_error_body, maya_session,
    miapos_callback, miapos_public_key, money_parse, provider_words, raw_response, wire_bool,
    wire_decimal,
};
pub use targets::{
    bog_payments_callback, bog_payments_response, bog_payments_words, maya_checkout_response,
    maya_checkout_webhook, maya_checkout_words,
};
pub use targets::{decimal_writes_read_back, money_round_trips};

pub use json_text::json_text;

use seeds::Seed;

/// A fuzz target: its name (the file `fuzz/fuzz_targets/<name>.rs`), the function, and where
/// its seeds come from.
#[derive(Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// The function under fuzzing.
    pub run: fn(&[u8]),
    /// Its seed inputs.
    pub seeds: fn() -> Result<Vec<Seed>, String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// Every target, in the order the README lists them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "json_literal",
        run: json_literal,
        seeds: seeds::every_body,
    },
    Target {
        name: "wire_decimal",
        run: wire_decimal,
        seeds: literal_seeds,
    },
    Target {
        name: "wire_bool",
        run: wire_bool,
        seeds: literal_seeds,
    },
    Target {
        name: "money_parse",
        run: money_parse,
        seeds: literal_seeds,
    },
    Target {
        name: "maib_callback",
        run: maib_callback,
        seeds: || seeds::callbacks("maib"),
    },
    Target {
        name: "maib_api_errors",
        run: maib_api_errors,
        seeds: maib_error_seeds,
    },
    Target {
        name: "miapos_callback",
        run: miapos_callback,
        seeds: || seeds::callbacks("miapos"),
    },
    Target {
        name: "miapos_public_key",
        run: miapos_public_key,
        seeds: key_seeds,
    },
    Target {
        name: "bog_notification",
        run: bog_notification,
        seeds: || seeds::callbacks("bog"),
    },
    Target {
        name: "maya_session",
        run: maya_session,
        seeds: seeds::session_pushes,
    },
    Target {
        name: "maya_error_body",
        run: maya_error_body,
        seeds: || seeds::responses("maya"),
    },
    Target {
        name: "provider_words",
        run: provider_words,
        seeds: word_seeds,
    },
    Target {
        name: "raw_response",
        run: raw_response,
        seeds: response_seeds,
    },
    Target {
        name: "maib_response",
        run: maib_response,
        seeds: || decoder_seeds("maib"),
    },
    Target {
        name: "miapos_response",
        run: miapos_response,
        seeds: || decoder_seeds("miapos"),
    },
    Target {
        name: "bog_response",
        run: bog_response,
        seeds: || decoder_seeds("bog"),
    },
    Target {
        name: "maya_response",
        run: maya_response,
        seeds: || decoder_seeds("maya"),
    },
    Target {
        name: "bog_payments_callback",
        run: bog_payments_callback,
        seeds: || seeds::callbacks_with_headers("bog-payments", &["callback-signature"]),
    },
    Target {
        name: "bog_payments_response",
        run: bog_payments_response,
        seeds: || decoder_seeds("bog-payments"),
    },
    Target {
        name: "bog_payments_words",
        run: bog_payments_words,
        seeds: bog_payments_word_seeds,
    },
    Target {
        name: "maya_checkout_webhook",
        run: maya_checkout_webhook,
        seeds: || {
            seeds::callbacks_with_headers(
                "maya-checkout",
                &["x-maya-webhook-signature", "x-maya-webhook-timestamp"],
            )
        },
    },
    Target {
        name: "maya_checkout_response",
        run: maya_checkout_response,
        seeds: || decoder_seeds("maya-checkout"),
    },
    Target {
        name: "maya_checkout_words",
        run: maya_checkout_words,
        seeds: maya_checkout_word_seeds,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Decimal and boolean literals at the edges, then every scalar found in the fixtures' bodies.
fn literal_seeds() -> Result<Vec<Seed>, String> {
    let mut out: Vec<Seed> = [
        "10.25",
        "10.00",
        "\"10.50\"",
        "0",
        "-0",
        "-0.00",
        "1e2",
        "1E-2",
        "2.5e+3",
        "\"1e2\"",
        "79228162514264337593543950335",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "92233720368547758.07",
        "1e28",
        "1e-28",
        "true",
        "\"TRUE\"",
        "false",
        "\"False\"",
        "null",
        "\"\"",
        " 7 ",
        "1_000",
        "+1",
        ".5",
        "5.",
    ]
    .iter()
    .map(|text| Seed::new("built-in", text.as_bytes()))
    .collect();
    for seed in seeds::every_body()? {
        if let Ok(value) = paykit_core::json_literal::JsonLiteral::parse(&seed.bytes) {
            scalars(&value, &seed.origin, &mut out);
        }
    }
    out.sort_by(|a, b| a.bytes.cmp(&b.bytes));
    out.dedup_by(|a, b| a.bytes == b.bytes);
    Ok(out)
}

/// Numbers as their literal and strings as JSON strings, from anywhere in `value`.
fn scalars(value: &paykit_core::json_literal::JsonLiteral, origin: &str, out: &mut Vec<Seed>) {
    use paykit_core::json_literal::JsonLiteral as J;
    match value {
        J::Number(literal) => out.push(Seed::new(origin, literal.as_bytes())),
        J::String(text) if text.len() <= 40 => {
            let quoted = serde_json::to_string(text).unwrap_or_default();
            out.push(Seed::new(origin, quoted.into_bytes()));
        }
        J::Array(items) => items.iter().for_each(|item| scalars(item, origin, out)),
        J::Object(members) => members.iter().for_each(|(_, v)| scalars(v, origin, out)),
        _ => {}
    }
}

/// maib error answers, rendered the way the client keeps them in `Error::Api`'s message.
fn maib_error_seeds() -> Result<Vec<Seed>, String> {
    let mut out = Vec::new();
    for seed in seeds::responses("maib")? {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&seed.bytes) else {
            continue;
        };
        let Some(errors) = value.get("errors").and_then(serde_json::Value::as_array) else {
            continue;
        };
        let entries: Vec<paykit_maib::ApiErrorEntry> = errors
            .iter()
            .map(|e| {
                let text = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
                let mut entry =
                    paykit_maib::ApiErrorEntry::new(text("errorCode"), text("errorMessage"));
                if let Some(args) = e.get("errorArgs").and_then(|a| a.as_object()) {
                    for (name, arg) in args {
                        let arg = arg.as_str().map_or_else(|| arg.to_string(), str::to_owned);
                        entry = entry.arg(name.clone(), arg);
                    }
                }
                entry
            })
            .collect();
        let text = paykit_maib::render_api_errors(&entries);
        out.push(Seed::new(seed.origin, text.into_bytes()));
    }
    Ok(out)
}

/// The test public key, as text and as DER.
fn key_seeds() -> Result<Vec<Seed>, String> {
    let text = seeds::key("miapos", "public_key.b64")?;
    let mut out = vec![Seed::new("miapos/keys/public_key.b64", text.as_bytes())];
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----\n");
    out.push(Seed::new(
        "miapos/keys/public_key.b64 (PEM)",
        pem.into_bytes(),
    ));
    Ok(out)
}

/// Every recorded response body, behind a 200, a 500 and a 429 with `Retry-After: 7`.
fn response_seeds() -> Result<Vec<Seed>, String> {
    let mut out = Vec::new();
    for provider in seeds::PROVIDERS {
        for seed in seeds::responses(provider)? {
            for head in [
                &[100_u8, 0, b'\n'][..],
                &[144, 1, b'\n'],
                &[73, 1, b'7', b'\n'],
            ] {
                let mut bytes = head.to_vec();
                bytes.extend_from_slice(&seed.bytes);
                out.push(Seed::new(seed.origin.clone(), bytes));
            }
        }
    }
    Ok(out)
}

/// Every recorded response of `provider` (empty bodies too) behind its own status, a 200 and
/// a 500, each once for a read and once for a money-moving call (sensitive, `Retry-After`).
/// A recorded status outside [`STATUSES`] is left to the 200 and the 500.
fn decoder_seeds(provider: &str) -> Result<Vec<Seed>, String> {
    let index = |status: u16| {
        STATUSES
            .iter()
            .position(|s| *s == status)
            .and_then(|i| u8::try_from(i).ok())
    };
    let mut out = Vec::new();
    for (status, seed) in seeds::recorded_responses(provider)? {
        let mut picks: Vec<u8> = [index(status), index(200), index(500)]
            .into_iter()
            .flatten()
            .collect();
        picks.dedup();
        for pick in picks {
            for flags in [0, MUTATING | SENSITIVE | RETRY_AFTER] {
                let mut bytes = vec![pick, flags];
                bytes.extend_from_slice(&seed.bytes);
                out.push(Seed::new(seed.origin.clone(), bytes));
            }
        }
    }
    out.sort_by(|a, b| a.bytes.cmp(&b.bytes));
    out.dedup_by(|a, b| a.bytes == b.bytes);
    Ok(out)
}

/// Status words, references and expiries as the providers send them.
fn word_seeds() -> Result<Vec<Seed>, String> {
    Ok([
        "OK",
        "FAILED",
        "CREATED",
        "PENDING",
        "DECLINED",
        "TIMEOUT",
        "REVERSED",
        "AUTHENTICATED",
        "SUCCESS",
        "EXPIRED",
        "PAYMENT_SUCCESS",
        "PAYMENT_FAILED",
        "APPROVED",
        "1229",
        "0130",
        "127.0.0.1",
        "9b2e4c1a-5d6f-4e3b-8a7c-1f2d3e4a5b6c",
        "ok",
        " Ok ",
        "",
    ]
    .iter()
    .map(|word| Seed::new("built-in", word.as_bytes()))
    .collect())
}

/// BOG Payments' words as its answers carry them: order statuses, payment methods, action
/// kinds and statuses, Idempotency-Keys, `expires_in` values (seconds, epoch seconds, epoch
/// milliseconds, the edges of the classes).
fn bog_payments_word_seeds() -> Result<Vec<Seed>, String> {
    Ok([
        "created",
        "processing",
        "completed",
        "rejected",
        "refund_requested",
        "refunded",
        "refunded_partially",
        "auth_requested",
        "blocked",
        "partial_completed",
        "card",
        "google_pay",
        "apple_pay",
        "bog_p2p",
        "bnpl",
        "authorize",
        "cancel_authorize",
        "refund",
        "3f0c6b1e-8a2d-4c5b-9e7f-1a0d2c4b6e8f",
        "3F0C6B1E-8A2D-4C5B-9E7F-1A0D2C4B6E8F",
        "3f0c6b1e-8a2d-1c5b-9e7f-1a0d2c4b6e8f",
        "300",
        "0",
        "-1",
        "1000000000",
        "1000000001",
        "1000000000000",
        "1741943100000",
        "9223372036854775807",
        "-9223372036854775808",
        "",
    ]
    .iter()
    .map(|word| Seed::new("built-in", word.as_bytes()))
    .collect())
}

/// Maya's words as its answers and deliveries carry them: statuses, event names, error codes,
/// signature headers (every one the fixtures send) and timestamps.
fn maya_checkout_word_seeds() -> Result<Vec<Seed>, String> {
    let mut out: Vec<Seed> = [
        "PAYMENT_SUCCESS",
        "AUTHORIZED",
        "FOR_AUTHENTICATION",
        "CHECKOUT_SUCCESS",
        "CHECKOUT_FAILED",
        "SUCCESS",
        "PY0047",
        "K004",
        "nonce=abc,v1=0aff",
        "v1=0AFF, nonce=abc ,v2=zz",
        "nonce=n,v1=abc",
        "nonce=v1=00,v1=00",
        "2025-03-01T04:10:11.217Z",
        "2025-03-01T12:10:11+08:00",
        "2025-03-01 16:00:00.5-08:00",
        "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:60.999999Z",
        "1767225600000",
        " 1767225960000 ",
        "1767225359999",
        "+1767225600000",
        "",
    ]
    .iter()
    .map(|word| Seed::new("built-in", word.as_bytes()))
    .collect();
    for seed in seeds::callbacks_with_headers("maya-checkout", &["x-maya-webhook-signature"])? {
        let ([header], _) = seeds::split_lines::<1>(&seed.bytes);
        out.push(Seed::new(seed.origin.clone(), header));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_seeds_and_a_unique_name() {
        let mut names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), TARGETS.len());
        for target in TARGETS {
            let seeds = (target.seeds)().unwrap();
            assert!(!seeds.is_empty(), "{}", target.name);
        }
    }

    #[test]
    fn every_providers_decoders_read_some_of_its_recorded_answers() {
        type Decode = fn(&paykit_core::http::RawResponse) -> usize;
        let decode: [(&'static str, Decode); 6] = [
            ("maib", paykit_maib::fuzzing::decode_response),
            ("miapos", paykit_miapos::fuzzing::decode_response),
            ("bog", paykit_bog::fuzzing::decode_response),
            ("maya", paykit_maya::fuzzing::decode_response),
            (
                "bog-payments",
                paykit_bog_payments::fuzzing::decode_response,
            ),
            (
                "maya-checkout",
                paykit_maya_checkout::fuzzing::decode_response,
            ),
        ];
        for (provider, decode) in decode {
            let decoded: usize = decoder_seeds(provider)
                .unwrap()
                .iter()
                .map(|seed| decode(&response_of(provider, &seed.bytes)))
                .sum();
            assert!(decoded > 0, "{provider}: no recorded answer decodes");
        }
    }

    #[test]
    fn the_maib_key_is_the_docs_key() {
        assert_eq!(
            seeds::key("maib", "signature_key.txt").unwrap(),
            targets::DOCS_KEY
        );
    }
}
