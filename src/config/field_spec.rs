//! What each key of the config schemas must hold ([`field_spec`]): its JSON type, whether
//! null is allowed, and the expectation in user terms, used by the strict reader
//! ([`super::json`]) in every message about the key.

use super::{MAX_K, MAX_P};
use serde_json::Value;

/// Which config type a document describes (selects the keys [`super::json::check_types`] knows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    /// A run (`sgdlab run`, one entry of `runs`).
    Run,
    /// A run plus `terms` (`sgdlab theory`).
    Theory,
    /// A sweep (`sgdlab sweep`).
    Sweep,
}

impl Schema {
    /// Keys the schema accepts that its default config does not write (so they are missing
    /// from the key list serde derives), added to the list an unknown key is answered with.
    pub fn optional_keys(self) -> &'static [&'static str] {
        match self {
            Schema::Sweep => &["a0", "fixed_gamma_a0"],
            Schema::Run | Schema::Theory => &[],
        }
    }
}

/// The JSON type a key must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A non-negative integer (no fraction, no exponent).
    Whole,
    /// Any JSON number.
    Number,
    /// true or false.
    Bool,
    /// A string (a name from a fixed list).
    Name,
    /// A string (a name from a fixed list) or a JSON object (the `target`: a link name or a
    /// Hermite polynomial object).
    NameOrObject,
    /// A JSON object.
    Object,
    /// A JSON array.
    List,
    /// A non-negative integer or a JSON array (a sweep's `d`: one dimension or a list).
    WholeOrList,
    /// Any JSON number or a JSON array (a sweep's `a0`: one weight or a list).
    NumberOrList,
}

impl Kind {
    pub(super) fn matches(self, value: &Value) -> bool {
        match self {
            Kind::Whole => value.is_u64(),
            Kind::Number => value.is_number(),
            Kind::Bool => value.is_boolean(),
            Kind::Name => value.is_string(),
            Kind::NameOrObject => value.is_string() || value.is_object(),
            Kind::Object => value.is_object(),
            Kind::List => value.is_array(),
            Kind::WholeOrList => value.is_u64() || value.is_array(),
            Kind::NumberOrList => value.is_number() || value.is_array(),
        }
    }
}

/// What a key must hold: its JSON type, whether null is allowed, and the expectation in user
/// terms (used in every message about the key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    /// The JSON type.
    pub kind: Kind,
    /// true when null is allowed (an optional setting).
    pub nullable: bool,
    /// What is expected, e.g. "a whole number in [1, 1e9]".
    pub expected: String,
}

fn spec(kind: Kind, nullable: bool, expected: impl Into<String>) -> Option<FieldSpec> {
    Some(FieldSpec {
        kind,
        nullable,
        expected: expected.into(),
    })
}

const LINKS: &str =
    "he<l> or he<l>n with 1 <= l <= 12 (e.g. \"he3\"), \"erf\", \"tanh\" or \"relu\"";
const HERMITE_OBJECT: &str =
    "{\"hermite\": [[c, [a_1, ..., a_k]], ...], \"normalised\": false} (g = sum c prod_r He_{a_r}(z_r))";
const HERMITE_TERMS: &str = "a list of 1 to 32 terms [c, [a_1, ..., a_k]]: a finite number c and k whole degrees in [0, 8], the same k for every term, at least one of total degree >= 1 with c != 0";
const LR_OBJECT: &str = "an object like {\"policy\": \"optimal\", \"gamma0\": 0.01} (policy fixed with gamma0 and delta, optimal with gamma0, or authors with c)";

