//! iPay callbacks as received: form-encoded (the refund notice also as JSON), **unverified**.
//!
//! BOG posts two kinds of notification to the URLs it registered for the merchant:
//! "Payment Status Change" (has a `status` field) and "Payment Amount Return", the refund
//! notice (no `status` field). This module only reads them; [`crate::BogWebhook`] decides what
//! they are worth. Nothing here is believed: a callback is unsigned, so every field of it is
//! only a claim.

use paykit_core::json_literal::JsonLiteral;
use paykit_core::{Error, Result, SignatureError, WebhookRequest};

use crate::model::PaymentHash;

/// Largest callback body read by default ([`paykit_core::MAX_CALLBACK_BYTES`]); iPay's are a
/// few hundred bytes. [`crate::BogWebhook::max_body_bytes`] sets another limit.
pub const MAX_CALLBACK_BYTES: usize = paykit_core::MAX_CALLBACK_BYTES;

/// Which notification a callback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotificationKind {
    /// "Payment Status Change": carries `status`.
    StatusChange,
    /// "Payment Amount Return": a refund happened; no `status` field.
    AmountReturn,
}

/// A callback's fields as received. **Unverified**: use it for logging or offline inspection
/// only; [`crate::BogWebhook`] is what decides whether it is authentic.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Notification {
    /// Status change or refund notice.
    pub kind: NotificationKind,
    /// `order_id`.
    pub order_id: String,
    /// `payment_hash`.
    pub payment_hash: PaymentHash,
    /// `status` (status changes only).
    pub status: Option<String>,
    /// `shop_order_id`.
    pub shop_order_id: Option<String>,
    /// `ipay_payment_id`.
    pub ipay_payment_id: Option<String>,
    /// `status_description`.
    pub status_description: Option<String>,
    /// `payment_method`.
    pub payment_method: Option<String>,
    /// `card_type`.
    pub card_type: Option<String>,
    /// `pan` (masked).
    pub pan: Option<String>,
    /// `transaction_id`.
    pub transaction_id: Option<String>,
    /// `pre_auth_status`.
    pub pre_auth_status: Option<String>,
    /// Every other field, in received order (e.g. `capture_method`, a refund `amount`).
    pub other: Vec<(String, String)>,
}

impl Notification {
    /// Reads a callback body: form-encoded, or a JSON object when `content_type` says JSON or
    /// the body starts with `{`. Never panics; anything unusable, a body over
    /// [`MAX_CALLBACK_BYTES`] included, is [`SignatureError::BadBody`].
    pub fn parse(content_type: Option<&str>, body: &[u8]) -> Result<Notification> {
        let body = WebhookRequest::body_only(body).bounded_body(MAX_CALLBACK_BYTES)?;
        Notification::parse_within_limit(content_type, body)
    }

    /// [`Notification::parse`] of a body its caller has already held to a limit.
    pub(crate) fn parse_within_limit(
        content_type: Option<&str>,
        body: &[u8],
    ) -> Result<Notification> {
        let trimmed = body.trim_ascii();
        if trimmed.is_empty() {
            return Err(bad_body("empty body".into()));
        }
        let json = content_type.is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
            || trimmed.starts_with(b"{");
        let pairs = if json {
            json_pairs(trimmed)?
        } else {
            url::form_urlencoded::parse(trimmed)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        };
        Notification::from_pairs(pairs)
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Result<Notification> {
        let mut fields = Fields::default();
        for (key, value) in pairs {
            fields.put(key, value)?;
        }
        let order_id = fields
            .order_id
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| bad_body("no order_id".into()))?;
        let payment_hash = fields
            .payment_hash
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| bad_body("no payment_hash".into()))?;
        let kind = if fields.status.is_some() {
            NotificationKind::StatusChange
        } else {
            NotificationKind::AmountReturn
        };
        Ok(Notification {
            kind,
            order_id,
            payment_hash: PaymentHash::new(payment_hash),
            status: fields.status,
            shop_order_id: fields.shop_order_id,
            ipay_payment_id: fields.ipay_payment_id,
            status_description: fields.status_description,
            payment_method: fields.payment_method,
            card_type: fields.card_type,
            pan: fields.pan,
            transaction_id: fields.transaction_id,
            pre_auth_status: fields.pre_auth_status,
            other: fields.other,
        })
    }

    /// A refund amount, if the notice carries one (undocumented; read when present, for logs:
    /// it is an unverified claim).
    pub fn refund_amount(&self) -> Option<&str> {
        self.other
            .iter()
            .find(|(k, _)| k == "amount" || k == "refund_amount")
            .map(|(_, v)| v.as_str())
    }
}

/// Fields being collected; a known field given twice makes the body ambiguous.
#[derive(Default)]
struct Fields {
    order_id: Option<String>,
    payment_hash: Option<String>,
    status: Option<String>,
    shop_order_id: Option<String>,
    ipay_payment_id: Option<String>,
    status_description: Option<String>,
    payment_method: Option<String>,
    card_type: Option<String>,
    pan: Option<String>,
    transaction_id: Option<String>,
    pre_auth_status: Option<String>,
    other: Vec<(String, String)>,
}

impl Fields {
    fn put(&mut self, key: String, value: String) -> Result<()> {
        let slot = match key.as_str() {
            "order_id" => &mut self.order_id,
            "payment_hash" => &mut self.payment_hash,
            "status" => &mut self.status,
            "shop_order_id" => &mut self.shop_order_id,
            "ipay_payment_id" => &mut self.ipay_payment_id,
            "status_description" => &mut self.status_description,
            "payment_method" => &mut self.payment_method,
            "card_type" => &mut self.card_type,
            "pan" => &mut self.pan,
            "transaction_id" => &mut self.transaction_id,
            "pre_auth_status" => &mut self.pre_auth_status,
            _ => {
                self.other.push((key, value));
                return Ok(());
            }
        };
        if slot.is_some() {
            return Err(bad_body(format!("{key} given more than once")));
        }
        *slot = Some(value);
        Ok(())
    }
}

