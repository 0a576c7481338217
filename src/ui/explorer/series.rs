//! The explorer's measured series: one per (protocol, a0) of the sweep. A sweep at one
//! second-layer weight has one series per protocol, named and coloured by the protocol as
//! before the a0 axis; a sweep over a0 (`"a0": [...]`) has one per protocol and a0, named
//! "MSE SGD, a0 = 0.1": the protocol's first a0 in its own colour, its further a0 in related
//! shades (MSE blue then sky blue, correlation orange then vermillion), so a series never takes
//! the colour of another protocol's theory lines.

use super::charts::color;
use crate::config::display_number;
use crate::model::Loss;
use crate::sweep::{SweepConfig, SweepPoint};

/// Palette indices (the Okabe-Ito palette of `web::chart`) of a protocol's series in a sweep
/// over a0, for its 1st, 2nd, ... a0 (repeating after four).
fn shades(loss: Loss) -> [usize; 4] {
    match loss {
        Loss::Mse => [0, 4, 3, 7],
        Loss::Correlation => [1, 5, 6, 7],
        Loss::Adaptive => [2, 7, 3, 6],
    }
}

/// One measured series of the explorer's charts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesKey {
    /// Its protocol.
    pub protocol: Loss,
    /// Its second-layer weight a0.
    pub a0: f64,
    /// Its position among the sweep's series (protocols outer, a0 inner).
    pub index: usize,
    /// Its position among its protocol's series (the a0's place in the list).
    pub a0_index: usize,
    /// true when the sweep has several a0 (the label then names it).
    pub named_a0: bool,
}

impl SeriesKey {
    /// Whether point `p` belongs to this series.
    pub fn holds(&self, p: &SweepPoint) -> bool {
        p.protocol == self.protocol && p.a0.to_bits() == self.a0.to_bits()
    }

    /// "MSE SGD", or "MSE SGD, a0 = 0.1" in a sweep over a0.
    pub fn label(&self) -> String {
        if self.named_a0 {
            format!(
                "{}, a0 = {}",
                self.protocol.label(),
                display_number(self.a0)
            )
        } else {
            self.protocol.label().to_string()
        }
    }

    /// Palette index: the protocol's colour, or in a sweep over a0 its shade for this a0.
    pub fn color(&self) -> usize {
        if self.named_a0 {
            let shades = shades(self.protocol);
            shades[self.a0_index % shades.len()]
        } else {
            color(self.protocol)
        }
    }
}

/// The series of `config`: its protocols in order, each at every a0 of
/// [`SweepConfig::a0_values`].
pub fn series_keys(config: &SweepConfig) -> Vec<SeriesKey> {
    let weights = config.a0_values();
    let pairs = config
        .protocols
        .iter()
        .flat_map(|&p| weights.iter().map(move |&a0| (p, a0)));
    keys(pairs.collect(), weights.len() > 1)
}

/// The series present in `points`: the protocols in the order of [`Loss::ALL`], each with its
/// a0 in order of first appearance.
pub fn series_of_points(points: &[SweepPoint]) -> Vec<SeriesKey> {
    let mut pairs: Vec<(Loss, f64)> = Vec::new();
    for loss in Loss::ALL {
        for p in points.iter().filter(|p| p.protocol == loss) {
            if !pairs
                .iter()
                .any(|&(l, a)| l == loss && a.to_bits() == p.a0.to_bits())
            {
                pairs.push((loss, p.a0));
            }
        }
    }
    let first = points.first().map(|p| p.a0.to_bits());
    let several = points.iter().any(|p| Some(p.a0.to_bits()) != first);
    keys(pairs, several)
}

fn keys(pairs: Vec<(Loss, f64)>, named_a0: bool) -> Vec<SeriesKey> {
    pairs
        .iter()
        .enumerate()
        .map(|(index, &(protocol, a0))| SeriesKey {
            protocol,
            a0,
            index,
            a0_index: pairs[..index]
                .iter()
                .filter(|(p, _)| *p == protocol)
                .count(),
            named_a0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_a0_keeps_the_protocols_names_and_colours() {
        let keys = series_keys(&SweepConfig::default());
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0].label(), "MSE SGD");
        assert_eq!(
            (keys[0].color(), keys[1].color()),
            (color(Loss::Mse), color(Loss::Correlation))
        );
    }

    #[test]
    fn a_sweep_over_a0_has_a_named_series_of_its_own_colour_per_protocol_and_a0() {
        let config = SweepConfig {
            a0_list: Some(vec![1.0, 0.1]),
            ..SweepConfig::default()
        };
        let keys = series_keys(&config);
        let labels: Vec<String> = keys.iter().map(SeriesKey::label).collect();
        assert_eq!(
            labels,
            [
                "MSE SGD, a0 = 1",
                "MSE SGD, a0 = 0.1",
                "Correlation-loss SGD, a0 = 1",
                "Correlation-loss SGD, a0 = 0.1"
            ]
        );
        let colors: Vec<usize> = keys.iter().map(SeriesKey::color).collect();
        // the first a0 in the protocol's colour, the second in a shade of it
        assert_eq!(colors, [0, 4, 1, 5]);
        // the points of a run of each series land in that series only
        let jobs = config.jobs().unwrap();
        let job = &jobs[config.mu.len() * config.seeds.len()];
        assert_eq!(job.model.second_layer.a0, 0.1);
        let owners: Vec<&SeriesKey> = keys
            .iter()
            .filter(|k| k.protocol == job.loss && k.a0 == job.model.second_layer.a0)
            .collect();
        assert_eq!(owners.len(), 1);
        assert_eq!(owners[0].index, 1);
    }
}
