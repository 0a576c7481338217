//! How the time axis of the lab's charts is drawn: steps t or samples t·n_b, linear or log.

/// How the time axis is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimeAxis {
    /// Logarithmic axis.
    pub log: bool,
    /// Samples t·n_b instead of steps t.
    pub samples: bool,
}

impl TimeAxis {
    /// x coordinate of step `step` with batch `nb`: t, or t·n_b on a samples axis.
    pub fn x(&self, step: u64, nb: u64) -> f64 {
        if self.samples {
            step as f64 * nb as f64
        } else {
            step as f64
        }
    }

    /// Axis label, e.g. "step t (log scale)" or "samples t·n_b".
    pub fn label(&self) -> String {
        let unit = if self.samples {
            "samples t·n_b"
        } else {
            "step t"
        };
        if self.log {
            format!("{unit} (log scale)")
        } else {
            unit.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_axis_scales_by_the_batch() {
        let steps = TimeAxis {
            log: true,
            samples: false,
        };
        let samples = TimeAxis {
            log: false,
            samples: true,
        };
        assert_eq!(steps.x(10, 64), 10.0);
        assert_eq!(samples.x(10, 64), 640.0);
        assert_eq!(steps.label(), "step t (log scale)");
        assert_eq!(samples.label(), "samples t·n_b");
    }
}
