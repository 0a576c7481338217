//! Risk and drift terms by one integration pass over all r = p + k local fields
//! (lambda_1..lambda_p, lambda*_1..lambda*_k) ~ N(0, Omega), for links without closed forms
//! or polynomial structure (tanh, ReLU, mixed erf/He pairs, the tanh(z_1...z_k) teacher).
//!
//! At each point the integrands are evaluated from their definitions,
//! f = (1/p) sum_j sigma(lambda_j), f* = g(lambda*), e = f* - f (MSE) or f* (correlation):
//!
//! ```text
//! (f* - f)^2,  sigma'(lambda_j) lambda*_r e,  sigma'(lambda_j) lambda_l e,
//! sigma'(lambda_j) sigma'(lambda_l) (e^2 + Delta)
//! ```
//!
//! (the label noise sqrt(Delta) xi is averaged analytically: E_xi[(e + sqrt(Delta) xi)^2] =
//! e^2 + Delta). The points are a Gauss-Hermite tensor grid in the eigenbasis of Omega when the
//! links are smooth and rank(Omega) <= `max_quadrature_dimensions`, and seeded Monte Carlo
//! draws otherwise (each reported entry then carries its standard error; the method reports
//! the largest).

use super::drift_matrices::DriftTerms;
use super::error::TheoryError;
use super::gaussian_expectations::gauss_hermite_quadrature::{
    default_nodes_per_dimension, for_each_quadrature_node,
};
use super::gaussian_expectations::monte_carlo::{for_each_monte_carlo_sample, SampleMeans};
use super::gaussian_expectations::{CovarianceFactor, Estimate, Method, NumericalSettings};
use crate::model::{Link, StepLoss, Target};
use nalgebra::DMatrix;

/// true when every function of the integrand is analytic (quadrature converges fast): a
/// Hermite polynomial teacher is, a ReLU is not.
pub(super) fn smooth(target: &Target, activation: Link) -> bool {
    activation != Link::Relu
        && match target {
            Target::Committee(l) => *l != Link::Relu,
            Target::Hermite(_) => true,
            Target::TanhProduct => false,
        }
}

/// Integrates the vector-valued `integrand(z, out)` (writing `outputs` values) over
/// z ~ N(0, Omega); returns the means and the method (for Monte Carlo, with the largest
/// standard error of any output).
fn integrate(
    omega: &DMatrix<f64>,
    smooth: bool,
    settings: &NumericalSettings,
    outputs: usize,
    mut integrand: impl FnMut(&[f64], &mut [f64]),
) -> Result<(Vec<f64>, Method), TheoryError> {
    let factor = CovarianceFactor::new(omega)?;
    let mut values = vec![0.0; outputs];
    if smooth && factor.rank() <= settings.max_quadrature_dimensions {
        let nodes = settings
            .quadrature_nodes
            .unwrap_or_else(|| default_nodes_per_dimension(factor.rank()));
        let mut sums = vec![0.0; outputs];
        for_each_quadrature_node(&factor, nodes, |z, w| {
            integrand(z, &mut values);
            for (s, v) in sums.iter_mut().zip(&values) {
                *s += w * v;
            }
        })?;
        return Ok((sums, Method::Quadrature { nodes }));
    }
    let mut means = SampleMeans::new(outputs);
    for_each_monte_carlo_sample(&factor, &settings.monte_carlo, |z| {
        integrand(z, &mut values);
        means.push(&values);
    })?;
    let mean: Vec<f64> = (0..outputs).map(|i| means.mean(i)).collect();
    let largest = (0..outputs)
        .map(|i| means.standard_error(i))
        .fold(0.0, f64::max);
    Ok((
        mean,
        Method::MonteCarlo {
            samples: settings.monte_carlo.samples,
            standard_error: largest,
        },
    ))
}

/// (sigma(z), sigma'(z)), with one tanh evaluation for tanh (1 - tanh² for the derivative; the
/// link's own method evaluates tanh twice), the link's method otherwise.
#[inline]
fn link_value_and_derivative(link: Link, z: f64) -> (f64, f64) {
    if link == Link::Tanh {
        let t = libm::tanh(z);
        (t, 1.0 - t * t)
    } else {
        link.value_and_derivative(z)
    }
}

/// f = (1/p) sum_j sigma(z_j), filling sigma'(z_j) into `derivative`.
#[inline]
fn student_output(activation: Link, z: &[f64], derivative: &mut [f64]) -> f64 {
    let p = derivative.len();
    let mut f = 0.0;
    for (d, &zj) in derivative.iter_mut().zip(&z[..p]) {
        let (v, dv) = link_value_and_derivative(activation, zj);
        f += v;
        *d = dv;
    }
    f / p as f64
}

