//! Provider clients for the live commands, with credentials from the environment.
//!
//! | provider | variables |
//! |---|---|
//! | maib | `PAYKIT_MAIB_PROJECT_ID`, `PAYKIT_MAIB_PROJECT_SECRET` |
//! | miapos | `PAYKIT_MIAPOS_MERCHANT_ID`, `PAYKIT_MIAPOS_SECRET_KEY`, `PAYKIT_MIAPOS_TERMINAL_ID` |
//! | bog | `PAYKIT_BOG_CLIENT_ID`, `PAYKIT_BOG_SECRET_KEY` |
//! | maya | `PAYKIT_MAYA_CLIENT_ID`, `PAYKIT_MAYA_CLIENT_SECRET`, `PAYKIT_MAYA_P2M_ID`, `PAYKIT_MAYA_TOKEN_URL` (defaults to `<base-url>/oauth/token` with a base URL), and the customer session `PAYKIT_MAYA_ACCESS_TOKEN`, `PAYKIT_MAYA_REFRESH_TOKEN`, `PAYKIT_MAYA_EXPIRES_AT` |
//!
//! Each provider's base URL is `--base-url`, else `PAYKIT_<PROVIDER>_BASE_URL`, else its
//! production URL (miaPOS: its sandbox, as before).

use paykit_core::{PaymentProvider, SecretString};

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
fn base_url(provider: Provider, explicit: Option<&str>) -> Option<String> {
    explicit.map(str::to_owned).or_else(|| {
        let name = format!("PAYKIT_{}_BASE_URL", provider.name().to_ascii_uppercase());
        std::env::var(name).ok().filter(|url| !url.is_empty())
    })
}

/// A client for `provider`, with credentials from the environment, keeping its payment
/// records (and, where the store has them, its access tokens) in `stores` when given.
///
/// Only maib and iPay write payment records (they need them to report true states); every
/// client shares its merchant token through the token store.
pub(crate) fn connect(
    provider: Provider,
    explicit_base_url: Option<&str>,
    stores: Option<&Stores>,
) -> Result<Box<dyn PaymentProvider>, String> {
    let base_url = base_url(provider, explicit_base_url);
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
        Provider::Maya => maya(base_url, tokens)?,
    };
    Ok(client)
}

/// Maya's payments for the customer session in the environment.
fn maya(
    base_url: Option<String>,
    tokens: Option<std::sync::Arc<dyn paykit_core::TokenStore>>,
) -> Result<Box<dyn PaymentProvider>, String> {
    let token_url = match (&base_url, std::env::var("PAYKIT_MAYA_TOKEN_URL")) {
        (_, Ok(url)) => url,
        (Some(base), Err(_)) => format!("{}/oauth/token", base.trim_end_matches('/')),
        (None, Err(_)) => {
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
}
