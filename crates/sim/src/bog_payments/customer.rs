//! The customer step and the callbacks (bog-payments.md §6.6, §7).
//!
//! The hosted page is `GET /?order_id=...`, as `payment.bog.ge/?order_id=...`. Opening it
//! pays the order at once, the way a browser completing BOG's page would. The outcome
//! follows the sandbox test cards (§1.3), chosen with `card=` (default `4000000000000001`):
//! a number ending in `0002` is declined for insufficient funds (107); one ending in `0003`
//! pays, but later refunds, confirmations and automatic charges on it are rejected. The
//! amount's cents `.01` decline too (107), like every provider of the simulator, and `3ds=fail`
//! declines at the 3-D Secure step (108). `method=` picks the payment method among those the
//! order offers (default: card). Orders paid with a saved card use the parent's card.

use rust_decimal::Decimal;

use super::BogPayments;
use super::state::{Method, Order, Payment, Status};
use super::wire::{Envelope, Receipt, java, zoned};
use crate::callback::{Prepared, SignedCallback};
use crate::form;
use crate::ledger::OpKind;
use crate::lock::lock;
use crate::outcome;
use crate::page::Page;
use crate::random;
use crate::server::{SimRequest, SimResponse};
use crate::trigger::TriggerError;

/// The default test card: always approved.
pub(crate) const DEFAULT_CARD: &str = "4000000000000001";

/// The header the signature travels in.
const SIGNATURE_HEADER: &str = "Callback-Signature";

/// Why a payment attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decline {
    InsufficientFunds,
    Authentication,
}

impl Decline {
    fn code(self) -> (&'static str, &'static str) {
        match self {
            Self::InsufficientFunds => (
                "107",
                "Payment declined due to insufficient funds in the account",
            ),
            Self::Authentication => ("108", "Authentication declined"),
        }
    }
}

/// `400000xxxxxx0001` from a card number.
fn masked(number: &str) -> String {
    let head = number.get(..6).unwrap_or_default();
    let tail = number
        .get(number.len().saturating_sub(4)..)
        .unwrap_or_default();
    format!("{head}xxxxxx{tail}")
}

fn card_type(number: &str) -> &'static str {
    match number.as_bytes().first() {
        Some(b'5' | b'2') => "mc",
        Some(b'3') => "amex",
        _ => "visa",
    }
}

/// The payment record for `method` (with `card` for card-based methods).
fn payment(method: Method, card: Option<&str>, code: (&'static str, &'static str)) -> Payment {
    let card = card.filter(|_| method.is_card_based());
    let payer_identifier = match (method, card) {
        (_, Some(number)) => masked(number),
        (Method::BogP2p | Method::BogLoyalty, None) => "TEST BUYER".to_owned(),
        _ => "T".to_owned(),
    };
    Payment {
        method,
        code: code.0,
        code_description: code.1,
        transaction_id: random::digits(12),
        payer_identifier,
        card_number: card.map(str::to_owned),
        card_type: card.map(card_type),
        card_expiry: card.map(|_| "12/30"),
        auth_code: Some(random::hex_id(3).to_uppercase()),
    }
}

/// Settles a `created` order as paid with `method` (and `card`), or declined: the
/// amount is charged (automatic capture) or blocked (manual), the ledger records it, and a
/// requested card save takes effect.
pub(crate) fn settle(
    payments: &BogPayments,
    order: &mut Order,
    method: Method,
    card: Option<&str>,
    decline: Option<Decline>,
    now_ms: u64,
) {
    let decline = decline
        .or_else(|| outcome::declined(order.request_amount).then_some(Decline::InsufficientFunds));
    if let Some(decline) = decline {
        let code = decline.code();
        order.payment = Some(payment(method, card, code));
        order.status = Status::Rejected;
        order.reject_reason = Some(code.1.to_owned());
        payments.ledger(&order.order_id, OpKind::Decline, order.request_amount);
        return;
    }
    let code = if order.manual {
        ("200", "Successful preauthorization")
    } else {
        ("100", "Successful payment")
    };
    order.payment = Some(payment(method, card, code));
    order.paid_ms = Some(now_ms);
    order.transfer_amount = Some(order.request_amount);
    order.status = if order.manual {
        Status::Blocked
    } else {
        Status::Completed
    };
    order.saved = order.save_requested;
    let kind = if order.manual {
        OpKind::Hold
    } else {
        OpKind::Charge
    };
    payments.ledger(&order.order_id, kind, order.request_amount);
}

