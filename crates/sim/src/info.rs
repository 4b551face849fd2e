//! What a client needs to talk to each simulated provider: base URL and test credentials.

/// maib: endpoints live at `{base_url}/v1/...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaibInfo {
    /// Scheme, host and port, e.g. `http://127.0.0.1:40001`.
    pub base_url: String,
    /// Project ID.
    pub project_id: String,
    /// Project Secret.
    pub project_secret: String,
    /// Signature Key the callbacks are signed with.
    pub signature_key: String,
}

/// miaPOS: endpoints live at `{base_url}/ecomm/api/v1/...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MiaposInfo {
    /// Scheme, host and port.
    pub base_url: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Secret key.
    pub secret_key: String,
    /// The QR ("ecomm") terminal.
    pub terminal_id: String,
    /// The request-to-pay terminal.
    pub rtp_terminal_id: String,
    /// The callback verification key: base64 of the DER SubjectPublicKeyInfo, exactly as
    /// `GET /ecomm/api/v1/public-key` serves it.
    pub public_key: String,
}

/// Bank of Georgia iPay: endpoints live at `{base_url}/opay/api/v1/...`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BogInfo {
    /// Scheme, host and port.
    pub base_url: String,
    /// `client_id`.
    pub client_id: String,
    /// `secret_key`.
    pub secret_key: String,
}

/// Bank of Georgia Payments API: endpoints live at `{api_base}/...` (`{base_url}/payments/v1`),
/// the Keycloak token endpoint at [`BogPaymentsInfo::token_url`], the hosted payment page at
/// `{base_url}/?order_id=...`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BogPaymentsInfo {
    /// Scheme, host and port.
    pub base_url: String,
    /// The API base a client is configured with, `{base_url}/payments/v1` (the real one is
    /// `https://api.bog.ge/payments/v1`).
    pub api_base: String,
    /// The token URL, `{base_url}/auth/realms/bog/protocol/openid-connect/token`.
    pub token_url: String,
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`.
    pub client_secret: String,
    /// The key callbacks are signed with (`Callback-Signature`): an RSA public key as a
    /// SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), the form BOG publishes its
    /// own keys in.
    pub callback_public_key_pem: String,
}

impl std::fmt::Debug for BogPaymentsInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BogPaymentsInfo")
            .field("base_url", &self.base_url)
            .field("api_base", &self.api_base)
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// Maya: the Mini App endpoints live at `{base_url}/...` (`/merchant/payments`, `/tokens`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MayaInfo {
    /// Scheme, host and port.
    pub base_url: String,
    /// Maya Connect client id.
    pub client_id: String,
    /// Maya Connect client secret.
    pub client_secret: String,
    /// The merchant's `p2mId`.
    pub p2m_id: String,
    /// The OAuth `client_credentials` token URL. Maya does not publish this path; the
    /// simulator serves it at `{base_url}/oauth/token` (see the crate docs).
    pub token_url: String,
}

/// A Maya customer session, as Maya pushes it to the merchant's Session URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MayaSession {
    /// The customer access token (`X-Authorization`).
    pub access_token: String,
    /// The customer refresh token (body of `POST /tokens`).
    pub refresh_token: String,
    /// When the access token expires, in Unix seconds (simulator clock).
    pub expires_at: u64,
    /// The `sessionId` the merchant's Session URL answered with, when one was called.
    pub session_id: Option<String>,
    /// The simulator's name for the customer: the `order_id` of this customer's payments in
    /// the [`crate::Ledger`] (Maya payments carry no merchant order id).
    pub customer_id: String,
}

/// Maya's payment gateway: endpoints live at `{base_url}/checkout/v1/...`,
/// `{base_url}/payments/v1/...` and `{base_url}/payby/v2/...`, exactly as on
/// `pg-sandbox.paymaya.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MayaCheckoutInfo {
    /// Scheme, host and port (the client's API base URL).
    pub base_url: String,
    /// The public key (`pk-…`).
    pub public_key: String,
    /// The secret key (`sk-…`).
    pub secret_key: String,
    /// The key webhooks are signed with, as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo)
    /// block: what a client puts in its webhook key set instead of Maya's.
    pub webhook_public_key_pem: String,
}

impl MayaCheckoutInfo {
    /// The webhook verification key as base64 of its DER SubjectPublicKeyInfo (the PEM
    /// body on one line).
    pub fn webhook_public_key_der_base64(&self) -> String {
        self.webhook_public_key_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(str::trim)
            .collect()
    }
}