/// E[(f* - f)^2] (no noise, no 1/2).
pub(crate) fn risk_by_joint_integration(
    target: &Target,
    activation: Link,
    omega: &DMatrix<f64>,
    p: usize,
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<Estimate, TheoryError> {
    let (mean, method) = integrate(omega, smooth(target, activation), settings, 1, |z, out| {
        let f = second_layer
            .iter()
            .zip(&z[..p])
            .map(|(a, &zj)| a * activation.value(zj))
            .sum::<f64>()
            / p as f64;
        let e = target.value(&z[p..]) - f;
        out[0] = e * e;
    })?;
    Ok(Estimate::new(mean[0], method))
}

/// The integrand of the drift terms at the fields `z` (p students then k teachers), written
/// to `out` as psi (p x k), then sigma'(lambda_j) lambda_l e and
/// sigma'(lambda_j) sigma'(lambda_l) (e^2 + Delta) (p x p each, row-major).
pub(super) struct DriftIntegrand<'a> {
    target: &'a Target,
    activation: Link,
    step_loss: StepLoss,
    p: usize,
    k: usize,
    noise: f64,
    second_layer: &'a [f64],
    uniform: bool,
    derivative: Vec<f64>,
}

impl<'a> DriftIntegrand<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        target: &'a Target,
        activation: Link,
        step_loss: StepLoss,
        p: usize,
        k: usize,
        noise: f64,
        second_layer: &'a [f64],
    ) -> Self {
        DriftIntegrand {
            target,
            activation,
            step_loss,
            p,
            k,
            noise,
            second_layer,
            uniform: second_layer.iter().all(|&x| x == 1.0),
            derivative: vec![0.0; p],
        }
    }

    pub(super) fn outputs(&self) -> usize {
        self.p * self.k + 2 * self.p * self.p
    }

    #[inline]
    pub(super) fn evaluate(&mut self, z: &[f64], out: &mut [f64]) {
        let (p, k, a) = (self.p, self.k, self.second_layer);
        let activation = self.activation;
        let f = if self.uniform {
            student_output(activation, z, &mut self.derivative)
        } else {
            let mut f = 0.0;
            for (j, (d, &zj)) in self.derivative.iter_mut().zip(&z[..p]).enumerate() {
                let (v, dv) = link_value_and_derivative(activation, zj);
                f += a[j] * v;
                *d = a[j] * dv;
            }
            f / p as f64
        };
        let y = self.target.value(&z[p..]);
        let e = match self.step_loss {
            StepLoss::Mse => y - f,
            StepLoss::Correlation => y,
        };
        let e2 = e * e + self.noise;
        let (psi, rest) = out.split_at_mut(p * k);
        let (gf, hd) = rest.split_at_mut(p * p);
        let derivative = &self.derivative;
        for j in 0..p {
            let de = derivative[j] * e;
            for r in 0..k {
                psi[j * k + r] = de * z[p + r];
            }
            for l in 0..p {
                gf[j * p + l] = de * z[l];
                hd[j * p + l] = derivative[j] * derivative[l] * e2;
            }
        }
    }
}

/// The drift terms from the means of the [`DriftIntegrand`] outputs (phiHD symmetrised).
pub(super) fn drift_from_means(mean: &[f64], p: usize, k: usize, method: Method) -> DriftTerms {
    let psi = DMatrix::from_row_slice(p, k, &mean[..p * k]);
    let phi_gf = DMatrix::from_row_slice(p, p, &mean[p * k..p * k + p * p]);
    let hd = DMatrix::from_row_slice(p, p, &mean[p * k + p * p..]);
    let phi_hd = (&hd + hd.transpose()) * 0.5;
    DriftTerms {
        psi,
        phi_gf,
        phi_hd,
        method,
    }
}

/// psi, phiGF, phiHD by joint integration, for the second layer `second_layer` (a_1..a_p:
/// f = (1/p) sum_j a_j sigma(lambda_j), and the step of unit j carries a_j).
#[allow(clippy::too_many_arguments)]
pub(crate) fn drift_by_joint_integration(
    target: &Target,
    activation: Link,
    step_loss: StepLoss,
    omega: &DMatrix<f64>,
    p: usize,
    k: usize,
    noise: f64,
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<DriftTerms, TheoryError> {
    let mut integrand =
        DriftIntegrand::new(target, activation, step_loss, p, k, noise, second_layer);
    let (mean, method) = integrate(
        omega,
        smooth(target, activation),
        settings,
        integrand.outputs(),
        |z, out| integrand.evaluate(z, out),
    )?;
    Ok(drift_from_means(&mean, p, k, method))
}

/// The second layer's drift E[sigma(lambda_j) (f* - f)], j < p, by joint integration, with
/// f = (1/p) sum_m a_m sigma(lambda_m) and `second_layer` = (a_1..a_p).
pub(crate) fn second_layer_drift_by_joint_integration(
    target: &Target,
    activation: Link,
    omega: &DMatrix<f64>,
    p: usize,
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<(Vec<f64>, Method), TheoryError> {
    let mut values = vec![0.0; p];
    integrate(omega, smooth(target, activation), settings, p, |z, out| {
        let mut f = 0.0;
        for (j, v) in values.iter_mut().enumerate() {
            *v = activation.value(z[j]);
            f += second_layer[j] * *v;
        }
        let e = target.value(&z[p..]) - f / p as f64;
        for (o, v) in out.iter_mut().zip(&values) {
            *o = v * e;
        }
    })
}
