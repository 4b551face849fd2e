//! `paykit pay | status | refund`: talk to a real provider (or any base URL, such as a
//! `paykit sim`), with credentials from the environment.
//!
//! | provider | variables |
//! |---|---|
//! | maib | `PAYKIT_MAIB_PROJECT_ID`, `PAYKIT_MAIB_PROJECT_SECRET` |
//! | miapos | `PAYKIT_MIAPOS_MERCHANT_ID`, `PAYKIT_MIAPOS_SECRET_KEY`, `PAYKIT_MIAPOS_TERMINAL_ID` |
//! | bog | `PAYKIT_BOG_CLIENT_ID`, `PAYKIT_BOG_SECRET_KEY` |
//! | maya | `PAYKIT_MAYA_CLIENT_ID`, `PAYKIT_MAYA_CLIENT_SECRET`, `PAYKIT_MAYA_P2M_ID`, `PAYKIT_MAYA_TOKEN_URL` (defaults to `<base-url>/oauth/token` with `--base-url`), and the customer session `PAYKIT_MAYA_ACCESS_TOKEN`, `PAYKIT_MAYA_REFRESH_TOKEN`, `PAYKIT_MAYA_EXPIRES_AT` |

use std::process::ExitCode;

use paykit_core::describe::{describe_error, describe_outcome};
use paykit_core::{
    CaptureMode, Currency, Customer, Money, PaymentOutcome, PaymentProvider, PaymentRequest,
    SecretString,
};

use crate::args::{PayArgs, Provider, RefundArgs, StatusArgs, Target};
use crate::output;

const FAILED: u8 = 1;
const USAGE: u8 = 2;
/// A money-moving call whose outcome is unknown: scripts must not read it as a plain failure
/// (and retry) nor as a success.
const UNKNOWN: u8 = 3;

pub(crate) async fn pay(args: PayArgs) -> ExitCode {
    let request = match payment_request(&args) {
        Ok(request) => request,
        Err(message) => return usage(&message),
    };
    let provider = match connect(&args.target) {
        Ok(provider) => provider,
        Err(message) => return usage(&message),
    };
    report(provider.create_payment(&request).await)
}

pub(crate) async fn status(args: StatusArgs) -> ExitCode {
    let provider = match connect(&args.target) {
        Ok(provider) => provider,
        Err(message) => return usage(&message),
    };
    report(provider.get_payment(&args.id).await)
}

pub(crate) async fn refund(args: RefundArgs) -> ExitCode {
    let amount = match &args.amount {
        Some(amount) => match money(amount, args.currency.as_deref(), args.target.provider) {
            Ok(money) => Some(money),
            Err(message) => return usage(&message),
        },
        None => None,
    };
    let provider = match connect(&args.target) {
        Ok(provider) => provider,
        Err(message) => return usage(&message),
    };
    let Some(refunds) = provider.refund() else {
        output::error(&format!("{} has no refunds", args.target.provider.name()));
        return ExitCode::from(FAILED);
    };
    report(refunds.refund(&args.id, amount).await)
}

fn usage(message: &str) -> ExitCode {
    output::error(message);
    ExitCode::from(USAGE)
}

/// Prints the outcome as JSON on stdout, or the error as JSON on stderr.
fn report(result: paykit_core::Result<PaymentOutcome>) -> ExitCode {
    match result {
        Ok(outcome) => {
            output::json(&describe_outcome(&outcome));
            ExitCode::SUCCESS
        }
        Err(error) => {
            output::error(&error.to_string());
            output::error(&describe_error(&error).to_string());
            if error.outcome_unknown() {
                output::error(
                    "the outcome is unknown: check the payment's status before trying again",
                );
                return ExitCode::from(UNKNOWN);
            }
            ExitCode::from(FAILED)
        }
    }
}

fn home_currency(provider: Provider) -> Currency {
    match provider {
        Provider::Maib | Provider::Miapos => Currency::MDL,
        Provider::Bog => Currency::GEL,
        Provider::Maya => Currency::PHP,
    }
}

fn money(amount: &str, currency: Option<&str>, provider: Provider) -> Result<Money, String> {
    let currency = match currency {
        Some(code) => code.parse::<Currency>().map_err(|e| e.to_string())?,
        None => home_currency(provider),
    };
    Money::parse(amount, currency).map_err(|e| e.to_string())
}

fn payment_request(args: &PayArgs) -> Result<PaymentRequest, String> {
    let amount = money(&args.amount, args.currency.as_deref(), args.target.provider)?;
    let mut request = PaymentRequest::new(amount).capture(if args.manual_capture {
        CaptureMode::Manual
    } else {
        CaptureMode::Automatic
    });
    if let Some(order_id) = &args.order_id {
        request = request.order_id(order_id.clone());
    }
    if let Some(description) = &args.description {
        request = request.description(description.clone());
    }
    if let Some(url) = &args.return_url {
        request = request.return_url(url.clone());
    }
    if let Some(url) = &args.callback_url {
        request = request.callback_url(url.clone());
    }
    if let Some(ip) = args.client_ip {
        request = request.customer(Customer::default().ip(ip));
    }
    Ok(request)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name} (see `paykit pay --help`)"))
}

fn secret(name: &str) -> Result<SecretString, String> {
    env(name).map(SecretString::from)
}

/// A client for `target` with credentials from the environment.
fn connect(target: &Target) -> Result<Box<dyn PaymentProvider>, String> {
    let base_url = target.base_url.clone();
    let provider: Box<dyn PaymentProvider> = match target.provider {
        Provider::Maib => {
            let mut builder = paykit_maib::MaibClient::builder(
                env("PAYKIT_MAIB_PROJECT_ID")?,
                secret("PAYKIT_MAIB_PROJECT_SECRET")?,
            );
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            Box::new(builder.build().map_err(|e| e.to_string())?)
        }
        Provider::Miapos => {
            let url = base_url.unwrap_or_else(|| paykit_miapos::SANDBOX_BASE_URL.to_owned());
            let client = paykit_miapos::MiaPos::builder(
                url,
                env("PAYKIT_MIAPOS_MERCHANT_ID")?,
                secret("PAYKIT_MIAPOS_SECRET_KEY")?,
            )
            .terminal_id(env("PAYKIT_MIAPOS_TERMINAL_ID")?)
            .build()
            .map_err(|e| e.to_string())?;
            Box::new(client)
        }
        Provider::Bog => {
            let mut builder = paykit_bog::BogClient::builder(
                env("PAYKIT_BOG_CLIENT_ID")?,
                secret("PAYKIT_BOG_SECRET_KEY")?,
            );
            if let Some(url) = base_url {
                builder = builder.base_url(bog_api_root(&url));
            }
            Box::new(builder.build().map_err(|e| e.to_string())?)
        }
        Provider::Maya => {
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
            Box::new(client.payments(session))
        }
    };
    Ok(provider)
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
    fn amounts_default_to_the_home_currency() {
        assert_eq!(
            money("1", None, Provider::Bog).unwrap().currency(),
            Currency::GEL
        );
        assert_eq!(
            money("1", Some("eur"), Provider::Maib).unwrap().currency(),
            Currency::EUR
        );
        assert!(money("1.001", None, Provider::Maib).is_err());
    }
}
