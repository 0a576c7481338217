//! Shared helpers of the theory tests: random valid overlaps and an independent Monte Carlo
//! over Gaussian fields whose tolerance comes from its own standard error.
#![allow(dead_code)]

use nalgebra::DMatrix;
use rand::SeedableRng;
use sgdlab::model::Overlaps;
use sgdlab::random::{standard_normal, SimRng};

/// Standard errors allowed between an exact value and a Monte Carlo mean.
pub const SIGMAS: f64 = 5.0;

/// Overlaps of p random unit vectors with k orthonormal teacher directions in R^dim
/// (a valid Gram matrix by construction). `alignment` > 0 tilts the students towards the
/// teachers so that M is not small.
pub fn random_overlaps(seed: u64, p: usize, k: usize, dim: usize, alignment: f64) -> Overlaps {
    let mut rng = SimRng::seed_from_u64(seed);
    let teacher_raw = DMatrix::from_fn(dim, k, |_, _| standard_normal(&mut rng));
    let teacher = teacher_raw.qr().q(); // dim x k, orthonormal columns
    let mut w = DMatrix::from_fn(p, dim, |_, _| standard_normal(&mut rng));
    for j in 0..p {
        for r in 0..k {
            let c = alignment * (1.0 + 0.5 * standard_normal(&mut rng));
            for i in 0..dim {
                w[(j, i)] += c * teacher[(i, r)] * (dim as f64).sqrt();
            }
        }
        let norm = w.row(j).norm();
        for i in 0..dim {
            w[(j, i)] /= norm;
        }
    }
    let q = &w * w.transpose();
    let m = &w * &teacher;
    let mut q = (&q + q.transpose()) * 0.5;
    for j in 0..p {
        q[(j, j)] = 1.0;
    }
    Overlaps::new(q, m).expect("random overlaps are a valid Gram matrix")
}

/// p = k = 1 overlaps with correlation m.
pub fn single_index(m: f64) -> Overlaps {
    Overlaps::new(DMatrix::identity(1, 1), DMatrix::from_element(1, 1, m)).unwrap()
}

/// A factor L (n x n) with C = L L^T from the symmetric eigendecomposition (negative round-off
/// eigenvalues clipped).
pub fn factor(c: &DMatrix<f64>) -> DMatrix<f64> {
    let e = c.clone().symmetric_eigen();
    let n = c.nrows();
    DMatrix::from_fn(n, n, |i, a| {
        e.eigenvectors[(i, a)] * e.eigenvalues[a].max(0.0).sqrt()
    })
}

/// Running mean and standard error of several outputs.
pub struct Means {
    n: usize,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Means {
    pub fn new(outputs: usize) -> Self {
        Means {
            n: 0,
            sum: vec![0.0; outputs],
            sum_sq: vec![0.0; outputs],
        }
    }
    pub fn push(&mut self, v: &[f64]) {
        self.n += 1;
        for ((s, q), &x) in self.sum.iter_mut().zip(&mut self.sum_sq).zip(v) {
            *s += x;
            *q += x * x;
        }
    }
    pub fn mean(&self, i: usize) -> f64 {
        self.sum[i] / self.n as f64
    }
    pub fn standard_error(&self, i: usize) -> f64 {
        let n = self.n as f64;
        let mean = self.mean(i);
        ((self.sum_sq[i] / n - mean * mean).max(0.0) / (n - 1.0)).sqrt()
    }
}

/// Monte Carlo over z ~ N(0, C): calls `f(z, out)` for `samples` draws and returns the means
/// and standard errors of the `outputs` values.
pub fn monte_carlo(
    c: &DMatrix<f64>,
    samples: usize,
    seed: u64,
    outputs: usize,
    mut f: impl FnMut(&[f64], &mut [f64]),
) -> Means {
    let l = factor(c);
    let n = c.nrows();
    let mut rng = SimRng::seed_from_u64(seed);
    let mut s = vec![0.0; n];
    let mut z = vec![0.0; n];
    let mut out = vec![0.0; outputs];
    let mut means = Means::new(outputs);
    for _ in 0..samples {
        for x in s.iter_mut() {
            *x = standard_normal(&mut rng);
        }
        for i in 0..n {
            z[i] = (0..n).map(|a| l[(i, a)] * s[a]).sum();
        }
        f(&z, &mut out);
        means.push(&out);
    }
    means
}

/// Asserts |exact - mc| <= SIGMAS * se (+ a round-off floor), with context.
pub fn assert_within_standard_errors(exact: f64, mc: f64, se: f64, context: &str) {
    let tolerance = SIGMAS * se + 1e-12 * (1.0 + exact.abs());
    assert!(
        (exact - mc).abs() <= tolerance,
        "{context}: exact {exact} vs Monte Carlo {mc} +- {se} ({:.1} standard errors)",
        (exact - mc).abs() / se
    );
}
