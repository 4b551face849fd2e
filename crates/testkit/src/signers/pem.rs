//! Minimal PEM decoding for test keys.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::SignError;

/// The DER bytes of a PEM block labelled `label` (e.g. `PRIVATE KEY`).
pub fn pem_to_der(pem: &str, label: &str) -> Result<Vec<u8>, SignError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let text = pem.trim();
    let inner = text
        .strip_prefix(begin.as_str())
        .and_then(|rest| rest.strip_suffix(end.as_str()))
        .ok_or_else(|| SignError::Key(format!("not a PEM block labelled {label}")))?;
    let base64: String = inner.split_whitespace().collect();
    STANDARD
        .decode(base64)
        .map_err(|e| SignError::Key(format!("PEM body is not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_block() {
        let pem = "-----BEGIN TEST-----\nAAEC\nAw==\n-----END TEST-----\n";
        assert_eq!(pem_to_der(pem, "TEST").unwrap(), [0, 1, 2, 3]);
    }

    #[test]
    fn rejects_other_labels_and_bad_base64() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nAAEC\n-----END RSA PRIVATE KEY-----";
        assert!(pem_to_der(pem, "PRIVATE KEY").is_err());
        assert!(pem_to_der("-----BEGIN X-----\n!!\n-----END X-----", "X").is_err());
    }
}
