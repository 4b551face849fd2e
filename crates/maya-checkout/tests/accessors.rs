//! The accessors a webhook route reads before it is mounted: which keys a client has, and the
//! receiver's configuration.

#![allow(clippy::unwrap_used, reason = "tests")]

use paykit_core::SecretString;
use paykit_maya_checkout::{
    Environment, KeyKind, KeyPair, MayaCheckoutClient, MayaCheckoutWebhook, Product, WebhookConfig,
    WebhookKeys,
};

const PK: &str = "pk-accessor-test-public";
const SK: &str = "sk-accessor-test-secret";

fn client(keys: KeyPair) -> MayaCheckoutClient {
    MayaCheckoutClient::builder(Environment::Sandbox, keys)
        .api_base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

#[test]
fn has_key_says_which_key_kinds_a_product_can_use() {
    let public = || SecretString::from(PK);
    let secret = || SecretString::from(SK);
    let both = client(KeyPair::new(public(), secret()).unwrap());
    let public_only = client(KeyPair::public_only(public()).unwrap());
    let secret_only = client(KeyPair::secret_only(secret()).unwrap());
    for product in [Product::Payments, Product::Checkout, Product::Vault] {
        assert!(both.has_key(product, KeyKind::Secret), "{product:?}");
        assert!(both.has_key(product, KeyKind::Public), "{product:?}");
        assert!(
            !public_only.has_key(product, KeyKind::Secret),
            "{product:?}"
        );
        assert!(public_only.has_key(product, KeyKind::Public), "{product:?}");
        assert!(secret_only.has_key(product, KeyKind::Secret), "{product:?}");
        assert!(
            !secret_only.has_key(product, KeyKind::Public),
            "{product:?}"
        );
    }
    // A product's own pair is used before the default one.
    let per_product = MayaCheckoutClient::builder(
        Environment::Sandbox,
        KeyPair::public_only(public()).unwrap(),
    )
    .product_keys(Product::Payments, KeyPair::secret_only(secret()).unwrap())
    .api_base_url("http://127.0.0.1:9")
    .build()
    .unwrap();
    assert!(per_product.has_key(Product::Payments, KeyKind::Secret));
    assert!(!per_product.has_key(Product::Checkout, KeyKind::Secret));
}

#[test]
fn config_gives_back_the_receivers_keys() {
    let empty = MayaCheckoutWebhook::new(WebhookConfig::new(WebhookKeys::new()));
    assert!(empty.config().keys.is_empty());
    let maya = WebhookKeys::maya(Environment::Sandbox).unwrap();
    let webhook = MayaCheckoutWebhook::new(WebhookConfig::new(maya));
    assert_eq!(webhook.config().keys.len(), 2);
    assert_eq!(
        webhook.config().tolerance,
        paykit_maya_checkout::DEFAULT_TOLERANCE
    );
}
