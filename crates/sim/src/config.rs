//! How to start the simulator: where it listens, the test credentials it accepts, the
//! merchant-side settings each provider keeps per merchant, and the initial faults.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::faults::Faults;
use crate::retention::Retention;
use crate::server::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS};

/// The prefix of every default secret of the simulator.
pub const TEST_SECRET_PREFIX: &str = "sim-test-";

/// Configuration for [`crate::start`]. `SimConfig::default()` listens on 127.0.0.1 on six
/// ephemeral ports with fixed test credentials and no faults.
///
/// Every default secret starts with [`TEST_SECRET_PREFIX`] (Maya's gateway keys right after
/// the `pk-`/`sk-` prefix their kind requires), so a simulator credential that leaks into a
/// configuration or a log cannot be mistaken for a real one, and a real one never looks like
/// a simulator default.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SimConfig {
    /// Address every listener binds (default 127.0.0.1).
    pub host: IpAddr,
    /// Port per provider (0 = ephemeral).
    pub ports: Ports,
    /// Faults active from the start (change them later with
    /// [`crate::Simulator::set_faults`]).
    pub faults: Faults,
    /// maib project settings.
    pub maib: MaibConfig,
    /// miaPOS merchant settings.
    pub miapos: MiaposConfig,
    /// Bank of Georgia iPay merchant settings.
    pub bog: BogConfig,
    /// Maya Mini App partner settings.
    pub maya: MayaConfig,
    /// Maya payment gateway merchant settings (Checkout, Vault, Pay with Maya).
    pub maya_checkout: MayaCheckoutConfig,
    /// Bank of Georgia Payments API (iPay's successor) business settings.
    pub bog_payments: BogPaymentsConfig,
    /// How long a client may take to send a request's headers before its connection is
    /// closed (default 30 s): a slow client cannot hold a connection forever.
    pub header_read_timeout: Duration,
    /// Open connections each listener serves at once (default 512); connections beyond it
    /// are closed unanswered.
    pub max_connections: usize,
    /// How long settled payments are remembered (default: an hour of simulated time after
    /// their last change).
    pub retention: Retention,
    /// Whether evicting a payment also drops its ledger record (default `false`: the ledger
    /// stays complete, one record per payment ever registered).
    pub ledger_follows_eviction: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            ports: Ports::default(),
            faults: Faults::none(),
            maib: MaibConfig::default(),
            miapos: MiaposConfig::default(),
            bog: BogConfig::default(),
            maya: MayaConfig::default(),
            maya_checkout: MayaCheckoutConfig::default(),
            bog_payments: BogPaymentsConfig::default(),
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            retention: Retention::default(),
            ledger_follows_eviction: false,
        }
    }
}

impl SimConfig {
    /// Binds `host` instead of 127.0.0.1.
    #[must_use]
    pub fn with_host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Listens on `base` (maib), `base + 1` (miaPOS), `base + 2` (iPay), `base + 3` (Maya
    /// Mini App), `base + 4` (Bank of Georgia Payments API), `base + 5` (Maya's payment
    /// gateway).
    #[must_use]
    pub fn with_base_port(mut self, base: u16) -> Self {
        self.ports = Ports::from_base(base);
        self
    }

    /// Starts with `faults` active.
    #[must_use]
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Sets the header read timeout of every listener.
    #[must_use]
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets the open-connection cap of every listener (at least 1).
    #[must_use]
    pub fn with_max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Forgets settled payments `horizon` (simulated time) after their last change.
    #[must_use]
    pub fn with_retention(mut self, horizon: Duration) -> Self {
        self.retention = Retention::Horizon(horizon);
        self
    }

    /// Never forgets a payment (for tests that read old payments back).
    #[must_use]
    pub fn keep_everything(mut self) -> Self {
        self.retention = Retention::KeepAll;
        self
    }

    /// Drops a payment's ledger record when it is evicted, so the ledger is bounded too
    /// (for long soaks that do not compare old payments against it).
    #[must_use]
    pub fn with_ledger_following_eviction(mut self) -> Self {
        self.ledger_follows_eviction = true;
        self
    }

    /// Sets iPay's Payment Status Change callback URL (iPay configures it per merchant).
    #[must_use]
    pub fn with_bog_callback_url(mut self, url: impl Into<String>) -> Self {
        self.bog.callback_url = Some(url.into());
        self
    }

    /// Sets maib's project-level callback URL (used when a request has no `callbackUrl`).
    #[must_use]
    pub fn with_maib_callback_url(mut self, url: impl Into<String>) -> Self {
        self.maib.callback_url = Some(url.into());
        self
    }

    /// Sets miaPOS's merchant-level callback URL (used when a request has no `callbackUrl`).
    #[must_use]
    pub fn with_miapos_callback_url(mut self, url: impl Into<String>) -> Self {
        self.miapos.callback_url = Some(url.into());
        self
    }
}

/// The port of each provider's listener; 0 picks a free port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Ports {
    /// maib's port.
    pub maib: u16,
    /// miaPOS's port.
    pub miapos: u16,
    /// iPay's port.
    pub bog: u16,
    /// Maya's (Mini App) port.
    pub maya: u16,
    /// The Bank of Georgia Payments API's port.
    pub bog_payments: u16,
    /// The port of Maya's payment gateway (Checkout, Vault, Pay with Maya).
    pub maya_checkout: u16,
}

