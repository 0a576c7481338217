//! Scaling-law predictions of the paper (docs/science.md §7) with mu = log_d n_b,
//! theta = log_d T (steps to weak recovery), log_d N = theta + mu (samples) and
//! log_d gamma, for information exponent l:
//!
//! | regime | T | N = T n_b | gamma |
//! |---|---|---|---|
//! | plain SGD, mu <= l/2 | d^(l-1) / n_b | d^(l-1) | n_b d^(-l/2) |
//! | plain SGD, mu > l/2 | d^(l/2 - 1) (no further gain) | n_b d^(l/2-1) | O(1) |
//! | correlation loss, mu <= l-1 | d^(l-1) / n_b | d^(l-1) | n_b d^(-l/2) |
//! | correlation loss, l-1 <= mu < l | polylog(d) | | sqrt(n_b / d) |
//! | one giant step, mu >= l | 1 | n_b | sqrt(n_b / d) = d^((l-1)/2) at mu = l |
//!
//! Special cases: l = 1: T = d / n_b (theta = 1 - mu, down to O(1) steps at mu = 1) for both
//! protocols; l = 2: T = d log d / n_b, and plain SGD flattens at log d steps for mu >= 1.
//! For l <= 2 the learning rate is the largest one on the Saad & Solla line,
//! gamma = n_b / d (delta = 1 - mu), capped at O(1) (for l = 2 this is n_b d^(-l/2)).
//!
//! These are asymptotic exponents (constants and log factors dropped; the log factor is
//! reported as a [`TimeCorrection`]).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The two training protocols whose scaling laws differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Plain (MSE) SGD.
    PlainSgd,
    /// Correlation-loss SGD (self-interaction dropped).
    CorrelationLoss,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::PlainSgd => "plain SGD",
            Protocol::CorrelationLoss => "correlation loss",
        })
    }
}

/// A factor multiplying d^theta that the exponent does not show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeCorrection {
    /// T = Theta(d^theta).
    None,
    /// T = Theta(d^theta log d) (information exponent 2).
    LogD,
    /// T = polylog(d) (theta = 0).
    Polylog,
}

/// Invalid input to a scaling law.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScalingError {
    /// The information exponent must be >= 1.
    #[error("the information exponent must be >= 1, got {0}")]
    InformationExponent(u32),
    /// mu must be finite and >= 0.
    #[error("mu = log_d n_b must be finite and >= 0, got {0}")]
    BatchExponent(f64),
    /// A numeric argument is out of range.
    #[error("{name} must be finite and > 0, got {value}")]
    NotPositive {
        /// Argument name.
        name: &'static str,
        /// Value given.
        value: f64,
    },
}

/// Predicted exponents for one protocol at one (mu, l).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScalingPrediction {
    /// theta = log_d T, steps to weak recovery.
    pub time_exponent: f64,
    /// log_d N = theta + mu, samples to weak recovery.
    pub sample_exponent: f64,
    /// log_d gamma of the optimal learning rate (= -delta).
    pub learning_rate_exponent: f64,
    /// Log factor hidden by the exponent.
    pub correction: TimeCorrection,
    /// Which row of the table applies.
    pub regime: &'static str,
}

fn validate(mu: f64, l: u32) -> Result<(), ScalingError> {
    if l == 0 {
        return Err(ScalingError::InformationExponent(l));
    }
    if !mu.is_finite() || mu < 0.0 {
        return Err(ScalingError::BatchExponent(mu));
    }
    Ok(())
}

fn prediction(
    theta: f64,
    mu: f64,
    gamma: f64,
    correction: TimeCorrection,
    regime: &'static str,
) -> ScalingPrediction {
    ScalingPrediction {
        time_exponent: theta,
        sample_exponent: theta + mu,
        learning_rate_exponent: gamma,
        correction,
        regime,
    }
}

