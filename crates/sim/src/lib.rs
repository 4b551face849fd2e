//! A stateful local simulator of six payment providers: **maib** (e-commerce API v1),
//! **miaPOS** (Finergy e-commerce protocol), **Bank of Georgia iPay** (online payments API v1),
//! **Maya** (Mini App payments), the **Bank of Georgia Payments API** (iPay's successor,
//! `api.bog.ge/payments/v1`) and **Maya's payment gateway** (Checkout, Vault, Pay with Maya,
//! payment operations and v1-signed webhooks).
//!
//! Each provider gets its own HTTP listener on loopback and answers at the provider's real
//! paths, with its real request validation, error bodies and status codes, written from the
//! provider specifications (not from any client code, so a client bug cannot hide behind the
//! same bug here). State is kept in memory: tokens expire by the simulator clock, payments move
//! through their real statuses, holds are captured or released, refunds are checked against
//! the balance, cards are stored, Maya payments execute once.
//!
//! ```no_run
//! # async fn demo() -> Result<(), paykit_sim::SimError> {
//! let sim = paykit_sim::start(paykit_sim::SimConfig::default()).await?;
//! println!("{}", sim.announcement());
//! // Point clients at sim.maib().base_url, sim.miapos().base_url, ...,
//! // sim.bog_payments().api_base and .token_url
//! sim.advance(std::time::Duration::from_secs(600)); // tokens and payments age
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # The customer step
//!
//! The payment page each provider returns points at the simulator itself: maib's `payUrl`
//! (`/ecomm01/ClientHandler?trans_id=...`), miaPOS's `checkoutPage` (`/checkout?paymentId=...`)
//! iPay's `approve` link (`/?order_id=...&locale=...`) and the Payments API's
//! `_links.redirect.href` (`/?order_id=...`). A plain `GET` of that URL, as a
//! browser would do, completes the payment and returns a small HTML page linking back to the
//! merchant. The outcome is chosen by the amount: cents of `.01` (e.g. `10.01`) decline,
//! anything else is approved. Then the provider's callback goes to the merchant, in the
//! background and exactly as the provider sends it:
//!
//! - maib: JSON `{"result":{...},"signature":"..."}`, signed with the project's signature key
//!   (SHA-256 over the PHP-stringified, key-sorted values, maib.md §6.2-6.3);
//! - miaPOS: JSON `{"result":{...},"signature":"..."}`, RSASSA-PKCS1-v1_5/SHA-256 over the
//!   canonical string (miapos.md §4) with the simulator's key, served at
//!   `GET /ecomm/api/v1/public-key` and in [`MiaposInfo::public_key`];
//! - iPay: an unsigned form POST to the merchant's configured URL ([`BogConfig::callback_url`],
//!   [`Simulator::set_bog_callback_urls`]);
//! - Payments API: JSON `{"event":"order_payment","zoned_request_time":..,"body":<receipt>}`
//!   to the order's `callback_url`, with `Callback-Signature`: RSASSA-PKCS1-v1_5/SHA-256 over
//!   the exact bytes with the simulator's key (its PEM in
//!   [`BogPaymentsInfo::callback_public_key_pem`] and the announcement), resent on
//!   [`BogPaymentsConfig::callback_resend_delays`] while the merchant answers non-2xx. Its
//!   page also takes the sandbox test cards (`&card=4000000000000002` declines, `...0003`
//!   pays but refuses later operations), `&method=` and `&3ds=fail`.
//!
//! Maya's payment gateway ([`Simulator::maya_checkout`], its own listener) serves the
//! customer's pages at the shapes of Maya's redirects: the hosted Checkout
//! (`/v2/checkout?id=...`), Pay with Maya (`/paymaya/payment?id=...`,
//! `/paymaya/link?id=...`) and 3-D Secure (`/3ds/payment?id=...`,
//! `/3ds/card?customer=...&id=...`). A plain `GET` approves (cents of `.01` still decline);
//! `&action=decline` or `&action=cancel` chooses another outcome. Its webhooks go to the URLs
//! registered with `POST /checkout/v1/webhooks`, signed with Maya's "Webhook Signature
//! Version 1" (`X-Maya-Webhook-Signature: nonce=...,v1=...`, `X-Maya-Webhook-Timestamp` in
//! milliseconds) by the simulator's own RSA key, whose public half is
//! [`MayaCheckoutInfo::webhook_public_key_pem`]; failed deliveries are retried 5, 15 and 45
//! minutes later by the simulator clock. Void and refund follow the Manila calendar by the
//! simulator clock: void on the payment's day, refund from the next day for 180 days.
//!
//! Maya's Mini App has no payment page and no callbacks: the outcome is decided at execute.
//! Its customer session (the tokens Maya pushes to the merchant's Session URL) comes from
//! [`Simulator::open_maya_session`].
//!
//! Maya does not publish its OAuth token endpoint; the simulator serves it at
//! `POST /oauth/token` on the Maya listener ([`MayaInfo::token_url`]).
//!
//! # Faults and time
//!
//! [`Faults`] add latency, a rate of provider-shaped 5xx answers (before or after processing;
//! Maya's gateway answers them as HTTP 400 `PY9999`, as Maya does), 429 answers (the Payments
//! API), dropped callbacks, badly signed, duplicated and reordered callbacks (the header-signed
//! ones: the Payments API's and Maya's webhooks), stale timestamps and missing signature
//! headers (Maya's webhooks), and token endpoints that fail their next requests;
//! [`Simulator::set_faults`] switches them at runtime and [`Simulator::fault_counts`] says how
//! many of each were injected per provider.
//!
//! # The ledger
//!
//! [`Simulator::ledger`] is what the providers actually did, per payment: registrations,
//! charges, holds, captures, refunds, voids and executes, with amounts and how often each
//! was performed, including operations whose answer an injected fault replaced. A test or a
//! soak compares what a client reported against it (`paykit-soak` does).
//!
//! # Memory: the retention horizon
//!
//! Settled payments (final, nothing pending on them; each provider module says which of its
//! statuses count) are forgotten [`SimConfig::retention`] after their last change (default
//! [`DEFAULT_RETENTION`], an hour of simulated time), so a long soak does not grow without
//! bound; a query for a forgotten payment answers the provider's "not found".
//! [`SimConfig::keep_everything`] keeps every payment. Expired tokens are forgotten a day
//! after they expire. Expiry and eviction pop a per-provider deadline heap, at most
//! a fixed number per request, so no request walks every payment.
//!
//! The ledger is a test instrument and stays complete by default, so it grows by one record
//! per payment: [`Simulator::ledger_len`] shows how far, and
//! [`SimConfig::with_ledger_following_eviction`] drops a payment's record when it is
//! evicted. [`Simulator::live_payments`] says how many payments the providers hold.
//!
//! # Limits and test secrets
//!
//! Each listener drops a client that has not sent a request's headers within
//! [`SimConfig::header_read_timeout`], and serves at most [`SimConfig::max_connections`]
//! connections at once, closing further ones unanswered. Every default secret starts with
//! [`TEST_SECRET_PREFIX`] (`sim-test-`; Maya's gateway keys carry it after their `pk-`/`sk-`),
//! so it cannot be mistaken for a real credential.
//! [`Simulator::advance`] moves the simulator clock: tokens expire, maib payments time out,
//! miaPOS payments expire (with a callback), iPay orders fail after an hour, Maya payments
//! expire after 15 minutes, Payments API orders are rejected after their `ttl` and blocked
//! amounts after 30 days (with a callback), and pending Payments API refunds and
//! confirmations settle ([`BogPaymentsConfig::settle_delay`]); on Maya's gateway checkouts
//! expire after an hour, Pay with Maya payments after 30 minutes, holds after 6 days, and
//! void and refund windows move.
//!
//! # Control endpoints
//!
//! For programs that run the simulator out of process (`paykit sim`), each listener also
//! answers `GET /_sim/return` (a stand-in merchant return page); maib's listener answers
//! `POST /_sim/callbacks` (the default Project callback URL, a sink), Maya's listener
//! answers `POST /_sim/sessions` with a fresh customer token pair, and the gateway's listener
//! answers `POST /_sim/webhooks` (a sink a demo can register as a webhook URL).
//!
//! Every listener answers `POST /_sim/trigger` with `{"payment": "<id>", "url": "<optional>"}`:
//! the payment's callback for its current state is built and signed as its normal delivery
//! would be, posted once to `url` or the URL on record, and the answer is the attempt's record
//! ([`CallbackRecord::to_json`]), or `{"error": <code>, "message": ..}` with a 4xx naming the
//! problem ([`TriggerError::code`]). [`Simulator::trigger_callback`] is the same call in
//! process. Which states have a callback:
//!
//! - maib: once the customer has been through the payment page (`OK`, `FAILED`, a saved
//!   card's `PENDING`), whatever came after; never `CREATED` or an unpaid `TIMEOUT`, nor an
//!   `execute-recurring`, for which maib sends none. Without a URL on record it goes to the
//!   Project's callback URL (by default the `/_sim/callbacks` sink).
//! - miaPOS: `SUCCESS`, `DECLINED`, `FAILED`, `EXPIRED`; not `CREATED`.
//! - iPay: the Payment Status Change form for `success` and `error` (to the configured status
//!   URL); not `in_progress`. The Payment Amount Return callback is not triggered.
//! - Payments API: every status past `created` and `processing`: the receipt as it is now.
//! - Maya's gateway (by `paymentId` or checkout id): the statuses that fire a webhook
//!   (`PAYMENT_SUCCESS`, `PAYMENT_FAILED`, `PAYMENT_EXPIRED`, `PAYMENT_CANCELLED`,
//!   `AUTHORIZED`, a 3-D Secure failure); of the events it fires, the first with a registered
//!   webhook (the `PAYMENT_*`/`AUTHORIZED` event before the legacy ones), or the first event
//!   when a URL is given.
//! - Maya's Mini App sends no callbacks ([`TriggerError::NoCallbacks`]).
//!
//! The route, like every `/_sim/` route, is exempt from the request faults (latency, 5xx,
//! 429). The callback faults that shape one post apply: dropped, and for header-signed
//! callbacks a bad signature (Maya's also a stale timestamp or missing headers). A trigger is
//! posted exactly once: never duplicated, reordered, resent or retried.

mod bog;
mod bog_payments;
mod calendar;
mod callback;
mod clock;
mod config;
mod ctx;
mod error;
mod faults;
mod form;
mod info;
mod json;
mod ledger;
mod lock;
mod maib;
mod maya;
mod maya_checkout;
mod miapos;
mod outcome;
mod page;
mod random;
mod retention;
mod server;
mod signing;
mod simulator;
mod tokens;
mod trigger;
mod urls;

pub use callback::{CallbackOutcome, CallbackRecord};
pub use config::{
    BogConfig, BogPaymentsConfig, MaibConfig, MayaCheckoutConfig, MayaConfig, MiaposConfig, Ports,
    RefundAnswer, SimConfig, TEST_SECRET_PREFIX,
};
pub use error::SimError;
pub use faults::{FaultCounts, Faults};
pub use info::{
    BogInfo, BogPaymentsInfo, MaibInfo, MayaCheckoutInfo, MayaInfo, MayaSession, MiaposInfo,
};
pub use ledger::{Ledger, LedgerOp, LedgerProvider, OpKind, PaymentLedger, TokenIssue};
pub use retention::{DEFAULT_RETENTION, Retention};
pub use simulator::{Simulator, start};
pub use trigger::TriggerError;
