//! Expectations over jointly Gaussian local fields (docs/science.md §6).
//!
//! Every term of the theory is E[F(z)] for z ~ N(0, C) with C taken from
//! Omega = [[Q, M], [M^T, I]]. This module evaluates them exactly when it can and says how it
//! did otherwise ([`Estimate`], [`Method`]):
//!
//! | integrand | method |
//! |---|---|
//! | erf(z / sqrt 2) in I2, I3, I4, I2noise | Saad & Solla closed forms ([`erf_closed_forms`]) |
//! | polynomials (He_l of any degree) | exact Wick/Isserlis moments ([`wick_moments`]) |
//! | other smooth links (tanh, mixed erf/He) | Gauss-Hermite quadrature in <= 6 directions |
//! | the same, strongly correlated fields | anisotropic quadrature in the eigenbasis ([`anisotropic_quadrature`]) |
//! | ReLU, tanh(z_1 ... z_k), many directions | seeded Monte Carlo with standard error |

pub mod anisotropic_quadrature;
pub mod covariance_factor;
pub mod erf_closed_forms;
mod error;
mod estimate;
mod field_function;
pub mod gauss_hermite_quadrature;
mod local_field_integrals;
pub mod monte_carlo;
mod numerical_settings;
pub mod polynomial;
pub mod wick_moments;

pub use anisotropic_quadrature::AnisotropicRule;
pub use covariance_factor::CovarianceFactor;
pub use error::ExpectationError;
pub use estimate::{Estimate, Method};
pub use field_function::FieldFunction;
pub use gauss_hermite_quadrature::{default_nodes_per_dimension, quadrature_expectation};
pub use local_field_integrals::{
    erf_closed_form, expectation_of_product, expectation_of_product_with, i2, i2_noise, i3, i4,
    product_polynomial,
};
pub use monte_carlo::{monte_carlo_expectation, MonteCarloSettings};
pub use numerical_settings::{NumericalSettings, DEFAULT_ANISOTROPIC_MAX_NODES};
pub use polynomial::{FieldPolynomial, Monomial, MAX_POLYNOMIAL_FIELDS};
pub use wick_moments::{polynomial_expectation, CompiledExpectation, GaussianMomentPlan};
