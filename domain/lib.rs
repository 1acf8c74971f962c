//! The domain: what a currency is, what an amount of money is, where rates
//! come from and how a conversion is computed.
//!
//! Nothing here imports tonic or the generated contract. Values are parsed
//! once at the edge into types that cannot be wrong afterwards (a [`Money`]
//! always has a supported currency and fits its minor units; a [`Pair`] always
//! names two different supported currencies), so the code that uses them
//! never validates again.
//!
//! [`Money`]: money::Money
//! [`Pair`]: rates::Pair

pub mod batch;
pub mod clock;
pub mod conversion;
pub mod currency;
pub mod error;
pub mod history;
pub mod money;
pub mod rate_walk;
pub mod rates;

pub use error::{DomainError, Field, InputProblem};
