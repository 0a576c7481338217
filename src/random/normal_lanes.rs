//! Standard normal draws in lanes: the ziggurat of [`super::standard_normal`] run on the
//! [`LANES`](super::lanes::LANES) streams of a [`LaneRng`] at once.
//!
//! Each lane draws one `u64`; layer index, u and the candidate x = u x_i are computed lane-wise
//! (u from the 53 high bits by [`U64s::to_signed_unit`], equal bit for bit to the scalar
//! `(bits >> 11) as f64 * 2^-52 - 1`), and each lane's two edges (x_i, x_{i+1}) are fetched as
//! one 16-byte table entry ([`gather_pairs`](super::lane_words::gather_pairs)). When every lane's candidate is accepted at once
//! (|x| < x_{i+1}, probability about 0.988^4 = 0.95) the draw is done. Otherwise each rejected
//! lane finishes its draw alone, with the scalar tail / wedge code on its own stream
//! ([`LaneRng::lane`]). Lane j therefore returns exactly what `standard_normal(lane j's
//! stream)` returns, and consumes exactly the same words of it.

use super::lane_words::gather_pairs;
use super::lanes::{F64s, LaneRng, U64s};
use super::normal::{finish_rejected, tables, Tables, LAYERS};

/// The ziggurat tables, fetched once (e.g. per batch) and passed to [`standard_normals`].
#[derive(Clone, Copy)]
pub struct NormalTables(&'static Tables);

impl NormalTables {
    /// The shared tables (built on first use with `libm`, identical on every target).
    pub fn get() -> NormalTables {
        NormalTables(tables())
    }
}

impl std::fmt::Debug for NormalTables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NormalTables")
    }
}

/// One N(0, 1) draw in every lane; lane j equals `standard_normal(&mut rng.lane(j))`.
#[inline(always)]
pub fn standard_normals(rng: &mut LaneRng, tables: NormalTables) -> F64s {
    let t = tables.0;
    let bits = rng.next_all();
    let layer = (bits & U64s::splat(LAYERS as u64 - 1)).to_array();
    let u = bits.to_signed_unit();
    let (edge, next_edge) = gather_pairs(layer.map(|i| &t.edges[i as usize].0));
    let mut x = u * edge;
    if !x.abs().all_less_than(next_edge) {
        for (j, &i) in layer.iter().enumerate() {
            if x.0[j].abs() >= next_edge.0[j] {
                let mut one = rng.lane(j);
                x.0[j] = finish_rejected(t, &mut one, i as usize, u.0[j], x.0[j]);
                rng.set_lane(j, one);
            }
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::lanes::LANES;
    use crate::random::{standard_normal, SimRng};
    use rand::SeedableRng;

    #[test]
    fn lane_draws_equal_scalar_draws_on_each_lane_stream() {
        let mut parent = SimRng::seed_from_u64(21);
        let mut lanes = LaneRng::from_parent(&mut parent);
        let mut scalar = lanes.clone();
        let tables = NormalTables::get();
        let mut tails = 0;
        // 10^5 rounds: thousands of wedge rejections and dozens of tail draws per lane
        for _ in 0..100_000 {
            let z = standard_normals(&mut lanes, tables);
            for j in 0..LANES {
                let mut one = scalar.lane(j);
                let want = standard_normal(&mut one);
                scalar.set_lane(j, one);
                assert_eq!(z.0[j].to_bits(), want.to_bits());
                tails += usize::from(want.abs() > 3.442_619_855_899);
            }
        }
        assert_eq!(lanes, scalar, "the lanes consumed different words");
        assert!(tails > 50, "tail draws not exercised: {tails}");
    }
}