/// The special cases l = 1, 2 (both protocols until their large-batch end).
fn low_exponent(mu: f64, l: u32, protocol: Protocol) -> ScalingPrediction {
    let gamma = (mu - 1.0).min(0.0);
    if mu < 1.0 {
        let correction = if l == 2 {
            TimeCorrection::LogD
        } else {
            TimeCorrection::None
        };
        return prediction(
            1.0 - mu,
            mu,
            gamma,
            correction,
            "T = d / n_b (l = 1) or d log d / n_b (l = 2)",
        );
    }
    match (l, protocol) {
        (1, _) => prediction(
            0.0,
            mu,
            0.0,
            TimeCorrection::None,
            "O(1) steps (n_b >~ d, l = 1)",
        ),
        (_, Protocol::PlainSgd) => prediction(
            0.0,
            mu,
            0.0,
            TimeCorrection::LogD,
            "plain SGD flattens at log d steps (l = 2)",
        ),
        (_, Protocol::CorrelationLoss) if mu < l as f64 => prediction(
            0.0,
            mu,
            (mu - 1.0) / 2.0,
            TimeCorrection::Polylog,
            "correlation loss: polylog(d) steps",
        ),
        (_, Protocol::CorrelationLoss) => prediction(
            0.0,
            mu,
            (mu - 1.0) / 2.0,
            TimeCorrection::None,
            "one giant step",
        ),
    }
}

/// Plain-SGD prediction: theta = l - 1 - mu for mu <= l/2 (gamma = n_b d^(-l/2)), then
/// theta = l/2 - 1 (gamma = O(1)); l = 1, 2 as in the module documentation.
pub fn plain_sgd_prediction(mu: f64, l: u32) -> Result<ScalingPrediction, ScalingError> {
    validate(mu, l)?;
    if l <= 2 {
        return Ok(low_exponent(mu, l, Protocol::PlainSgd));
    }
    let lf = l as f64;
    Ok(if mu <= lf / 2.0 {
        prediction(
            lf - 1.0 - mu,
            mu,
            mu - lf / 2.0,
            TimeCorrection::None,
            "plain SGD, n_b <~ d^(l/2): T = d^(l-1) / n_b",
        )
    } else {
        prediction(
            lf / 2.0 - 1.0,
            mu,
            0.0,
            TimeCorrection::None,
            "plain SGD, n_b >> d^(l/2): T = d^(l/2-1), no further gain",
        )
    })
}

/// Correlation-loss prediction: theta = l - 1 - mu for mu <= l - 1 (gamma = n_b d^(-l/2)),
/// polylog(d) for l - 1 < mu < l and a single step for mu >= l (gamma = sqrt(n_b / d));
/// l = 1, 2 as in the module documentation.
pub fn correlation_loss_prediction(mu: f64, l: u32) -> Result<ScalingPrediction, ScalingError> {
    validate(mu, l)?;
    if l <= 2 {
        return Ok(low_exponent(mu, l, Protocol::CorrelationLoss));
    }
    let lf = l as f64;
    Ok(if mu <= lf - 1.0 {
        prediction(
            lf - 1.0 - mu,
            mu,
            mu - lf / 2.0,
            TimeCorrection::None,
            "correlation loss, n_b <~ d^(l-1): T = d^(l-1) / n_b",
        )
    } else if mu < lf {
        prediction(
            0.0,
            mu,
            (mu - 1.0) / 2.0,
            TimeCorrection::Polylog,
            "correlation loss, d^(l-1) <~ n_b << d^l: polylog(d) steps",
        )
    } else {
        prediction(
            0.0,
            mu,
            (mu - 1.0) / 2.0,
            TimeCorrection::None,
            "one giant step, n_b >~ d^l",
        )
    })
}

/// The prediction of `protocol` at (mu, l).
pub fn scaling_prediction(
    protocol: Protocol,
    mu: f64,
    l: u32,
) -> Result<ScalingPrediction, ScalingError> {
    match protocol {
        Protocol::PlainSgd => plain_sgd_prediction(mu, l),
        Protocol::CorrelationLoss => correlation_loss_prediction(mu, l),
    }
}

/// Predicted theta = log_d T (steps to weak recovery).
pub fn predicted_time_exponent(protocol: Protocol, mu: f64, l: u32) -> Result<f64, ScalingError> {
    scaling_prediction(protocol, mu, l).map(|p| p.time_exponent)
}

/// Predicted log_d N = theta + mu (samples to weak recovery).
pub fn predicted_sample_exponent(protocol: Protocol, mu: f64, l: u32) -> Result<f64, ScalingError> {
    scaling_prediction(protocol, mu, l).map(|p| p.sample_exponent)
}

