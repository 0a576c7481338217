//! The model of the paper (docs/science.md §1): links, teacher, losses and overlaps.

pub mod hermite;
pub mod hermite_target;
pub mod information_exponent;
pub mod leap_index;
pub mod link;
pub mod link_lanes;
pub mod loss;
pub mod names;
pub mod overlaps;
pub mod spiked_covariance;
pub mod target;

pub use hermite_target::{HermitePolynomial, HermiteTerm};
pub use information_exponent::{
    link_information_exponent, pair_information_exponent, target_hermite_support,
    target_information_exponent, target_leap_index, LEAP_INDEX_BASIS,
};
pub use leap_index::{leap_index, support_information_exponent};
pub use link::Link;
pub use loss::{AdaptiveSchedule, Loss, StepLoss};
pub use names::parse_name;
pub use overlaps::{Overlaps, OverlapsError};
pub use spiked_covariance::{CovarianceError, Spike, SpikeGeometry, SpikedCovariance, MAX_SPIKES};
pub use target::Target;
