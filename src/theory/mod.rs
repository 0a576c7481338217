//! Deterministic theory (docs/science.md §5–§7): Gaussian expectations over the local
//! fields, the overlap recursion, asymptotic regimes and scaling laws.
//!
//! * [`gaussian_expectations`]: E[F(z)] for jointly Gaussian local fields, exact when possible
//!   (erf closed forms, Wick moments of polynomials), otherwise quadrature or Monte Carlo, and
//!   always labelled with the [`Method`] used.
//! * [`hermite_expansion`]: smooth non-polynomial links (tanh, erf) as truncated Hermite
//!   series with bounded truncation error, evaluated by exact Wick moments.
//! * [`population_risk()`] and [`drift_terms()`]: R(Q, M) and the drift terms psi, phiGF,
//!   phiHD, through a cached [`LocalFieldModel`].
//! * [`overlap_step`]: one step of the deterministic map on (Q, M) and its terms;
//!   [`overlap_recursion`]: a run of it.
//! * [`regimes`]: which terms survive for gamma = gamma0 d^-delta, n_b = n0 d^mu.
//! * [`scaling_laws`]: the paper's predictions for log_d T and log_d N, and its phase diagram.
//!
//! Running the recursion of a run config (`sgdlab theory`) is orchestration, in
//! [`crate::theory_run`].

mod committee_decomposition;
mod drift_matrices;
pub mod drift_terms;
pub mod eigenbasis_quadrature;
mod error;
pub mod gaussian_expectations;
pub(crate) mod hermite_committee;
mod hermite_diagram_plan;
mod hermite_diagrams;
pub mod hermite_expansion;
mod hermite_series;
mod hermite_target_risk;
mod joint_integration;
pub mod local_field_model;
pub mod overlap_recursion;
pub mod overlap_step;
pub(crate) mod polynomial_model;
pub mod population_risk;
pub mod regimes;
pub mod scaling_laws;
pub mod spiked_recursion;

pub use drift_terms::{drift_terms, drift_terms_with_second_layer, try_drift_terms, DriftTerms};
pub use error::TheoryError;
pub use gaussian_expectations::{Estimate, Method};
pub use local_field_model::{automatic_backend, automatic_risk_backend, Backend, LocalFieldModel};
pub use overlap_recursion::{
    overlap_update, run_overlap_recursion, Divergence, RecursionError, RecursionRun,
    RecursionSettings, StepParameters, Terms,
};
pub use population_risk::{
    population_risk, population_risk_under_covariance, population_risk_with_second_layer,
    try_population_risk,
};
pub use regimes::{classify_regime, Regime};
