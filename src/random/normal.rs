//! Standard normal draws by the ziggurat method (Marsaglia & Tsang 2000, 128 layers).
//!
//! Density (unnormalised) f(x) = exp(-x^2 / 2). Layers i = 0..128 have right edges
//! x_0 > x_1 = R > x_2 > ... > x_128 = 0 with equal areas V:
//! x_0 = V / f(R), x_{i+1} = sqrt(-2 ln(V / x_i + f(x_i))).
//! A draw picks a layer i and u in [-1, 1); x = u x_i is accepted at once when
//! |x| < x_{i+1} (about 98.8% of draws: one `u64`, one multiply, one compare).
//! Otherwise the base layer samples the tail |x| > R (Marsaglia's exponential method) and the
//! other layers accept x with probability (f(x) - f(x_i)) / (f(x_{i+1}) - f(x_i)), a test
//! that a chord-and-tangent squeeze settles without the exponential on most draws.
//! The tables are computed once with `libm` so they are identical on every target.

use super::uniform01;
use rand::Rng;
use std::sync::OnceLock;

pub(super) const LAYERS: usize = 128;
/// Right edge of the base layer's rectangle.
const R: f64 = 3.442_619_855_899;
/// Area of each layer under f(x) = exp(-x^2/2).
const V: f64 = 9.912_563_035_262_17e-3;

pub(super) struct Tables {
    /// Layer edges x_0..x_128.
    pub(super) x: [f64; LAYERS + 1],
    /// f(x_i).
    f: [f64; LAYERS + 1],
    /// (x_i, x_{i+1}) side by side for i < 128, so a vector draw fetches both edges of a layer
    /// with one 16-byte load.
    pub(super) edges: [EdgePair; LAYERS],
}

/// The edges (x_i, x_{i+1}) of layer i, 16-byte aligned.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(16))]
pub(super) struct EdgePair(pub(super) [f64; 2]);

fn density(x: f64) -> f64 {
    libm::exp(-0.5 * x * x)
}

pub(super) fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; LAYERS + 1];
        x[0] = V / density(R);
        x[1] = R;
        for i in 1..LAYERS - 1 {
            x[i + 1] = libm::sqrt(-2.0 * libm::log(V / x[i] + density(x[i])));
        }
        x[LAYERS] = 0.0;
        let mut f = [0.0; LAYERS + 1];
        for i in 0..=LAYERS {
            f[i] = density(x[i]);
        }
        f[0] = 0.0;
        let edges = std::array::from_fn(|i| EdgePair([x[i], x[i + 1]]));
        Tables { x, f, edges }
    })
}

/// One draw from N(0, 1).
#[inline]
pub fn standard_normal<R2: Rng + ?Sized>(rng: &mut R2) -> f64 {
    let t = tables();
    loop {
        let bits = rng.next_u64();
        let (i, u, x) = first_try(t, bits);
        if x.abs() < t.x[i + 1] {
            return x;
        }
        if let Some(z) = after_rejection(t, rng, i, u, x) {
            return z;
        }
    }
}

/// The first try of a draw from one `u64`: layer i (the low 7 bits), u in [-1, 1) (the high
/// 53 bits) and the candidate x = u x_i, accepted at once when |x| < x_{i+1}.
#[inline(always)]
pub(super) fn first_try(t: &Tables, bits: u64) -> (usize, f64, f64) {
    let i = (bits & (LAYERS as u64 - 1)) as usize;
    // 53 high bits -> u in [-1, 1)
    let u = (bits >> 11) as f64 * (1.0 / (1u64 << 52) as f64) - 1.0;
    (i, u, u * t.x[i])
}

/// What follows a first try that was not accepted at once: the tail for the base layer, the
/// wedge test for the others (`None`: rejected, draw again).
/// Kept out of line (and cold): the hot loop of [`standard_normal`] stays one load, one multiply
/// and one compare.
#[cold]
#[inline(never)]
fn after_rejection<R2: Rng + ?Sized>(
    t: &Tables,
    rng: &mut R2,
    i: usize,
    u: f64,
    x: f64,
) -> Option<f64> {
    if i == 0 {
        return Some(tail(rng, u < 0.0));
    }
    let y = t.f[i] + uniform01(rng) * (t.f[i + 1] - t.f[i]);
    below_density(t, i, x.abs(), y).then_some(x)
}

/// (lower, upper) bounds of f(x) for |x| = `x` on the wedge of layer i, from the chord and the
/// edge tangents (see [`below_density`]); unbounded on the layer holding the inflection x = 1.
#[inline]
fn wedge_bounds(t: &Tables, i: usize, x: f64) -> (f64, f64) {
    let (a, b) = (t.x[i + 1], t.x[i]);
    let (fa, fb) = (t.f[i + 1], t.f[i]);
    let chord = fb + (fa - fb) * ((b - x) / (b - a));
    let tangent_a = fa * (1.0 - a * (x - a));
    let tangent_b = fb * (1.0 - b * (x - b));
    if b <= 1.0 {
        (chord, tangent_a.min(tangent_b))
    } else if a >= 1.0 {
        (tangent_a.max(tangent_b), chord)
    } else {
        (f64::NEG_INFINITY, f64::INFINITY)
    }
}

/// Margin of the squeeze in [`below_density`]: far above the rounding error of the bounds and
/// of `libm::exp` (all values are in [0, 1], where an ulp is at most 2.2e-16), far below the
/// gap between the bounds and f on almost every draw.
const SQUEEZE_MARGIN: f64 = 1e-13;