/// The optimal learning-rate exponent delta*(mu, l) of `protocol` (gamma = gamma0 d^(-delta*)),
/// the single source used by the run config's `optimal` policy, the sweeps, the explorer and
/// the phase diagram. It is minus the `learning_rate_exponent` of [`scaling_prediction`]:
///
/// * l = 1, 2, both protocols: delta* = 1 - mu for mu < 1 (gamma = n_b / d, the largest rate
///   on the Saad & Solla line: the noise term gamma^2 d / n_b must not beat the order-gamma
///   drift), then 0 (plain SGD; l = 1 correlation loss) or (1 - mu)/2 (l = 2 correlation loss).
/// * l >= 3, plain SGD: delta* = l/2 - mu up to mu = l/2, then 0 (gamma = O(1)).
/// * l >= 3, correlation loss: delta* = l/2 - mu up to mu = l - 1 (negative beyond l/2: gamma
///   grows with d), then (1 - mu)/2 (gamma = sqrt(n_b / d)); continuous at mu = l - 1.
///
/// Below each protocol's critical batch (mu <= l/2 for l >= 2, mu <= 1 for l = 1) the two
/// protocols share delta*. Errors: l = 0, or mu not finite or negative.
pub fn optimal_learning_rate_exponent(
    protocol: Protocol,
    mu: f64,
    l: u32,
) -> Result<f64, ScalingError> {
    // `0.0 - x` rather than `-x` so that a zero exponent is +0 (prints as 0, not -0).
    scaling_prediction(protocol, mu, l).map(|p| 0.0 - p.learning_rate_exponent)
}

/// The authors' code convention gamma = c n_b p d^(-l/2) (c = 0.032 in the mu = 1.75
/// figure).
pub fn authors_learning_rate(
    c: f64,
    batch_size: f64,
    p: usize,
    dimension: f64,
    l: u32,
) -> Result<f64, ScalingError> {
    for (name, value) in [
        ("c", c),
        ("batch_size", batch_size),
        ("dimension", dimension),
    ] {
        if !value.is_finite() || value <= 0.0 {
            return Err(ScalingError::NotPositive { name, value });
        }
    }
    if l == 0 {
        return Err(ScalingError::InformationExponent(l));
    }
    Ok(c * batch_size * p as f64 * dimension.powf(-(l as f64) / 2.0))
}

/// Which protocols a frontier segment belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrontierOwner {
    /// Shared by plain SGD and the correlation loss.
    Both,
    /// Plain SGD only.
    PlainSgd,
    /// Correlation loss only.
    CorrelationLoss,
}

/// A straight piece of a frontier theta(mu) in the (mu, theta) plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrontierSegment {
    /// (mu, theta) at the start.
    pub start: [f64; 2],
    /// (mu, theta) at the end.
    pub end: [f64; 2],
    /// Whose frontier it is.
    pub owner: FrontierOwner,
    /// Log factor along the segment.
    pub correction: TimeCorrection,
    /// Legend text.
    pub label: String,
}

/// A labelled polygon of the (mu, theta) plane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseRegion {
    /// Vertices (mu, theta), counter-clockwise.
    pub polygon: Vec<[f64; 2]>,
    /// Legend text.
    pub label: String,
}

/// A protocol's optimal batch size on the phase diagram: the largest n_b = d^mu at which the
/// sample complexity N = T n_b is still minimal, i.e. the fewest steps without wasting samples.
/// Plain SGD: mu = l/2, theta = l/2 - 1 (l >= 3); correlation loss: mu = l - 1, theta = 0
/// (l >= 3); for l <= 2 both at mu = 1, theta = 0 (with a log d for l = 2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimalPoint {
    /// Whose optimum it is.
    pub protocol: Protocol,
    /// (mu, theta) of the point.
    pub point: [f64; 2],
    /// Legend text.
    pub label: String,
}

/// The paper's Fig. 1 for one information exponent, as data a plot can draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseDiagram {
    /// l.
    pub information_exponent: u32,
    /// Right edge of the mu axis.
    pub mu_max: f64,
    /// Top edge of the theta axis (l - 1 + 1/2, at least 1.5).
    pub theta_max: f64,
    /// Frontier segments (zero-length pieces omitted).
    pub frontiers: Vec<FrontierSegment>,
    /// Regions between frontiers.
    pub regions: Vec<PhaseRegion>,
    /// The two optimal points (plain SGD, then correlation loss).
    pub optimal_points: Vec<OptimalPoint>,
}

