//! `paykit webhook sign`: a callback signed with a test key, as the provider would send it,
//! through `paykit-testkit`'s signers (written from the protocol notes, independently of the
//! provider crates, so a bug in a client cannot hide behind the same bug here).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use paykit_core::{ExposeSecret, SecretString};
use paykit_testkit::signers::{bog_payments, maib, miapos};

use crate::args::{Provider, SignArgs};
use crate::output;
use crate::webhook::read_body;

const USAGE: u8 = 2;

pub(crate) fn run(args: &SignArgs) -> ExitCode {
    match signed(args) {
        Ok(text) => {
            // Written as is: the Payments API's body must come out byte for byte as signed
            // (no newline added after it).
            let mut out = std::io::stdout().lock();
            if let Err(error) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                output::error(&format!("cannot write stdout: {error}"));
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            output::error(&message);
            ExitCode::from(USAGE)
        }
    }
}

/// What is printed: a signed body, or (header-signed providers) the header line, an empty
/// line and the body.
fn signed(args: &SignArgs) -> Result<String, String> {
    // Checked before anything is read, so that a provider without signatures says so first.
    let signer = signer_for(args.provider)?;
    let key = read_key(&args.key_file)?;
    let input = read_body(args.file.as_deref())?;
    let text = String::from_utf8(input).map_err(|_| "the input is not UTF-8 text".to_owned())?;
    signer(&text, key.expose_secret()).map_err(|e| format!("cannot sign: {e}"))
}

type SignFn = fn(&str, &str) -> Result<String, paykit_testkit::signers::SignError>;

/// The signing routine of `provider`, or why it has none.
fn signer_for(provider: Provider) -> Result<SignFn, String> {
    match provider {
        Provider::Maib => Ok(sign_maib),
        Provider::Miapos => Ok(sign_miapos),
        Provider::BogPayments => Ok(sign_bog_payments),
        // Maya Checkout (header-signed, `paykit_testkit::signers::maya_checkout`) gets its
        // arm here once the CLI knows that provider.
        Provider::Bog => {
            Err("iPay callbacks are unsigned: they are confirmed by querying the API".into())
        }
        Provider::Maya => Err("Maya Mini App payments send no callbacks".into()),
    }
}

/// maib: the `result` object (kept verbatim) under the project's signature key.
fn sign_maib(result: &str, key: &str) -> Result<String, paykit_testkit::signers::SignError> {
    maib::signed_body(result, key.trim()).map(|body| body + "\n")
}

/// miaPOS: the `result` object (kept verbatim) under an RSA PKCS#8 key.
fn sign_miapos(result: &str, pem: &str) -> Result<String, paykit_testkit::signers::SignError> {
    miapos::Signer::from_pkcs8_pem(pem)?
        .signed_body(result)
        .map(|body| body + "\n")
}

/// The Payments API: the whole body, unchanged; the signature goes in a header.
fn sign_bog_payments(body: &str, pem: &str) -> Result<String, paykit_testkit::signers::SignError> {
    let signature = bog_payments::Signer::from_pkcs8_pem(pem)?.signature(body.as_bytes())?;
    Ok(format!(
        "{}: {signature}\n\n{body}",
        bog_payments::SIGNATURE_HEADER
    ))
}

/// The key file's text, kept secret (a maib signature key may be a real project's); its
/// contents never appear in a message.
fn read_key(path: &Path) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
    if text.trim().is_empty() {
        return Err(format!("the key file {} is empty", path.display()));
    }
    Ok(SecretString::from(text))
}
