//! What the shop sells: three products, each priced in every currency the providers take.

use paykit_core::{Currency, Money};

/// A product on the shelf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Product {
    /// The id in URLs (`/products/{id}`).
    pub id: &'static str,
    /// The name shown to the buyer.
    pub name: &'static str,
    /// One line about it.
    pub blurb: &'static str,
    /// The price in MDL (maib, miaPOS), GEL (iPay) and PHP (Maya), as exact decimal text.
    prices: [(Currency, &'static str); 3],
}

impl Product {
    /// The price in `currency`, if the product is sold in it.
    pub fn price(&self, currency: Currency) -> Option<Money> {
        self.prices
            .iter()
            .find(|(c, _)| *c == currency)
            .and_then(|(c, amount)| Money::parse(amount, *c).ok())
    }
}

/// The shelf. The third product costs `10.01`: the simulator declines any amount whose cents
/// are `.01`, so buying it shows the declined path with every provider.
pub const CATALOG: [Product; 3] = [
    Product {
        id: "beans",
        name: "Espresso beans, 1 kg",
        blurb: "Dark roast from a small roastery in Chișinău.",
        prices: [
            (Currency::MDL, "349.00"),
            (Currency::GEL, "54.00"),
            (Currency::PHP, "1150.00"),
        ],
    },
    Product {
        id: "kettle",
        name: "Pour-over kettle",
        blurb: "Gooseneck, 1 litre, for a steady pour.",
        prices: [
            (Currency::MDL, "899.50"),
            (Currency::GEL, "129.90"),
            (Currency::PHP, "2999.00"),
        ],
    },
    Product {
        id: "declined",
        name: "Card-decline sampler",
        blurb: "Priced at .01 cents: the simulator declines it, to show a failed payment.",
        prices: [
            (Currency::MDL, "10.01"),
            (Currency::GEL, "10.01"),
            (Currency::PHP, "10.01"),
        ],
    },
];

/// The product with this id.
pub fn product(id: &str) -> Option<&'static Product> {
    CATALOG.iter().find(|p| p.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_product_has_a_valid_price_in_every_currency_the_providers_take() {
        for product in &CATALOG {
            for currency in [Currency::MDL, Currency::GEL, Currency::PHP] {
                let price = product.price(currency).unwrap();
                assert_eq!(price.currency(), currency);
                assert!(!price.is_zero(), "{}", product.id);
            }
            assert_eq!(product.price(Currency::USD), None);
        }
    }

    #[test]
    fn only_the_sampler_ends_in_01() {
        let ends_in_01 = |p: &Product| {
            p.price(Currency::MDL)
                .unwrap()
                .to_fixed_string()
                .ends_with(".01")
        };
        assert!(ends_in_01(product("declined").unwrap()));
        assert!(!ends_in_01(product("beans").unwrap()));
        assert!(!ends_in_01(product("kettle").unwrap()));
    }
}
