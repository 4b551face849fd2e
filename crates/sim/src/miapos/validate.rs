//! Validation of `/pay` and `/request-to-pay/direct` bodies (miapos.md §3.3-3.4), answered in
//! miaPOS's observed `Field '...' with value '...' failed validation` wording.

use rust_decimal::Decimal;

use super::errors;
use super::state::PaymentType;
use crate::json::{Field, Object};
use crate::server::SimResponse;
use crate::urls::is_url;

/// A validated payment request.
#[derive(Debug)]
pub(crate) struct NewPayment {
    pub(crate) terminal_id: String,
    pub(crate) order_id: String,
    pub(crate) amount: Decimal,
    pub(crate) currency: String,
    pub(crate) payment_type: PaymentType,
    pub(crate) callback_url: Option<String>,
    pub(crate) success_url: Option<String>,
    pub(crate) fail_url: Option<String>,
}

fn text(body: &Object<'_>, name: &str) -> Result<Option<String>, SimResponse> {
    body.str(name)
        .map_err(|_| errors::field(name, &raw_text(body, name), "must be a string"))
}

fn required_text(body: &Object<'_>, name: &str) -> Result<String, SimResponse> {
    match text(body, name)? {
        Some(v) if !v.trim().is_empty() => Ok(v),
        Some(v) => Err(errors::field(
            name,
            &v,
            &format!("{name} must not be blank"),
        )),
        None => Err(errors::required(name)),
    }
}

fn raw_text(body: &Object<'_>, name: &str) -> String {
    body.raw(name)
        .map(|r| r.get().to_owned())
        .unwrap_or_else(|| "null".into())
}

fn url(body: &Object<'_>, name: &str) -> Result<Option<String>, SimResponse> {
    match text(body, name)? {
        Some(u) if !is_url(&u) => Err(errors::field(name, &u, "must be a valid URL")),
        other => Ok(other),
    }
}

/// Validates a `/pay` body (`rtp_direct = false`) or a `/request-to-pay/direct` body.
pub(crate) fn payment(body: &Object<'_>, rtp_direct: bool) -> Result<NewPayment, SimResponse> {
    let terminal_id = required_text(body, "terminalId")?;
    let order_id = required_text(body, "orderId")?;
    let amount = match body.decimal("amount") {
        Ok(Some(a)) => a,
        Ok(None) => return Err(errors::required("amount")),
        Err(Field::WrongType | Field::OutOfRange) => {
            return Err(errors::field(
                "amount",
                &raw_text(body, "amount"),
                "must be a number",
            ));
        }
    };
    let amount_text = raw_text(body, "amount");
    if amount <= Decimal::ZERO {
        return Err(errors::field(
            "amount",
            &amount_text,
            "must be greater than 0",
        ));
    }
    if amount.normalize().scale() > 2 {
        return Err(errors::field(
            "amount",
            &amount_text,
            "must have at most 2 decimal places",
        ));
    }
    let currency = required_text(body, "currency")?;
    required_text(body, "payDescription")?;
    if let Some(lang) = text(body, "language")? {
        if !matches!(lang.as_str(), "ro" | "ru" | "en") {
            return Err(errors::field(
                "language",
                &lang,
                "must be one of [ro, ru, en]",
            ));
        }
    }
    let payment_type = if rtp_direct {
        PaymentType::Rtp
    } else {
        match text(body, "paymentType")?.as_deref() {
            None | Some("qr") => PaymentType::Qr,
            Some("rtp") => PaymentType::Rtp,
            Some(other) => {
                return Err(errors::field(
                    "paymentType",
                    other,
                    "must be one of [qr, rtp]",
                ));
            }
        }
    };
    if rtp_direct {
        required_text(body, "clientName")?;
    } else {
        text(body, "clientName")?;
    }
    if payment_type == PaymentType::Rtp {
        let phone = required_text(body, "clientPhone")?;
        if !(phone.len() == 8 && phone.bytes().all(|b| b.is_ascii_digit())) {
            return Err(errors::field(
                "clientPhone",
                &phone,
                "must be an 8-digit national phone number",
            ));
        }
    } else {
        text(body, "clientPhone")?;
    }
    text(body, "clientEmail")?;
    let callback_url = url(body, "callbackUrl")?;
    let (success_url, fail_url) = if rtp_direct {
        (None, None)
    } else {
        (url(body, "successUrl")?, url(body, "failUrl")?)
    };
    for flag in ["directRedirect", "fastRedirect"] {
        if body.bool(flag).is_err() {
            return Err(errors::field(
                flag,
                &raw_text(body, flag),
                "must be a boolean",
            ));
        }
    }
    Ok(NewPayment {
        terminal_id,
        order_id,
        amount,
        currency,
        payment_type,
        callback_url,
        success_url,
        fail_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(body: &str, rtp_direct: bool) -> Result<NewPayment, String> {
        let obj = Object::parse(body.as_bytes()).unwrap();
        payment(&obj, rtp_direct).map_err(|res| String::from_utf8(res.body.to_vec()).unwrap())
    }

    const OK: &str = r#"{"terminalId":"TE0001","orderId":"WEB-1","amount":249.90,"currency":"MDL","payDescription":"Order","language":"ro","paymentType":"qr","callbackUrl":"https://shop.example.md/cb","directRedirect":true}"#;

    #[test]
    fn accepts_the_spec_example() {
        let p = check(OK, false).unwrap();
        assert_eq!(p.amount, Decimal::new(24990, 2));
        assert_eq!(p.payment_type, PaymentType::Qr);
    }

    #[test]
    fn reports_fields_like_miapos() {
        let err = check(&OK.replace(r#""terminalId":"TE0001","#, ""), false).unwrap_err();
        assert!(err.contains("Field 'terminalId' with value 'null' failed validation, reason - terminalId is required."));
        let err = check(&OK.replace("249.90", "0"), false).unwrap_err();
        assert!(err.contains(
            "Field 'amount' with value '0' failed validation, reason - must be greater than 0."
        ));
        for (from, to) in [
            ("249.90", "\"249.90\""),
            ("249.90", "1.001"),
            (r#""ro""#, r#""de""#),
            (r#""qr""#, r#""card""#),
            ("https://shop.example.md/cb", "not a url"),
            (r#""directRedirect":true"#, r#""directRedirect":"yes""#),
            (r#","payDescription":"Order""#, ""),
        ] {
            assert!(check(&OK.replace(from, to), false).is_err(), "{to}");
        }
    }

    #[test]
    fn rtp_needs_a_phone() {
        let rtp = OK.replace(r#""qr""#, r#""rtp""#);
        assert!(
            check(&rtp, false)
                .unwrap_err()
                .contains("clientPhone is required")
        );
        let with_phone = rtp.replace('}', r#","clientPhone":"69123456"}"#);
        assert_eq!(
            check(&with_phone, false).unwrap().payment_type,
            PaymentType::Rtp
        );
        let direct = r#"{"terminalId":"RTP0001","orderId":"INV-77","amount":75.00,"currency":"MDL","payDescription":"x","clientName":"Maria","clientPhone":"69123456"}"#;
        assert!(check(direct, true).is_ok());
        assert!(check(&direct.replace(r#""clientName":"Maria","#, ""), true).is_err());
    }
}
