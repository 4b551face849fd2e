//! Environments: API hosts (spec §1.1), Maya's published webhook keys (§6.6) and webhook
//! source addresses (§6.7).

use std::net::IpAddr;

/// The sandbox API host.
pub const SANDBOX_API_URL: &str = "https://pg-sandbox.paymaya.com";
/// The production API host. The older `https://pg.paymaya.com` still appears in SDKs; the
/// environments page names this one (spec §1.1).
pub const PRODUCTION_API_URL: &str = "https://pg.maya.ph";

/// Which Maya environment the keys belong to. Sandbox and production keys are never
/// interchangeable, and each has its own webhook keys and source addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// `pg-sandbox.paymaya.com`.
    Sandbox,
    /// `pg.maya.ph`.
    Production,
}

impl Environment {
    /// The API base URL.
    pub fn api_url(self) -> &'static str {
        match self {
            Environment::Sandbox => SANDBOX_API_URL,
            Environment::Production => PRODUCTION_API_URL,
        }
    }

    /// Maya's two published webhook signing keys of this environment (PEM SPKI, spec §6.6).
    pub fn webhook_keys(self) -> [&'static str; 2] {
        match self {
            Environment::Sandbox => [SANDBOX_WEBHOOK_KEY_1, SANDBOX_WEBHOOK_KEY_2],
            Environment::Production => [PRODUCTION_WEBHOOK_KEY_1, PRODUCTION_WEBHOOK_KEY_2],
        }
    }

    /// The addresses Maya sends this environment's webhooks from (spec §6.7).
    pub fn webhook_source_ips(self) -> [IpAddr; 2] {
        let ips = match self {
            Environment::Sandbox => [[13, 229, 160, 234], [3, 1, 199, 75]],
            Environment::Production => [[18, 138, 50, 235], [3, 1, 207, 200]],
        };
        ips.map(IpAddr::from)
    }

    /// True when `ip` is one of this environment's webhook sources. Behind a proxy, pass the
    /// client address taken from a header of a *trusted* proxy only.
    pub fn is_webhook_source(self, ip: IpAddr) -> bool {
        self.webhook_source_ips().contains(&ip)
    }

    /// `sandbox` or `production`.
    pub fn name(self) -> &'static str {
        match self {
            Environment::Sandbox => "sandbox",
            Environment::Production => "production",
        }
    }
}

/// Maya's sandbox webhook key #1 (SPKI SHA-256 `845276c8…3d78`).
pub const SANDBOX_WEBHOOK_KEY_1: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjNkSX6p+goDPaPAYuTzT
zKTCBeLhh8FkPMbZxDKTUxF93dOwiC7jsdx7KyopupeLosiVlbs+gpAJ7XBQP/Ex
giyzXC9TljpyvkUQfyRPMAMKq+BzxdUliTl6hgrLBsH28CP5FuPHCsfxDXe7mDtv
9H4mP3SKO0HfkZ45tudxD9CWbwWKF0lU9LRbLlJ0y7KEaK7Rv9fI1Dp/KPT+9pls
tU+CPNKaxJjGRKGuxW2AOCabSD0cTZNXki+K51mNoma7Mj1HMhnsR68FGJvCqk1q
Wsr3q8+EUMVPBMX+5nKATfZYGvxg4ytzT8pnEVeWl6phYKviB9aVVwurh1gDJB4r
lQIDAQAB
-----END PUBLIC KEY-----";

/// Maya's sandbox webhook key #2 (SPKI SHA-256 `9adab4b6…7e5f`).
pub const SANDBOX_WEBHOOK_KEY_2: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp14gezqq4dGWu7EZ7BHx
8wD3y1hqxwQR7UYPXtXJP+WngN4wqwatjsnQaRGnmdPRG8VEzUzw9PlR7t7P24uW
+J08xBrtTVouD2MKglcIcy13rt1XL79zr/LIAFMFI6f4O8/OQi1xsGsZ6xarD+wl
OQKG4W66I3yp2jNAbge25eSPuo0BNqPWvebMcIYJu4f3Fxu1eDgeM6zCEqLc6+jX
cNTP/zFHCvQaiIlLOqfgXDRPBcHPPZ2qcB99UVPAHXBKsKdtBB2w2qT2l99MlTAB
iRy+IKtVQcQyRP7T8blegO25x35G2CZ3VCKPkmUen3eXQ4+r5fVlzEIBSfNvBwT9
jQIDAQAB
-----END PUBLIC KEY-----";

/// Maya's production webhook key #1 (SPKI SHA-256 `421cf4c2…7d47`).
pub const PRODUCTION_WEBHOOK_KEY_1: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAjCGhkjg1PQe0WVHCYdTT
2luqzXhKfeStALWlEcMpHqYusd6dAU4vZ9bGQns/OYe/H2cIxEPvRJnRcipMKvVZ
pzAFEKHQLiXdeuNcxkAaxEZEwMAmFdVGmNLZbpi579r2s6Q++zYy0OHb9awY/2z0
OYRwV5XN7SCrqIlf1tEHfxKV2cJDCFW030nnRMoWisQ9KXG3Ihvjj4tOQimPCtzp
SDtlf6QFmg/WZBIOEdLro9oROztK6PwrI/yG5ZFaUCQYfY8fw0y1/PI3heEf8z5k
xA466LdSqCeVdGwfjKy9ZHown8XiiPI82HnBrMP3UPX4efEfopbP4SpDFOEwRNA9
FQIDAQAB
-----END PUBLIC KEY-----";

/// Maya's production webhook key #2 (SPKI SHA-256 `4cb8671e…dce3`).
pub const PRODUCTION_WEBHOOK_KEY_2: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxZJxNmpNYjxFCBa2P6Ad
wzDDuDKOKAgiTBrQvJGuX/l2u32N4d4FYw99md16rf1iIcxD70/KG9nWrltrxbIs
bm9+bCHVLKMfdjaJQCBGXN/WW6W1XaGQQPft9UlmAwA/uMKTsN/2XqFjoKSJoe9e
Xz/p3pGn66oBTCwvzDqma46GxF92atiOt6CEcRl8P+dDKJlYY7fcxiuNMeDMOOla
KMxUz9nMgJ6uESK/kS8C8+hGuiCWgKeIRm/ONL5Gk/lypWzrphaKcWqpBGZxpNAL
AVmPY9ke4+RxyojkEre4d5sT2C21oAQVHyGewd0ttQ/bK59X17+yg5FOfRpI1BKj
7wIDAQAB
-----END PUBLIC KEY-----";
