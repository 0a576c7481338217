//! The live sliders above the panels: the batch exponent μ, log₂ d and the learning rate's
//! prefactor (log₁₀), each moving its form field; the page restarts the runs
//! [`LIVE_DEBOUNCE_MS`] after the last move. Pure mappings between a state, slider positions
//! and form fields, tested natively.

use super::message::FormPairs;
use crate::config::scaling::LearningRate;
use crate::lab_state::LabState;

/// Quiet time after the last slider move before the runs restart, in ms.
pub const LIVE_DEBOUNCE_MS: u32 = 400;

/// One live slider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slider {
    /// The batch exponent μ = log_d n_b, in [0.25, 2.5] by 0.05.
    Mu,
    /// log₂ d, in [8, 20] by 1.
    LogD,
    /// log₁₀ of the rate's prefactor (γ₀ of γ₀ d^(−δ), c of c n_b p d^(−l/2), or a bare γ),
    /// in [−5, 1] by 0.1.
    Rate,
}

impl Slider {
    /// Every slider, in page order.
    pub const ALL: [Slider; 3] = [Slider::Mu, Slider::LogD, Slider::Rate];

    /// Element id of the slider (`live-mu`, `live-logd`, `live-rate`).
    pub fn id(self) -> &'static str {
        match self {
            Slider::Mu => "live-mu",
            Slider::LogD => "live-logd",
            Slider::Rate => "live-rate",
        }
    }

    /// (min, max, step) of the slider.
    pub fn range(self) -> (f64, f64, f64) {
        match self {
            Slider::Mu => (0.25, 2.5, 0.05),
            Slider::LogD => (8.0, 20.0, 1.0),
            Slider::Rate => (-5.0, 1.0, 0.1),
        }
    }

    /// The slider's position for `state` (clamped into its range).
    pub fn position(self, state: &LabState) -> f64 {
        let c = &state.config;
        let value = match self {
            Slider::Mu => c
                .batch
                .map(|b| b.mu)
                .or(c.nb.map(|nb| nb.ln() / (c.model.d as f64).ln()))
                .unwrap_or(1.0),
            Slider::LogD => (c.model.d as f64).log2(),
            Slider::Rate => match (c.gamma, c.lr) {
                (Some(g), _) => g.log10(),
                (None, Some(LearningRate::Fixed { gamma0, .. }))
                | (None, Some(LearningRate::Optimal { gamma0 })) => gamma0.log10(),
                (None, Some(LearningRate::Authors { c })) => c.log10(),
                (None, None) => 0.032f64.log10(),
            },
        };
        let (lo, hi, step) = self.range();
        ((value / step).round() * step).clamp(lo, hi)
    }

    /// What the slider's label shows at `position`, e.g. "μ = 1.50", "d = 4096",
    /// "γ₀ = 0.0100".
    pub fn label(self, position: f64, form: &FormPairs) -> String {
        match self {
            Slider::Mu => format!("μ = {position:.2}"),
            Slider::LogD => format!("d = 2^{position:.0} = {}", 2f64.powf(position.round())),
            Slider::Rate => format!("{} = {:.3e}", rate_key(form), 10f64.powf(position)),
        }
    }

    /// The form fields the slider sets at `position`: μ a single batch exponent given as
    /// n0 d^μ (a list of exponents becomes this one), d = 2^position, the rate's prefactor in
    /// the form's rate mode.
    pub fn fields(self, position: f64, form: &FormPairs) -> Vec<(&'static str, String)> {
        match self {
            Slider::Mu => vec![
                ("batch-mode", "mu".into()),
                ("mu", format!("{}", (position * 100.0).round() / 100.0)),
            ],
            Slider::LogD => vec![("d", format!("{}", 2u64 << (position.round() as u32 - 1)))],
            Slider::Rate => {
                let value = 10f64.powf((position * 10.0).round() / 10.0);
                vec![(rate_key(form), crate::config::display_number(value))]
            }
        }
    }

    /// The lab key the slider edits (for the stale mark and the preset).
    pub fn key(self, form: &FormPairs) -> &'static str {
        match self {
            Slider::Mu => "mu",
            Slider::LogD => "d",
            Slider::Rate => rate_key(form),
        }
    }
}

/// The form's rate prefactor key: `gamma0` (γ₀ d^(−δ)), `c` (the authors' convention) or
/// `gamma` (a bare rate), whichever the form reads.
fn rate_key(form: &FormPairs) -> &'static str {
    let has = |k: &str| form.iter().any(|(key, _)| key == k);
    if has("gamma0") {
        "gamma0"
    } else if has("gamma") {
        "gamma"
    } else {
        "c"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliders_follow_the_state_and_set_its_fields() {
        let story = crate::url_state::UrlState::parse("").lab;
        assert_eq!(Slider::Mu.position(&story), 1.0);
        assert_eq!(Slider::LogD.position(&story), 10.0);
        assert!((Slider::Rate.position(&story) - (-2.0)).abs() < 1e-12);
        let form: FormPairs = story.to_pairs();
        assert_eq!(
            Slider::Mu.fields(1.55, &form),
            [("batch-mode", "mu".to_string()), ("mu", "1.55".to_string())]
        );
        assert_eq!(
            Slider::LogD.fields(12.0, &form),
            [("d", "4096".to_string())]
        );
        assert_eq!(
            Slider::Rate.fields(-1.0, &form),
            [("gamma0", "0.1".to_string())]
        );
        assert_eq!(Slider::Rate.key(&form), "gamma0");
        // the authors' convention sets c
        let authors = LabState::from_hash("c=0.032").unwrap();
        let form = authors.to_pairs();
        assert_eq!(Slider::Rate.key(&form), "c");
        assert!((Slider::Rate.position(&authors) - 0.032f64.log10()).abs() < 0.051);
        assert_eq!(Slider::LogD.label(12.0, &form), "d = 2^12 = 4096");
        // positions stay in range
        let huge = LabState::from_hash("d=1000000000&mu=1").unwrap();
        assert_eq!(Slider::LogD.position(&huge), 20.0);
        let wide = LabState::from_hash("d=64&mu=3").unwrap();
        assert_eq!(Slider::Mu.position(&wide), 2.5);
        // every position gives a valid state
        for slider in Slider::ALL {
            let (lo, hi, step) = slider.range();
            let mut x = lo;
            while x <= hi + 1e-9 {
                let mut pairs = story.to_pairs();
                for (k, v) in slider.fields(x, &pairs) {
                    pairs.retain(|(key, _)| key != k);
                    pairs.push((k.to_string(), v));
                }
                pairs.retain(|(k, _)| k != "batch-mode");
                let parsed =
                    LabState::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                assert!(parsed.is_ok(), "{slider:?} at {x}: {parsed:?}");
                x += step;
            }
        }
    }
}
