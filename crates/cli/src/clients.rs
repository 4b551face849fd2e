//! Provider clients for the live commands, with credentials from the environment.
//!
//! | provider | variables |
//! |---|---|
//! | maib | `PAYKIT_MAIB_PROJECT_ID`, `PAYKIT_MAIB_PROJECT_SECRET` |
//! | miapos | `PAYKIT_MIAPOS_MERCHANT_ID`, `PAYKIT_MIAPOS_SECRET_KEY`, `PAYKIT_MIAPOS_TERMINAL_ID` |
//! | bog | `PAYKIT_BOG_CLIENT_ID`, `PAYKIT_BOG_SECRET_KEY` |
//! | bog-payments | `PAYKIT_BOG_PAYMENTS_CLIENT_ID`, `PAYKIT_BOG_PAYMENTS_CLIENT_SECRET`, `PAYKIT_BOG_PAYMENTS_TOKEN_URL` (defaults to `<origin of the base URL>/auth/realms/bog/protocol/openid-connect/token` with a base URL) |
//! | maya | `PAYKIT_MAYA_CLIENT_ID`, `PAYKIT_MAYA_CLIENT_SECRET`, `PAYKIT_MAYA_P2M_ID`, `PAYKIT_MAYA_TOKEN_URL` (defaults to `<base-url>/oauth/token` with a base URL), and the customer session `PAYKIT_MAYA_ACCESS_TOKEN`, `PAYKIT_MAYA_REFRESH_TOKEN`, `PAYKIT_MAYA_EXPIRES_AT` |
//! | maya-checkout | `PAYKIT_MAYA_CHECKOUT_PUBLIC_KEY` (`pk-…`), `PAYKIT_MAYA_CHECKOUT_SECRET_KEY` (`sk-…`); one alone serves the endpoints of its kind |
//!
//! Each provider's base URL is `--base-url`, else `PAYKIT_<PROVIDER>_BASE_URL`, else its
//! production URL (miaPOS: its sandbox, as before); `--sandbox` picks its documented sandbox
//! host instead ([`Host::Sandbox`]).

use paykit_bog_payments::BogPaymentsClient;
use paykit_core::{PaymentProvider, SecretString};
use paykit_maya_checkout::{Environment, KeyPair, MayaCheckoutClient, ReversalChoice};

use crate::args::Provider;
use crate::stores::Stores;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see `paykit pay --help`)"))
}

fn secret(name: &str) -> Result<SecretString, String> {
    env(name).map(SecretString::from)
}

/// The base URL for `provider`: `explicit` (`--base-url`), else its
/// `PAYKIT_<PROVIDER>_BASE_URL`, else `None` (the client's own default).
pub(crate) fn base_url(provider: Provider, explicit: Option<&str>) -> Option<String> {
    explicit.map(str::to_owned).or_else(|| {
        let name = format!("PAYKIT_{}_BASE_URL", provider.env_name());
        std::env::var(name).ok().filter(|url| !url.is_empty())
    })
}

/// Where a provider is reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// This base URL (`--base-url` or `PAYKIT_<PROVIDER>_BASE_URL`).
    Url(String),
    /// The provider's documented sandbox host (`--sandbox`).
    Sandbox,
    /// The client's own default (production; miaPOS: its sandbox).
    Default,
}

impl Host {
    /// `--sandbox` wins over the environment (clap already refuses it with `--base-url`).
    pub(crate) fn of(provider: Provider, explicit_base_url: Option<&str>, sandbox: bool) -> Self {
        if sandbox {
            return Host::Sandbox;
        }
        match base_url(provider, explicit_base_url) {
            Some(url) => Host::Url(url),
            None => Host::Default,
        }
    }
}

/// What maib answers to `--sandbox`: docs/providers/maib.md finds no sandbox host for
/// e-commerce v1 (`sandbox.maibmerchants.md` is documented for MIA QR v2 only).
const MAIB_HAS_NO_SANDBOX: &str = "maib documents no sandbox host for e-commerce v1: test \
    projects use the production host (api.maibmerchants.md) with test credentials, so drop \
    --sandbox (or name a host with --base-url)";

/// A client for `provider`, with credentials from the environment, keeping its payment
/// records (and, where the store has them, its access tokens) in `stores` when given.
///
/// maib, iPay, the Payments API and Maya's gateway write payment records (the first three need
/// them to report true states or check callbacks; Maya's gateway keeps them for `reconcile`);
/// every client shares its merchant token through the token store.
pub(crate) fn connect(
    provider: Provider,
    explicit_base_url: Option<&str>,
    stores: Option<&Stores>,
) -> Result<Box<dyn PaymentProvider>, String> {
    connect_to(
        provider,
        Host::of(provider, explicit_base_url, false),
        stores,
    )
}

