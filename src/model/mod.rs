//! The model of the paper (docs/science.md §1): links, teacher, losses and overlaps.

pub mod hermite;
pub mod information_exponent;
pub mod link;
pub mod link_lanes;
pub mod loss;
pub mod names;
pub mod overlaps;
pub mod target;

pub use information_exponent::{link_information_exponent, target_information_exponent};
pub use link::Link;
pub use loss::{AdaptiveSchedule, Loss, StepLoss};
pub use names::parse_name;
pub use overlaps::{Overlaps, OverlapsError};
pub use target::Target;