/// What the page's query asks for.
struct Choice {
    method: Method,
    card: String,
    decline: Option<Decline>,
}

fn choice(order: &Order, req: &SimRequest) -> Result<Choice, String> {
    let query = req.query_pairs();
    let method = match form::get(&query, "method") {
        Some(name) => Method::parse(name).ok_or_else(|| format!("Unknown method {name}"))?,
        None => order.methods.first().copied().unwrap_or(Method::Card),
    };
    // Google Pay and Apple Pay on the page keep card entry available (§6.2).
    let offered = order.methods.is_empty()
        || order.methods.contains(&method)
        || (method == Method::Card
            && order
                .methods
                .iter()
                .any(|m| matches!(m, Method::GooglePay | Method::ApplePay)));
    if !offered {
        return Err(format!("The order does not offer {}", method.key()));
    }
    let card = form::get(&query, "card").unwrap_or(DEFAULT_CARD).to_owned();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return Err("A card number has 12 to 19 digits".to_owned());
    }
    let decline = if form::get(&query, "3ds") == Some("fail") {
        Some(Decline::Authentication)
    } else if method.is_card_based() && card.ends_with("0002") {
        Some(Decline::InsufficientFunds)
    } else {
        None
    };
    Ok(Choice {
        method,
        card,
        decline,
    })
}

fn render(
    payments: &BogPayments,
    status: u16,
    heading: &str,
    order: Option<&Order>,
) -> SimResponse {
    let rows = order.map_or_else(Vec::new, |o| {
        vec![
            ("Order", o.order_id.clone()),
            (
                "Amount",
                format!("{} {}", java(o.request_amount), o.currency),
            ),
            ("Status", o.status.key().to_owned()),
        ]
    });
    let link = order.map(|o| {
        let back = if o.status == Status::Rejected {
            o.redirect_fail.clone()
        } else {
            o.redirect_success.clone()
        };
        back.unwrap_or_else(|| {
            format!(
                "{}/_sim/return?order_id={}",
                payments.ctx.base_url, o.order_id
            )
        })
    });
    let page = Page {
        provider: "Bank of Georgia",
        heading,
        rows,
        link,
    };
    SimResponse::html(status, page.render())
}

/// `GET /?order_id=...`: pays (or declines) a `created` order; shows any other as it is.
pub(crate) fn page(payments: &BogPayments, req: &SimRequest) -> SimResponse {
    let query = req.query_pairs();
    let order_id = form::get(&query, "order_id").unwrap_or_default().to_owned();
    let now = payments.now();
    let mut state = lock(&payments.state);
    let parent_card = state
        .orders
        .get(&order_id)
        .and_then(|o| o.parent_order_id.clone())
        .and_then(|p| {
            state
                .orders
                .get(&p)
                .and_then(|p| p.card_number().map(str::to_owned))
        });
    let Some(order) = state.orders.get_mut(&order_id, now) else {
        drop(state);
        return render(payments, 404, "Unknown order", None);
    };
    if order.status != Status::Created {
        let order = order.clone();
        drop(state);
        return render(payments, 200, heading(order.status), Some(&order));
    }
    if order.apple_pay_external {
        let order = order.clone();
        drop(state);
        return render(
            payments,
            400,
            "This order is paid with Apple Pay on the shop's page",
            Some(&order),
        );
    }
    let mut chosen = match choice(order, req) {
        Ok(c) => c,
        Err(message) => {
            let order = order.clone();
            drop(state);
            return render(payments, 400, &message, Some(&order));
        }
    };
    if let Some(card) = parent_card {
        // Paid with the card saved on the parent: no card entry (§5.4).
        chosen.card = card;
        chosen.method = Method::Card;
        chosen.decline = chosen.decline.filter(|d| *d == Decline::Authentication);
    }
    settle(
        payments,
        order,
        chosen.method,
        Some(&chosen.card),
        chosen.decline,
        now,
    );
    let order = order.clone();
    drop(state);
    send_callback(payments, &order);
    render(payments, 200, heading(order.status), Some(&order))
}