/// `y < f(x)` for the wedge of layer i (x in [x_{i+1}, x_i], given as |x|), decided without
/// the exponential whenever a cheap bound of f settles it (Marsaglia & Tsang's squeeze), so the
/// decision, and every draw, is exactly that of `y < density(x)`.
///
/// On the layer f is concave where x_i <= 1 and convex where x_{i+1} >= 1 (f'' = (x^2 - 1) f).
/// With the chord c(x) through (x_{i+1}, f_{i+1}), (x_i, f_i) and the tangents
/// t_e(x) = f_e (1 - e (x - e)) at both edges e (f'(e) = -e f(e)):
/// concave: c <= f <= min(t_{x_{i+1}}, t_{x_i}); convex: max(t_{x_{i+1}}, t_{x_i}) <= f <= c.
/// `y` below the lower bound by [`SQUEEZE_MARGIN`] is below f, `y` above the upper bound by it
/// is not; only the thin band between the bounds (and the layer holding the inflection point
/// x = 1) evaluates `density`.
#[inline]
fn below_density(t: &Tables, i: usize, x: f64, y: f64) -> bool {
    let (lower, upper) = wedge_bounds(t, i, x);
    if y < lower - SQUEEZE_MARGIN {
        true
    } else if y > upper + SQUEEZE_MARGIN {
        false
    } else {
        y < density(x)
    }
}

/// Completes a draw whose first try (layer `i`, `u`, `x`) was not accepted at once, drawing
/// on from `rng`: the result is what [`standard_normal`] returns on the same stream.
#[cold]
pub(super) fn finish_rejected<R2: Rng + ?Sized>(
    t: &Tables,
    rng: &mut R2,
    i: usize,
    u: f64,
    x: f64,
) -> f64 {
    after_rejection(t, rng, i, u, x).unwrap_or_else(|| standard_normal(rng))
}

/// Marsaglia's tail method for |x| > R.
#[cold]
fn tail<R2: Rng + ?Sized>(rng: &mut R2, negative: bool) -> f64 {
    loop {
        let a = -libm::log(1.0 - uniform01(rng)) / R;
        let b = -libm::log(1.0 - uniform01(rng));
        if 2.0 * b > a * a {
            return if negative { -(R + a) } else { R + a };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::SimRng;
    use rand::SeedableRng;

    /// The squeeze decides exactly as the exponential: on every wedge layer, for |x| across the
    /// layer and y across [f_i, f_{i+1}] (uniform, and within 1e-12 of f(x) where the bounds are
    /// tight), and it skips the exponential on most draws.
    #[test]
    fn the_squeeze_decides_as_the_density() {
        let t = tables();
        let mut rng = SimRng::seed_from_u64(3);
        let (mut decided, mut total) = (0usize, 0usize);
        for i in 1..LAYERS {
            let (a, b) = (t.x[i + 1], t.x[i]);
            for _ in 0..4000 {
                let x = a + uniform01(&mut rng) * (b - a);
                let f = density(x);
                let ys = [
                    t.f[i] + uniform01(&mut rng) * (t.f[i + 1] - t.f[i]),
                    f + (uniform01(&mut rng) - 0.5) * 2e-12,
                    f,
                    f64::from_bits(f.to_bits() - 1),
                    f64::from_bits(f.to_bits() + 1),
                ];
                for (n, y) in ys.into_iter().enumerate() {
                    assert_eq!(below_density(t, i, x, y), y < f, "layer {i}, x {x}, y {y}");
                    if n == 0 {
                        total += 1;
                        let (lo, hi) = wedge_bounds(t, i, x);
                        decided += usize::from(y < lo - SQUEEZE_MARGIN || y > hi + SQUEEZE_MARGIN);
                    }
                }
            }
        }
        let share = decided as f64 / total as f64;
        println!("squeeze share {share}");
        assert!(
            share > 0.9,
            "the squeeze settles only {share} of wedge draws"
        );
    }

    #[test]
    fn tables_close_at_zero() {
        let t = tables();
        // the recursion must land near x = 0 with f(x_127) + V / x_127 close to 1
        let last = t.x[LAYERS - 1];
        assert!(last > 0.0 && last < 0.3, "x_127 = {last}");
        assert!((density(last) + V / last - 1.0).abs() < 1e-3);
    }

    #[test]
    fn moments_match_standard_normal() {
        let mut rng = SimRng::seed_from_u64(7);
        let n = 2_000_000;
        let (mut s1, mut s2, mut s4, mut tail) = (0.0, 0.0, 0.0, 0usize);
        for _ in 0..n {
            let z = standard_normal(&mut rng);
            s1 += z;
            s2 += z * z;
            s4 += z * z * z * z;
            if z.abs() > R {
                tail += 1;
            }
        }
        let n = n as f64;
        assert!((s1 / n).abs() < 5.0 * (1.0 / n).sqrt());
        assert!((s2 / n - 1.0).abs() < 5.0 * (2.0 / n).sqrt());
        assert!((s4 / n - 3.0).abs() < 5.0 * (96.0 / n).sqrt());
        // P(|Z| > 3.4426) = 5.76e-4
        let expected = 5.76e-4 * n;
        assert!(
            (tail as f64 - expected).abs() < 5.0 * expected.sqrt(),
            "tail count {tail}"
        );
    }

    #[test]
    fn kolmogorov_smirnov_against_normal_cdf() {
        let mut rng = SimRng::seed_from_u64(11);
        let n = 50_000;
        let mut z: Vec<f64> = (0..n).map(|_| standard_normal(&mut rng)).collect();
        z.sort_by(f64::total_cmp);
        let cdf = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
        let dmax = z
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let c = cdf(x);
                (c - i as f64 / n as f64)
                    .abs()
                    .max((c - (i + 1) as f64 / n as f64).abs())
            })
            .fold(0.0, f64::max);
        // 1% critical value 1.63 / sqrt(n)
        assert!(dmax < 1.63 / (n as f64).sqrt(), "KS distance {dmax}");
    }
}