/// Fig. 1 for information exponent l on mu in [0, mu_max] (mu_max is raised to at least
/// l + 1/2): plain-SGD frontier theta = l - 1 - mu up to mu = l/2, then flat at l/2 - 1;
/// correlation-loss frontier continuing theta = l - 1 - mu down to 0 at mu = l - 1; the
/// polylog segment theta = 0 on [l - 1, l]; one step for mu >= l. For l = 1 the shared
/// frontier is theta = 1 - mu (T = d / n_b), for l = 2 it is theta = 1 - mu with a log d.
pub fn phase_diagram(l: u32, mu_max: f64) -> Result<PhaseDiagram, ScalingError> {
    validate(0.0, l)?;
    if !mu_max.is_finite() {
        return Err(ScalingError::BatchExponent(mu_max));
    }
    let lf = l as f64;
    let mu_max = mu_max.max(lf + 0.5);
    let top = if l <= 2 { 1.0 } else { lf - 1.0 };
    let theta_max = (top + 0.5).max(1.5);
    let (knee_mu, knee_theta) = if l <= 2 {
        (1.0, 0.0)
    } else {
        (lf / 2.0, lf / 2.0 - 1.0)
    };
    let corr_end = if l <= 2 { 1.0 } else { lf - 1.0 };
    let mut frontiers = Vec::new();
    let mut push = |start: [f64; 2], end: [f64; 2], owner, correction, label: &str| {
        if (start[0] - end[0]).abs() > 1e-12 || (start[1] - end[1]).abs() > 1e-12 {
            frontiers.push(FrontierSegment {
                start,
                end,
                owner,
                correction,
                label: label.to_string(),
            });
        }
    };
    let shared_correction = if l == 2 {
        TimeCorrection::LogD
    } else {
        TimeCorrection::None
    };
    let shared_label = match l {
        1 => "T = d / n_b (both protocols)",
        2 => "T = d log d / n_b (both protocols)",
        _ => "T = d^(l-1) / n_b (both protocols)",
    };
    push(
        [0.0, top],
        [knee_mu, knee_theta],
        FrontierOwner::Both,
        shared_correction,
        shared_label,
    );
    match l {
        1 => {}
        2 => push(
            [1.0, 0.0],
            [mu_max, 0.0],
            FrontierOwner::PlainSgd,
            TimeCorrection::LogD,
            "plain SGD: log d steps, no further gain",
        ),
        _ => push(
            [knee_mu, knee_theta],
            [mu_max, knee_theta],
            FrontierOwner::PlainSgd,
            TimeCorrection::None,
            "plain SGD: T = d^(l/2-1), no further gain",
        ),
    }
    push(
        [knee_mu, knee_theta],
        [corr_end, 0.0],
        FrontierOwner::CorrelationLoss,
        TimeCorrection::None,
        "correlation loss: T = d^(l-1) / n_b",
    );
    if l >= 2 {
        push(
            [corr_end, 0.0],
            [lf, 0.0],
            FrontierOwner::CorrelationLoss,
            TimeCorrection::Polylog,
            "correlation loss: polylog(d) steps",
        );
    }
    push(
        [lf, 0.0],
        [mu_max, 0.0],
        FrontierOwner::CorrelationLoss,
        TimeCorrection::None,
        "one giant step",
    );

    let mut regions = vec![PhaseRegion {
        polygon: vec![
            [0.0, 0.0],
            [corr_end, 0.0],
            [knee_mu, knee_theta],
            [0.0, top],
        ],
        label: "too few steps: no protocol reaches weak recovery".into(),
    }];
    if l >= 3 {
        regions.push(PhaseRegion {
            polygon: vec![
                [knee_mu, knee_theta],
                [corr_end, 0.0],
                [mu_max, 0.0],
                [mu_max, knee_theta],
            ],
            label: "only correlation-loss (or adaptive) SGD reaches weak recovery".into(),
        });
    }
    regions.push(PhaseRegion {
        polygon: vec![
            [0.0, top],
            [knee_mu, knee_theta],
            [mu_max, knee_theta],
            [mu_max, theta_max],
            [0.0, theta_max],
        ],
        label: "plain SGD reaches weak recovery".into(),
    });
    let optimal_points = vec![
        OptimalPoint {
            protocol: Protocol::PlainSgd,
            point: [knee_mu, knee_theta],
            label: if l <= 2 {
                "optimal batch, plain SGD: n_b = d".into()
            } else {
                "optimal batch, plain SGD: n_b = d^(l/2)".into()
            },
        },
        OptimalPoint {
            protocol: Protocol::CorrelationLoss,
            point: [corr_end, 0.0],
            label: if l <= 2 {
                "optimal batch, correlation loss: n_b = d".into()
            } else {
                "optimal batch, correlation loss: n_b = d^(l-1)".into()
            },
        },
    ];
    Ok(PhaseDiagram {
        information_exponent: l,
        mu_max,
        theta_max,
        frontiers,
        regions,
        optimal_points,
    })
}