fn heading(status: Status) -> &'static str {
    match status {
        Status::Completed => "Payment successful",
        Status::Blocked => "Amount blocked",
        Status::Rejected => "Payment failed",
        Status::Created | Status::Processing => "Payment in progress",
        _ => "Payment processed",
    }
}

/// The exact callback bytes for `order` as of `now_ms`.
pub(crate) fn callback_body(order: &Order, now_ms: u64) -> Option<String> {
    let envelope = Envelope {
        event: "order_payment",
        zoned_request_time: zoned(now_ms),
        body: Receipt::of(order, &order.owner),
    };
    serde_json::to_string(&envelope).ok()
}

/// `order`'s callback as of now, signed, to its `callback_url`, with the resend schedule.
fn signed_callback(payments: &BogPayments, order: &Order) -> Option<SignedCallback> {
    let body = callback_body(order, payments.now())?;
    let Some(signature) = payments.signer.sign(body.as_bytes()) else {
        tracing::warn!("paykit-sim: Payments API callback could not be signed");
        return None;
    };
    Some(SignedCallback {
        provider: payments_name(),
        url: order.callback_url.clone(),
        body,
        signature_header: SIGNATURE_HEADER,
        signature,
        resend_delays: payments.config.callback_resend_delays.clone(),
    })
}

/// Signs and sends `order`'s callback to its `callback_url`.
pub(crate) fn send_callback(payments: &BogPayments, order: &Order) {
    if let Some(callback) = signed_callback(payments, order) {
        payments.ctx.dispatcher.send_signed(callback);
    }
}

/// The callback `order_id` has now, for a trigger: every status past `created` and
/// `processing` has one (the receipt as it stands). Every order has a `callback_url`.
pub(crate) fn prepare(
    payments: &BogPayments,
    order_id: &str,
    url: Option<String>,
) -> Result<Prepared, TriggerError> {
    let name = payments_name();
    let Some(order) = lock(&payments.state).orders.get(order_id).cloned() else {
        return Err(TriggerError::unknown(name, order_id));
    };
    if matches!(order.status, Status::Created | Status::Processing) {
        return Err(TriggerError::not_yet(
            name,
            order_id,
            order.status.key(),
            "the Payments API calls back once the order is paid, blocked, rejected or changed",
        ));
    }
    let mut callback = signed_callback(payments, &order)
        .ok_or_else(|| TriggerError::unbuildable(name, order_id))?;
    if let Some(url) = url {
        callback.url = url;
    }
    Ok(Prepared::Signed(callback))
}

fn payments_name() -> &'static str {
    crate::ledger::LedgerProvider::BogPayments.name()
}

