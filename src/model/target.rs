//! The teacher y = g(W* x) + sqrt(Delta) xi.
//!
//! * Committee: g(z_1..z_k) = (1/k) sum_r g1(z_r) for a one-dimensional [`Link`] g1
//!   (single-index when k = 1).
//! * Tanh product: g(z_1..z_k) = tanh(z_1 z_2 ... z_k), the paper's non-committee
//!   multi-index example (k = 3 there).
//! * Hermite polynomial: g(z_1..z_k) = sum_t c_t prod_r He_{a_tr}(z_r)
//!   ([`HermitePolynomial`], module [`super::hermite_target`]).
//!
//! Written in configs as strings, `"he3"`, `"erf"`, ... for committees of that link and
//! `"tanh_product"`, or as the object `{"hermite": [[c, [a_1, ..., a_k]], ...], "normalised":
//! false}` for a Hermite polynomial.

use super::hermite_target::{term_from_json, HermitePolynomial, HermiteTerm, MAX_TERMS};
use super::link::{Link, ParseLinkError};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// The teacher function g: R^k -> R.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// (1/k) sum_r link(z_r).
    Committee(Link),
    /// tanh(z_1 ... z_k).
    TanhProduct,
    /// sum_t c_t prod_r He_{a_tr}(z_r) (interned: see [`HermitePolynomial::intern`]).
    Hermite(&'static HermitePolynomial),
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
            Target::Hermite(h) => h.value(fields),
        }
    }

    /// The one-dimensional link of a committee teacher.
    pub fn committee_link(&self) -> Option<Link> {
        match self {
            Target::Committee(l) => Some(*l),
            Target::TanhProduct | Target::Hermite(_) => None,
        }
    }

    /// Human-readable formula for labels.
    pub fn formula(&self, k: usize) -> String {
        match self {
            Target::Committee(l) if k == 1 => l.formula(),
            Target::Committee(l) => format!("(1/{k}) sum_r {}", l.formula().replace("(z", "(z_r")),
            Target::TanhProduct => "tanh(z_1 ... z_k)".into(),
            Target::Hermite(h) => h.formula(),
        }
    }
}

/// Parses a link name (a committee), `tanh_product`, or the JSON text of a Hermite polynomial
/// object (`{"hermite": [...]}`, as [`Target`]'s `Display` writes it).
impl FromStr for Target {
    type Err = ParseLinkError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "tanh_product" {
            return Ok(Target::TanhProduct);
        }
        if s.starts_with('{') {
            return serde_json::from_str::<Target>(s).map_err(|e| {
                ParseLinkError(format!(
                    "{}' (not a valid hermite target: {e})",
                    crate::config::json::cut(s)
                ))
            });
        }
        s.parse::<Link>().map(Target::Committee).map_err(|_| {
            ParseLinkError(format!(
                "{}' (or 'tanh_product' for the multi-index teacher tanh(z_1...z_k), or an object {{\"hermite\": [[c, [a_1, ..., a_k]], ...]}}",
                crate::config::json::cut(s)
            ))
        })
    }
}

/// Committees and `tanh_product` as their name, a Hermite polynomial as its object.
impl Serialize for Target {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Target::Hermite(h) => h.serialize(serializer),
            _ => serializer.collect_str(self),
        }
    }
}

/// One term of `hermite`, read from its JSON value; `first` is the length of the first term's
/// degree list (errors name `target.hermite[i]`).
struct TermSeed {
    index: usize,
    first: Option<usize>,
}

impl<'de> de::DeserializeSeed<'de> for TermSeed {
    type Value = HermiteTerm;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<HermiteTerm, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let term = term_from_json(&value).map_err(de::Error::custom)?;
        if self.index >= MAX_TERMS {
            return Err(de::Error::custom(format!(
                "at most {MAX_TERMS} terms are allowed"
            )));
        }
        match self.first {
            Some(k) if k != term.degrees.len() => Err(de::Error::custom(format!(
                "has {} degrees but target.hermite[0] has {k}: every term needs one degree per teacher direction",
                term.degrees.len()
            ))),
            _ => Ok(term),
        }
    }
}

/// The list of terms, read term by term.
struct Terms(Vec<HermiteTerm>);

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TermsVisitor;
        impl<'de> Visitor<'de> for TermsVisitor {
            type Value = Terms;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of terms [c, [a_1, ..., a_k]]")
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Terms, A::Error> {
                let mut terms: Vec<HermiteTerm> = Vec::new();
                loop {
                    let seed = TermSeed {
                        index: terms.len(),
                        first: terms.first().map(|t| t.degrees.len()),
                    };
                    match seq.next_element_seed(seed)? {
                        Some(t) => terms.push(t),
                        None => {
                            // the checks of the list as a whole (count, a non-constant term)
                            return HermitePolynomial::new(terms.clone(), false)
                                .map(|_| Terms(terms))
                                .map_err(|e| de::Error::custom(e.message));
                        }
                    }
                }
            }
        }
        d.deserialize_seq(TermsVisitor)
    }
}

/// The object form of a Hermite target.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HermiteObject {
    hermite: Terms,
    #[serde(default)]
    normalised: bool,
}

/// The terms as a whole, checked together (count, equal lengths): errors name `target.hermite`.
fn polynomial_of<E: de::Error>(object: HermiteObject) -> Result<Target, E> {
    let terms = object.hermite.0;
    HermitePolynomial::new(terms, object.normalised)
        .map(|h| Target::Hermite(h.intern()))
        .map_err(|e| E::custom(e.to_string()))
}

/// A name (string) or a Hermite object.
impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TargetVisitor;
        impl<'de> Visitor<'de> for TargetVisitor {
            type Value = Target;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a link name, \"tanh_product\" or an object {\"hermite\": [[c, [a_1, ..., a_k]], ...]}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Target, E> {
                if v.starts_with('{') {
                    return Err(E::custom(format!(
                        "unknown link '{}'",
                        crate::config::json::cut(v)
                    )));
                }
                v.parse().map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Target, A::Error> {
                let object =
                    HermiteObject::deserialize(de::value::MapAccessDeserializer::new(map))?;
                polynomial_of(object)
            }
        }
        d.deserialize_any(TargetVisitor)
    }
}

/// Committees and `tanh_product` by name; a Hermite polynomial as its compact JSON object.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Committee(l) => l.fmt(f),
            Target::TanhProduct => f.write_str("tanh_product"),
            Target::Hermite(h) => {
                let text = serde_json::to_string(h).map_err(|_| fmt::Error)?;
                f.write_str(&text)
            }
        }
    }
}
