//! Multi-index polynomial teachers written in the Hermite basis:
//!
//! ```text
//! g(z_1..z_k) = sum_t c_t prod_r He_{a_tr}(z_r)        (divided by sqrt(prod_r a_tr!) when normalised)
//! ```
//!
//! (probabilists' Hermite polynomials, [`super::hermite`]). In a config the teacher is the
//! object `{"hermite": [[c, [a_1, ..., a_k]], ...], "normalised": false}`: one `[c, degrees]`
//! pair per term, every degree list of the same length k, which must equal the config's `k`
//! (checked by [`crate::config::ModelSettings::validate`]). Unlike a committee there is no
//! 1/k: the polynomial is the teacher as written. Example: the staircase z1 + z1 z2 + z1 z2 z3
//! is `{"hermite": [[1, [1, 0, 0]], [1, [1, 1, 0]], [1, [1, 1, 1]]]}`.
//!
//! Limits: 1 to [`MAX_TERMS`] terms, k in [1, [`MAX_K`]], degrees in [0,
//! [`MAX_TERM_DEGREE`]], finite coefficients, at least one term of total degree >= 1 with a
//! non-zero coefficient (a constant teacher has nothing to learn).
//!
//! A [`HermitePolynomial`] is interned ([`HermitePolynomial::intern`]): the teacher
//! [`super::Target`] holds a `&'static` reference, so it stays `Copy` and cheap to pass into
//! every sampler and theory cache. Each distinct polynomial is stored once per process (a
//! few hundred bytes; a page that edits the target stores each version it read).

use crate::config::MAX_K;
use crate::random::lanes::Lane;
use serde::{Serialize, Serializer};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Mutex, OnceLock, PoisonError};

/// Largest Hermite degree of one coordinate in one term.
pub const MAX_TERM_DEGREE: u32 = 8;

/// Largest number of terms.
pub const MAX_TERMS: usize = 32;

/// One term c prod_r He_{a_r}(z_r).
#[derive(Clone, Debug, PartialEq)]
pub struct HermiteTerm {
    /// The coefficient c (before the normalisation).
    pub coefficient: f64,
    /// The degrees a_1..a_k, one per teacher direction.
    pub degrees: Vec<u32>,
}

impl HermiteTerm {
    /// The total degree |a| = sum_r a_r.
    pub fn total_degree(&self) -> u32 {
        self.degrees.iter().sum()
    }
}

/// A validated Hermite polynomial teacher (see the module docs).
#[derive(Clone, Debug)]
pub struct HermitePolynomial {
    terms: Vec<HermiteTerm>,
    normalised: bool,
    k: usize,
    /// c_t, divided by sqrt(prod_r a_tr!) when normalised: the factor each term's product
    /// starts from.
    scaled: Vec<f64>,
    /// The largest degree of each coordinate over the terms.
    max_degree: Vec<u32>,
}

impl PartialEq for HermitePolynomial {
    fn eq(&self, other: &Self) -> bool {
        self.normalised == other.normalised
            && self.terms.len() == other.terms.len()
            && self.terms.iter().zip(&other.terms).all(|(a, b)| {
                a.coefficient.to_bits() == b.coefficient.to_bits() && a.degrees == b.degrees
            })
    }
}

impl Eq for HermitePolynomial {}

impl Hash for HermitePolynomial {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.normalised.hash(state);
        for t in &self.terms {
            t.coefficient.to_bits().hash(state);
            t.degrees.hash(state);
        }
    }
}

/// Why a list of terms is not a valid [`HermitePolynomial`]; `term` is the index of the
/// offending term when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HermiteTargetError {
    /// The index of the offending term, if the problem is one term.
    pub term: Option<usize>,
    /// What is wrong and what is valid.
    pub message: String,
}

impl fmt::Display for HermiteTargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.term {
            Some(i) => write!(f, "target.hermite[{i}]: {}", self.message),
            None => write!(f, "target.hermite: {}", self.message),
        }
    }
}

impl std::error::Error for HermiteTargetError {}

fn factorial_product(degrees: &[u32]) -> f64 {
    degrees
        .iter()
        .map(|&a| super::hermite::factorial(a))
        .product()
}

