//! `paykit pay | status | refund`: talk to a real provider (or any base URL, such as a
//! `paykit sim`), with credentials from the environment (see `clients.rs`) and, with
//! `--records`, payment records shared with other invocations (see `stores.rs`).

use std::process::ExitCode;

use paykit_core::describe::{describe_error, describe_outcome};
use paykit_core::{
    CaptureMode, Currency, Customer, Error, Money, PaymentOutcome, PaymentProvider, PaymentRequest,
};

use crate::args::{PayArgs, Provider, RefundArgs, StatusArgs, Target};
use crate::clients;
use crate::output;
use crate::stores::{self, StoreError};

pub(crate) const FAILED: u8 = 1;
pub(crate) const USAGE: u8 = 2;
/// A money-moving call whose outcome is unknown, or that the provider carried out but whose
/// record could not be written: scripts must not read it as a plain failure (and retry) nor as
/// a success.
const UNKNOWN: u8 = 3;

pub(crate) async fn pay(args: PayArgs) -> ExitCode {
    let request = match payment_request(&args) {
        Ok(request) => request,
        Err(message) => return usage(&message),
    };
    let provider = match connect(&args.target).await {
        Ok(provider) => provider,
        Err(exit) => return exit,
    };
    report(provider.create_payment(&request).await)
}

pub(crate) async fn status(args: StatusArgs) -> ExitCode {
    let provider = match connect(&args.target).await {
        Ok(provider) => provider,
        Err(exit) => return exit,
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
    let provider = match connect(&args.target).await {
        Ok(provider) => provider,
        Err(exit) => return exit,
    };
    let Some(refunds) = provider.refund() else {
        output::error(&format!("{} has no refunds", args.target.provider.name()));
        return ExitCode::from(FAILED);
    };
    report(refunds.refund(&args.id, amount).await)
}

pub(crate) fn usage(message: &str) -> ExitCode {
    output::error(message);
    ExitCode::from(USAGE)
}

/// The client `target` names, on the stores `--records` names. Nothing is sent to the provider
/// when this fails: a usage error exits 2, stores that cannot be used exit 1.
async fn connect(target: &Target) -> Result<Box<dyn PaymentProvider>, ExitCode> {
    let stores = match stores::open(&target.store).await {
        Ok(stores) => stores,
        Err(StoreError::Usage(message)) => return Err(usage(&message)),
        Err(StoreError::Unavailable(message)) => {
            output::error(&message);
            output::error("nothing was sent to the provider");
            return Err(ExitCode::from(FAILED));
        }
    };
    clients::connect(target.provider, target.base_url.as_deref(), stores.as_ref())
        .map_err(|message| usage(&message))
}

/// Prints the outcome as JSON on stdout, or the error as JSON on stderr.
fn report(result: paykit_core::Result<PaymentOutcome>) -> ExitCode {
    match result {
        Ok(outcome) => {
            output::json(&describe_outcome(&outcome));
            ExitCode::SUCCESS
        }
        Err(error @ Error::NotRecorded { .. }) => {
            // The provider did it: what it answered goes to stdout like any outcome, so a script
            // has the ids, and the exit code says it must not be repeated.
            if let Error::NotRecorded { outcome, .. } = &error {
                output::json(&describe_outcome(outcome));
            }
            output::error(&error.to_string());
            output::error(&describe_error(&error).to_string());
            ExitCode::from(UNKNOWN)
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

#[cfg(test)]
mod tests {
    use super::*;

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
