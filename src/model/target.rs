//! The teacher y = g(W* x) + sqrt(Delta) xi.
//!
//! * Committee: g(z_1..z_k) = (1/k) sum_r g1(z_r) for a one-dimensional [`Link`] g1
//!   (single-index when k = 1).
//! * Tanh product: g(z_1..z_k) = tanh(z_1 z_2 ... z_k), the paper's non-committee
//!   multi-index example (k = 3 there).
//!
//! Written as strings in configs: `"he3"`, `"erf"`, ... for committees of that link, and
//! `"tanh_product"`.

use super::link::{Link, ParseLinkError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The teacher function g: R^k -> R.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Target {
    /// (1/k) sum_r link(z_r).
    Committee(Link),
    /// tanh(z_1 ... z_k).
    TanhProduct,
}

impl Target {
    /// g(z_1..z_k) for the teacher's local fields `fields` (length k).
    #[inline]
    pub fn value(&self, fields: &[f64]) -> f64 {
        match self {
            Target::Committee(link) => {
                if fields.len() == 1 {
                    link.value(fields[0])
                } else {
                    fields.iter().map(|&z| link.value(z)).sum::<f64>() / fields.len() as f64
                }
            }
            Target::TanhProduct => libm::tanh(fields.iter().product()),
        }
    }

    /// The one-dimensional link of a committee teacher.
    pub fn committee_link(&self) -> Option<Link> {
        match self {
            Target::Committee(l) => Some(*l),
            Target::TanhProduct => None,
        }
    }

    /// Human-readable formula for labels.
    pub fn formula(&self, k: usize) -> String {
        match self {
            Target::Committee(l) if k == 1 => l.formula(),
            Target::Committee(l) => format!("(1/{k}) sum_r {}", l.formula().replace("(z", "(z_r")),
            Target::TanhProduct => "tanh(z_1 ... z_k)".into(),
        }
    }
}

impl FromStr for Target {
    type Err = ParseLinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "tanh_product" {
            return Ok(Target::TanhProduct);
        }
        s.parse::<Link>().map(Target::Committee).map_err(|_| {
            ParseLinkError(format!(
                "{}' (or 'tanh_product' for the multi-index teacher tanh(z_1...z_k)",
                crate::config::json::cut(s)
            ))
        })
    }
}

impl TryFrom<String> for Target {
    type Error = ParseLinkError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Target> for String {
    fn from(t: Target) -> String {
        t.to_string()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Committee(l) => l.fmt(f),
            Target::TanhProduct => f.write_str("tanh_product"),
        }
    }
}
