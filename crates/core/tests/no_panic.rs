//! Hostile bytes never panic core's parsers: JSON with literals, decimal wire forms, money,
//! currencies, RSA keys and signatures. Deterministic mutation of valid seeds (no extra
//! dependency; the seed is fixed so a failure reproduces).

use paykit_core::json_literal::JsonLiteral;
use paykit_core::webhook::RsaPublicKey;
use paykit_core::{Currency, Decimal, Money};

/// xorshift64*: enough randomness to mutate inputs, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

const SEEDS: &[&str] = &[
    r#"{"result":{"payId":"f16a9006","amount":10.25,"items":[{"price":2.5,"quantity":2}],"ok":true,"n":null},"signature":"5wHk"}"#,
    r#"{"amount":"10.50","currency":"MDL","nested":{"a":[1,2,{"b":-0.0e-3}]}}"#,
    r#"[1e400, -1E-400, 123456789012345678901234567890.123, "\u00e9\ud83d\ude00"]"#,
];

const BYTES: &[u8] = b"{}[]\",:.-+eE0123456789tfnul\\ \n\x00\xff";

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for _ in 0..=rng.below(6) {
        let at = rng.below(out.len() + 1);
        match rng.below(4) {
            0 if at < out.len() => {
                out.remove(at);
            }
            1 => out.insert(at, BYTES[rng.below(BYTES.len())]),
            2 if at < out.len() => out[at] = BYTES[rng.below(BYTES.len())],
            _ => out.truncate(at),
        }
    }
    out
}

#[derive(serde::Deserialize)]
#[allow(dead_code)] // Only parsing is exercised.
struct Amounts {
    #[serde(with = "paykit_core::wire::decimal_number")]
    amount: Decimal,
    #[serde(with = "paykit_core::wire::opt_decimal_string", default)]
    other: Option<Decimal>,
}

#[test]
fn mutated_json_never_panics_the_parsers() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..20_000 {
        let seed = SEEDS[round % SEEDS.len()].as_bytes();
        let input = mutate(&mut rng, seed);
        let _ = JsonLiteral::parse(&input);
        let _ = serde_json::from_slice::<Amounts>(&input);
        let text = String::from_utf8_lossy(&input);
        let _ = paykit_core::wire::parse_decimal_literal(&text);
        let _ = Money::parse(&text, Currency::MDL);
        let _ = text.parse::<Currency>();
    }
}

#[test]
fn arbitrary_keys_and_signatures_are_errors_not_panics() {
    let mut rng = Rng(42);
    for _ in 0..2_000 {
        let len = rng.below(600);
        let bytes: Vec<u8> = (0..len)
            .map(|_| u8::try_from(rng.next() & 0xff).unwrap_or(0))
            .collect();
        assert!(RsaPublicKey::from_spki_der(&bytes).is_err());
        let text = String::from_utf8_lossy(&bytes);
        let _ = RsaPublicKey::from_spki_base64(&text);
    }
}

#[test]
fn extreme_amounts_are_errors_not_panics() {
    for text in [
        "79228162514264337593543950335",
        "79228162514264337593543950336",
        "-79228162514264337593543950335",
        "0.0000000000000000000000000001",
        "1e28",
        "1e-28",
    ] {
        let _ = Money::parse(text, Currency::EUR).map(|m| m.to_minor_units());
        let _ = paykit_core::wire::parse_decimal_literal(text);
    }
    let max = Money::new(Decimal::MAX.trunc(), Currency::USD);
    if let Ok(max) = max {
        assert!(max.checked_add(&max).is_err());
        let _ = max.to_minor_units();
    }
}
