//! One-dimensional link functions: the teacher's g and the student's activation sigma.
//!
//! | name | g(z) | g'(z) | information exponent |
//! |---|---|---|---|
//! | `he<l>` | He_l(z) (probabilists' Hermite) | l He_{l-1}(z) | l |
//! | `he<l>n` | He_l(z) / sqrt(l!) | l He_{l-1}(z) / sqrt(l!) | l |
//! | `erf` | erf(z / sqrt 2) | sqrt(2/pi) exp(-z^2/2) | 1 |
//! | `tanh` | tanh z | 1 - tanh^2 z | 1 |
//! | `relu` | max(z, 0) | 1{z > 0} (the indicator) | 1 |
//!
//! Links are written as strings (`"he3"`, `"he3n"`, `"erf"`, `"tanh"`, `"relu"`) in configs,
//! URLs and the UI.

use super::hermite::{factorial, hermite_pair};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Largest Hermite degree accepted (He_l values overflow usefulness far earlier).
pub const MAX_HERMITE_DEGREE: u32 = 12;

/// A one-dimensional link or activation function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Link {
    /// He_degree(z), divided by sqrt(degree!) when `normalised`.
    Hermite {
        /// The Hermite degree l (1 <= l <= [`MAX_HERMITE_DEGREE`]); also the information
        /// exponent of the link.
        degree: u32,
        /// Divide by sqrt(l!), so that E[He_l(z)^2 / l!] = 1 for z ~ N(0, 1).
        normalised: bool,
    },
    /// erf(z / sqrt 2), the Saad & Solla activation.
    Erf,
    /// tanh(z).
    Tanh,
    /// max(z, 0).
    Relu,
}

/// A link name that is not one of the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown link '{0}': expected he<l> or he<l>n with 1 <= l <= {MAX_HERMITE_DEGREE} (e.g. he3, he3n), erf, tanh or relu")]
pub struct ParseLinkError(pub String);

/// Parses a link name exactly as written: lowercase, no sign, no leading zeros and no
/// whitespace (`he3`, `he3n`, `erf`, `tanh`, `relu`); `HE3`, ` he3`, `he+3` and `he03` are
/// rejected. The error echoes the input cut at 60 characters.
impl FromStr for Link {
    type Err = ParseLinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "erf" => return Ok(Link::Erf),
            "tanh" => return Ok(Link::Tanh),
            "relu" => return Ok(Link::Relu),
            _ => {}
        }
        if let Some(rest) = s.strip_prefix("he") {
            let (digits, normalised) = match rest.strip_suffix('n') {
                Some(d) => (d, true),
                None => (rest, false),
            };
            let canonical = !digits.is_empty()
                && digits.len() <= 2
                && digits.bytes().all(|b| b.is_ascii_digit())
                && !digits.starts_with('0');
            if canonical {
                if let Ok(degree) = digits.parse::<u32>() {
                    if (1..=MAX_HERMITE_DEGREE).contains(&degree) {
                        return Ok(Link::Hermite { degree, normalised });
                    }
                }
            }
        }
        Err(ParseLinkError(crate::config::json::cut(s)))
    }
}

impl TryFrom<String> for Link {
    type Error = ParseLinkError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<Link> for String {
    fn from(l: Link) -> String {
        l.to_string()
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Link::Hermite {
                degree,
                normalised: false,
            } => write!(f, "he{degree}"),
            Link::Hermite {
                degree,
                normalised: true,
            } => write!(f, "he{degree}n"),
            Link::Erf => f.write_str("erf"),
            Link::Tanh => f.write_str("tanh"),
            Link::Relu => f.write_str("relu"),
        }
    }
}

const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

impl Link {
    /// The He_3 link of the paper's main figures.
    pub const HE3: Link = Link::Hermite {
        degree: 3,
        normalised: false,
    };

    /// Human-readable formula, e.g. "He₃(z) = z³ − 3z" style text for the UI.
    pub fn formula(&self) -> String {
        match self {
            Link::Hermite {
                degree,
                normalised: false,
            } => format!("He_{degree}(z)"),
            Link::Hermite {
                degree,
                normalised: true,
            } => format!("He_{degree}(z)/sqrt({degree}!)"),
            Link::Erf => "erf(z/sqrt 2)".into(),
            Link::Tanh => "tanh(z)".into(),
            Link::Relu => "max(z, 0)".into(),
        }
    }

    fn hermite_scale(degree: u32, normalised: bool) -> f64 {
        if normalised {
            1.0 / factorial(degree).sqrt()
        } else {
            1.0
        }
    }

    /// g(z).
    #[inline]
    pub fn value(&self, z: f64) -> f64 {
        match *self {
            Link::Hermite { degree, normalised } => {
                hermite_pair(degree, z).0 * Self::hermite_scale(degree, normalised)
            }
            Link::Erf => libm::erf(z * std::f64::consts::FRAC_1_SQRT_2),
            Link::Tanh => libm::tanh(z),
            Link::Relu => z.max(0.0),
        }
    }

    /// g'(z).
    #[inline]
    pub fn derivative(&self, z: f64) -> f64 {
        match *self {
            Link::Hermite { degree, normalised } => {
                degree as f64
                    * hermite_pair(degree - 1, z).0
                    * Self::hermite_scale(degree, normalised)
            }
            Link::Erf => SQRT_2_OVER_PI * libm::exp(-0.5 * z * z),
            Link::Tanh => {
                let t = libm::tanh(z);
                1.0 - t * t
            }
            Link::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// (g(z), g'(z)) together; for Hermite links one recurrence pass gives both.
    #[inline]
    pub fn value_and_derivative(&self, z: f64) -> (f64, f64) {
        match *self {
            Link::Hermite { degree, normalised } => {
                let s = Self::hermite_scale(degree, normalised);
                let (he, he_prev) = hermite_pair(degree, z);
                (he * s, degree as f64 * he_prev * s)
            }
            _ => (self.value(z), self.derivative(z)),
        }
    }

    /// Monomial coefficients when the link is a polynomial (Hermite links), else `None`.
    pub fn polynomial_coefficients(&self) -> Option<Vec<f64>> {
        match *self {
            Link::Hermite { degree, normalised } => {
                let s = Self::hermite_scale(degree, normalised);
                Some(
                    super::hermite::hermite_monomial_coefficients(degree)
                        .into_iter()
                        .map(|c| c * s)
                        .collect(),
                )
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_round_trip() {
        for s in ["he1", "he3", "he3n", "he12", "erf", "tanh", "relu"] {
            let l: Link = s.parse().unwrap();
            assert_eq!(l.to_string(), s);
        }
        for bad in [
            "he0", "he13", "hex", "sigmoid", "", "HE3", " he3", "he3 ", "he+3", "he03", "he3N",
            "Erf", "he", "hen", "he-1",
        ] {
            let e = bad.parse::<Link>().unwrap_err();
            assert!(e.to_string().contains("expected he<l>"), "{e}");
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        let links =
            ["he1", "he2", "he3", "he4n", "erf", "tanh"].map(|s| s.parse::<Link>().unwrap());
        for l in links {
            for &z in &[-1.7, -0.3, 0.4, 2.2] {
                let h = 1e-6;
                let fd = (l.value(z + h) - l.value(z - h)) / (2.0 * h);
                assert!((fd - l.derivative(z)).abs() < 1e-6, "{l} at {z}");
                assert_eq!(l.value_and_derivative(z).1, l.derivative(z));
            }
        }
    }
}
