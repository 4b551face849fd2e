//! `paykit webhook sign`: a callback signed with a test key, as the provider would send it,
//! through `paykit-testkit`'s signers (written from the protocol notes, independently of the
//! provider crates, so a bug in a client cannot hide behind the same bug here).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use paykit_core::{ExposeSecret, SecretString};
use paykit_testkit::signers::{bog_payments, maib, maya_checkout, miapos};

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

/// What is printed: a signed body, or (header-signed providers) the header lines, an empty
/// line and the body.
fn signed(args: &SignArgs) -> Result<String, String> {
    // Checked before anything is read, so that a provider without signatures says so first.
    let signing = match signer_for(args.provider)? {
        Signing::Body(signer) => {
            if args.nonce.is_some() || args.timestamp_ms.is_some() {
                return Err(format!(
                    "--nonce and --timestamp-ms are for maya-checkout, not {}",
                    args.provider.name()
                ));
            }
            Signing::Body(signer)
        }
        Signing::Maya(_) => Signing::Maya(MayaDelivery::of(args)?),
    };
    let key = read_key(&args.key_file)?;
    let input = read_body(args.file.as_deref())?;
    let text = String::from_utf8(input).map_err(|_| "the input is not UTF-8 text".to_owned())?;
    match signing {
        Signing::Body(signer) => signer(&text, key.expose_secret()),
        Signing::Maya(delivery) => delivery.sign(&text, key.expose_secret()),
    }
    .map_err(|e| format!("cannot sign: {e}"))
}

/// How a provider's callbacks are signed.
enum Signing<M> {
    /// A routine of the body and the key alone.
    Body(SignFn),
    /// Maya's gateway: also a nonce and a send time ([`MayaDelivery`] once read).
    Maya(M),
}

/// A Maya delivery's nonce and send time: `--nonce` (checked) or a fresh one, and
/// `--timestamp-ms` or now.
struct MayaDelivery {
    nonce: String,
    timestamp_ms: u64,
}

impl MayaDelivery {
    fn of(args: &SignArgs) -> Result<Self, String> {
        let nonce = match &args.nonce {
            Some(nonce) => checked_nonce(nonce)?,
            None => fresh_nonce()?,
        };
        let timestamp_ms = match args.timestamp_ms {
            Some(ms) => ms,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|since| u64::try_from(since.as_millis()).ok())
                .ok_or("the system clock is before 1970; pass --timestamp-ms")?,
        };
        Ok(MayaDelivery {
            nonce,
            timestamp_ms,
        })
    }

    /// Maya's gateway: the whole body, unchanged; signature and timestamp go in headers.
    fn sign(&self, body: &str, pem: &str) -> Result<String, paykit_testkit::signers::SignError> {
        let signer = maya_checkout::Signer::from_pkcs8_pem(pem)?;
        let v1 = signer.v1(body.as_bytes(), &self.nonce)?;
        Ok(format!(
            "{}: nonce={},v1={v1}\n{}: {}\n\n{body}",
            maya_checkout::SIGNATURE_HEADER,
            self.nonce,
            maya_checkout::TIMESTAMP_HEADER,
            self.timestamp_ms
        ))
    }
}

/// The most hex digits a `--nonce` may have (Maya's are far shorter; this only bounds input).
const MAX_NONCE_DIGITS: usize = 256;

/// `--nonce`: hex digits only, as Maya sends them (and a comma would break the header).
fn checked_nonce(nonce: &str) -> Result<String, String> {
    let nonce = nonce.trim();
    if nonce.is_empty()
        || nonce.len() > MAX_NONCE_DIGITS
        || !nonce.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(format!(
            "--nonce must be 1 to {MAX_NONCE_DIGITS} hex digits"
        ));
    }
    Ok(nonce.to_owned())
}

/// 16 random bytes as 32 lowercase hex digits.
fn fresh_nonce() -> Result<String, String> {
    let mut bytes = [0_u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "no randomness for a nonce".to_owned())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

type SignFn = fn(&str, &str) -> Result<String, paykit_testkit::signers::SignError>;

/// The signing routine of `provider`, or why it has none.
fn signer_for(provider: Provider) -> Result<Signing<()>, String> {
    match provider {
        Provider::Maib => Ok(Signing::Body(sign_maib)),
        Provider::Miapos => Ok(Signing::Body(sign_miapos)),
        Provider::BogPayments => Ok(Signing::Body(sign_bog_payments)),
        Provider::MayaCheckout => Ok(Signing::Maya(())),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_hex_and_fresh_ones_differ() {
        assert_eq!(checked_nonce(" 0a1B ").unwrap(), "0a1B");
        for bad in ["", "xyz", "ab,v1=00", "a b"] {
            assert!(checked_nonce(bad).is_err(), "{bad:?}");
        }
        assert!(checked_nonce(&"a".repeat(MAX_NONCE_DIGITS + 1)).is_err());
        let (a, b) = (fresh_nonce().unwrap(), fresh_nonce().unwrap());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
