//! Expectations of products of functions of jointly Gaussian local fields,
//! E[f_1(z_1) ... f_n(z_n)] with z ~ N(0, C) and C a sub-matrix of
//! Omega = [[Q, M], [M^T, I]] (docs/science.md §6):
//!
//! * I2 = E[s_a(a) s_b(b)],
//! * I3 = E[s_a'(a) b s_c(c)],
//! * I4 = E[s_a'(a) s_b'(b) s_c(c) s_d(d)],
//! * I2noise = E[s_a'(a) s_b'(b)],
//!
//! where each slot may hold a different link (student activation sigma or teacher link g).
//!
//! Dispatch, most exact first:
//! 1. all links erf(z / sqrt 2) in one of the four patterns: Saad & Solla closed forms
//!    ([`super::erf_closed_forms`]);
//! 2. all factors polynomials (He_l of any degree, the identity): exact Wick/Isserlis moments
//!    of the expanded product ([`super::wick_moments`]);
//! 3. all factors smooth (erf, tanh, polynomials, mixed): Gauss-Hermite quadrature in the
//!    eigenbasis of C (rank <= 4 here);
//! 4. otherwise (ReLU): seeded Monte Carlo with its standard error.

use super::covariance_factor::{validate_covariance, CovarianceFactor};
use super::erf_closed_forms::{erf_derivative_pair, erf_i3, erf_i4, erf_pair};
use super::error::ExpectationError;
use super::estimate::{Estimate, Method};
use super::field_function::FieldFunction;
use super::gauss_hermite_quadrature::{default_nodes_per_dimension, for_each_quadrature_node};
use super::monte_carlo::{for_each_monte_carlo_sample, SampleMeans};
use super::numerical_settings::NumericalSettings;
use super::polynomial::{FieldPolynomial, MAX_POLYNOMIAL_FIELDS};
use super::wick_moments::polynomial_expectation;
use crate::model::Link;
use nalgebra::{DMatrix, Matrix2, Matrix3, Matrix4};

/// The Saad & Solla closed form of E[prod_i slots_i(z_i)] when every link is erf and the
/// slots are one of (s, s), (s', s'), (s', z, s), (s', s', s, s); `None` otherwise.
/// `c(i, j)` returns the covariance entry C_ij (not validated here).
#[inline]
pub fn erf_closed_form(slots: &[FieldFunction], c: impl Fn(usize, usize) -> f64) -> Option<f64> {
    use FieldFunction::{Derivative as D, Identity as Id, Value as V};
    const E: Link = Link::Erf;
    match slots {
        [V(E), V(E)] => Some(erf_pair(c(0, 0), c(0, 1), c(1, 1))),
        [D(E), D(E)] => Some(erf_derivative_pair(c(0, 0), c(0, 1), c(1, 1))),
        [D(E), Id, V(E)] => {
            let mut m = [[0.0; 3]; 3];
            for (i, row) in m.iter_mut().enumerate() {
                for (j, x) in row.iter_mut().enumerate() {
                    *x = c(i, j);
                }
            }
            Some(erf_i3(&m))
        }
        [D(E), D(E), V(E), V(E)] => {
            let mut m = [[0.0; 4]; 4];
            for (i, row) in m.iter_mut().enumerate() {
                for (j, x) in row.iter_mut().enumerate() {
                    *x = c(i, j);
                }
            }
            Some(erf_i4(&m))
        }
        _ => None,
    }
}

/// The product prod_i slots_i(z_i) as a polynomial in z_0..z_{n-1}, if every factor is a
/// polynomial and n <= 16.
pub fn product_polynomial(slots: &[FieldFunction]) -> Option<FieldPolynomial> {
    if slots.len() > MAX_POLYNOMIAL_FIELDS {
        return None;
    }
    let mut product = FieldPolynomial::constant(1.0);
    for (i, s) in slots.iter().enumerate() {
        let factor = FieldPolynomial::univariate(i, &s.polynomial_coefficients()?)?;
        product = product.times(&factor)?;
    }
    Some(product)
}

