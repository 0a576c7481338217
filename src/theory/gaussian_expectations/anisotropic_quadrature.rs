//! Anisotropic tensor-product Gauss-Hermite quadrature in the eigenbasis of the covariance,
//! for E[F(z)], z ~ N(0, C), when the integrand is a function of the fields z_j one at a time
//! through smooth links (docs/science.md §6, "strongly correlated fields").
//!
//! With C = Q Λ Q^T and L = Q Λ^(1/2) ([`CovarianceFactor`], rank ρ), z = L s, s ~ N(0, I_ρ):
//!
//! ```text
//! E[F(z)] ~= sum_{i_1..i_ρ} w^(n_1)_{i_1} ... w^(n_ρ)_{i_ρ} F(L t),  t_a = t^(n_a)_{i_a},
//! ```
//!
//! with n_a nodes in direction a instead of the same n everywhere. Along direction a the field
//! z_j moves by L_ja s_a, so a link h(z_j) is probed on the scale
//! ℓ_a = max_j |L_ja| = sqrt(λ_a) max_j |Q_ja|: a direction of small variance needs few nodes
//! (tanh varies on scale 1), the principal direction of nearly rank-one C (students aligned
//! with each other and with the teacher) about thirty. n_a is the smallest count of
//! [`NODE_LADDER`] whose rule integrates the one-dimensional probes h(ℓ_a t + c),
//! c ∈ {0, 0.6}, t ~ N(0, 1), within `tolerance` of a 200-node Gauss-Hermite rule.
//!
//! Each count has two candidate rules ([`RuleFamily`]): the n-node Gauss-Hermite rule (exact
//! for polynomials of degree 2n - 1: best for small loadings, where the integrand is nearly a
//! low-degree polynomial), and the n-point trapezoidal rule t_i = (i - (n - 1)/2) h with
//! weights proportional to exp(-t_i²/2) and the step balancing its two errors,
//! exp(-π²/(ℓ h)) from tanh's poles at ±iπ/2 (strip half-width π/(2ℓ) in t) and
//! exp(-T²/2) from the cut at T = h (n - 1)/2, i.e. h = (8π² / (ℓ (n - 1)²))^(1/3) (capped
//! at 1). For a loading near 1 the trapezoidal rule is about 100 times more accurate than
//! Gauss-Hermite at 30 nodes (1e-6 against 1.4e-4 on σ'(x)²(1 + σ(x)²) for tanh), whose
//! convergence such poles near the real axis slow down. The first candidate of the ladder that
//! meets the tolerance is kept.
//!
//! This is a heuristic choice of the rule, not a bound: the integrand's error is estimated by
//! comparing with a refined rule ([`AnisotropicRule::refined`]), see
//! `theory::joint_integration::drift_by_anisotropic_quadrature`.

use super::covariance_factor::CovarianceFactor;
use super::error::ExpectationError;
use super::gauss_hermite_quadrature::{standard_normal_rule, StandardNormalRule};
use std::collections::HashMap;

/// Loadings are rounded up to a multiple of 1/`SCALE_STEPS` before the probes choose a rule
/// ([`DirectionChoices`]): the rule for a slightly larger loading has at least the nodes it
/// needs, and the choice is reused across the steps of a recursion.
pub const SCALE_STEPS: f64 = 128.0;

/// Memo of the probes' choices, (family, ladder rung) per rounded loading, for ONE probe and
/// tolerance (the caller keeps one per pair): the probes cost a few thousand link evaluations
/// per direction, as much as a small grid.
#[derive(Clone, Debug, Default)]
pub struct DirectionChoices {
    chosen: HashMap<u32, (RuleFamily, usize)>,
}

impl DirectionChoices {
    /// An empty memo.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of loadings whose choice is stored.
    pub fn len(&self) -> usize {
        self.chosen.len()
    }

    /// Whether no choice is stored yet.
    pub fn is_empty(&self) -> bool {
        self.chosen.is_empty()
    }
}

/// The node counts a direction may get, in increasing order.
pub const NODE_LADDER: [usize; 20] = [
    1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64,
];

