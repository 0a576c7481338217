//! Why a Gaussian expectation could not be evaluated.

/// Invalid input to a Gaussian expectation.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExpectationError {
    /// The covariance is not square or does not match the number of slot functions.
    #[error("covariance must be {expected} x {expected} (one row per field), got {rows} x {cols}")]
    Shape {
        /// Number of fields expected.
        expected: usize,
        /// Rows given.
        rows: usize,
        /// Columns given.
        cols: usize,
    },
    /// A covariance entry is NaN or infinite.
    #[error("the covariance contains a non-finite entry")]
    NotFinite,
    /// C_ij and C_ji differ.
    #[error("the covariance must be symmetric: C[{i}][{j}] = {a} but C[{j}][{i}] = {b}")]
    NotSymmetric {
        /// Row.
        i: usize,
        /// Column.
        j: usize,
        /// C_ij.
        a: f64,
        /// C_ji.
        b: f64,
    },
    /// The covariance has a clearly negative eigenvalue.
    #[error(
        "the covariance is not positive semi-definite (smallest eigenvalue {min_eigenvalue:.3e})"
    )]
    NotPositiveSemiDefinite {
        /// Smallest eigenvalue found.
        min_eigenvalue: f64,
    },
    /// The integrand has more independent Gaussian directions than the method supports.
    #[error("{method} supports at most {max} fields / independent directions, got {got}")]
    TooManyFields {
        /// Which method refused.
        method: &'static str,
        /// Its limit.
        max: usize,
        /// What was asked.
        got: usize,
    },
    /// A numerical setting is out of range (zero samples or nodes).
    #[error("invalid numerical setting {name} = {value}: {reason}")]
    InvalidSetting {
        /// Setting name.
        name: &'static str,
        /// Value given.
        value: f64,
        /// What is expected.
        reason: &'static str,
    },
}