/// The spec of the key at `path` (indices written `[]`, e.g. `init.Q[][]`) in `schema`, or
/// `None` for a key the schema does not know (serde then reports it as unknown).
pub fn field_spec(schema: Schema, path: &str) -> Option<FieldSpec> {
    use Kind::*;
    let sweep = schema == Schema::Sweep;
    // a sweep's per-protocol policies are read like its `lr`
    if sweep {
        for name in ["mse", "correlation", "adaptive"] {
            let prefix = format!("lr_by_protocol.{name}");
            if path == prefix {
                return spec(Object, true, LR_OBJECT);
            }
            if let Some(rest) = path.strip_prefix(&format!("{prefix}.")) {
                return field_spec(schema, &format!("lr.{rest}"));
            }
        }
    }
    match path {
        "d" if sweep => spec(
            WholeOrList,
            false,
            "a whole number in [4, 1000000000] (at least 2(p + k)), or a list of 1 to 16 of them without repeats, e.g. [256, 1024, 4096]",
        ),
        "d[]" if sweep => spec(
            Whole,
            false,
            "a whole number in [4, 1000000000] (at least 2(p + k))",
        ),
        "d" => spec(
            Whole,
            false,
            "a whole number in [4, 1000000000] (at least 2(p + k))",
        ),
        "p" => spec(Whole, false, format!("a whole number in [1, {MAX_P}]")),
        "k" => spec(Whole, false, format!("a whole number in [1, {MAX_K}]")),
        "target" => spec(
            NameOrObject,
            false,
            format!("a link name: {LINKS}, \"tanh_product\", or an object {HERMITE_OBJECT}"),
        ),
        "target.hermite" => spec(List, false, HERMITE_TERMS),
        "target.normalised" => spec(
            Bool,
            false,
            "true or false (divide each term by sqrt(prod a_r!))",
        ),
        "activation" => spec(
            Name,
            true,
            format!("a link name: {LINKS} (or null for the target's link)"),
        ),
        "noise" => spec(Number, false, "a number in [0, 1e6]"),
        "update" => spec(Name, false, "\"projected\" or \"spherical\""),
        "init" => spec(
            Object,
            false,
            "an object like {\"kind\": \"m0\", \"m0\": 0.1} (kind warm, cold, m0 or overlaps)",
        ),
        "init.kind" => spec(Name, false, "\"warm\", \"cold\", \"m0\" or \"overlaps\""),
        "init.m0" => spec(Number, false, "a number in [0, 1]"),
        "init.Q" => spec(
            List,
            false,
            "a p x p matrix as a list of rows, e.g. [[1, 0], [0, 1]]",
        ),
        "init.M" => spec(
            List,
            false,
            "a p x k matrix as a list of rows, e.g. [[0.1], [0.1]]",
        ),
        "init.Q[]" | "init.M[]" => spec(List, false, "a row of numbers, e.g. [0.1, 0]"),
        "init.Q[][]" | "init.M[][]" => spec(Number, false, "a number"),
        "eta" => spec(Number, false, "a number in [1e-9, 1]"),
        "adaptive" => spec(
            Object,
            false,
            "an object like {\"threshold\": 0.6, \"decay\": 0.995, \"jump\": 0.1}",
        ),
        "adaptive.threshold" | "adaptive.decay" => spec(Number, false, "a number in [0, 1]"),
        "adaptive.jump" => spec(Number, false, "a number in [1e-12, 1e6]"),
        "sampler" => spec(Name, false, "\"auto\", \"full\", \"exact\" or \"clt\""),
        "second_layer" => spec(
            Object,
            false,
            "an object like {\"a0\": 0.1, \"gamma\": 0.5} (every unit's initial output weight, and its learning rate)",
        ),
        "second_layer.a0" => spec(Number, false, "a number in (0, 1e6]"),
        "second_layer.gamma" => spec(Number, false, "a number in [0, 1e6]"),
        "covariance" => spec(
            Object,
            false,
            "an object like {\"spikes\": [{\"beta\": 3, \"teacher\": [1], \"free\": 0}]} (x ~ N(0, I + sum beta v v^T))",
        ),
        "covariance.spikes" => spec(
            List,
            false,
            "a list of at most 4 spikes like {\"beta\": 3, \"teacher\": [1], \"free\": 0}",
        ),
        "covariance.spikes[]" => spec(
            Object,
            false,
            "an object like {\"beta\": 3, \"teacher\": [1], \"free\": 0}",
        ),
        "covariance.spikes[].beta" => spec(Number, false, "a number in (-1, 100]"),
        "covariance.spikes[].teacher" => spec(
            List,
            false,
            "a list of k numbers (the spike direction's coefficients on the teacher directions)",
        ),
        "covariance.spikes[].teacher[]" => spec(Number, false, "a number"),
        "covariance.spikes[].free" => spec(
            Number,
            false,
            "a number (the coefficient on the spike's own direction orthogonal to the teachers)",
        ),
        "clt_threshold" => spec(Whole, false, "a whole number of samples per step"),
        "lr" => spec(Object, !sweep, LR_OBJECT),
        "lr.policy" => spec(Name, false, "\"fixed\", \"optimal\" or \"authors\""),
        "lr.gamma0" | "lr.c" => spec(Number, false, "a number in [1e-300, 1e12]"),
        "lr.delta" => spec(Number, false, "a number in [-10, 10]"),
        _ if sweep => match path {
            "protocols" => spec(
                List,
                false,
                "a list of protocols, e.g. [\"mse\", \"correlation\"]",
            ),
            "protocols[]" => spec(Name, false, "\"mse\", \"correlation\" or \"adaptive\""),
            "mu" => spec(
                List,
                false,
                "a list of batch exponents in [0, 12], e.g. [1, 1.5]",
            ),
            "mu[]" => spec(Number, false, "a number in [0, 12]"),
            "a0" => spec(
                NumberOrList,
                false,
                "a number in (0, 1e6] (every unit's initial output weight), or a list of 1 to 8 of them without repeats, e.g. [0.01, 0.1, 1]",
            ),
            "a0[]" => spec(Number, false, "a number in (0, 1e6]"),
            "fixed_gamma_a0" => spec(
                Bool,
                false,
                "true or false (divide each job's rate prefactor by its a0: gamma a0 held fixed)",
            ),
            "n0" => spec(Number, false, "a number in [1e-9, 1e12]"),
            "lr_by_protocol" => spec(
                Object,
                false,
                "an object like {\"correlation\": {\"policy\": \"optimal\", \"gamma0\": 0.01}}",
            ),
            "seeds" => spec(List, false, "a list of whole numbers, e.g. [0, 1, 2]"),
            "seeds[]" => spec(Whole, false, "a whole number"),
            "max_steps" => spec(Whole, false, "a whole number in [1, 1e9]"),
            "max_samples" => spec(Whole, true, "a whole number >= 1 (or null for no cap)"),
            _ => None,
        },
        "nb" => spec(Number, true, "a whole number in [1, 1e13] (or null)"),
        "batch" => spec(
            Object,
            true,
            "an object like {\"n0\": 1, \"mu\": 1.5} (n_b = n0 d^mu)",
        ),
        "batch.n0" => spec(Number, false, "a number in [1e-9, 1e12]"),
        "batch.mu" => spec(Number, false, "a number in [0, 12]"),
        "gamma" => spec(Number, true, "a number in [1e-300, 1e12] (or null)"),
        "loss" => spec(Name, false, "\"mse\", \"correlation\" or \"adaptive\""),
        "steps" => spec(Whole, false, "a whole number in [1, 1e9]"),
        "seed" => spec(Whole, false, "a whole number in [0, 2^64 - 1]"),
        "stop_at_recovery" => spec(Bool, false, "true or false"),
        "record_points" => spec(Whole, false, "a whole number in [16, 1000000]"),
        "terms" if schema == Schema::Theory => spec(
            Object,
            false,
            "an object like {\"gradient\": true, \"noise\": true, \"mean_step\": true}",
        ),
        "terms.gradient" | "terms.noise" | "terms.mean_step" if schema == Schema::Theory => {
            spec(Bool, false, "true or false")
        }
        _ => None,
    }
}
