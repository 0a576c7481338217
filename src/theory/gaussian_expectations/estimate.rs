//! The result of a Gaussian expectation: a value and the method that produced it, so every
//! number the lab shows can say how it was computed (docs/science.md §6: "always say which
//! was used").

use serde::{Deserialize, Serialize};
use std::fmt;

/// How an expectation E[F(z)], z ~ N(0, C), was evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Method {
    /// A closed form (the Saad & Solla formulas for erf(z / sqrt 2)); exact up to round-off.
    ClosedForm,
    /// Exact moments of a polynomial integrand by Isserlis/Wick:
    /// E[z_i z^b] = sum_j C_ij b_j E[z^(b - e_j)]; exact up to round-off.
    ExactPolynomial,
    /// Exact Gaussian moments of truncated Hermite expansions: the function of each field (a
    /// smooth link, or the product of the factors on that field) is replaced by its projection
    /// on the Hermite polynomials of degree <= `degree` (c_n = E[h(z) He_n(z)] / n!) and the
    /// products are summed exactly by the diagram formula (see `theory::hermite_expansion`).
    /// `error_bound` is sum |c| eps_a eps_b over the products of the L²(N(0, 1)) remainders
    /// of two of their fields times the norms of the others: a bound for the risk (two-field
    /// products), a second-order estimate for the drift terms. For a combination, the largest
    /// degree and the bounds added as sum_i |c_i| bound_i.
    HermiteExpansion {
        /// The largest truncation degree N of the links.
        degree: u32,
        /// Bound (risk) or second-order estimate (drift terms) of the truncation error.
        error_bound: f64,
    },
    /// Tensor-product Gauss-Hermite quadrature in the eigenbasis of C with `nodes` nodes per
    /// dimension (exact for polynomials of degree <= 2 nodes - 1 in each direction).
    /// For a combination of several quadratures, the smallest node count used.
    Quadrature {
        /// Gauss-Hermite nodes per dimension.
        nodes: usize,
    },
    /// Anisotropic tensor-product Gauss-Hermite quadrature in the eigenbasis of C (node
    /// counts per direction from the fields' loadings on it, module
    /// `gaussian_expectations::anisotropic_quadrature`): `nodes` grid points of the refined
    /// rule that gave the value, and `error_estimate` the largest |refined - base| over the
    /// reported entries (an embedded estimate of the base rule's error, so on the safe side for
    /// the refined value). For a combination, the larger node count and sum_i |c_i| estimate_i.
    AnisotropicQuadrature {
        /// Grid points of the refined rule.
        nodes: usize,
        /// |refined - base rule|, largest over the entries.
        error_estimate: f64,
    },
    /// Seeded Monte Carlo average over `samples` draws; `standard_error` = sample standard
    /// deviation / sqrt(samples) (for a combination, an upper bound: sum_i |c_i| SE_i).
    MonteCarlo {
        /// Number of Gaussian draws.
        samples: usize,
        /// Standard error of the reported value.
        standard_error: f64,
    },
}

impl Method {
    /// The Monte Carlo standard error, if any.
    pub fn standard_error(&self) -> Option<f64> {
        match self {
            Method::MonteCarlo { standard_error, .. } => Some(*standard_error),
            _ => None,
        }
    }

