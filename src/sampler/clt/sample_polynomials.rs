//! One sample's coefficients as polynomials of the fields, for the exact clt moments:
//! z_0..z_{r-1} = lambda (students, then teachers) and z_r = zeta = sqrt(Delta) xi.
//!
//! ```text
//! fixed second layer a0:    c_j = a0 sigma'(z_j) (e_0 + zeta),  e_0 = g - a0 f_1 (MSE) or g
//! trained, weights a_1..a_p: f = (1/p) sum_l a_l sigma(z_l),  e = g - f + zeta,
//!                           c_j = a_j sigma'(z_j) e (MSE)  or  a_j sigma'(z_j) (g + zeta),
//!                           b_j = sigma(z_j) e
//! ```
//!
//! with f_1 = (1/p) sum_l sigma(z_l). b_j, the sample's term of the second layer's step, uses
//! the MSE residual under either loss (as [`crate::sampler::per_sample_coefficients`]).

use crate::model::StepLoss;
use crate::theory::gaussian_expectations::FieldPolynomial;
use crate::theory::polynomial_model::CommitteePolynomials;

/// c_1..c_p and, with a trained second layer, b_1..b_p.
pub(super) struct SamplePolynomials {
    /// c_j, j < p.
    pub(super) c: Vec<FieldPolynomial>,
    /// b_j, j < p (`None`: a fixed second layer, t has no b block).
    pub(super) b: Option<Vec<FieldPolynomial>>,
}

/// zeta = z_r, the label noise.
fn noise_field(r: usize) -> Option<FieldPolynomial> {
    FieldPolynomial::univariate(r, &[0.0, 1.0])
}

impl SamplePolynomials {
    /// A fixed second layer: `polys` already carry a0 ([`CommitteePolynomials::with_second_layer`]),
    /// c_j = sigma'_j (e_0 + zeta) with their (scaled) sigma'_j and f.
    pub(super) fn fixed(
        polys: CommitteePolynomials,
        step_loss: StepLoss,
        p: usize,
        k: usize,
    ) -> Option<Self> {
        let mut e = polys.error_term(step_loss);
        e.add_scaled(&noise_field(p + k)?, 1.0);
        let c = polys
            .derivative
            .iter()
            .map(|d| d.times(&e))
            .collect::<Option<Vec<_>>>()?;
        Some(SamplePolynomials { c, b: None })
    }

    /// A trained second layer at weights `weights` (length p): `polys` are the unit-weight
    /// polynomials and `sigma` the activation's monomial coefficients.
    pub(super) fn trained(
        polys: &CommitteePolynomials,
        sigma: &[f64],
        step_loss: StepLoss,
        weights: &[f64],
        p: usize,
        k: usize,
    ) -> Option<Self> {
        let zeta = noise_field(p + k)?;
        let units = (0..p)
            .map(|j| FieldPolynomial::univariate(j, sigma))
            .collect::<Option<Vec<_>>>()?;
        // y = g + zeta, e = y - (1/p) sum_l a_l sigma_l
        let mut y = polys.teacher.clone();
        y.add_scaled(&zeta, 1.0);
        let mut e = y.clone();
        for (unit, &a) in units.iter().zip(weights) {
            e.add_scaled(unit, -a / p as f64);
        }
        let first_layer_error = match step_loss {
            StepLoss::Mse => &e,
            StepLoss::Correlation => &y,
        };
        let mut c = Vec::with_capacity(p);
        for (derivative, &a) in polys.derivative.iter().zip(weights) {
            let mut scaled = FieldPolynomial::zero();
            scaled.add_scaled(derivative, a);
            c.push(scaled.times(first_layer_error)?);
        }
        let b = units
            .iter()
            .map(|unit| unit.times(&e))
            .collect::<Option<Vec<_>>>()?;
        Some(SamplePolynomials { c, b: Some(b) })
    }
}