impl Ports {
    /// Ephemeral ports for every listener.
    pub fn ephemeral() -> Self {
        Self::default()
    }

    /// `base`, `base + 1`, `base + 2`, `base + 3`, `base + 4`, `base + 5` for maib, miaPOS,
    /// iPay, Maya (Mini App), the Bank of Georgia Payments API and Maya's gateway. A base of
    /// 0 means ephemeral ports.
    pub fn from_base(base: u16) -> Self {
        if base == 0 {
            return Self::default();
        }
        Self {
            maib: base,
            miapos: base.saturating_add(1),
            bog: base.saturating_add(2),
            maya: base.saturating_add(3),
            bog_payments: base.saturating_add(4),
            maya_checkout: base.saturating_add(5),
        }
    }
}

/// maib project settings: credentials and the URLs configured on the Project.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaibConfig {
    /// Project ID.
    pub project_id: String,
    /// Project Secret.
    pub project_secret: String,
    /// Signature Key for callbacks.
    pub signature_key: String,
    /// The Project's callback URL, which maib makes mandatory (requests without
    /// `callbackUrl` fall back to it). `None`: the simulator's own sink,
    /// `POST /_sim/callbacks` on the maib listener, which accepts and discards (the callback
    /// still shows in [`crate::Simulator::callbacks`]).
    pub callback_url: Option<String>,
    /// The Project's ok URL (`None`: the simulator's own return page, `/_sim/return`).
    pub ok_url: Option<String>,
    /// The Project's fail URL (`None`: the simulator's own return page, `/_sim/return`).
    pub fail_url: Option<String>,
}

impl Default for MaibConfig {
    fn default() -> Self {
        Self {
            project_id: "1000001".into(),
            project_secret: "sim-test-maib-project-secret-3c1e2f70".into(),
            signature_key: "sim-test-maib-signature-key-b7e4d1a2".into(),
            callback_url: None,
            ok_url: None,
            fail_url: None,
        }
    }
}

/// miaPOS merchant settings.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MiaposConfig {
    /// Merchant id.
    pub merchant_id: String,
    /// Secret key.
    pub secret_key: String,
    /// The QR ("ecomm") terminal.
    pub terminal_id: String,
    /// The request-to-pay terminal.
    pub rtp_terminal_id: String,
    /// The callback URL configured in the admin UI (used when a request has none; with
    /// neither, no callback is sent).
    pub callback_url: Option<String>,
    /// The callback signing key as unencrypted PKCS#8 DER; `None` generates a fresh
    /// RSA-2048 key at start.
    pub private_key_pkcs8: Option<Vec<u8>>,
}

impl fmt::Debug for MiaposConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MiaposConfig")
            .field("merchant_id", &self.merchant_id)
            .field("terminal_id", &self.terminal_id)
            .field("rtp_terminal_id", &self.rtp_terminal_id)
            .field("callback_url", &self.callback_url)
            .field(
                "private_key_pkcs8",
                &self.private_key_pkcs8.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Default for MiaposConfig {
    fn default() -> Self {
        Self {
            merchant_id: "1280".into(),
            secret_key: "sim-test-miapos-secret-key-0123abcd".into(),
            terminal_id: "TE0001".into(),
            rtp_terminal_id: "RTP0001".into(),
            callback_url: None,
            private_key_pkcs8: None,
        }
    }
}

/// Bank of Georgia iPay merchant settings. iPay has no per-order callback URL: BOG records
/// the merchant's two URLs at onboarding.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BogConfig {
    /// `client_id`.
    pub client_id: String,
    /// `secret_key`.
    pub secret_key: String,
    /// Payment Status Change callback URL (`None`: no status callbacks).
    pub callback_url: Option<String>,
    /// Payment Amount Return (refund) callback URL (`None`: no refund callbacks).
    pub refund_callback_url: Option<String>,
}

impl Default for BogConfig {
    fn default() -> Self {
        Self {
            client_id: "9006".into(),
            secret_key: "sim-test-bog-secret-key-5f2c8e1a".into(),
            callback_url: None,
            refund_callback_url: None,
        }
    }
}

