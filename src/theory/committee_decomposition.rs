//! Risk and drift terms of a committee teacher g(z) = (1/k) sum_r g1(z_r) as sums of the
//! elementary expectations of docs/science.md §6 (fields: lambda_j = index j < p,
//! lambda*_r = index p + r; s = sigma for the student, g1 for the teacher):
//!
//! ```text
//! E[(f* - f)^2] = (1/k^2) sum_rs E[g1(l*_r) g1(l*_s)] - (2/(p k)) sum_jr E[sigma(l_j) g1(l*_r)]
//!               + (1/p^2) sum_jl E[sigma(l_j) sigma(l_l)]                              (I2)
//!
//! psi_jr   = (1/k) sum_s E[sigma'(l_j) l*_r g1(l*_s)] - [MSE] (1/p) sum_m E[sigma'(l_j) l*_r sigma(l_m)]   (I3)
//! phiGF_jl = (1/k) sum_s E[sigma'(l_j) l_l g1(l*_s)]  - [MSE] (1/p) sum_m E[sigma'(l_j) l_l sigma(l_m)]    (I3)
//! phiHD_jl = (1/k^2) sum_st E[sigma'_j sigma'_l g1(l*_s) g1(l*_t)]
//!          - [MSE] (2/(p k)) sum_sm E[sigma'_j sigma'_l g1(l*_s) sigma(l_m)]
//!          + [MSE] (1/p^2) sum_mn E[sigma'_j sigma'_l sigma(l_m) sigma(l_n)]               (I4)
//!          + Delta E[sigma'_j sigma'_l]                                                   (I2noise)
//! ```
//!
//! Terms marked [MSE] are the network's self-interaction, dropped by the correlation loss.
//! With a second layer a_1..a_p the student is f = (1/p) sum_m a_m sigma(l_m): each student
//! term above carries a_m (a_m a_n in I4), and the step's factor a_j multiplies psi_j., phiGF_j.
//! (and a_j a_l phiHD_jl). The second layer's own drift is
//! E[sigma(l_j) (f* - f)] = (1/k) sum_r E[sigma(l_j) g1(l*_r)] - (1/p) sum_m a_m E[sigma(l_j) sigma(l_m)].
//! Each elementary expectation uses a closed form when one applies (erf) without building a
//! sub-matrix, and otherwise [`expectation_of_product_with`].

use super::drift_matrices::DriftTerms;
use super::error::TheoryError;
use super::gaussian_expectations::{
    erf_closed_form, expectation_of_product_with, Estimate, FieldFunction, Method,
    NumericalSettings,
};
use crate::model::{Link, StepLoss};
use nalgebra::DMatrix;

/// Running sum of c_i X_i for estimates X_i.
#[derive(Clone, Copy, Debug)]
struct EstimateSum {
    value: f64,
    method: Option<Method>,
}

impl EstimateSum {
    fn new() -> Self {
        EstimateSum {
            value: 0.0,
            method: None,
        }
    }

    fn add(&mut self, c: f64, e: Estimate) {
        self.value += c * e.value;
        self.method = Some(match self.method {
            None => e.method.scaled(c),
            Some(m) => m.combine(1.0, e.method, c),
        });
    }

    fn finish(self) -> Estimate {
        Estimate::new(self.value, self.method.unwrap_or(Method::ClosedForm))
    }
}

/// E[prod_i slots_i(omega fields at indices_i)].
fn elementary(
    slots: &[FieldFunction],
    indices: &[usize],
    omega: &DMatrix<f64>,
    settings: &NumericalSettings,
) -> Result<Estimate, TheoryError> {
    if let Some(v) = erf_closed_form(slots, |a, b| omega[(indices[a], indices[b])]) {
        return Ok(Estimate::closed_form(v));
    }
    let n = indices.len();
    let sub = DMatrix::from_fn(n, n, |a, b| omega[(indices[a], indices[b])]);
    Ok(expectation_of_product_with(slots, &sub, settings)?)
}