impl HermitePolynomial {
    /// Checks the terms (see the module docs for the limits) and builds the polynomial.
    pub fn new(terms: Vec<HermiteTerm>, normalised: bool) -> Result<Self, HermiteTargetError> {
        let whole = |message: String| HermiteTargetError {
            term: None,
            message,
        };
        if terms.is_empty() || terms.len() > MAX_TERMS {
            return Err(whole(format!(
                "must list 1 to {MAX_TERMS} terms [c, [a_1, ..., a_k]], got {}",
                terms.len()
            )));
        }
        let k = terms[0].degrees.len();
        for (i, t) in terms.iter().enumerate() {
            let at = |message: String| HermiteTargetError {
                term: Some(i),
                message,
            };
            if !t.coefficient.is_finite() {
                return Err(at(format!(
                    "the coefficient must be a finite number, got {}",
                    t.coefficient
                )));
            }
            if t.degrees.is_empty() || t.degrees.len() > MAX_K {
                return Err(at(format!(
                    "the degree list must have 1 to {MAX_K} entries (one per teacher direction), got {}",
                    t.degrees.len()
                )));
            }
            if t.degrees.len() != k {
                return Err(at(format!(
                    "has {} degrees but target.hermite[0] has {k}: every term needs one degree per teacher direction",
                    t.degrees.len()
                )));
            }
            if let Some(&a) = t.degrees.iter().find(|&&a| a > MAX_TERM_DEGREE) {
                return Err(at(format!(
                    "degrees must be whole numbers in [0, {MAX_TERM_DEGREE}], got {a}"
                )));
            }
        }
        if !terms
            .iter()
            .any(|t| t.total_degree() >= 1 && t.coefficient != 0.0)
        {
            return Err(whole(
                "needs a term of total degree >= 1 with a non-zero coefficient (a constant teacher has nothing to learn)".into(),
            ));
        }
        let scaled = terms
            .iter()
            .map(|t| {
                if normalised {
                    t.coefficient / factorial_product(&t.degrees).sqrt()
                } else {
                    t.coefficient
                }
            })
            .collect();
        let max_degree = (0..k)
            .map(|r| terms.iter().map(|t| t.degrees[r]).max().unwrap_or(0))
            .collect();
        Ok(HermitePolynomial {
            terms,
            normalised,
            k,
            scaled,
            max_degree,
        })
    }

