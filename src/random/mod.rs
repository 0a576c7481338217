//! Randomness: one named, portable generator and the distributions the samplers draw from.
//!
//! # Reproducibility
//! Every simulation is driven by [`SimRng`] (xoshiro256++), seeded from a single `u64`
//! with [`streams_from_seed`]. Draws use only IEEE-754 arithmetic (`+ - * /`, `sqrt`) and the
//! `libm` crate for transcendental functions, never the platform's C library, so the same
//! seed gives bit-identical trajectories natively and in WebAssembly.
//!
//! This is why the normal and chi-square samplers live here instead of coming from
//! `rand_distr`: that crate routes `exp`/`ln` through `num-traits`, whose backend (the
//! platform's libm or the `libm` crate) depends on which features other crates in the
//! build switch on, so its values are not guaranteed to match across targets.

mod chi_square;
mod lane_words;
pub mod lanes;
mod normal;
mod normal_lanes;
mod wishart;

pub use chi_square::chi_square;
pub use normal::standard_normal;
pub use normal_lanes::{standard_normals, NormalTables};
pub use wishart::wishart_bartlett_factor;

use rand::{Rng, SeedableRng};
pub use rand_xoshiro::Xoshiro256PlusPlus;

/// The simulation generator: xoshiro256++ (Blackman & Vigna), 256-bit state, period 2^256 - 1.
pub type SimRng = Xoshiro256PlusPlus;

/// Independent random streams of one run, all derived from one seed.
///
/// Streams are separated with xoshiro's `jump()` (2^128 draws apart), so the data stream is
/// the same whatever the initialisation consumed: two runs with the same seed and different
/// losses see the same samples (common random numbers).
#[derive(Clone, Debug)]
pub struct RandomStreams {
    /// Initial weights / initial overlaps.
    pub init: SimRng,
    /// Batch data: inputs (or their coordinates in the span of the weights) and label noise.
    pub data: SimRng,
    /// The part of each step orthogonal to the weights (Wishart draws of the exact sampler).
    pub orthogonal: SimRng,
}

/// Derives the three streams of a run from `seed`: `init = seed_from_u64(seed)`,
/// `data = init.jump()`, `orthogonal = data.jump()`.
pub fn streams_from_seed(seed: u64) -> RandomStreams {
    let init = SimRng::seed_from_u64(seed);
    let mut data = init.clone();
    data.jump();
    let mut orthogonal = data.clone();
    orthogonal.jump();
    RandomStreams {
        init,
        data,
        orthogonal,
    }
}

/// A uniform draw in [0, 1) with 53 random bits: `(u64 >> 11) * 2^-53`.
#[inline]
pub fn uniform01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