/// Node count of the one-dimensional reference rule of the probes.
const PROBE_REFERENCE_NODES: usize = 200;

/// The two kinds of one-dimensional rule a direction may get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleFamily {
    /// Gauss-Hermite with n nodes.
    GaussHermite,
    /// n equally spaced points, step h = (8π² / (ℓ (n - 1)²))^(1/3) capped at 1, weights
    /// ∝ exp(-t²/2) normalised to sum 1.
    Trapezoidal,
}

/// One direction's rule: family, node count and the points (t_i, w_i) for N(0, 1).
#[derive(Clone, Debug)]
struct DirectionRule {
    family: RuleFamily,
    rung: usize,
    scale: f64,
    points: StandardNormalRule,
}

/// The `family` rule with `n` points for loading `scale`.
fn one_dimensional_rule(
    family: RuleFamily,
    n: usize,
    scale: f64,
) -> Result<StandardNormalRule, ExpectationError> {
    match family {
        RuleFamily::GaussHermite => standard_normal_rule(n),
        RuleFamily::Trapezoidal => {
            if n < 2 {
                return standard_normal_rule(1);
            }
            let gaps = (n - 1) as f64;
            let h = (8.0 * std::f64::consts::PI.powi(2) / (scale.max(1e-3) * gaps * gaps))
                .cbrt()
                .min(1.0);
            let mut points: Vec<(f64, f64)> = (0..n)
                .map(|i| {
                    let t = (i as f64 - 0.5 * gaps) * h;
                    (t, (-0.5 * t * t).exp())
                })
                .collect();
            let total: f64 = points.iter().map(|p| p.1).sum();
            for p in &mut points {
                p.1 /= total;
            }
            Ok(points.into())
        }
    }
}

/// Offsets c of the probes h(ℓ t + c): a centred probe of an odd or even link integrates
/// exactly by symmetry whatever the rule, the shifted one does not.
const PROBE_OFFSETS: [f64; 2] = [0.0, 0.6];

/// A tensor-product rule with one one-dimensional rule (Gauss-Hermite or trapezoidal, n_a
/// points) along each column of the covariance factor L.
#[derive(Clone, Debug)]
pub struct AnisotropicRule {
    factor: CovarianceFactor,
    directions: Vec<DirectionRule>,
}

/// sum_i w_i h(ℓ t_i + c) for the `n`-node standard normal rule.
fn probe_integral(rule: &StandardNormalRule, h: &dyn Fn(f64) -> f64, scale: f64, c: f64) -> f64 {
    rule.iter().map(|&(t, w)| w * h(scale * t + c)).sum()
}

/// The first candidate of the ladder (by count, Gauss-Hermite before trapezoidal) from rung
/// `from` on whose rule integrates h(ℓ t + c), for every offset of [`PROBE_OFFSETS`], within
/// `tolerance` of the reference rule (the top rung's trapezoidal rule if none does).
fn direction_rule(
    h: &dyn Fn(f64) -> f64,
    scale: f64,
    tolerance: f64,
    from: usize,
) -> Result<DirectionRule, ExpectationError> {
    let reference_rule = standard_normal_rule(PROBE_REFERENCE_NODES)?;
    let reference: Vec<f64> = PROBE_OFFSETS
        .iter()
        .map(|&c| probe_integral(&reference_rule, h, scale, c))
        .collect();
    let top = NODE_LADDER.len() - 1;
    for (rung, &n) in NODE_LADDER.iter().enumerate().skip(from.min(top)) {
        for family in [RuleFamily::GaussHermite, RuleFamily::Trapezoidal] {
            let points = one_dimensional_rule(family, n, scale)?;
            let close = PROBE_OFFSETS
                .iter()
                .zip(&reference)
                .all(|(&c, &r)| (probe_integral(&points, h, scale, c) - r).abs() <= tolerance);
            if close || (rung == top && family == RuleFamily::Trapezoidal) {
                return Ok(DirectionRule {
                    family,
                    rung,
                    scale,
                    points,
                });
            }
        }
    }
    Err(ExpectationError::InvalidSetting {
        name: "anisotropic quadrature ladder",
        value: from as f64,
        reason: "no rung",
    })
}