    /// The process-wide copy of this polynomial (stored once per distinct polynomial).
    pub fn intern(self) -> &'static HermitePolynomial {
        static REGISTRY: OnceLock<Mutex<Vec<&'static HermitePolynomial>>> = OnceLock::new();
        let mut registry = REGISTRY
            .get_or_init(|| Mutex::new(Vec::new()))
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(&found) = registry.iter().find(|&&h| *h == self) {
            return found;
        }
        let stored: &'static HermitePolynomial = Box::leak(Box::new(self));
        registry.push(stored);
        stored
    }

    /// The terms as given.
    pub fn terms(&self) -> &[HermiteTerm] {
        &self.terms
    }

    /// Whether each term is divided by sqrt(prod_r a_r!).
    pub fn normalised(&self) -> bool {
        self.normalised
    }

    /// The number of teacher directions k (the length of every degree list).
    pub fn k(&self) -> usize {
        self.k
    }

    /// Each term's coefficient as used: c_t, divided by sqrt(prod_r a_tr!) when normalised.
    pub fn scaled_coefficients(&self) -> &[f64] {
        &self.scaled
    }

    /// The degree lists of the terms with a non-zero coefficient (the Hermite support).
    pub fn support(&self) -> Vec<Vec<u32>> {
        self.terms
            .iter()
            .filter(|t| t.coefficient != 0.0)
            .map(|t| t.degrees.clone())
            .collect()
    }

    /// g(z_1..z_k) lane-wise. He_0..He_{max degree} of each field by the recurrence
    /// He_{m+1} = z He_m - m He_{m-1} (He_1 = z), then each term starts from its scaled
    /// coefficient and multiplies the He_{a_r}(z_r) with a_r >= 1 in r order, and the terms
    /// are summed from 0 in order. Additions, subtractions and products only (no fused
    /// multiply-add), so one sample as `f64` and any lane of a vector give the same bits on
    /// every target. Fields beyond `fields.len()` count as absent (degree 0).
    #[inline(always)]
    pub fn value<V: Lane>(&self, fields: &[V]) -> V {
        const ROW: usize = MAX_TERM_DEGREE as usize + 1;
        let mut table = [[V::splat(1.0); ROW]; MAX_K];
        for ((row, &z), &top) in table.iter_mut().zip(fields).zip(&self.max_degree) {
            if top >= 1 {
                row[1] = z;
            }
            for m in 1..top as usize {
                row[m + 1] = z * row[m] - V::splat(m as f64) * row[m - 1];
            }
        }
        let mut sum = V::splat(0.0);
        for (term, &c) in self.terms.iter().zip(&self.scaled) {
            let mut product = V::splat(c);
            for (r, &a) in term.degrees.iter().enumerate().take(fields.len()) {
                if a >= 1 {
                    product = product * table[r][a as usize];
                }
            }
            sum = sum + product;
        }
        sum
    }

    /// Human-readable formula, e.g. `z_1 + z_1 z_2 + 0.5 He_3(z_1) He_2(z_2)`.
    pub fn formula(&self) -> String {
        let mut out = String::new();
        for (i, t) in self.terms.iter().enumerate() {
            let factors: Vec<String> = t
                .degrees
                .iter()
                .enumerate()
                .filter(|(_, &a)| a >= 1)
                .map(|(r, &a)| match a {
                    1 => format!("z_{}", r + 1),
                    _ => format!("He_{a}(z_{})", r + 1),
                })
                .collect();
            let c = t.coefficient;
            let magnitude = c.abs();
            let sign = if c < 0.0 {
                if i == 0 {
                    "-"
                } else {
                    " - "
                }
            } else if i == 0 {
                ""
            } else {
                " + "
            };
            out.push_str(sign);
            let body = factors.join(" ");
            match (magnitude == 1.0, body.is_empty()) {
                (_, true) => out.push_str(&format!("{magnitude}")),
                (true, false) => out.push_str(&body),
                (false, false) => out.push_str(&format!("{magnitude} {body}")),
            }
        }
        if self.normalised {
            format!("{out} (each term / sqrt(prod a_r!))")
        } else {
            out
        }
    }
}

/// The JSON form `{"hermite": [[c, [a_1, ...]], ...], "normalised": bool}`.
impl Serialize for HermitePolynomial {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Repr<'a> {
            hermite: Vec<(f64, &'a [u32])>,
            normalised: bool,
        }
        Repr {
            hermite: self
                .terms
                .iter()
                .map(|t| (t.coefficient, t.degrees.as_slice()))
                .collect(),
            normalised: self.normalised,
        }
        .serialize(serializer)
    }
}

