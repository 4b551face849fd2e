//! The stable half of the fuzzing: every target of paykit-props over random bytes and over
//! mutations of its seeds from `fixtures/`, with a fixed case budget (README: Budgets).
//!
//! A failure prints the shrunk input; replay it with the target's function, or save it under
//! `fuzz/corpus/<target>/` for libFuzzer.

#![allow(clippy::unwrap_used)] // helpers of a test file: a panic is the failure report

use paykit_props::{TARGETS, Target, mutate, seeds::Seed};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

/// Random inputs per target.
const RANDOM_CASES: u32 = 3_000;
/// Mutated seed inputs per target.
const MUTATED_CASES: u32 = 6_000;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Shrinking a failure is worth far more than these cases; keep it bounded anyway.
        max_shrink_iters: 2_000,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Bytes biased towards the characters parsers branch on.
fn random_bytes() -> impl Strategy<Value = Vec<u8>> {
    let structural = prop::sample::select(b"{}[]\":,.-+eE0123456789 \\ntrufalsn&=%ab".to_vec());
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        prop::collection::vec(structural, 0..256),
    ]
}

fn ops() -> impl Strategy<Value = Vec<(u8, u32, u32)>> {
    prop::collection::vec((any::<u8>(), any::<u32>(), any::<u32>()), 1..8)
}

fn run_random(target: &Target) {
    let mut runner = TestRunner::new(config(RANDOM_CASES));
    let outcome = runner.run(&random_bytes(), |bytes| {
        (target.run)(&bytes);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{} on random bytes: {failure}", target.name);
    }
}

fn run_mutated(target: &Target) {
    let seeds: Vec<Seed> = (target.seeds)().unwrap();
    assert!(!seeds.is_empty(), "{} has no seeds", target.name);
    // Every seed as it is first: the fixtures themselves must pass.
    for seed in &seeds {
        (target.run)(&seed.bytes);
    }
    let mut runner = TestRunner::new(config(MUTATED_CASES));
    let strategy = (0..seeds.len(), ops());
    let outcome = runner.run(&strategy, |(index, ops)| {
        let seed = seeds
            .get(index)
            .ok_or_else(|| TestCaseError::fail("seed index"))?;
        let bytes = mutate::apply(&seed.bytes, &ops);
        (target.run)(&bytes);
        Ok(())
    });
    if let Err(failure) = outcome {
        panic!("{} on mutated seeds: {failure}", target.name);
    }
}

macro_rules! fuzz_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            fn target() -> &'static paykit_props::Target {
                paykit_props::target(stringify!($name)).unwrap()
            }

            #[test]
            fn random_bytes() {
                super::run_random(target());
            }

            #[test]
            fn mutated_seeds() {
                super::run_mutated(target());
            }
        }
    )*};
}

fuzz_tests!(
    json_literal,
    wire_decimal,
    wire_bool,
    money_parse,
    maib_callback,
    maib_api_errors,
    miapos_callback,
    miapos_public_key,
    bog_notification,
    maya_session,
    maya_error_body,
    provider_words,
    raw_response,
    maib_response,
    miapos_response,
    bog_response,
    maya_response,
    bog_payments_callback,
    bog_payments_response,
    bog_payments_words,
    maya_checkout_webhook,
    maya_checkout_response,
    maya_checkout_words,
);

#[test]
fn every_target_is_tested_here() {
    // The macro above lists names by hand; this keeps the list and TARGETS in step.
    let source = include_str!("no_panic.rs");
    for target in TARGETS {
        assert!(
            source.contains(&format!("    {},\n", target.name)),
            "{} is not in fuzz_tests!",
            target.name
        );
    }
}