    /// The method of `c_self X + c_other Y` where X was computed by `self` and Y by `other`:
    /// the least exact of the two (Monte Carlo > quadrature > anisotropic quadrature > Hermite
    /// expansion > exact). Standard errors add as
    /// `|c_self| SE_X + |c_other| SE_Y`, an upper bound whatever the correlation of the two
    /// estimates; `samples` is the smaller count and `nodes` the smaller node count.
    pub fn combine(self, c_self: f64, other: Method, c_other: f64) -> Method {
        use Method::*;
        match (self, other) {
            (
                MonteCarlo {
                    samples: a,
                    standard_error: sa,
                },
                MonteCarlo {
                    samples: b,
                    standard_error: sb,
                },
            ) => MonteCarlo {
                samples: a.min(b),
                standard_error: c_self.abs() * sa + c_other.abs() * sb,
            },
            (
                MonteCarlo {
                    samples,
                    standard_error,
                },
                _,
            ) => MonteCarlo {
                samples,
                standard_error: c_self.abs() * standard_error,
            },
            (
                _,
                MonteCarlo {
                    samples,
                    standard_error,
                },
            ) => MonteCarlo {
                samples,
                standard_error: c_other.abs() * standard_error,
            },
            (Quadrature { nodes: a }, Quadrature { nodes: b }) => Quadrature { nodes: a.min(b) },
            (Quadrature { nodes }, _) | (_, Quadrature { nodes }) => Quadrature { nodes },
            (
                AnisotropicQuadrature {
                    nodes: a,
                    error_estimate: ea,
                },
                AnisotropicQuadrature {
                    nodes: b,
                    error_estimate: eb,
                },
            ) => AnisotropicQuadrature {
                nodes: a.max(b),
                error_estimate: c_self.abs() * ea + c_other.abs() * eb,
            },
            (
                AnisotropicQuadrature {
                    nodes,
                    error_estimate,
                },
                _,
            ) => AnisotropicQuadrature {
                nodes,
                error_estimate: c_self.abs() * error_estimate,
            },
            (
                _,
                AnisotropicQuadrature {
                    nodes,
                    error_estimate,
                },
            ) => AnisotropicQuadrature {
                nodes,
                error_estimate: c_other.abs() * error_estimate,
            },
            (
                HermiteExpansion {
                    degree: a,
                    error_bound: ea,
                },
                HermiteExpansion {
                    degree: b,
                    error_bound: eb,
                },
            ) => HermiteExpansion {
                degree: a.max(b),
                error_bound: c_self.abs() * ea + c_other.abs() * eb,
            },
            (
                HermiteExpansion {
                    degree,
                    error_bound,
                },
                _,
            ) => HermiteExpansion {
                degree,
                error_bound: c_self.abs() * error_bound,
            },
            (
                _,
                HermiteExpansion {
                    degree,
                    error_bound,
                },
            ) => HermiteExpansion {
                degree,
                error_bound: c_other.abs() * error_bound,
            },
            (ExactPolynomial, ExactPolynomial) => ExactPolynomial,
            _ => ClosedForm,
        }
    }

    /// The least exact of two methods, used to summarise several separately reported values
    /// (the entries of a matrix): Monte Carlo > quadrature > anisotropic quadrature > Hermite
    /// expansion > exact, with
    /// the larger standard error or truncation bound, the smaller sample count, the smaller
    /// node count and the larger expansion degree.
    pub fn least_exact(self, other: Method) -> Method {
        use Method::*;
        match (self, other) {
            (
                MonteCarlo {
                    samples: a,
                    standard_error: sa,
                },
                MonteCarlo {
                    samples: b,
                    standard_error: sb,
                },
            ) => MonteCarlo {
                samples: a.min(b),
                standard_error: sa.max(sb),
            },
            (m @ MonteCarlo { .. }, _) | (_, m @ MonteCarlo { .. }) => m,
            (Quadrature { nodes: a }, Quadrature { nodes: b }) => Quadrature { nodes: a.min(b) },
            (m @ Quadrature { .. }, _) | (_, m @ Quadrature { .. }) => m,
            (
                AnisotropicQuadrature {
                    nodes: a,
                    error_estimate: ea,
                },
                AnisotropicQuadrature {
                    nodes: b,
                    error_estimate: eb,
                },
            ) => AnisotropicQuadrature {
                nodes: a.max(b),
                error_estimate: ea.max(eb),
            },
            (m @ AnisotropicQuadrature { .. }, _) | (_, m @ AnisotropicQuadrature { .. }) => m,
            (
                HermiteExpansion {
                    degree: a,
                    error_bound: ea,
                },
                HermiteExpansion {
                    degree: b,
                    error_bound: eb,
                },
            ) => HermiteExpansion {
                degree: a.max(b),
                error_bound: ea.max(eb),
            },
            (m @ HermiteExpansion { .. }, _) | (_, m @ HermiteExpansion { .. }) => m,
            (ExactPolynomial, ExactPolynomial) => ExactPolynomial,
            _ => ClosedForm,
        }
    }