/// [`connect`] at `host`.
pub(crate) fn connect_to(
    provider: Provider,
    host: Host,
    stores: Option<&Stores>,
) -> Result<Box<dyn PaymentProvider>, String> {
    let base_url = match (&host, provider) {
        (Host::Sandbox, Provider::Maib) => return Err(MAIB_HAS_NO_SANDBOX.into()),
        (Host::Sandbox, Provider::Miapos) => Some(paykit_miapos::SANDBOX_BASE_URL.to_owned()),
        (Host::Sandbox, Provider::Bog) => Some(paykit_bog::TEST_BASE_URL.to_owned()),
        (Host::Sandbox, Provider::Maya) => Some(paykit_maya::SANDBOX_API_URL.to_owned()),
        (Host::Sandbox | Host::Default, Provider::BogPayments | Provider::MayaCheckout) => None,
        (Host::Url(url), _) => Some(url.clone()),
        (Host::Default, _) => None,
    };
    let records = stores.map(|stores| stores.records.clone());
    let tokens = stores.and_then(|stores| stores.tokens.clone());
    let client: Box<dyn PaymentProvider> = match provider {
        Provider::Maib => {
            let mut builder = paykit_maib::MaibClient::builder(
                env("PAYKIT_MAIB_PROJECT_ID")?,
                secret("PAYKIT_MAIB_PROJECT_SECRET")?,
            );
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            if let Some(records) = records {
                builder = builder.payment_records(records);
            }
            if let Some(tokens) = tokens {
                builder = builder.token_store(tokens);
            }
            Box::new(builder.build().map_err(|e| e.to_string())?)
        }
        Provider::Miapos => {
            let url = base_url.unwrap_or_else(|| paykit_miapos::SANDBOX_BASE_URL.to_owned());
            let mut builder = paykit_miapos::MiaPos::builder(
                url,
                env("PAYKIT_MIAPOS_MERCHANT_ID")?,
                secret("PAYKIT_MIAPOS_SECRET_KEY")?,
            )
            .terminal_id(env("PAYKIT_MIAPOS_TERMINAL_ID")?);
            if let Some(tokens) = tokens {
                builder = builder.token_store(tokens);
            }
            Box::new(builder.build().map_err(|e| e.to_string())?)
        }
        Provider::Bog => {
            let mut builder = paykit_bog::BogClient::builder(
                env("PAYKIT_BOG_CLIENT_ID")?,
                secret("PAYKIT_BOG_SECRET_KEY")?,
            );
            if let Some(url) = base_url {
                builder = builder.base_url(bog_api_root(&url));
            }
            if let Some(records) = records {
                builder = builder.payment_records(records);
            }
            if let Some(tokens) = tokens {
                builder = builder.token_store(tokens);
            }
            Box::new(builder.build().map_err(|e| e.to_string())?)
        }
        Provider::Maya => {
            // Only a named host (a simulator) implies the token URL: the sandbox's, like
            // production's, is handed over per merchant.
            let derived_token_url = matches!(host, Host::Url(_));
            maya(base_url, derived_token_url, tokens)?
        }
        Provider::BogPayments => Box::new(bog_payments(&host, stores)?),
        Provider::MayaCheckout => {
            Box::new(maya_checkout(&host, stores, ReversalChoice::ByCalendar)?)
        }
    };
    Ok(client)
}

/// The Payments API client at `host`, with its records and tokens in `stores` when given.
pub(crate) fn bog_payments(
    host: &Host,
    stores: Option<&Stores>,
) -> Result<BogPaymentsClient, String> {
    let mut builder = BogPaymentsClient::builder(
        env("PAYKIT_BOG_PAYMENTS_CLIENT_ID")?,
        secret("PAYKIT_BOG_PAYMENTS_CLIENT_SECRET")?,
    );
    let token_url = std::env::var("PAYKIT_BOG_PAYMENTS_TOKEN_URL")
        .ok()
        .filter(|url| !url.is_empty());
    match host {
        Host::Sandbox => {
            builder = builder.environment(paykit_bog_payments::Environment::Sandbox);
        }
        Host::Url(url) => {
            let (api_base, origin) = bog_payments_api_base(url);
            builder = builder.api_base(api_base);
            if token_url.is_none() {
                builder = builder.token_url(format!("{origin}{}", paykit_bog_payments::TOKEN_PATH));
            }
        }
        Host::Default => {}
    }
    if let Some(url) = token_url {
        builder = builder.token_url(url);
    }
    if let Some(stores) = stores {
        builder = builder.payment_records(stores.records.clone());
        if let Some(tokens) = stores.tokens.clone() {
            builder = builder.token_store(tokens);
        }
    }
    builder.build().map_err(|e| e.to_string())
}