/// Maya Mini App partner settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MayaConfig {
    /// Maya Connect client id.
    pub client_id: String,
    /// Maya Connect client secret.
    pub client_secret: String,
    /// The merchant's `p2mId`.
    pub p2m_id: String,
}

impl Default for MayaConfig {
    fn default() -> Self {
        Self {
            client_id: "sim-miniapp-client".into(),
            client_secret: "sim-test-maya-client-secret-7c9e4b21".into(),
            p2m_id: "P2M-000000001".into(),
        }
    }
}

/// Maya's payment gateway merchant settings: the API key pair, the features enabled on the
/// merchant profile, the webhook signing key and delivery schedule.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MayaCheckoutConfig {
    /// The public key (`pk-…`), for Create Checkout, payment tokens, single payments,
    /// wallet links and the payment status.
    pub public_key: String,
    /// The secret key (`sk-…`), for every other endpoint.
    pub secret_key: String,
    /// Keys the gateway knows but that have expired (answered `K002`).
    pub expired_keys: Vec<String>,
    /// Whether "Authorize (Hold) and Capture" is enabled (default `true`); without it an
    /// `authorizationType` gets `PY0019`.
    pub auth_and_capture: bool,
    /// When failed webhook deliveries are retried, each wait after the previous attempt
    /// (default Maya's 5, 15 and 45 minutes; simulator clock).
    pub webhook_retry_schedule: Vec<std::time::Duration>,
    /// How a refund is answered (default the refund record, HTTP 200).
    pub refund_answer: RefundAnswer,
    /// The webhook signing key as unencrypted PKCS#8 DER; `None` generates a fresh
    /// RSA-2048 key at start.
    pub webhook_private_key_pkcs8: Option<Vec<u8>>,
}

impl fmt::Debug for MayaCheckoutConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MayaCheckoutConfig")
            .field("public_key", &self.public_key)
            .field("auth_and_capture", &self.auth_and_capture)
            .field("webhook_retry_schedule", &self.webhook_retry_schedule)
            .field("refund_answer", &self.refund_answer)
            .field(
                "webhook_private_key_pkcs8",
                &self
                    .webhook_private_key_pkcs8
                    .as_ref()
                    .map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

impl Default for MayaCheckoutConfig {
    fn default() -> Self {
        Self {
            public_key: "pk-sim-test-maya-public-key-4b7e1d2c".into(),
            secret_key: "sk-sim-test-maya-secret-key-9a3f6e05".into(),
            expired_keys: Vec::new(),
            auth_and_capture: true,
            webhook_retry_schedule: [5, 15, 45]
                .into_iter()
                .map(|m| std::time::Duration::from_secs(m * 60))
                .collect(),
            refund_answer: RefundAnswer::Record,
            webhook_private_key_pkcs8: None,
        }
    }
}

/// Bank of Georgia Payments API business settings (bog-payments.md). Callback URLs are per
/// order, so none is configured here.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BogPaymentsConfig {
    /// `client_id` (BOG issues 8-digit ids).
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// The `expires_in` the token endpoint answers, in seconds, which is also how long its
    /// tokens work (default 300, Keycloak's default).
    pub token_expires_in_secs: u64,
    /// The callback signing key as unencrypted PKCS#8 DER; `None` generates a fresh
    /// RSA-2048 key at start. The public half is announced
    /// ([`crate::BogPaymentsInfo::callback_public_key_pem`]).
    pub private_key_pkcs8: Option<Vec<u8>>,
    /// The pauses before each resend of a callback the merchant did not answer with 2xx
    /// (default: two resends, 15 s apart, so three tries; empty: sent once).
    pub callback_resend_delays: Vec<Duration>,
    /// How long an `Idempotency-Key` is remembered, in simulator time (default 24 h).
    pub idempotency_ttl: Duration,
    /// Whether a reused `Idempotency-Key` with a different body is refused with 422
    /// (default `false`: the first answer is replayed, as the docs' wording implies).
    pub reject_idempotency_mismatch: bool,
    /// Sandbox quirk: refunds and pre-auth confirmations must name an explicit `amount`,
    /// even for the full amount (default `false`).
    pub require_explicit_amount: bool,
    /// Sandbox quirk: `PUT .../cards` and `PUT .../subscriptions` answer 501 (default
    /// `false`).
    pub save_card_unavailable: bool,
    /// How long (simulator time) refunds, pre-auth confirmations and automatic charges stay
    /// `refund_requested`, `auth_requested` and `processing` before they settle (default
    /// zero: settled before the acknowledgement is answered).
    pub settle_delay: Duration,
}