/// The amount still held or charged, for checks against a requested amount.
pub(crate) fn transferred(order: &Order) -> Decimal {
    order.transfer_amount.unwrap_or(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    use super::*;
    use crate::bog_payments::state::{Action, Buyer, Item, PaymentOption};

    fn vector_body(case: &str) -> String {
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../testdata/bog-payments-vectors.json")).unwrap();
        let b64 = v["tv_p3_callbacks"]["cases"][case]["body_base64"]
            .as_str()
            .unwrap();
        String::from_utf8(STANDARD.decode(b64).unwrap()).unwrap()
    }

    fn item(id: &str, name: &str, quantity: i64, price: Decimal) -> Item {
        Item {
            product_id: id.into(),
            description: Some(name.into()),
            quantity: Decimal::new(quantity, 0),
            unit_price: price,
            unit_discount_price: None,
            vat: None,
            vat_percent: None,
            total_price: None,
            image: None,
            package_code: None,
            tin: None,
            pinfl: None,
            product_discount_id: None,
        }
    }

    /// The TV-P3 `completed_card` order, as the simulator would hold it.
    fn completed_card() -> Order {
        Order {
            order_id: "0b8e2f4a-6c1d-4e3f-9a2b-7c5d1e0f3a4b".into(),
            owner: "10001".into(),
            external_order_id: Some("A-20250314-0007".into()),
            manual: false,
            currency: "GEL",
            request_amount: Decimal::new(30, 0),
            transfer_amount: Some(Decimal::new(30, 0)),
            refund_amount: Decimal::ZERO,
            items: vec![
                item("SKU-1001", "Blue mug", 2, Decimal::new(125, 1)),
                item("SHIP", "Delivery", 1, Decimal::new(5, 0)),
            ],
            buyer: Some(Buyer {
                full_name: Some("Test Buyer".into()),
                email: Some("buyer@example.ge".into()),
                phone_number: Some("+995555000000".into()),
            }),
            redirect_success: Some("https://shop.example.ge/pay/ok".into()),
            redirect_fail: Some("https://shop.example.ge/pay/fail".into()),
            callback_url: "https://shop.example.ge/bog/callback".into(),
            lang: "ka",
            methods: Vec::new(),
            account_tag: None,
            created_ms: 1_000,
            expires_ms: 2_000,
            status: Status::Completed,
            reject_reason: None,
            payment: Some(Payment {
                method: Method::Card,
                code: "100",
                code_description: "Successful payment",
                transaction_id: "507312345678".into(),
                payer_identifier: "548888xxxxxx9893".into(),
                card_number: None,
                card_type: Some("mc"),
                card_expiry: Some("12/27"),
                auth_code: Some("A1B2C3".into()),
            }),
            paid_ms: Some(1_500),
            option: PaymentOption::DirectDebit,
            parent_order_id: None,
            save_requested: None,
            saved: None,
            apple_pay_external: false,
            actions: Vec::new(),
            pending: None,
        }
    }

    /// The simulator keeps milliseconds; the vectors have microseconds. Swap the times.
    fn with_times(body: String, times: &[(u64, &str)]) -> String {
        times
            .iter()
            .fold(body, |b, (ms, text)| b.replace(&zoned(*ms), text))
    }

    #[test]
    fn callback_bodies_are_byte_for_byte_the_tv_p3_shape() {
        let order = completed_card();
        let body = callback_body(&order, 3_000).unwrap();
        let times = [
            (1_000, "2025-03-14T09:25:10.123456Z"),
            (2_000, "2025-03-14T09:40:10.123456Z"),
            (3_000, "2025-03-14T09:26:53.589793Z"),
        ];
        assert_eq!(with_times(body, &times), vector_body("completed_card"));

        let mut refunded = completed_card();
        refunded.status = Status::RefundedPartially;
        refunded.transfer_amount = Some(Decimal::new(20, 0));
        refunded.refund_amount = Decimal::new(10, 0);
        refunded.actions.push(Action {
            action_id: "5b666901-eb05-4f83-abeb-8311e175f337".into(),
            action: "partial_refund",
            status: "completed",
            at_ms: 4_000,
            amount: Decimal::new(1000, 2),
            code: None,
            code_description: None,
        });
        let body = callback_body(&refunded, 5_000).unwrap();
        let times = [
            (1_000, "2025-03-14T09:25:10.123456Z"),
            (2_000, "2025-03-14T09:40:10.123456Z"),
            (4_000, "2025-03-15T11:02:05.918220Z"),
            (5_000, "2025-03-15T11:02:07.000412Z"),
        ];
        assert_eq!(with_times(body, &times), vector_body("refunded_partially"));
    }

    #[test]
    fn cards_are_masked_and_typed() {
        assert_eq!(masked("4000000000000001"), "400000xxxxxx0001");
        assert_eq!(masked("12"), "xxxxxx12");
        assert_eq!(card_type("5300000000000001"), "mc");
        assert_eq!(card_type("370000000000001"), "amex");
        assert_eq!(card_type("4000000000000001"), "visa");
    }
}
