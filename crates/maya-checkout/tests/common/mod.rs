//! Shared test setup: the notes' fake keys, a client pointed at a mock server, a fixed clock,
//! and a signer with the notes' local test key.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    reason = "shared by several test binaries; a broken setup should panic"
)]

pub mod vectors;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine as _;
use paykit_core::SecretString;
use paykit_core::http::{ExecutorConfig, RetryPolicy};
use paykit_maya_checkout::{
    Clock, Environment, KeyPair, MayaCheckoutClient, MayaCheckoutClientBuilder,
    MayaCheckoutWebhook, WebhookConfig, WebhookKeys,
};

/// The notes' fake public key (§1.2).
pub const PK: &str = "pk-LOCALTESTpublicKey0000000000000000000000000";
/// The notes' fake secret key (§1.2).
pub const SK: &str = "sk-LOCALTESTsecretKey0000000000000000000000000";
/// `Basic base64("<PK>:")`, as the notes write it.
pub const PK_BASIC: &str = "Basic cGstTE9DQUxURVNUcHVibGljS2V5MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDo=";
/// `Basic base64("<SK>:")`.
pub const SK_BASIC: &str = "Basic c2stTE9DQUxURVNUc2VjcmV0S2V5MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDo=";

/// The vectors' verifier clock (§9): 2026-01-01T00:01:00Z.
pub const NOW_MS: u64 = 1_767_225_660_000;

pub const TEST_PUBLIC_PEM: &str =
    include_str!("../../../../fixtures/maya-checkout/keys/local_test_public.pem");
pub const TEST_PRIVATE_PEM: &str =
    include_str!("../../../../fixtures/maya-checkout/keys/local_test_private.pem");

pub fn keys() -> KeyPair {
    KeyPair::new(SecretString::from(PK), SecretString::from(SK)).unwrap()
}

pub fn fixed_clock(unix_ms: u64) -> Clock {
    Arc::new(move || UNIX_EPOCH + Duration::from_millis(unix_ms))
}

/// A clock at an ISO-8601 instant.
pub fn clock_at(iso: &str) -> Clock {
    let ms = iso_ms(iso);
    fixed_clock(ms)
}

pub fn iso_ms(iso: &str) -> u64 {
    let ms = paykit_maya_checkout::calendar::parse_timestamp_ms(iso);
    u64::try_from(ms.unwrap_or_else(|| panic!("bad instant {iso}"))).unwrap()
}

pub fn fast_executor() -> ExecutorConfig {
    ExecutorConfig::default()
        .timeout(Duration::from_secs(5))
        .retry(RetryPolicy::default().delays(Duration::from_millis(1), Duration::from_millis(5)))
}

pub fn builder(base_url: &str) -> MayaCheckoutClientBuilder {
    MayaCheckoutClient::builder(Environment::Sandbox, keys())
        .api_base_url(base_url)
        .executor_config(fast_executor())
}

pub fn client(base_url: &str) -> MayaCheckoutClient {
    builder(base_url).build().unwrap()
}

/// Maya's sandbox keys plus the local test key (key rotation: the second set matches).
pub fn webhook_keys() -> WebhookKeys {
    WebhookKeys::maya(Environment::Sandbox)
        .unwrap()
        .with_pem("local-test", TEST_PUBLIC_PEM)
        .unwrap()
}

pub fn receiver(now_ms: u64) -> MayaCheckoutWebhook {
    MayaCheckoutWebhook::new(WebhookConfig::new(webhook_keys())).clock(fixed_clock(now_ms))
}

/// Signs `message` with the local test key; lowercase hex.
pub fn sign(message: &str) -> String {
    let der = pem_der(TEST_PRIVATE_PEM);
    let pair = RsaKeyPair::from_pkcs8(&der).unwrap();
    let mut signature = vec![0_u8; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        message.as_bytes(),
        &mut signature,
    )
    .unwrap();
    signature.iter().map(|b| format!("{b:02x}")).collect()
}

fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap()
}

pub fn now() -> SystemTime {
    SystemTime::now()
}
