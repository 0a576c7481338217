//! Small dense linear algebra on r x r matrices (r = p + k is a handful).
//!
//! Storage and general routines come from `nalgebra`. The one factorisation the exact sampler
//! runs every step, [`pivoted_cholesky`], is written out here because it must (a) accept
//! singular positive semi-definite Gram matrices (a neuron aligned with the teacher, two equal
//! neurons) and (b) use only `+ - * / sqrt`, which IEEE-754 rounds identically on every
//! target, so a seed gives bit-identical runs natively and in WebAssembly.

mod pivoted_cholesky;

pub use pivoted_cholesky::pivoted_cholesky;