impl AnisotropicRule {
    /// The rule for `factor` whose node count in direction a integrates the probes
    /// h(ℓ_a t + c) within `tolerance` (ℓ_a = max_j |L_ja|; `probe` is a sum of the links and
    /// their derivatives, e.g. σ'(x)² (1 + σ(x)²) for tanh). Errors on a tolerance that is not
    /// positive and finite.
    pub fn new(
        factor: CovarianceFactor,
        probe: &dyn Fn(f64) -> f64,
        tolerance: f64,
    ) -> Result<Self, ExpectationError> {
        if !(tolerance.is_finite() && tolerance > 0.0) {
            return Err(ExpectationError::InvalidSetting {
                name: "anisotropic quadrature tolerance",
                value: tolerance,
                reason: "must be positive and finite",
            });
        }
        Self::with_choices(factor, probe, tolerance, &mut DirectionChoices::new())
    }

    /// [`AnisotropicRule::new`] with each loading rounded up to a multiple of
    /// 1/[`SCALE_STEPS`] and the probes' choice for it looked up in (or added to) `choices`,
    /// which must belong to this `probe` and `tolerance`.
    pub fn with_choices(
        factor: CovarianceFactor,
        probe: &dyn Fn(f64) -> f64,
        tolerance: f64,
        choices: &mut DirectionChoices,
    ) -> Result<Self, ExpectationError> {
        if !(tolerance.is_finite() && tolerance > 0.0) {
            return Err(ExpectationError::InvalidSetting {
                name: "anisotropic quadrature tolerance",
                value: tolerance,
                reason: "must be positive and finite",
            });
        }
        let l = factor.factor();
        let directions = (0..factor.rank())
            .map(|a| {
                let loading = (0..l.nrows()).map(|j| l[(j, a)].abs()).fold(0.0, f64::max);
                let steps = (loading * SCALE_STEPS).ceil().clamp(1.0, 1e6) as u32;
                let scale = steps as f64 / SCALE_STEPS;
                match choices.chosen.get(&steps) {
                    Some(&(family, rung)) => Ok(DirectionRule {
                        family,
                        rung,
                        scale,
                        points: one_dimensional_rule(family, NODE_LADDER[rung], scale)?,
                    }),
                    None => {
                        let rule = direction_rule(probe, scale, tolerance, 0)?;
                        choices.chosen.insert(steps, (rule.family, rule.rung));
                        Ok(rule)
                    }
                }
            })
            .collect::<Result<Vec<_>, ExpectationError>>()?;
        Ok(AnisotropicRule { factor, directions })
    }

    /// The refined rule of the error estimate: every direction moves up the ladder by
    /// `steps` rungs in its own family (n = 2 becomes 3 for one rung, 24 becomes 28), capped
    /// at the top.
    pub fn refined(&self, steps: usize) -> Result<Self, ExpectationError> {
        let top = NODE_LADDER.len() - 1;
        let directions = self
            .directions
            .iter()
            .map(|d| {
                let rung = (d.rung + steps).min(top);
                Ok(DirectionRule {
                    family: d.family,
                    rung,
                    scale: d.scale,
                    points: one_dimensional_rule(d.family, NODE_LADDER[rung], d.scale)?,
                })
            })
            .collect::<Result<Vec<_>, ExpectationError>>()?;
        Ok(AnisotropicRule {
            factor: self.factor.clone(),
            directions,
        })
    }

    /// Nodes per direction n_a (one entry per column of L, in the factor's order).
    pub fn nodes_per_direction(&self) -> Vec<usize> {
        self.directions.iter().map(|d| d.points.len()).collect()
    }

    /// The family of each direction's rule.
    pub fn families(&self) -> Vec<RuleFamily> {
        self.directions.iter().map(|d| d.family).collect()
    }

    /// Number of grid points Π_a n_a (saturating).
    pub fn size(&self) -> usize {
        self.directions
            .iter()
            .fold(1usize, |acc, d| acc.saturating_mul(d.points.len()))
    }

