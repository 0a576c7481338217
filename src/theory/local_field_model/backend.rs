//! Which backend a [`LocalFieldModel`](super::LocalFieldModel) takes for a teacher-student pair: the most exact one
//! that applies (closed forms, compiled polynomials, the Hermite expansion, joint
//! integration), for the drift terms and for the risk.

use crate::model::{Link, Target};
use crate::theory::gaussian_expectations::MAX_POLYNOMIAL_FIELDS;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a [`LocalFieldModel`](super::LocalFieldModel) evaluates its expectations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// Sums of elementary I2/I3/I4/I2noise expectations (committee teachers only).
    Decomposition,
    /// Exact Wick moments of the expanded polynomial integrands (polynomial links only).
    CompiledPolynomial,
    /// One quadrature or Monte Carlo pass over all p + k fields.
    JointIntegration,
    /// Exact diagram sums of truncated Hermite expansions of smooth links, with the
    /// truncation error bounded or estimated (`theory::hermite_expansion`).
    HermiteExpansion,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Decomposition => "decomposition",
            Backend::CompiledPolynomial => "compiled polynomial",
            Backend::JointIntegration => "joint integration",
            Backend::HermiteExpansion => "Hermite expansion",
        })
    }
}

/// The automatic backend: decomposition with closed forms when sigma = g = erf, compiled
/// polynomials when both are polynomials (decomposition with per-term Wick moments when
/// p + k > 16), the Hermite expansion for other committees of smooth links (tanh, erf with
/// tanh or a polynomial; p + k <= 16; its drift terms fall back to joint integration for
/// overlaps outside its range, see [`crate::theory::hermite_expansion::HermiteCommittee::applies`]),
/// joint integration otherwise (ReLU, the tanh product, a multi-index teacher with a
/// non-polynomial student).
pub fn automatic_backend(target: &Target, activation: &Link, p: usize, k: usize) -> Backend {
    match target {
        Target::Committee(link) => {
            let polynomial = link.polynomial_coefficients().is_some()
                && activation.polynomial_coefficients().is_some();
            let smooth = *link != Link::Relu && *activation != Link::Relu;
            if *link == Link::Erf && *activation == Link::Erf {
                Backend::Decomposition
            } else if polynomial && p + k <= MAX_POLYNOMIAL_FIELDS {
                Backend::CompiledPolynomial
            } else if polynomial {
                Backend::Decomposition
            } else if smooth && p + k <= MAX_POLYNOMIAL_FIELDS {
                Backend::HermiteExpansion
            } else {
                Backend::JointIntegration
            }
        }
        Target::TanhProduct => Backend::JointIntegration,
        Target::Hermite(_) => {
            if activation.polynomial_coefficients().is_some() && p + k <= MAX_POLYNOMIAL_FIELDS {
                Backend::CompiledPolynomial
            } else {
                Backend::JointIntegration
            }
        }
    }
}

/// The automatic backend of the population risk: as [`automatic_backend`] (Hermite expansion
/// included: its risk plan is cheap), except that smooth
/// (non-ReLU) committees without exact structure use the decomposition, whose terms are
/// 2-dimensional E[s(a) s(b)] integrals (about p^2/2 + p k + k^2/2 of them, each a cached
/// 48 x 48 Gauss-Hermite rule): cheaper and more accurate than one (p + k)-dimensional grid.
pub fn automatic_risk_backend(target: &Target, activation: &Link, p: usize, k: usize) -> Backend {
    match (automatic_backend(target, activation, p, k), target) {
        (Backend::JointIntegration, Target::Committee(link))
            if *link != Link::Relu && *activation != Link::Relu =>
        {
            Backend::Decomposition
        }
        (backend, _) => backend,
    }
}
