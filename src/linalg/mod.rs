//! Small dense linear algebra on r x r matrices (r = p + k is a handful).
//!
//! Storage and general routines come from `nalgebra`. The one factorisation of Gram matrices,
//! [`psd_factor`] (run by the exact sampler every step), is written out here because it must
//! (a) accept singular and numerically singular positive semi-definite Gram matrices (a neuron
//! aligned with the teacher, two equal neurons, a near-singular `init.overlaps`) and (b) use
//! only `+ - * / sqrt`, which IEEE-754 rounds identically on every target, so a seed gives
//! bit-identical runs natively and in WebAssembly.

mod pivoted_cholesky;

pub use pivoted_cholesky::{
    min_eigenvalue, pivoted_cholesky, psd_factor, psd_part_factor, psd_tolerance, PsdError,
    PsdFactor, PSD_TOLERANCE, RANK_TOLERANCE,
};