/// The environment variables holding Maya's gateway keys.
const MAYA_CHECKOUT_PUBLIC_KEY: &str = "PAYKIT_MAYA_CHECKOUT_PUBLIC_KEY";
const MAYA_CHECKOUT_SECRET_KEY: &str = "PAYKIT_MAYA_CHECKOUT_SECRET_KEY";

/// Maya's payment-gateway client at `host`, reversing payments as `reversal` says, with its
/// records in `stores` when given. Either key may be left unset: the client then refuses the
/// endpoints that need the other before sending anything.
pub(crate) fn maya_checkout(
    host: &Host,
    stores: Option<&Stores>,
    reversal: ReversalChoice,
) -> Result<MayaCheckoutClient, String> {
    let read = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|key| !key.trim().is_empty())
            .map(|key| SecretString::from(key.trim().to_owned()))
    };
    let keys = maya_checkout_keys(
        read(MAYA_CHECKOUT_PUBLIC_KEY),
        read(MAYA_CHECKOUT_SECRET_KEY),
    )?;
    maya_checkout_with(host, keys, stores, reversal)
}

/// [`maya_checkout`] with `keys`.
fn maya_checkout_with(
    host: &Host,
    keys: KeyPair,
    stores: Option<&Stores>,
    reversal: ReversalChoice,
) -> Result<MayaCheckoutClient, String> {
    let environment = match host {
        Host::Sandbox => Environment::Sandbox,
        Host::Url(_) | Host::Default => Environment::Production,
    };
    let mut builder = MayaCheckoutClient::builder(environment, keys).reversal(reversal);
    if let Host::Url(url) = host {
        builder = builder.api_base_url(url.trim_end_matches('/'));
    }
    if let Some(stores) = stores {
        builder = builder.records(stores.records.clone());
    }
    builder.build().map_err(|e| e.to_string())
}

/// The key pair of whichever keys are set; a key of the wrong kind (`sk-` as the public key)
/// is refused here, before any I/O, rather than answered `K004` by Maya.
fn maya_checkout_keys(
    public: Option<SecretString>,
    secret: Option<SecretString>,
) -> Result<KeyPair, String> {
    match (public, secret) {
        (Some(public), Some(secret)) => KeyPair::new(public, secret),
        (Some(public), None) => KeyPair::public_only(public),
        (None, Some(secret)) => KeyPair::secret_only(secret),
        (None, None) => {
            return Err(format!(
                "set {MAYA_CHECKOUT_PUBLIC_KEY} and/or {MAYA_CHECKOUT_SECRET_KEY} (see `paykit pay --help`)"
            ));
        }
    }
    .map_err(|e| e.to_string())
}

/// The Payments API base for `url` and its origin (`scheme://host[:port]`): a bare host (as
/// `paykit sim` announces its `base_url`) gets `/payments/v1` added.
fn bog_payments_api_base(url: &str) -> (String, String) {
    let trimmed = url.trim_end_matches('/');
    let mut parts = trimmed.splitn(4, '/');
    let origin: Vec<&str> = parts.by_ref().take(3).collect();
    let origin = origin.join("/");
    let bare_host = parts.next().is_none_or(str::is_empty);
    if bare_host {
        (
            format!("{trimmed}{}", paykit_bog_payments::API_BASE_PATH),
            origin,
        )
    } else {
        (trimmed.to_owned(), origin)
    }
}