    /// The method of a value rescaled by `c` (only a Monte Carlo standard error, a Hermite
    /// truncation bound and an anisotropic quadrature's estimate change, by |c|).
    pub fn scaled(self, c: f64) -> Method {
        match self {
            Method::AnisotropicQuadrature {
                nodes,
                error_estimate,
            } => Method::AnisotropicQuadrature {
                nodes,
                error_estimate: c.abs() * error_estimate,
            },
            Method::HermiteExpansion {
                degree,
                error_bound,
            } => Method::HermiteExpansion {
                degree,
                error_bound: c.abs() * error_bound,
            },
            Method::MonteCarlo {
                samples,
                standard_error,
            } => Method::MonteCarlo {
                samples,
                standard_error: c.abs() * standard_error,
            },
            other => other,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::ClosedForm => f.write_str("closed form"),
            Method::ExactPolynomial => f.write_str("exact (Wick/Isserlis moments)"),
            Method::HermiteExpansion {
                degree,
                error_bound,
            } => write!(
                f,
                "Hermite expansion, degree {degree}, bound {error_bound:.1e} (exact diagram sums of the truncated series)"
            ),
            Method::Quadrature { nodes } => {
                write!(f, "Gauss-Hermite quadrature ({nodes} nodes per dimension)")
            }
            Method::AnisotropicQuadrature {
                nodes,
                error_estimate,
            } => write!(
                f,
                "anisotropic Gauss-Hermite quadrature in the eigenbasis ({nodes} nodes, estimate {error_estimate:.1e})"
            ),
            Method::MonteCarlo {
                samples,
                standard_error,
            } => write!(
                f,
                "Monte Carlo ({samples} samples, standard error {standard_error:.2e})"
            ),
        }
    }
}

/// An expectation value with the method that produced it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimated expectation.
    pub value: f64,
    /// How it was computed (and its standard error for Monte Carlo).
    pub method: Method,
}

impl Estimate {
    /// An estimate from its parts.
    pub fn new(value: f64, method: Method) -> Self {
        Estimate { value, method }
    }

    /// An exact value from a closed form.
    pub fn closed_form(value: f64) -> Self {
        Estimate::new(value, Method::ClosedForm)
    }

    /// An exact value from polynomial moments.
    pub fn exact_polynomial(value: f64) -> Self {
        Estimate::new(value, Method::ExactPolynomial)
    }

    /// sum_i c_i X_i for estimates X_i, with methods combined by [`Method::combine`].
    /// The empty combination is an exact 0.
    pub fn linear_combination(terms: &[(f64, Estimate)]) -> Estimate {
        let mut iter = terms.iter();
        let Some(&(c0, first)) = iter.next() else {
            return Estimate::closed_form(0.0);
        };
        let mut value = c0 * first.value;
        let mut method = first.method.scaled(c0);
        for &(c, e) in iter {
            value += c * e.value;
            method = method.combine(1.0, e.method, c);
        }
        Estimate { value, method }
    }
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.value, self.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combination_keeps_the_least_exact_method() {
        let exact = Estimate::closed_form(1.0);
        let poly = Estimate::exact_polynomial(2.0);
        let quad = Estimate::new(3.0, Method::Quadrature { nodes: 12 });
        let mc = Estimate::new(
            4.0,
            Method::MonteCarlo {
                samples: 100,
                standard_error: 0.5,
            },
        );
        let e = Estimate::linear_combination(&[(1.0, exact), (-2.0, poly)]);
        assert_eq!(e.value, -3.0);
        assert_eq!(e.method, Method::ClosedForm);
        let e = Estimate::linear_combination(&[(1.0, poly), (1.0, quad)]);
        assert_eq!(e.method, Method::Quadrature { nodes: 12 });
        let e = Estimate::linear_combination(&[(2.0, quad), (-3.0, mc), (1.0, mc)]);
        assert_eq!(e.value, 6.0 - 12.0 + 4.0);
        assert_eq!(
            e.method,
            Method::MonteCarlo {
                samples: 100,
                standard_error: 2.0
            }
        );
        assert_eq!(Estimate::linear_combination(&[]).value, 0.0);
    }
}
