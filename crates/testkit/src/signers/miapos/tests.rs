//! miaPOS signer against the notes' vectors, using the key files in `fixtures/miapos/keys/`.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::*;
use crate::fixture::read_key;

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
    negative: Vec<Negative>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    callback_body: String,
    sign_string: String,
    signature_base64: String,
}

#[derive(Deserialize)]
struct Negative {
    name: String,
    string_verified: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(include_str!("vectors.json")).unwrap()
}

fn signer() -> Signer {
    Signer::from_pkcs8_pem(&read_key("miapos", "keys/private_key.pem").unwrap()).unwrap()
}

fn verify(text: &str, signature_base64: &str) -> bool {
    let spki = STANDARD
        .decode(read_key("miapos", "keys/public_key.b64").unwrap())
        .unwrap();
    let signature = STANDARD.decode(signature_base64).unwrap();
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki)
        .verify(text.as_bytes(), &signature)
        .is_ok()
}

#[test]
fn canonical_strings_match_the_vectors() {
    for vector in vectors().vectors {
        let envelope = Envelope::parse(vector.callback_body.as_bytes()).unwrap();
        assert_eq!(
            canonical_string(&envelope.result).unwrap(),
            vector.sign_string,
            "{}",
            vector.name
        );
    }
}

#[test]
fn signatures_match_the_vectors() {
    let signer = signer();
    for vector in vectors().vectors {
        assert_eq!(
            signer.sign_text(&vector.sign_string).unwrap(),
            vector.signature_base64,
            "{}",
            vector.name
        );
        assert!(
            signer
                .stored_signature_matches(vector.callback_body.as_bytes())
                .unwrap(),
            "{}",
            vector.name
        );
        assert!(
            verify(&vector.sign_string, &vector.signature_base64),
            "{}",
            vector.name
        );
    }
}

#[test]
fn negative_vectors_do_not_verify() {
    let data = vectors();
    let signatures: Vec<&str> = data
        .vectors
        .iter()
        .map(|v| v.signature_base64.as_str())
        .collect();
    for negative in &data.negative {
        for signature in &signatures {
            assert!(
                !verify(&negative.string_verified, signature),
                "{}",
                negative.name
            );
        }
    }
}

#[test]
fn rebuilt_bodies_keep_the_result_text() {
    let result = r#"{"status":"SUCCESS","amount":1775.00,"orderId":"108","swiftMessageId":null}"#;
    let body = signer().signed_body(result).unwrap();
    assert!(body.starts_with(r#"{"result":{"status":"SUCCESS","amount":1775.00,"#));
    assert!(signer().stored_signature_matches(body.as_bytes()).unwrap());
    let tampered = body.replace("1775.00", "1775.01");
    assert!(
        !signer()
            .stored_signature_matches(tampered.as_bytes())
            .unwrap()
    );
}

#[test]
fn unsupported_values_are_refused() {
    let result = Exact::parse(r#"{"amount":1,"flag":true}"#).unwrap();
    assert!(matches!(
        canonical_string(&result),
        Err(SignError::Value { .. })
    ));
    assert!(canonical_string(&Exact::parse("[1]").unwrap()).is_err());
    assert!(
        Signer::from_pkcs8_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .is_err()
    );
}