/// E[(f* - f)^2] for the committee of `link` and student `activation` (no noise, no 1/2).
pub(crate) fn risk_by_decomposition(
    link: Link,
    activation: Link,
    omega: &DMatrix<f64>,
    (p, k): (usize, usize),
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<Estimate, TheoryError> {
    use FieldFunction::Value as V;
    let (pf, kf) = (p as f64, k as f64);
    let mut sum = EstimateSum::new();
    for r in 0..k {
        for s in r..k {
            let c = if r == s { 1.0 } else { 2.0 } / (kf * kf);
            sum.add(
                c,
                elementary(&[V(link), V(link)], &[p + r, p + s], omega, settings)?,
            );
        }
    }
    for (j, &a) in second_layer.iter().enumerate() {
        for r in 0..k {
            let e = elementary(&[V(activation), V(link)], &[j, p + r], omega, settings)?;
            sum.add(-2.0 * a / (pf * kf), e);
        }
    }
    for j in 0..p {
        for l in j..p {
            let c = if j == l { 1.0 } else { 2.0 } * second_layer[j] * second_layer[l] / (pf * pf);
            sum.add(
                c,
                elementary(&[V(activation), V(activation)], &[j, l], omega, settings)?,
            );
        }
    }
    Ok(sum.finish())
}

/// psi, phiGF, phiHD by decomposition (see the module documentation), for the second layer
/// `second_layer` (a_1..a_p; all ones for the paper's student).
#[allow(clippy::too_many_arguments)]
pub(crate) fn drift_by_decomposition(
    link: Link,
    activation: Link,
    step_loss: StepLoss,
    omega: &DMatrix<f64>,
    p: usize,
    k: usize,
    noise: f64,
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<DriftTerms, TheoryError> {
    let a = second_layer;
    use FieldFunction::{Derivative as D, Identity as Id, Value as V};
    let (pf, kf) = (p as f64, k as f64);
    let mse = step_loss == StepLoss::Mse;
    let sigma = activation;
    let mut method: Option<Method> = None;
    let mut merge = |e: &EstimateSum| {
        let m = e.method.unwrap_or(Method::ClosedForm);
        method = Some(method.map_or(m, |old| old.least_exact(m)));
    };
    // I3-type terms: E[sigma'(l_j) field_b e] for a given field index b
    let i3_sum = |j: usize, b: usize| -> Result<EstimateSum, TheoryError> {
        let mut sum = EstimateSum::new();
        for s in 0..k {
            sum.add(
                1.0 / kf,
                elementary(&[D(sigma), Id, V(link)], &[j, b, p + s], omega, settings)?,
            );
        }
        if mse {
            for (m, &am) in a.iter().enumerate() {
                sum.add(
                    -am / pf,
                    elementary(&[D(sigma), Id, V(sigma)], &[j, b, m], omega, settings)?,
                );
            }
        }
        Ok(sum)
    };
    let mut psi = DMatrix::zeros(p, k);
    let mut phi_gf = DMatrix::zeros(p, p);
    let mut phi_hd = DMatrix::zeros(p, p);
    for j in 0..p {
        for r in 0..k {
            let s = i3_sum(j, p + r)?;
            psi[(j, r)] = a[j] * s.value;
            merge(&s);
        }
        for l in 0..p {
            let s = i3_sum(j, l)?;
            phi_gf[(j, l)] = a[j] * s.value;
            merge(&s);
        }
    }
    for j in 0..p {
        for l in j..p {
            let mut sum = EstimateSum::new();
            for s in 0..k {
                for t in s..k {
                    let c = if s == t { 1.0 } else { 2.0 } / (kf * kf);
                    let slots = [D(sigma), D(sigma), V(link), V(link)];
                    sum.add(
                        c,
                        elementary(&slots, &[j, l, p + s, p + t], omega, settings)?,
                    );
                }
            }
            if mse {
                for s in 0..k {
                    for (m, &am) in a.iter().enumerate() {
                        let slots = [D(sigma), D(sigma), V(link), V(sigma)];
                        let e = elementary(&slots, &[j, l, p + s, m], omega, settings)?;
                        sum.add(-2.0 * am / (pf * kf), e);
                    }
                }
                for m in 0..p {
                    for n in m..p {
                        let c = if m == n { 1.0 } else { 2.0 } * a[m] * a[n] / (pf * pf);
                        let slots = [D(sigma), D(sigma), V(sigma), V(sigma)];
                        sum.add(c, elementary(&slots, &[j, l, m, n], omega, settings)?);
                    }
                }
            }
            if noise > 0.0 {
                sum.add(
                    noise,
                    elementary(&[D(sigma), D(sigma)], &[j, l], omega, settings)?,
                );
            }
            phi_hd[(j, l)] = a[j] * a[l] * sum.value;
            phi_hd[(l, j)] = a[j] * a[l] * sum.value;
            merge(&sum);
        }
    }
    Ok(DriftTerms {
        psi,
        phi_gf,
        phi_hd,
        method: method.unwrap_or(Method::ClosedForm),
    })
}

/// The second layer's drift E[sigma(l_j) (f* - f)] for j < p (see the module documentation),
/// with the student f = (1/p) sum_m a_m sigma(l_m), `second_layer` = (a_1..a_p).
pub(crate) fn second_layer_drift_by_decomposition(
    link: Link,
    activation: Link,
    omega: &DMatrix<f64>,
    (p, k): (usize, usize),
    second_layer: &[f64],
    settings: &NumericalSettings,
) -> Result<(Vec<f64>, Method), TheoryError> {
    use FieldFunction::Value as V;
    let (pf, kf) = (p as f64, k as f64);
    let mut method: Option<Method> = None;
    let mut drift = Vec::with_capacity(p);
    for j in 0..p {
        let mut sum = EstimateSum::new();
        for r in 0..k {
            let e = elementary(&[V(activation), V(link)], &[j, p + r], omega, settings)?;
            sum.add(1.0 / kf, e);
        }
        for (m, &a) in second_layer.iter().enumerate() {
            let e = elementary(&[V(activation), V(activation)], &[j, m], omega, settings)?;
            sum.add(-a / pf, e);
        }
        let m = sum.method.unwrap_or(Method::ClosedForm);
        method = Some(method.map_or(m, |old| old.least_exact(m)));
        drift.push(sum.value);
    }
    Ok((drift, method.unwrap_or(Method::ClosedForm)))
}
