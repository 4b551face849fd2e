//! API keys (spec §1.2): a public `pk-…` key for the endpoints Maya lists as public, a secret
//! `sk-…` key for the rest, sent as `Authorization: Basic base64("<key>:")`. There is no
//! token: a wrong key kind is caught here, before any I/O, instead of as Maya's `K004`.

use std::fmt;

use paykit_core::http::{BasicAuth, Credential};
use paykit_core::{Error, ExposeSecret, Result, SecretString};

/// Which of the two keys an endpoint takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// `pk-…`: create checkout, payment token, single payment, wallet link, payment status.
    Public,
    /// `sk-…`: everything else.
    Secret,
}

impl KeyKind {
    /// The prefix Maya's keys of this kind carry.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Public => "pk-",
            KeyKind::Secret => "sk-",
        }
    }

    fn field(self) -> &'static str {
        match self {
            KeyKind::Public => "public_key",
            KeyKind::Secret => "secret_key",
        }
    }
}

/// A Maya API key of a known kind. Its text never appears in `Debug` or errors.
#[derive(Clone)]
pub struct ApiKey {
    kind: KeyKind,
    key: SecretString,
}

impl ApiKey {
    /// A public key; refused unless it starts with `pk-`.
    pub fn public(key: SecretString) -> Result<ApiKey> {
        ApiKey::new(KeyKind::Public, key)
    }

    /// A secret key; refused unless it starts with `sk-`.
    pub fn secret(key: SecretString) -> Result<ApiKey> {
        ApiKey::new(KeyKind::Secret, key)
    }

    /// A key of `kind`, checked: the right prefix, something after it, printable ASCII only.
    pub fn new(kind: KeyKind, key: SecretString) -> Result<ApiKey> {
        let text = key.expose_secret();
        let other = match kind {
            KeyKind::Public => KeyKind::Secret,
            KeyKind::Secret => KeyKind::Public,
        };
        if text.starts_with(other.prefix()) {
            return Err(Error::invalid_input(
                kind.field(),
                format!(
                    "is a {:?} key ({}…); Maya answers K004 when the key kind does not match the endpoint",
                    other,
                    other.prefix()
                ),
            ));
        }
        let rest = text.strip_prefix(kind.prefix()).unwrap_or_default();
        if rest.is_empty() || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_input(
                kind.field(),
                format!(
                    "must be a Maya {} key: `{}` followed by printable characters",
                    match kind {
                        KeyKind::Public => "public",
                        KeyKind::Secret => "secret",
                    },
                    kind.prefix()
                ),
            ));
        }
        Ok(ApiKey { kind, key })
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The `Authorization: Basic base64("<key>:")` credential (empty password, trailing colon).
    pub(crate) fn credential(&self) -> Credential {
        Credential::Basic(BasicAuth::new(
            self.key.expose_secret(),
            SecretString::from(String::new()),
        ))
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("kind", &self.kind)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

/// Which product an endpoint belongs to. Maya's SDKs keep a key pair per product; where a
/// merchant has one, it is used for that product's endpoints (spec §1.2 "Build for").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Product {
    /// Checkout (C1–C2) and the webhook registry (W1–W5).
    Checkout,
    /// Maya Vault (V1–V8).
    Vault,
    /// Pay with Maya (M1–M5).
    PayWithMaya,
    /// Payment retrieval and operations (P1–P11).
    Payments,
}

/// A public and a secret key, either of which may be absent.
#[derive(Debug, Clone, Default)]
pub struct KeyPair {
    public: Option<ApiKey>,
    secret: Option<ApiKey>,
}

impl KeyPair {
    /// Both keys, checked.
    pub fn new(public: SecretString, secret: SecretString) -> Result<KeyPair> {
        Ok(KeyPair {
            public: Some(ApiKey::public(public)?),
            secret: Some(ApiKey::secret(secret)?),
        })
    }

    /// Only the public key (a front end that must never hold the secret key).
    pub fn public_only(public: SecretString) -> Result<KeyPair> {
        Ok(KeyPair {
            public: Some(ApiKey::public(public)?),
            secret: None,
        })
    }

    /// Only the secret key.
    pub fn secret_only(secret: SecretString) -> Result<KeyPair> {
        Ok(KeyPair {
            public: None,
            secret: Some(ApiKey::secret(secret)?),
        })
    }

    fn get(&self, kind: KeyKind) -> Option<&ApiKey> {
        match kind {
            KeyKind::Public => self.public.as_ref(),
            KeyKind::Secret => self.secret.as_ref(),
        }
    }

    fn is_empty(&self) -> bool {
        self.public.is_none() && self.secret.is_none()
    }
}

/// The default pair and the per-product pairs.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyRing {
    default: KeyPair,
    products: Vec<(Product, KeyPair)>,
}

impl KeyRing {
    pub(crate) fn new(default: KeyPair) -> KeyRing {
        KeyRing {
            default,
            products: Vec::new(),
        }
    }

    pub(crate) fn set(&mut self, product: Product, pair: KeyPair) {
        self.products.retain(|(p, _)| *p != product);
        self.products.push((product, pair));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.default.is_empty() && self.products.iter().all(|(_, pair)| pair.is_empty())
    }

    /// The key `kind` for `product`: the product's own, else the default; a configuration
    /// error (nothing sent) when neither exists.
    pub(crate) fn key(&self, product: Product, kind: KeyKind) -> Result<&ApiKey> {
        self.products
            .iter()
            .find(|(p, _)| *p == product)
            .and_then(|(_, pair)| pair.get(kind))
            .or_else(|| self.default.get(kind))
            .ok_or_else(|| {
                Error::invalid_input(
                    kind.field(),
                    format!(
                        "this {product:?} endpoint needs the {} key ({}…), which is not configured",
                        match kind {
                            KeyKind::Public => "public",
                            KeyKind::Secret => "secret",
                        },
                        kind.prefix()
                    ),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_kinds_are_checked_by_prefix() {
        assert!(ApiKey::public(SecretString::from("pk-abc")).is_ok());
        assert!(ApiKey::secret(SecretString::from("sk-abc")).is_ok());
        let err = ApiKey::public(SecretString::from("sk-abc")).unwrap_err();
        assert!(err.to_string().contains("K004"), "{err}");
        assert!(!err.to_string().contains("sk-abc"), "{err}");
        assert!(ApiKey::secret(SecretString::from("pk-abc")).is_err());
        assert!(ApiKey::secret(SecretString::from("sk-")).is_err());
        assert!(ApiKey::secret(SecretString::from("abc")).is_err());
        assert!(ApiKey::secret(SecretString::from("sk-a b")).is_err());
    }

    #[test]
    fn products_fall_back_to_the_default_pair() {
        let mut ring =
            KeyRing::new(KeyPair::secret_only(SecretString::from("sk-default")).unwrap());
        ring.set(
            Product::Vault,
            KeyPair::public_only(SecretString::from("pk-vault")).unwrap(),
        );
        assert_eq!(
            ring.key(Product::Vault, KeyKind::Secret).unwrap().kind(),
            KeyKind::Secret
        );
        assert!(ring.key(Product::Vault, KeyKind::Public).is_ok());
        assert!(ring.key(Product::Checkout, KeyKind::Public).is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = ApiKey::secret(SecretString::from("sk-very-secret")).unwrap();
        assert!(!format!("{key:?}").contains("very-secret"));
    }
}