/// Reads one term `[c, [a_1, ..., a_k]]` from its JSON value; the message says what is valid.
pub fn term_from_json(value: &serde_json::Value) -> Result<HermiteTerm, String> {
    let shape = || {
        format!(
            "must be a term [c, [a_1, ..., a_k]] (a finite number c and 1 to {MAX_K} whole degrees in [0, {MAX_TERM_DEGREE}]), got {}",
            crate::config::json::echo(value)
        )
    };
    let serde_json::Value::Array(pair) = value else {
        return Err(shape());
    };
    let [c, degrees] = pair.as_slice() else {
        return Err(shape());
    };
    let coefficient = c.as_f64().ok_or_else(shape)?;
    let serde_json::Value::Array(list) = degrees else {
        return Err(shape());
    };
    let degrees = list
        .iter()
        .map(|a| {
            a.as_u64()
                .filter(|&a| a <= MAX_TERM_DEGREE as u64)
                .map(|a| a as u32)
                .ok_or_else(|| {
                    format!(
                        "degrees must be whole numbers in [0, {MAX_TERM_DEGREE}], got {}",
                        crate::config::json::echo(a)
                    )
                })
        })
        .collect::<Result<Vec<u32>, String>>()?;
    if degrees.is_empty() || degrees.len() > MAX_K {
        return Err(format!(
            "the degree list must have 1 to {MAX_K} entries (one per teacher direction), got {}",
            degrees.len()
        ));
    }
    Ok(HermiteTerm {
        coefficient,
        degrees,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::hermite::hermite;
    use crate::random::lanes::{F64s, LANES};

    fn term(c: f64, degrees: &[u32]) -> HermiteTerm {
        HermiteTerm {
            coefficient: c,
            degrees: degrees.to_vec(),
        }
    }

    #[test]
    fn value_is_the_sum_of_hermite_products() {
        let g = HermitePolynomial::new(
            vec![
                term(1.0, &[1, 0, 0]),
                term(-2.0, &[3, 1, 0]),
                term(0.5, &[0, 2, 4]),
            ],
            false,
        )
        .unwrap();
        let z = [0.7, -1.3, 2.1];
        let want = z[0] - 2.0 * hermite(3, z[0]) * z[1] + 0.5 * hermite(2, z[1]) * hermite(4, z[2]);
        assert!((g.value(&z) - want).abs() < 1e-12);
        let n = HermitePolynomial::new(vec![term(1.0, &[3, 2])], true).unwrap();
        let want = hermite(3, 0.4) * hermite(2, -0.9) / 12f64.sqrt();
        assert!((n.value(&[0.4, -0.9]) - want).abs() < 1e-12);
    }

    #[test]
    fn lanes_equal_one_sample_at_a_time_bit_for_bit() {
        let g = HermitePolynomial::new(
            vec![
                term(1.0, &[1, 0, 0]),
                term(1.0, &[1, 1, 0]),
                term(0.3, &[8, 1, 5]),
            ],
            true,
        )
        .unwrap();
        let f = [
            F64s([-1.2, 0.3, 2.5, -0.0]),
            F64s([0.7, -1.9, 0.1, 4.0]),
            F64s([1.1, -3.3, 0.0, 0.25]),
        ];
        let v = g.value(&f);
        for j in 0..LANES {
            let one = g.value(&[f[0].0[j], f[1].0[j], f[2].0[j]]);
            assert_eq!(v.0[j].to_bits(), one.to_bits());
        }
    }

    #[test]
    fn invalid_terms_are_named() {
        let e =
            HermitePolynomial::new(vec![term(1.0, &[1, 0]), term(1.0, &[1])], false).unwrap_err();
        assert_eq!(e.term, Some(1));
        assert!(e.to_string().starts_with("target.hermite[1]"), "{e}");
        let e = HermitePolynomial::new(vec![term(1.0, &[9])], false).unwrap_err();
        assert!(e.message.contains("[0, 8]"), "{e}");
        let e = HermitePolynomial::new(vec![term(f64::NAN, &[1])], false).unwrap_err();
        assert!(e.message.contains("finite"), "{e}");
        let e = HermitePolynomial::new(vec![term(3.0, &[0, 0])], false).unwrap_err();
        assert_eq!(e.term, None);
        assert!(HermitePolynomial::new(vec![], false).is_err());
        assert!(HermitePolynomial::new(vec![term(1.0, &[1]); 33], false).is_err());
        assert!(HermitePolynomial::new(vec![term(1.0, &[1; 9])], false).is_err());
        for bad in [
            "[1, [1, -1]]",
            "[1, [2.5]]",
            "[\"a\", [1]]",
            "[1, 2]",
            "[1, []]",
            "3",
        ] {
            let v: serde_json::Value = serde_json::from_str(bad).unwrap();
            assert!(term_from_json(&v).is_err(), "{bad}");
        }
    }

    #[test]
    fn interned_copies_are_shared() {
        let a = HermitePolynomial::new(vec![term(1.0, &[1, 1])], false).unwrap();
        let b = a.clone();
        assert!(std::ptr::eq(a.intern(), b.intern()));
        assert_eq!(
            HermitePolynomial::new(vec![term(1.0, &[1, 0]), term(-1.0, &[0, 3])], false)
                .unwrap()
                .formula(),
            "z_1 - He_3(z_2)"
        );
    }
}