    /// Calls `visit(z, weight)` at every grid point, z = L t of the covariance's length; the
    /// weights sum to 1. The fields are summed incrementally: each direction's contributions
    /// L_{·a} t_i are computed once, and the partial sums over the outer directions are
    /// updated only when their index moves (the innermost direction costs n additions a point).
    pub fn for_each_node(
        &self,
        mut visit: impl FnMut(&[f64], f64),
    ) -> Result<(), ExpectationError> {
        let rank = self.factor.rank();
        let n = self.factor.fields();
        let mut z = vec![0.0; n];
        if rank == 0 {
            visit(&z, 1.0);
            return Ok(());
        }
        let l = self.factor.factor();
        // contributions[a][i * n + j] = L_ja t_i of direction a's rule
        let contributions: Vec<Vec<f64>> = self
            .directions
            .iter()
            .enumerate()
            .map(|(a, d)| {
                d.points
                    .iter()
                    .flat_map(|&(t, _)| (0..n).map(move |j| l[(j, a)] * t))
                    .collect()
            })
            .collect();
        let rules: Vec<&StandardNormalRule> = self.directions.iter().map(|d| &d.points).collect();
        // partial[a] = sum over directions b > a of their current contributions (n each),
        // outer_weight[a] = product of their current weights
        let mut partial = vec![0.0; rank * n];
        let mut outer_weight = vec![1.0; rank];
        let mut index = vec![0usize; rank];
        let refresh =
            |from: usize, index: &[usize], partial: &mut [f64], outer_weight: &mut [f64]| {
                for a in (0..from).rev() {
                    let b = a + 1;
                    for j in 0..n {
                        partial[a * n + j] = if b == rank {
                            0.0
                        } else {
                            partial[b * n + j] + contributions[b][index[b] * n + j]
                        };
                    }
                    outer_weight[a] = if b == rank {
                        1.0
                    } else {
                        outer_weight[b] * rules[b][index[b]].1
                    };
                }
            };
        refresh(rank, &index, &mut partial, &mut outer_weight);
        loop {
            let inner = &contributions[0];
            for (i, &(_, w)) in rules[0].iter().enumerate() {
                for (j, zj) in z.iter_mut().enumerate() {
                    *zj = partial[j] + inner[i * n + j];
                }
                visit(&z, outer_weight[0] * w);
            }
            // odometer over the outer directions
            let mut a = 1;
            loop {
                if a == rank {
                    return Ok(());
                }
                index[a] += 1;
                if index[a] < rules[a].len() {
                    break;
                }
                index[a] = 0;
                a += 1;
            }
            refresh(a, &index, &mut partial, &mut outer_weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn small_directions_get_few_nodes_and_moments_are_exact() {
        // fields of correlation 0.999: one principal direction, two of variance 1e-3
        let c = DMatrix::from_fn(3, 3, |i, j| if i == j { 1.0 } else { 0.999 });
        let factor = CovarianceFactor::new(&c).unwrap();
        let probe = |x: f64| {
            let t = x.tanh();
            let d = 1.0 - t * t;
            d * d * (1.0 + t * t)
        };
        let rule = AnisotropicRule::new(factor, &probe, 1e-7).unwrap();
        let mut nodes = rule.nodes_per_direction();
        nodes.sort_unstable();
        assert!(nodes[0] <= 3 && nodes[1] <= 3, "{nodes:?}");
        assert!(nodes[2] >= 12, "{nodes:?}");
        assert_eq!(rule.families().len(), 3);
        let (mut total, mut second) = (0.0, 0.0);
        rule.for_each_node(|z, w| {
            total += w;
            second += w * z[0] * z[1];
        })
        .unwrap();
        assert!((total - 1.0).abs() < 1e-13);
        assert!((second - 0.999).abs() < 1e-12, "{second}");
        let refined = rule.refined(1).unwrap();
        assert!(refined.size() > rule.size());
        assert!(
            AnisotropicRule::new(CovarianceFactor::new(&c).unwrap(), &probe, f64::NAN).is_err()
        );
    }
}