/// E[prod_i slots_i(z_i)] for z ~ N(0, C), `C` n x n with n = `slots.len()`, with the default
/// [`NumericalSettings`]. See the module documentation for the dispatch.
pub fn expectation_of_product(
    slots: &[FieldFunction],
    covariance: &DMatrix<f64>,
) -> Result<Estimate, ExpectationError> {
    expectation_of_product_with(slots, covariance, &NumericalSettings::default())
}

/// [`expectation_of_product`] with explicit numerical settings for the quadrature and Monte
/// Carlo fallbacks. The covariance is validated (shape, finite, symmetric, positive
/// semi-definite).
pub fn expectation_of_product_with(
    slots: &[FieldFunction],
    covariance: &DMatrix<f64>,
    settings: &NumericalSettings,
) -> Result<Estimate, ExpectationError> {
    settings.validate()?;
    validate_covariance(covariance, slots.len())?;
    let factor = CovarianceFactor::new(covariance)?;
    if let Some(v) = erf_closed_form(slots, |i, j| covariance[(i, j)]) {
        return Ok(Estimate::closed_form(v));
    }
    if let Some(poly) = product_polynomial(slots) {
        return Ok(Estimate::exact_polynomial(polynomial_expectation(
            &poly, covariance,
        )));
    }
    let product = |z: &[f64]| {
        slots
            .iter()
            .zip(z)
            .map(|(s, &zi)| s.evaluate(zi))
            .product::<f64>()
    };
    if slots.iter().all(FieldFunction::is_smooth)
        && (factor.rank() <= settings.max_quadrature_dimensions || factor.rank() == 0)
    {
        let nodes = settings
            .quadrature_nodes
            .unwrap_or_else(|| default_nodes_per_dimension(factor.rank()));
        let mut sum = 0.0;
        for_each_quadrature_node(&factor, nodes, |z, w| sum += w * product(z))?;
        return Ok(Estimate::new(sum, Method::Quadrature { nodes }));
    }
    let mut means = SampleMeans::new(1);
    for_each_monte_carlo_sample(&factor, &settings.monte_carlo, |z| {
        means.push(&[product(z)])
    })?;
    Ok(Estimate::new(
        means.mean(0),
        Method::MonteCarlo {
            samples: settings.monte_carlo.samples,
            standard_error: means.standard_error(0),
        },
    ))
}

fn dynamic<const N: usize>(c: &nalgebra::SMatrix<f64, N, N>) -> DMatrix<f64> {
    DMatrix::from_fn(N, N, |i, j| c[(i, j)])
}

/// I2 = E[s_a(a) s_b(b)] for (a, b) ~ N(0, C).
pub fn i2(s_a: Link, s_b: Link, covariance: &Matrix2<f64>) -> Result<Estimate, ExpectationError> {
    expectation_of_product(
        &[FieldFunction::Value(s_a), FieldFunction::Value(s_b)],
        &dynamic(covariance),
    )
}

/// I3 = E[s_a'(a) b s_c(c)] for (a, b, c) ~ N(0, C).
pub fn i3(s_a: Link, s_c: Link, covariance: &Matrix3<f64>) -> Result<Estimate, ExpectationError> {
    expectation_of_product(
        &[
            FieldFunction::Derivative(s_a),
            FieldFunction::Identity,
            FieldFunction::Value(s_c),
        ],
        &dynamic(covariance),
    )
}

/// I4 = E[s_a'(a) s_b'(b) s_c(c) s_d(d)] for (a, b, c, d) ~ N(0, C).
pub fn i4(
    s_a: Link,
    s_b: Link,
    s_c: Link,
    s_d: Link,
    covariance: &Matrix4<f64>,
) -> Result<Estimate, ExpectationError> {
    expectation_of_product(
        &[
            FieldFunction::Derivative(s_a),
            FieldFunction::Derivative(s_b),
            FieldFunction::Value(s_c),
            FieldFunction::Value(s_d),
        ],
        &dynamic(covariance),
    )
}

/// I2noise = E[s_a'(a) s_b'(b)] for (a, b) ~ N(0, C) (the label-noise part of phiHD).
pub fn i2_noise(
    s_a: Link,
    s_b: Link,
    covariance: &Matrix2<f64>,
) -> Result<Estimate, ExpectationError> {
    expectation_of_product(
        &[
            FieldFunction::Derivative(s_a),
            FieldFunction::Derivative(s_b),
        ],
        &dynamic(covariance),
    )
}
