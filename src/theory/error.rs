//! Errors of the theory engine.

use super::gaussian_expectations::ExpectationError;

/// Why a theory quantity (risk, drift terms) could not be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TheoryError {
    /// A Gaussian expectation failed (invalid covariance or numerical setting).
    #[error(transparent)]
    Expectation(#[from] ExpectationError),
    /// The model needs at least one student neuron and one teacher direction.
    #[error("the model needs p >= 1 student neurons and k >= 1 teacher directions, got p = {p}, k = {k}")]
    EmptyModel {
        /// Student neurons.
        p: usize,
        /// Teacher directions.
        k: usize,
    },
    /// Q, M do not have the shapes p x p and p x k of the model.
    #[error("overlaps must be Q: {p} x {p} and M: {p} x {k}, got Q: {q_rows} x {q_cols} and M: {m_rows} x {m_cols}")]
    OverlapShape {
        /// Model p.
        p: usize,
        /// Model k.
        k: usize,
        /// Rows of Q.
        q_rows: usize,
        /// Columns of Q.
        q_cols: usize,
        /// Rows of M.
        m_rows: usize,
        /// Columns of M.
        m_cols: usize,
    },
    /// The second layer does not have one weight per student neuron.
    #[error("the second layer needs p = {p} weights a_j, got {got}")]
    SecondLayerShape {
        /// Model p.
        p: usize,
        /// Weights given.
        got: usize,
    },
    /// An overlap is NaN or infinite.
    #[error("the overlaps contain a non-finite entry")]
    NotFinite,
    /// Omega = [[Q, M], [M^T, I]] is not a Gram matrix.
    #[error("Omega = [[Q, M], [M^T, I]] is not positive semi-definite (smallest eigenvalue {min_eigenvalue:.3e})")]
    NotPositiveSemiDefinite {
        /// Smallest eigenvalue of Omega.
        min_eigenvalue: f64,
    },
    /// The label-noise variance must be finite and non-negative.
    #[error("the noise variance Delta must be finite and >= 0, got {0}")]
    InvalidNoise(f64),
    /// The Hermite-expansion tolerance must be a finite positive number.
    #[error("hermite_tolerance must be a finite number > 0 (a relative L² tail), got {0}")]
    InvalidExpansionTolerance(f64),
    /// The requested evaluation backend cannot handle this model.
    #[error("the {backend} backend cannot evaluate this model: {reason}")]
    UnsupportedBackend {
        /// Backend name.
        backend: &'static str,
        /// Why not.
        reason: &'static str,
    },
}
