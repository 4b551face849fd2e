//! `paykit pay | status | refund`: talk to a real provider (or any base URL, such as a
//! `paykit sim`), with credentials from the environment (see `clients.rs`) and, with
//! `--records`, payment records shared with other invocations (see `stores.rs`).

use std::process::ExitCode;

use paykit_core::describe::{describe_error, describe_outcome};
use paykit_core::{
    CaptureMode, Currency, Customer, Error, Money, PaymentOutcome, PaymentProvider, PaymentRequest,
};
use paykit_maya_checkout::{MayaCheckoutClient, ReversalChoice};

use crate::args::{IdempotencyArgs, PayArgs, Provider, RefundArgs, Reversal, StatusArgs, Target};
use crate::bog_payments;
use crate::clients::{self, Host};
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
    if args.target.provider == Provider::BogPayments {
        if request.callback_url.is_none() {
            return usage(
                "bog-payments needs --callback-url: BOG posts every order's result to an https URL",
            );
        }
        let key = match bog_payments::key(&args.idempotency) {
            Ok(key) => key,
            Err(message) => return usage(&message),
        };
        return match connect_bog_payments(&args.target).await {
            Ok(client) => bog_payments::pay(&client, &request, &key).await,
            Err(exit) => exit,
        };
    }
    if let Err(exit) = no_key_for(args.target.provider, &args.idempotency) {
        return exit;
    }
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
    if args.target.provider == Provider::BogPayments {
        let key = match bog_payments::key(&args.idempotency) {
            Ok(key) => key,
            Err(message) => return usage(&message),
        };
        return match connect_bog_payments(&args.target).await {
            Ok(client) => {
                let repeat = args.idempotency.idempotency_key.is_some();
                bog_payments::refund(&client, &args.id, amount, &key, repeat).await
            }
            Err(exit) => exit,
        };
    }
    if let Err(exit) = no_key_for(args.target.provider, &args.idempotency) {
        return exit;
    }
    if args.target.provider == Provider::MayaCheckout {
        let choice = match args.reversal {
            None | Some(Reversal::Calendar) => ReversalChoice::ByCalendar,
            Some(Reversal::Void) => ReversalChoice::Void,
            Some(Reversal::Refund) => ReversalChoice::Refund,
        };
        return match connect_maya_checkout(&args.target, choice).await {
            Ok(client) => report(paykit_core::Refund::refund(&client, &args.id, amount).await),
            Err(exit) => exit,
        };
    }
    if args.reversal.is_some() {
        return usage(&format!(
            "--reversal is for maya-checkout; {} chooses no reversal",
            args.target.provider.name()
        ));
    }
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

/// Only the Payments API takes an `Idempotency-Key`: anywhere else it would be silently unused.
fn no_key_for(provider: Provider, args: &IdempotencyArgs) -> Result<(), ExitCode> {
    match &args.idempotency_key {
        Some(_) => Err(usage(&format!(
            "--idempotency-key is for bog-payments; {} takes no idempotency key",
            provider.name()
        ))),
        None => Ok(()),
    }
}

fn host(target: &Target) -> Host {
    Host::of(target.provider, target.base_url.as_deref(), target.sandbox)
}

/// The stores `--records` names: a usage error exits 2, stores that cannot be used exit 1.
async fn open_stores(target: &Target) -> Result<Option<stores::Stores>, ExitCode> {
    match stores::open(&target.store).await {
        Ok(stores) => Ok(stores),
        Err(StoreError::Usage(message)) => Err(usage(&message)),
        Err(StoreError::Unavailable(message)) => {
            output::error(&message);
            output::error("nothing was sent to the provider");
            Err(ExitCode::from(FAILED))
        }
    }
}

/// The client `target` names, on the stores `--records` names. Nothing is sent to the provider
/// when this fails: a usage error exits 2, stores that cannot be used exit 1.
async fn connect(target: &Target) -> Result<Box<dyn PaymentProvider>, ExitCode> {
    let stores = open_stores(target).await?;
    clients::connect_to(target.provider, host(target), stores.as_ref())
        .map_err(|message| usage(&message))
}

/// [`connect`] for the Payments API, as its own type (its native calls take the key).
async fn connect_bog_payments(
    target: &Target,
) -> Result<paykit_bog_payments::BogPaymentsClient, ExitCode> {
    let stores = open_stores(target).await?;
    clients::bog_payments(&host(target), stores.as_ref()).map_err(|message| usage(&message))
}

/// [`connect`] for Maya's gateway, reversing as `choice` says (`--reversal`).
async fn connect_maya_checkout(
    target: &Target,
    choice: ReversalChoice,
) -> Result<MayaCheckoutClient, ExitCode> {
    let stores = open_stores(target).await?;
    clients::maya_checkout(&host(target), stores.as_ref(), choice)
        .map_err(|message| usage(&message))
}

/// Prints the outcome as JSON on stdout, or the error as JSON on stderr.
fn report(result: paykit_core::Result<PaymentOutcome>) -> ExitCode {
    match result {
        Ok(outcome) => {
            output::json(&describe_outcome(&outcome));
            ExitCode::SUCCESS
        }
        Err(error) => report_error(&error, None),
    }
}

/// Prints `error` on stderr and picks the exit code; with the operation's `key` (bog-payments),
/// says how to repeat it safely.
pub(crate) fn report_error(
    error: &Error,
    key: Option<&paykit_bog_payments::IdempotencyKey>,
) -> ExitCode {
    let code = report_failure(error, key.is_none());
    if let Some(key) = key {
        output::error(&format!("idempotency key: {key}"));
        output::error(&format!(
            "to repeat this operation, run the same command with --idempotency-key {key}: BOG \
             answers what it did the first time (a new key could do it twice); or check the \
             payment's status"
        ));
    }
    code
}

/// The error on stderr; the exit code says whether the provider may have acted.
/// `reconcile_hint`: an unknown outcome says to check the payment first (an operation with an
/// idempotency key says how to repeat it instead).
fn report_failure(error: &Error, reconcile_hint: bool) -> ExitCode {
    if let Error::NotRecorded { outcome, .. } = error {
        // The provider did it: what it answered goes to stdout like any outcome, so a script
        // has the ids, and the exit code says it must not be repeated.
        output::json(&describe_outcome(outcome));
        output::error(&error.to_string());
        output::error(&describe_error(error).to_string());
        return ExitCode::from(UNKNOWN);
    }
    output::error(&error.to_string());
    output::error(&describe_error(error).to_string());
    if error.outcome_unknown() {
        if reconcile_hint {
            output::error("the outcome is unknown: check the payment's status before trying again");
        }
        return ExitCode::from(UNKNOWN);
    }
    ExitCode::from(FAILED)
}

fn home_currency(provider: Provider) -> Currency {
    match provider {
        Provider::Maib | Provider::Miapos => Currency::MDL,
        Provider::Bog | Provider::BogPayments => Currency::GEL,
        Provider::Maya | Provider::MayaCheckout => Currency::PHP,
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
