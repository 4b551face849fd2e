//! The six ways to pay, as the buyer picks them on the order form.

use std::fmt;
use std::str::FromStr;

use paykit_core::{Currency, ProviderId};

/// A payment provider the shop offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// maib e-commerce (Moldova): card payment on maib's page, signed callback.
    Maib,
    /// miaPOS (Moldova): instant payment by QR on a checkout page, RSA-signed callback.
    Miapos,
    /// Bank of Georgia iPay: card payment on iPay's page, unsigned callback confirmed by
    /// asking iPay.
    Bog,
    /// Maya Mini App (Philippines): the buyer approves in the Maya app; no callback, the
    /// execute answer is final.
    Maya,
    /// Bank of Georgia Payments API (iPay's successor): card payment or pre-authorization on
    /// BOG's page, RSA-signed callback per order.
    BogPayments,
    /// Maya's payment gateway (Philippines): a Maya Checkout page, v1-signed webhooks
    /// registered once for the shop.
    MayaCheckout,
}

impl Provider {
    /// Every provider, in the order the form lists them.
    pub const ALL: [Provider; 6] = [
        Provider::Maib,
        Provider::Miapos,
        Provider::Bog,
        Provider::BogPayments,
        Provider::Maya,
        Provider::MayaCheckout,
    ];

    /// The value in forms and URLs.
    pub const fn slug(self) -> &'static str {
        match self {
            Provider::Maib => "maib",
            Provider::Miapos => "miapos",
            Provider::Bog => "ipay",
            Provider::Maya => "maya",
            Provider::BogPayments => "bog-payments",
            Provider::MayaCheckout => "maya-checkout",
        }
    }

    /// The name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            Provider::Maib => "maib",
            Provider::Miapos => "miaPOS",
            Provider::Bog => "iPay (Bank of Georgia)",
            Provider::Maya => "Maya",
            Provider::BogPayments => "Bank of Georgia Payments API",
            Provider::MayaCheckout => "Maya Checkout",
        }
    }

    /// The currency the shop charges through this provider.
    pub const fn currency(self) -> Currency {
        match self {
            Provider::Maib | Provider::Miapos => Currency::MDL,
            Provider::Bog | Provider::BogPayments => Currency::GEL,
            Provider::Maya | Provider::MayaCheckout => Currency::PHP,
        }
    }

    /// paykit's id of the provider, as callbacks name it.
    pub const fn id(self) -> ProviderId {
        match self {
            Provider::Maib => paykit_maib::PROVIDER,
            Provider::Miapos => paykit_miapos::PROVIDER,
            Provider::Bog => paykit_bog::PROVIDER,
            Provider::Maya => paykit_maya::PROVIDER,
            Provider::BogPayments => paykit_bog_payments::PROVIDER,
            Provider::MayaCheckout => paykit_maya_checkout::PROVIDER,
        }
    }

    /// Whether the buyer may choose a hold that the shop captures later (two-step payment).
    /// Maya's gateway could hold too, but its capture is a payment of its own, under its own
    /// id: this small shop keeps one payment per order.
    pub const fn offers_hold(self) -> bool {
        matches!(self, Provider::Maib | Provider::Bog | Provider::BogPayments)
    }

    /// The interface language in the provider's vocabulary.
    pub(crate) const fn language(self) -> &'static str {
        match self {
            Provider::Bog => "en-US",
            _ => "en",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A provider name that is not one of [`Provider::slug`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownProvider(pub String);

impl fmt::Display for UnknownProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no provider called {:?}", self.0)
    }
}

impl std::error::Error for UnknownProvider {}

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.slug() == text)
            .ok_or_else(|| UnknownProvider(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_unknown_names_are_refused() {
        for provider in Provider::ALL {
            assert_eq!(provider.slug().parse::<Provider>(), Ok(provider));
        }
        assert_eq!(
            "paypal".parse::<Provider>(),
            Err(UnknownProvider("paypal".into()))
        );
    }

    #[test]
    fn callback_ids_are_the_adapters_own() {
        let ids: Vec<&str> = Provider::ALL.iter().map(|p| p.id().0).collect();
        assert_eq!(
            ids,
            [
                "maib",
                "miapos",
                "bog",
                "bog-payments",
                "maya",
                "maya-checkout"
            ]
        );
    }
}