/// Maya's payments for the customer session in the environment.
fn maya(
    base_url: Option<String>,
    derived_token_url: bool,
    tokens: Option<std::sync::Arc<dyn paykit_core::TokenStore>>,
) -> Result<Box<dyn PaymentProvider>, String> {
    let token_url = match (&base_url, std::env::var("PAYKIT_MAYA_TOKEN_URL")) {
        (_, Ok(url)) => url,
        (Some(base), Err(_)) if derived_token_url => {
            format!("{}/oauth/token", base.trim_end_matches('/'))
        }
        (_, Err(_)) => {
            return Err("set PAYKIT_MAYA_TOKEN_URL: Maya hands it over per merchant".into());
        }
    };
    let mut builder = paykit_maya::MayaClient::builder(
        env("PAYKIT_MAYA_CLIENT_ID")?,
        secret("PAYKIT_MAYA_CLIENT_SECRET")?,
    )
    .token_url(token_url)
    .p2m_id(env("PAYKIT_MAYA_P2M_ID")?);
    if let Some(url) = base_url {
        builder = builder.api_base_url(url);
    }
    if let Some(tokens) = tokens {
        builder = builder.token_store(tokens);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let expires_at = env("PAYKIT_MAYA_EXPIRES_AT")?
        .parse::<i64>()
        .map_err(|_| "PAYKIT_MAYA_EXPIRES_AT must be Unix seconds".to_owned())?;
    let tokens = paykit_maya::SessionTokens::new(
        secret("PAYKIT_MAYA_ACCESS_TOKEN")?,
        secret("PAYKIT_MAYA_REFRESH_TOKEN")?,
        expires_at,
    )
    .map_err(|e| e.to_string())?;
    let session = client.session(tokens).map_err(|e| e.to_string())?;
    Ok(Box::new(client.payments(session)))
}

/// iPay's API lives below `/opay/api/v1`; a bare host (as `paykit sim` announces) gets it added.
fn bog_api_root(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    let bare_host = trimmed.splitn(4, '/').nth(3).is_none_or(str::is_empty);
    if bare_host {
        format!("{trimmed}/opay/api/v1")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_hosts_get_the_ipay_api_root() {
        assert_eq!(
            bog_api_root("http://127.0.0.1:9002"),
            "http://127.0.0.1:9002/opay/api/v1"
        );
        assert_eq!(
            bog_api_root("http://127.0.0.1:9002/"),
            "http://127.0.0.1:9002/opay/api/v1"
        );
        assert_eq!(
            bog_api_root("https://ipay.ge/opay/api/v1"),
            "https://ipay.ge/opay/api/v1"
        );
    }

    #[test]
    fn bare_hosts_get_the_payments_api_base_and_keep_their_origin() {
        assert_eq!(
            bog_payments_api_base("http://127.0.0.1:9004/"),
            (
                "http://127.0.0.1:9004/payments/v1".to_owned(),
                "http://127.0.0.1:9004".to_owned()
            )
        );
        assert_eq!(
            bog_payments_api_base("https://api.bog.ge/payments/v1"),
            (
                "https://api.bog.ge/payments/v1".to_owned(),
                "https://api.bog.ge".to_owned()
            )
        );
    }

    #[test]
    fn maya_checkout_takes_either_key_of_the_right_kind_and_never_shows_it() {
        let key = |text: &str| Some(SecretString::from(text.to_owned()));
        assert!(maya_checkout_keys(key("pk-abc123"), key("sk-def456")).is_ok());
        assert!(maya_checkout_keys(key("pk-abc123"), None).is_ok());
        assert!(maya_checkout_keys(None, key("sk-def456")).is_ok());
        let none = maya_checkout_keys(None, None).unwrap_err();
        assert!(none.contains(MAYA_CHECKOUT_PUBLIC_KEY), "{none}");
        let swapped = maya_checkout_keys(key("sk-def456"), None).unwrap_err();
        assert!(!swapped.contains("def456"), "{swapped}");
        let swapped = maya_checkout_keys(None, key("pk-abc123")).unwrap_err();
        assert!(!swapped.contains("abc123"), "{swapped}");
    }

    #[test]
    fn maya_checkout_goes_where_the_host_says() {
        let built = |host: &Host| {
            let keys = maya_checkout_keys(None, Some(SecretString::from("sk-def456"))).unwrap();
            let client = maya_checkout_with(host, keys, None, ReversalChoice::ByCalendar).unwrap();
            format!("{client:?}")
        };
        let sandbox = built(&Host::Sandbox);
        assert!(sandbox.contains("pg-sandbox.paymaya.com"), "{sandbox}");
        assert!(sandbox.contains("Sandbox"), "{sandbox}");
        let production = built(&Host::Default);
        assert!(production.contains("pg.maya.ph"), "{production}");
        let sim = built(&Host::Url("http://127.0.0.1:9/".into()));
        assert!(sim.contains("127.0.0.1:9"), "{sim}");
        for shown in [sandbox, production, sim] {
            assert!(!shown.contains("def456"), "{shown}");
        }
    }

    #[test]
    fn maib_refuses_the_sandbox_and_says_why() {
        let Err(message) = connect_to(Provider::Maib, Host::Sandbox, None) else {
            panic!("maib has no sandbox host");
        };
        assert!(message.contains("no sandbox host"), "{message}");
    }
}
