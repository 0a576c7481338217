//! Recorded trajectories: the common output schema of simulations and of the theory
//! recursion, so either can be overlaid on the other.
//!
//! JSON keys: `steps` (recorded step indices), `M` (list of p x k matrices), `Q` (list of
//! p x p matrices), `risk` (population risk at each recorded step), `weak_recovery_step`
//! (first step with max_j ||M_j|| >= eta, or null), and with a trained second layer `a` (the
//! weights a_1..a_p at each recorded step; absent otherwise).
//!
//! # Bounded memory and time
//! [`Trajectory::record`] keeps every step that is a multiple of the current `stride` plus a
//! geometric grid (steps 0..=16 and then every step where floor(1.08^i) lands), so log-time
//! plots keep their early points. When more than `capacity` uniform points are held, the stride
//! doubles and the points off the new grid are dropped. Memory stays O(capacity + log T): at
//! most `capacity` uniform points, at most [`MAX_GEOMETRIC_POINTS`] geometric ones, and the
//! weak-recovery and last steps.
//!
//! The number of uniform points is kept as a running count, so a record costs O(1) and a
//! thinning O(len); a thinning halves the uniform points, so at least capacity / 2 records
//! separate two thinnings and the cost is O(1) amortised per recorded step.
//! [`MAX_TRAJECTORY_FLOATS`] bounds what a config may ask for (see
//! [`max_record_points`]).

use crate::model::Overlaps;
use serde::{Deserialize, Serialize};

/// Default number of uniformly spaced points kept.
pub const DEFAULT_CAPACITY: usize = 2048;

/// Largest number of recorded numbers a run may request: record_points (p^2 + p k + p + 1)
/// <= 2^22 = 4 194 304 (Q, M and the risk at each uniform point; 32 MiB as f64, about 80 MB
/// as JSON).
pub const MAX_TRAJECTORY_FLOATS: usize = 1 << 22;

/// Largest number of uniform points of any config, whatever p and k.
pub const MAX_RECORD_POINTS: usize = 1_000_000;

/// Smallest number of uniform points.
pub const MIN_RECORD_POINTS: usize = 16;

/// At most this many geometric-grid points (steps 0..=16 and floor(1.08^i) up to 10^9 steps;
/// see [`on_geometric_grid`]) are kept on top of the uniform ones.
pub const MAX_GEOMETRIC_POINTS: usize = 300;

/// The largest `record_points` at p student neurons, k teacher directions and m free directions
/// of a spiked covariance (Q, M, the second layer a, the overlaps R and the risk at each point):
/// min([`MAX_RECORD_POINTS`], floor([`MAX_TRAJECTORY_FLOATS`] / (p^2 + p k + p + p m + 1))).
/// 1 000 000 at p = k = 1, 10 459 at p = 16, k = 8 (m = 0).
pub fn max_record_points(p: usize, k: usize, m: usize) -> usize {
    (MAX_TRAJECTORY_FLOATS / (p * p + p * k + p + p * m + 1)).min(MAX_RECORD_POINTS)
}

/// A recorded trajectory of overlaps and risk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// Recorded step indices t (0 = initial condition), increasing.
    pub steps: Vec<u64>,
    /// M at each recorded step, as rows (p x k).
    #[serde(rename = "M")]
    pub m: Vec<Vec<Vec<f64>>>,
    /// Q at each recorded step, as rows (p x p).
    #[serde(rename = "Q")]
    pub q: Vec<Vec<Vec<f64>>>,
    /// Population risk R = (1/2)(Delta + E[(f* - f)^2]) at each recorded step.
    pub risk: Vec<f64>,
    /// First step with max_j ||M_j||_2 >= eta, if reached.
    pub weak_recovery_step: Option<u64>,
    /// The second layer a_1..a_p at each recorded step (trained second layer only; empty and
    /// left out of the JSON otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub a: Vec<Vec<f64>>,
    /// R_ji = w_j . u_i, the overlaps of the students with the free directions u_i of a spiked
    /// input covariance, as rows (p x m) at each recorded step (spikes with free directions
    /// only; empty and left out of the JSON otherwise).
    #[serde(rename = "R", default, skip_serializing_if = "Vec::is_empty")]
    pub r: Vec<Vec<Vec<f64>>>,
    /// Uniform recording stride (a power of two).
    #[serde(skip)]
    stride: u64,
    /// Maximum number of uniformly spaced points kept.
    #[serde(skip)]
    capacity: usize,
    /// Number of held points on the uniform grid (steps that are multiples of `stride`).
    #[serde(skip)]
    uniform: usize,
}

