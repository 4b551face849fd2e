//! JSON helpers that never go through `f64`: an exact tree, literal-exact and subset comparison,
//! shape comparison and decimal number literals.

mod diff;
mod exact;
mod number;
mod shape;
mod subset;

pub use diff::{ANY, BY_VALUE, diff, with_values_filled};
pub use exact::Exact;
#[cfg(feature = "harness")]
pub(crate) use exact::cut;
pub use number::{ExactDecimal, NumberError, php_string};
pub use shape::shape_diff;
pub use subset::subset_diff;
