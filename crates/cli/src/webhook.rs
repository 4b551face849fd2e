//! `paykit webhook verify`: check a signed callback body (and, for the Payments API and Maya's
//! gateway, its signature headers) offline.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use paykit_bog_payments::{BogPaymentsClient, Environment};
use paykit_core::describe::describe_event;
use paykit_core::{SecretString, Webhook, WebhookRequest};
use paykit_maib::{MaibWebhook, PaymentFlow};
use paykit_maya_checkout::{MayaCheckoutWebhook, WebhookConfig, WebhookKeys};
use paykit_miapos::MiaPosWebhook;

use crate::args::{MaibFlow, Provider, VerifyArgs};
use crate::output;

const NOT_AUTHENTIC: u8 = 1;
const USAGE: u8 = 2;

pub(crate) async fn verify(args: VerifyArgs) -> ExitCode {
    let hook = match verifier(&args) {
        Ok(hook) => hook,
        Err(message) => {
            output::error(&message);
            return ExitCode::from(USAGE);
        }
    };
    let headers = match headers(&args.headers) {
        Ok(headers) => headers,
        Err(message) => {
            output::error(&message);
            return ExitCode::from(USAGE);
        }
    };
    let body = match read_body(args.file.as_deref()) {
        Ok(body) => body,
        Err(message) => {
            output::error(&message);
            return ExitCode::from(USAGE);
        }
    };
    match hook.verify(&WebhookRequest::new(&headers, &body)).await {
        Ok(event) => {
            output::json(&describe_event(&event));
            ExitCode::SUCCESS
        }
        Err(error) => {
            output::error(&format!("not authentic: {error}"));
            ExitCode::from(NOT_AUTHENTIC)
        }
    }
}

/// The environment variable that may hold maib's signature key.
const SIGNATURE_KEY_ENV: &str = "PAYKIT_MAIB_SIGNATURE_KEY";

/// maib's signature key, from `--signature-key-file` or the environment (never from argv).
fn signature_key(args: &VerifyArgs) -> Result<SecretString, String> {
    if let Some(path) = &args.signature_key_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return Ok(SecretString::from(text.trim().to_owned()));
    }
    match std::env::var(SIGNATURE_KEY_ENV) {
        Ok(key) if !key.trim().is_empty() => Ok(SecretString::from(key.trim().to_owned())),
        _ => Err(format!(
            "maib needs its signature key: --signature-key-file PATH or {SIGNATURE_KEY_ENV}"
        )),
    }
}

/// `--header 'Name: value'` options as a header map.
fn headers(options: &[String]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for option in options {
        let (name, value) = option
            .split_once(':')
            .ok_or_else(|| format!("--header {option:?} is not 'Name: value'"))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| format!("--header {option:?}: not a header name"))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| format!("--header {option:?}: not a header value"))?;
        map.append(name, value);
    }
    Ok(map)
}

/// The options only the header-signed providers take, refused for the others.
fn no_header_signed_options(args: &VerifyArgs) -> Result<(), String> {
    if args.public_key_file.is_some() || args.sandbox {
        return Err(format!(
            "--public-key-file and --sandbox are for bog-payments and maya-checkout, not {}",
            args.provider.name()
        ));
    }
    Ok(())
}

/// Maya's gateway: `--public-key-file` alone (e.g. the simulator's announced key), else Maya's
/// two published keys for production (or, with `--sandbox`, the sandbox). The timestamp
/// window is checked against `--now-ms` or the system clock. Offline: the event is authentic
/// but not confirmed; re-fetch the payment (`paykit status`) before fulfilling.
fn maya_checkout_verifier(args: &VerifyArgs) -> Result<Box<dyn Webhook>, String> {
    if args.flow.is_some() || args.signature_key_file.is_some() || args.public_key.is_some() {
        return Err(
            "maya-checkout webhooks are checked with --public-key-file PATH (or Maya's \
             published keys, --sandbox for the sandbox's); --flow, --signature-key-file and \
             --public-key are for maib and miapos"
                .into(),
        );
    }
    let keys = match &args.public_key_file {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", display(path)))?;
            WebhookKeys::new().with_pem("configured", &pem)
        }
        None if args.sandbox => WebhookKeys::maya(paykit_maya_checkout::Environment::Sandbox),
        None => WebhookKeys::maya(paykit_maya_checkout::Environment::Production),
    }
    .map_err(|e| format!("unusable public key: {e}"))?;
    let mut hook = MayaCheckoutWebhook::new(WebhookConfig::new(keys));
    if let Some(now_ms) = args.now_ms {
        let now = UNIX_EPOCH
            .checked_add(Duration::from_millis(now_ms))
            .ok_or("--now-ms is out of range")?;
        hook = hook.clock(Arc::new(move || now));
    }
    Ok(Box::new(hook))
}