/// The scalar members of a JSON object, as text (numbers verbatim; `null` left out).
fn json_pairs(body: &[u8]) -> Result<Vec<(String, String)>> {
    let JsonLiteral::Object(entries) =
        JsonLiteral::parse(body).map_err(|e| bad_body(format!("not JSON: {e}")))?
    else {
        return Err(bad_body("not a JSON object".into()));
    };
    let mut pairs = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let text = match value {
            JsonLiteral::String(text) | JsonLiteral::Number(text) => text,
            JsonLiteral::Bool(flag) => flag.to_string(),
            JsonLiteral::Null => continue,
            JsonLiteral::Array(_) | JsonLiteral::Object(_) => {
                return Err(bad_body(format!("{key} is not a plain value")));
            }
        };
        pairs.push((key, text));
    }
    Ok(pairs)
}

fn bad_body(reason: String) -> Error {
    Error::Signature(SignatureError::BadBody(reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TV-3 of the spec.
    const TV3: &str = "status=success&order_id=899318b1ce0d5885cb7405fe86e3930178ff90be&payment_hash=d7936f718c2b0ec2517a28c9de76966bcbecfe29&ipay_payment_id=18625&status_description=PERFORMED&shop_order_id=shop-10042&payment_method=GC_CARD&card_type=VISA&pan=411111%2A%2A%2A%2A%2A%2A1111&transaction_id=6F1A2B3C4D5E6F70819";

    #[test]
    fn the_status_change_vector_parses() {
        let n =
            Notification::parse(Some("application/x-www-form-urlencoded"), TV3.as_bytes()).unwrap();
        assert_eq!(n.kind, NotificationKind::StatusChange);
        assert_eq!(n.status.as_deref(), Some("success"));
        assert_eq!(n.order_id, "899318b1ce0d5885cb7405fe86e3930178ff90be");
        assert_eq!(
            n.payment_hash.expose_secret(),
            "d7936f718c2b0ec2517a28c9de76966bcbecfe29"
        );
        assert_eq!(n.ipay_payment_id.as_deref(), Some("18625"));
        assert_eq!(n.status_description.as_deref(), Some("PERFORMED"));
        assert_eq!(n.shop_order_id.as_deref(), Some("shop-10042"));
        assert_eq!(n.payment_method.as_deref(), Some("GC_CARD"));
        assert_eq!(n.card_type.as_deref(), Some("VISA"));
        assert_eq!(n.pan.as_deref(), Some("411111******1111"));
        assert_eq!(n.transaction_id.as_deref(), Some("6F1A2B3C4D5E6F70819"));
        assert!(n.other.is_empty());
    }

    #[test]
    fn a_notice_without_status_is_a_refund() {
        let body = "order_id=o1&payment_hash=h1&ipay_payment_id=7&status_description=REFUNDED&shop_order_id=s&payment_method=GC_CARD&card_type=MC";
        let n = Notification::parse(None, body.as_bytes()).unwrap();
        assert_eq!(n.kind, NotificationKind::AmountReturn);
        let json = r#"{"order_id":"o1","payment_hash":"h1","ipay_payment_id":7,"amount":5.10,"shop_order_id":null}"#;
        let n = Notification::parse(Some("application/json"), json.as_bytes()).unwrap();
        assert_eq!(n.kind, NotificationKind::AmountReturn);
        assert_eq!(n.ipay_payment_id.as_deref(), Some("7"));
        assert_eq!(n.refund_amount(), Some("5.10"));
        assert_eq!(n.shop_order_id, None);
    }

    #[test]
    fn unusable_bodies_are_bad_bodies_not_panics() {
        let long = vec![b'a'; MAX_CALLBACK_BYTES + 1];
        let cases: [&[u8]; 9] = [
            b"",
            b"   ",
            b"status=success&payment_hash=h",
            b"status=success&order_id=o",
            b"order_id=o&payment_hash=",
            b"order_id=o&order_id=p&payment_hash=h",
            b"{\"order_id\":[1],\"payment_hash\":\"h\"}",
            b"{\"order_id\":",
            &long,
        ];
        for body in cases {
            let err = Notification::parse(None, body).unwrap_err();
            assert!(
                matches!(err, Error::Signature(SignatureError::BadBody(_))),
                "{err:?}"
            );
        }
        // Arbitrary bytes decode lossily.
        let n = Notification::parse(None, b"order_id=\xff%ff&payment_hash=%00\x80").unwrap();
        assert!(!n.order_id.is_empty());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic generator: no extra dependency, same inputs every run.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let alphabet = b"=&%{}\":,order_idpayment_hashstatus0123456789abcdef\x00\xff+ ";
        for _ in 0..5_000 {
            let len = usize::try_from(next() % 200).unwrap();
            let body: Vec<u8> = (0..len)
                .map(|_| {
                    let pick = usize::try_from(next()).unwrap() % (alphabet.len() + 1);
                    alphabet
                        .get(pick)
                        .copied()
                        .unwrap_or_else(|| u8::try_from(next() % 256).unwrap())
                })
                .collect();
            let _ = Notification::parse(None, &body);
            let _ = Notification::parse(Some("application/json"), &body);
        }
    }

    #[test]
    fn debug_output_hides_the_hash() {
        let n = Notification::parse(None, TV3.as_bytes()).unwrap();
        assert!(!format!("{n:?}").contains("d7936f718c2b"));
    }
}