impl fmt::Debug for BogPaymentsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BogPaymentsConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_expires_in_secs", &self.token_expires_in_secs)
            .field(
                "private_key_pkcs8",
                &self.private_key_pkcs8.as_ref().map(|_| "<redacted>"),
            )
            .field("callback_resend_delays", &self.callback_resend_delays)
            .field("idempotency_ttl", &self.idempotency_ttl)
            .field(
                "reject_idempotency_mismatch",
                &self.reject_idempotency_mismatch,
            )
            .field("require_explicit_amount", &self.require_explicit_amount)
            .field("save_card_unavailable", &self.save_card_unavailable)
            .field("settle_delay", &self.settle_delay)
            .finish()
    }
}

impl Default for BogPaymentsConfig {
    fn default() -> Self {
        Self {
            client_id: "10000001".into(),
            client_secret: "sim-test-bog-payments-secret-6d3a9c2e".into(),
            token_expires_in_secs: 300,
            private_key_pkcs8: None,
            callback_resend_delays: vec![Duration::from_secs(15), Duration::from_secs(15)],
            idempotency_ttl: Duration::from_secs(24 * 3600),
            reject_idempotency_mismatch: false,
            require_explicit_amount: false,
            save_card_unavailable: false,
            settle_delay: Duration::ZERO,
        }
    }
}

/// Which of the observed refund answers Maya's gateway gives (maya-checkout.md §3.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RefundAnswer {
    /// HTTP 200 with the refund record (`id`, `payment`, `amount`, `status`, ...).
    #[default]
    Record,
    /// HTTP 200 with a processor receipt (`refundTransactionReferenceNo`, `receipt`, ...).
    Receipt,
    /// HTTP 202 `{"status":"ONGOING"}`; the refund is recorded and listed as `SUCCESS`.
    Ongoing,
}

impl BogPaymentsConfig {
    /// Signs callbacks with this unencrypted PKCS#8 DER key instead of a generated one.
    #[must_use]
    pub fn with_private_key_pkcs8(mut self, der: Vec<u8>) -> Self {
        self.private_key_pkcs8 = Some(der);
        self
    }

    /// Keeps refunds, confirmations and automatic charges pending for `delay` of simulator
    /// time ([`crate::Simulator::advance`] settles them).
    #[must_use]
    pub fn with_settle_delay(mut self, delay: Duration) -> Self {
        self.settle_delay = delay;
        self
    }

    /// Replaces the callback resend schedule.
    #[must_use]
    pub fn with_callback_resend_delays(mut self, delays: Vec<Duration>) -> Self {
        self.callback_resend_delays = delays;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_a_base() {
        let p = Ports::from_base(8000);
        assert_eq!((p.maib, p.miapos, p.bog, p.maya), (8000, 8001, 8002, 8003));
        assert_eq!(p.maya_checkout, 8005);
        assert_eq!(Ports::from_base(0), Ports::ephemeral());
        assert_eq!(Ports::from_base(u16::MAX).maya, u16::MAX);
        assert_eq!(SimConfig::default().with_base_port(9000).ports.bog, 9002);
        assert_eq!(Ports::from_base(8000).bog_payments, 8004);
    }

    #[test]
    fn default_secrets_are_marked_as_test_secrets() {
        let c = SimConfig::default();
        for secret in [
            &c.maib.project_secret,
            &c.maib.signature_key,
            &c.miapos.secret_key,
            &c.bog.secret_key,
            &c.maya.client_secret,
            &c.bog_payments.client_secret,
        ] {
            assert!(secret.starts_with(TEST_SECRET_PREFIX), "{secret}");
        }
        // Maya's keys must keep their `pk-`/`sk-` prefix; the marker follows it.
        for (key, kind) in [
            (&c.maya_checkout.public_key, "pk-"),
            (&c.maya_checkout.secret_key, "sk-"),
        ] {
            let rest = key.strip_prefix(kind).unwrap_or_default();
            assert!(rest.starts_with(TEST_SECRET_PREFIX), "{key}");
        }
    }

    #[test]
    fn debug_hides_maya_secrets() {
        let config = MayaCheckoutConfig {
            webhook_private_key_pkcs8: Some(vec![7, 7, 7]),
            ..MayaCheckoutConfig::default()
        };
        let text = format!("{config:?}");
        assert!(!text.contains(&config.secret_key));
        assert!(!text.contains("[7, 7, 7]"));
        assert!(text.contains(&config.public_key));
    }

    #[test]
    fn debug_hides_the_private_key() {
        let config = MiaposConfig {
            private_key_pkcs8: Some(vec![1, 2, 3]),
            ..MiaposConfig::default()
        };
        let text = format!("{config:?}");
        assert!(text.contains("<redacted>"));
        assert!(!text.contains("[1, 2, 3]"));
        let payments = BogPaymentsConfig::default().with_private_key_pkcs8(vec![4, 5, 6]);
        let text = format!("{payments:?}");
        assert!(!text.contains("[4, 5, 6]"));
        assert!(!text.contains(&payments.client_secret));
        assert!(text.contains("10000001"));
    }
}