/// The Payments API's verifier: `--public-key-file` alone, else BOG's published key for
/// production (or, with `--sandbox`, the sandbox). Offline, so any order is accepted: there
/// are no payment records to check its amount against.
fn bog_payments_verifier(args: &VerifyArgs) -> Result<Box<dyn Webhook>, String> {
    if args.flow.is_some() || args.signature_key_file.is_some() || args.public_key.is_some() {
        return Err(
            "bog-payments callbacks are checked with --public-key-file PATH (or BOG's \
             published key, --sandbox for the sandbox's); --flow, --signature-key-file and \
             --public-key are for maib and miapos"
                .into(),
        );
    }
    // The credentials are never used: verifying sends nothing.
    let mut builder = BogPaymentsClient::builder("offline", SecretString::from("offline"));
    if args.sandbox {
        builder = builder.environment(Environment::Sandbox);
    }
    if let Some(path) = &args.public_key_file {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", display(path)))?;
        builder = builder.callback_key(pem).only_configured_callback_keys();
    }
    let client = builder
        .build()
        .map_err(|e| format!("unusable public key: {e}"))?;
    Ok(Box::new(client.webhook().accept_unrecorded_orders()))
}

/// The verifier for the chosen provider, or a usage error.
fn verifier(args: &VerifyArgs) -> Result<Box<dyn Webhook>, String> {
    if !matches!(
        args.provider,
        Provider::BogPayments | Provider::MayaCheckout
    ) {
        no_header_signed_options(args)?;
    }
    if args.now_ms.is_some() && args.provider != Provider::MayaCheckout {
        return Err(format!(
            "--now-ms is for maya-checkout (its signed timestamp), not {}",
            args.provider.name()
        ));
    }
    match args.provider {
        Provider::BogPayments => bog_payments_verifier(args),
        Provider::MayaCheckout => maya_checkout_verifier(args),
        Provider::Maib => {
            if args.public_key.is_some() {
                return Err(
                    "--public-key is for miapos; maib callbacks are checked with \
                     --signature-key-file or PAYKIT_MAIB_SIGNATURE_KEY"
                        .into(),
                );
            }
            let key = signature_key(args)?;
            let mut hook =
                MaibWebhook::new(key).map_err(|e| format!("unusable signature key: {e}"))?;
            if let Some(flow) = args.flow {
                hook = hook.assume_flow(match flow {
                    MaibFlow::Direct => PaymentFlow::Direct,
                    MaibFlow::Hold => PaymentFlow::Hold,
                    MaibFlow::SaveCard => PaymentFlow::SaveCard,
                });
            }
            Ok(Box::new(hook))
        }
        Provider::Miapos => {
            if args.flow.is_some() {
                return Err("--flow is for maib: miaPOS callbacks say what they are".into());
            }
            if args.signature_key_file.is_some() {
                return Err(
                    "--signature-key-file is for maib; miaPOS callbacks are checked with \
                     --public-key"
                        .into(),
                );
            }
            let key = args
                .public_key
                .as_deref()
                .ok_or("miapos needs --public-key BASE64_SPKI_DER")?;
            let hook = MiaPosWebhook::from_spki_base64(key)
                .map_err(|e| format!("unusable public key: {e}"))?;
            Ok(Box::new(hook))
        }
        Provider::Bog => Err(
            "iPay callbacks are unsigned: they are confirmed by querying the API, not offline"
                .into(),
        ),
        Provider::Maya => Err("Maya Mini App payments send no callbacks".into()),
    }
}

/// The body from `file`, or stdin for `None` and `-`.
pub(crate) fn read_body(file: Option<&Path>) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    match file {
        None => read_stdin(&mut body)?,
        Some(path) if path == Path::new("-") => read_stdin(&mut body)?,
        Some(path) => {
            body =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", display(path)))?;
        }
    }
    Ok(body)
}

fn read_stdin(body: &mut Vec<u8>) -> Result<(), String> {
    std::io::stdin()
        .lock()
        .read_to_end(body)
        .map(|_| ())
        .map_err(|e| format!("cannot read stdin: {e}"))
}

fn display(path: &Path) -> String {
    PathBuf::from(path).display().to_string()
}