/// Rows of a matrix as nested vectors.
pub fn matrix_rows(m: &nalgebra::DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

/// true when `step` is on the geometric grid kept for log-time plots.
pub fn on_geometric_grid(step: u64) -> bool {
    if step <= 16 {
        return true;
    }
    // step == floor(1.08^i) for some i  <=>  the grid value just below step+1 equals step
    let i = ((step as f64 + 1.0).ln() / 1.08f64.ln()).floor();
    let candidate = 1.08f64.powf(i).floor() as u64;
    candidate == step || (1.08f64.powf(i - 1.0).floor() as u64) == step
}

impl Trajectory {
    /// An empty trajectory keeping at most `capacity` uniformly spaced points (>= 16).
    pub fn with_capacity(capacity: usize) -> Self {
        Trajectory {
            stride: 1,
            capacity: capacity.max(16),
            ..Default::default()
        }
    }

    /// Number of recorded points.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// true when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Current uniform stride.
    pub fn stride(&self) -> u64 {
        self.stride.max(1)
    }

    /// Would step `t` be recorded?
    pub fn wants(&self, step: u64) -> bool {
        step % self.stride() == 0 || on_geometric_grid(step)
    }

    /// Record the state at `step` if it is on the grid (or `force`), thinning when full.
    pub fn record(&mut self, step: u64, overlaps: &Overlaps, risk: f64, force: bool) {
        self.record_state(step, overlaps, None, None, risk, force)
    }

    /// [`Trajectory::record`] with the second layer a_1..a_p (`Some` for a trained second
    /// layer) and the overlaps R (p x m) with the free directions of a spiked covariance
    /// (`Some` when the spikes have free directions), each at every record of the run.
    pub fn record_state(
        &mut self,
        step: u64,
        overlaps: &Overlaps,
        second_layer: Option<&[f64]>,
        free_overlaps: Option<&nalgebra::DMatrix<f64>>,
        risk: f64,
        force: bool,
    ) {
        if !(force || self.wants(step)) {
            return;
        }
        if self.steps.last() == Some(&step) {
            return;
        }
        if let Some(a) = second_layer {
            self.a.push(a.to_vec());
        }
        if let Some(r) = free_overlaps {
            self.r.push(matrix_rows(r));
        }
        self.steps.push(step);
        self.m.push(matrix_rows(&overlaps.m));
        self.q.push(matrix_rows(&overlaps.q));
        self.risk.push(risk);
        if step % self.stride() == 0 {
            self.uniform += 1;
        }
        if self.uniform > self.capacity.max(16) {
            self.stride = self.stride() * 2;
            self.thin();
            let stride = self.stride();
            self.uniform = self.steps.iter().filter(|&&s| s % stride == 0).count();
        }
    }

    /// Drop points that are neither on the uniform grid, the geometric grid, nor the last one.
    fn thin(&mut self) {
        let stride = self.stride();
        let last = self.steps.len() - 1;
        let weak = self.weak_recovery_step;
        let keep: Vec<bool> = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, &s)| i == last || s % stride == 0 || on_geometric_grid(s) || Some(s) == weak)
            .collect();
        let mut it = keep.iter();
        self.steps.retain(|_| *it.next().unwrap());
        let mut it = keep.iter();
        self.m.retain(|_| *it.next().unwrap());
        let mut it = keep.iter();
        self.q.retain(|_| *it.next().unwrap());
        let mut it = keep.iter();
        self.risk.retain(|_| *it.next().unwrap());
        if !self.a.is_empty() {
            let mut it = keep.iter();
            self.a.retain(|_| *it.next().unwrap());
        }
        if !self.r.is_empty() {
            let mut it = keep.iter();
            self.r.retain(|_| *it.next().unwrap());
        }
    }

    /// max_j ||M_j|| at each recorded point.
    pub fn max_teacher_overlap(&self) -> Vec<f64> {
        self.m
            .iter()
            .map(|rows| {
                rows.iter()
                    .map(|r| r.iter().map(|x| x * x).sum::<f64>().sqrt())
                    .fold(0.0, f64::max)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn memory_stays_bounded_and_keeps_early_points() {
        let o = Overlaps {
            q: DMatrix::identity(1, 1),
            m: DMatrix::from_element(1, 1, 0.1),
        };
        let mut t = Trajectory::with_capacity(64);
        for step in 0..1_000_000u64 {
            if t.wants(step) {
                t.record(step, &o, 1.0, false);
            }
        }
        assert!(t.len() < 64 + 200, "{} points", t.len());
        assert_eq!(&t.steps[..17], &(0..=16).collect::<Vec<_>>()[..]);
        assert!(t.steps.windows(2).all(|w| w[0] < w[1]));
        assert!(*t.steps.last().unwrap() > 900_000);
        assert_eq!(t.m.len(), t.len());
        assert_eq!(t.risk.len(), t.len());
    }

    /// The previous implementation (recounting the uniform points at every record), kept as
    /// the reference for the kept set.
    fn reference_steps(capacity: usize, steps: u64, forced: &[u64]) -> Vec<u64> {
        let mut kept: Vec<u64> = Vec::new();
        let mut stride = 1u64;
        for step in 0..=steps {
            let force = forced.contains(&step);
            if !(force || step % stride == 0 || on_geometric_grid(step)) {
                continue;
            }
            kept.push(step);
            if kept.iter().filter(|&&s| s % stride == 0).count() > capacity {
                stride *= 2;
                let last = kept.len() - 1;
                kept = kept
                    .iter()
                    .enumerate()
                    .filter(|&(i, &s)| i == last || s % stride == 0 || on_geometric_grid(s))
                    .map(|(_, &s)| s)
                    .collect();
            }
        }
        kept
    }

    #[test]
    fn kept_grid_is_unchanged_by_the_running_count() {
        let o = Overlaps {
            q: DMatrix::identity(1, 1),
            m: DMatrix::from_element(1, 1, 0.1),
        };
        for (capacity, steps, forced) in [
            (DEFAULT_CAPACITY, 100_000u64, vec![]),
            (16, 5_000, vec![333, 4_999]),
            (100, 77_777, vec![12_345, 77_777]),
        ] {
            let mut t = Trajectory::with_capacity(capacity);
            for step in 0..=steps {
                let force = forced.contains(&step);
                t.record(step, &o, 1.0, force);
            }
            assert_eq!(
                t.steps,
                reference_steps(capacity, steps, &forced),
                "{capacity}"
            );
            assert!(t.uniform <= capacity);
        }
    }

    #[test]
    fn a_large_capacity_keeps_every_step_of_a_long_run() {
        // nb = 1, 2 x 10^5 steps, 10^6 points: every step is kept (this used to take 46 s, as
        // each record recounted all the points held)
        let o = Overlaps {
            q: DMatrix::identity(1, 1),
            m: DMatrix::from_element(1, 1, 0.1),
        };
        let mut t = Trajectory::with_capacity(1_000_000);
        for step in 0..=200_000u64 {
            t.record(step, &o, 1.0, false);
        }
        assert_eq!(t.len(), 200_001);
        assert_eq!(t.stride(), 1);
        assert_eq!(t.uniform, 200_001);
    }

    #[test]
    fn record_points_bound_follows_p_and_k() {
        assert_eq!(max_record_points(1, 1, 0), MAX_RECORD_POINTS);
        assert_eq!(max_record_points(16, 8, 0), 10_459);
        assert_eq!(max_record_points(16, 8, 4), 9_020);
        for (p, k, m) in [(1, 1, 0), (4, 2, 1), (16, 8, 0), (16, 1, 4)] {
            let floats = p * p + p * k + p + p * m + 1;
            assert!(max_record_points(p, k, m) * floats <= MAX_TRAJECTORY_FLOATS);
        }
        // geometric grid up to 10^9 steps
        let geometric = 17
            + (0..400)
                .map(|i| 1.08f64.powi(i).floor() as u64)
                .filter(|&s| s > 16 && s <= 1_000_000_000)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
        assert!(geometric <= MAX_GEOMETRIC_POINTS, "{geometric}");
    }

    #[test]
    fn json_keys_follow_the_schema() {
        let o = Overlaps {
            q: DMatrix::identity(1, 1),
            m: DMatrix::from_element(1, 1, 0.1),
        };
        let mut t = Trajectory::with_capacity(16);
        t.record(0, &o, 2.0, true);
        let v = serde_json::to_value(&t).unwrap();
        for key in ["steps", "M", "Q", "risk", "weak_recovery_step"] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["M"][0][0][0], 0.1);
    }
}
