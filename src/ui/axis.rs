//! Chart axes without the canvas: where the ticks go (linear and logarithmic) and how their
//! labels read, one format per axis, and how a legend wraps into rows below a plot.
//!
//! `chart.rs` draws with these, so every axis of the page follows the same rules:
//! - a log axis has a tick at every decade, plus 2 and 5 multiples when it spans fewer than
//!   three decades (a risk axis from 0.02 to 0.08 gets 0.02 and 0.05 instead of no label);
//! - all labels of a log axis are powers of ten (`10⁴`, `2·10⁻³`; `m·10⁰` reads `m`), so a samples axis never
//!   mixes `10000` with `1e5`; a linear axis is plain (`0.25`, `2000`) unless one of its ticks
//!   is 10⁴ or more (or below 10⁻³ and nonzero), then all its ticks are powers of ten.

/// How the labels of one axis are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TickFormat {
    /// Decimal numbers: `0`, `0.25`, `2000`.
    Plain,
    /// Powers of ten: `10⁴`, `2·10⁴`, `-1.5·10⁻³`.
    Power,
}

/// Tick positions of a logarithmic axis on `[lo, hi]` (both > 0): every decade, plus 2 and 5
/// multiples below three decades, plus every integer multiple when fewer than two ticks would
/// remain. Empty for an invalid range.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let decades = (hi / lo).log10();
    let mut ticks = multiples(lo, hi, &[1.0]);
    if decades < 3.0 {
        ticks = multiples(lo, hi, &[1.0, 2.0, 5.0]);
    }
    if ticks.len() < 2 {
        ticks = multiples(lo, hi, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
    }
    if decades > 12.0 {
        // at most about a dozen labels: every other (or third...) decade
        let stride = (decades / 12.0).ceil() as i32;
        ticks.retain(|t| (t.log10().round() as i32).rem_euclid(stride) == 0);
    }
    ticks
}

/// At most `max` of `ticks`: on a log axis the decades first (when at least two are among
/// them), then every k-th tick.
pub fn thin_ticks(ticks: &[f64], max: usize, log: bool) -> Vec<f64> {
    let max = max.max(2);
    if ticks.len() <= max {
        return ticks.to_vec();
    }
    let mut t = ticks.to_vec();
    if log {
        let is_decade = |v: &f64| (v.log10() - v.log10().round()).abs() < 1e-9;
        let decades: Vec<f64> = t.iter().copied().filter(is_decade).collect();
        if decades.len() >= 2 {
            t = decades;
        } else if let Some(&d) = decades.first() {
            // the decade and the tick farthest from it
            let (first, last) = (t[0], t[t.len() - 1]);
            let other = if (d / first).log10().abs() >= (last / d).log10().abs() {
                first
            } else {
                last
            };
            t = if other < d {
                vec![other, d]
            } else {
                vec![d, other]
            };
            t.dedup();
        }
    }
    if t.len() > max {
        let stride = t.len().div_ceil(max);
        t = t.into_iter().step_by(stride).collect();
    }
    t
}

/// Unlabelled grid positions of a logarithmic axis: the integer multiples of each decade
/// (empty above six decades, where they would crowd).
pub fn log_minor_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) || (hi / lo).log10() > 6.0 {
        return Vec::new();
    }
    multiples(lo, hi, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
}

/// `m·10ⁿ` for every mantissa `m` in `mantissas` and decade `n`, inside `[lo, hi]` (with a
/// relative tolerance of 10⁻⁹ at the ends), increasing.
fn multiples(lo: f64, hi: f64, mantissas: &[f64]) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32 - 1, hi.log10().ceil() as i32 + 1);
    let mut out = Vec::new();
    for n in first..=last {
        for &m in mantissas {
            let v = m * 10f64.powi(n);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(v);
            }
        }
    }
    out
}

/// Tick positions of a linear axis on `[lo, hi]`: multiples of a 1, 2 or 5 step, at most
/// `max` of them (at least 2 when the range is valid).
pub fn linear_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(hi > lo && lo.is_finite() && hi.is_finite()) {
        return Vec::new();
    }
    let max = max.max(2);
    let raw = (hi - lo) / (max - 1) as f64;
    let decade = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * decade)
        .find(|s| (((hi - lo) / s).floor() as usize) < max)
        .unwrap_or(10.0 * decade);
    let mut out = Vec::new();
    let mut k = (lo / step).ceil();
    while k * step <= hi + 1e-9 * step {
        let v = k * step;
        // no "-0" and no 0.30000000000000004
        out.push(if v.abs() < 1e-12 * step { 0.0 } else { v });
        k += 1.0;
    }
    out
}

/// The one label format of an axis with these ticks: powers of ten on a log axis, and on a
/// linear axis as soon as one tick needs them (≥ 10⁴ or nonzero below 10⁻³ in size).
pub fn axis_format(ticks: &[f64], log: bool) -> TickFormat {
    let needs_power = |v: &f64| {
        let a = v.abs();
        a >= 1e4 || (a > 0.0 && a < 1e-3)
    };
    if log || ticks.iter().any(needs_power) {
        TickFormat::Power
    } else {
        TickFormat::Plain
    }
}

/// Superscript digits (and minus) of an integer exponent.
fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect()
}

/// Up to three significant digits, without trailing zeros.
fn short_decimal(v: f64) -> String {
    let a = v.abs();
    if (v - v.round()).abs() < 1e-9 * a.max(1.0) {
        return format!("{}", v.round() as i64);
    }
    let digits = (2 - a.log10().floor() as i32).clamp(0, 12) as usize;
    let text = format!("{v:.digits$}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One tick label in `format`.
pub fn format_tick(v: f64, format: TickFormat) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return v.to_string();
    }
    match format {
        TickFormat::Plain => short_decimal(v),
        TickFormat::Power => {
            let a = v.abs();
            let mut n = a.log10().floor() as i32;
            let mut m = a / 10f64.powi(n);
            // 9.9999999 is 10
            if (m - 10.0).abs() < 1e-6 {
                m = 1.0;
                n += 1;
            }
            let sign = if v < 0.0 { "-" } else { "" };
            if n == 0 {
                // m·10⁰ is just m
                format!("{sign}{}", short_decimal(m))
            } else if (m - 1.0).abs() < 1e-6 {
                format!("{sign}10{}", superscript(n))
            } else {
                format!("{sign}{}·10{}", short_decimal(m), superscript(n))
            }
        }
    }
}

/// A label on its own (no axis): plain between 10⁻³ and 10⁴, powers of ten outside.
pub fn tick_label(v: f64) -> String {
    format_tick(v, axis_format(&[v], false))
}

/// Where the entries of a legend go when they wrap into rows of width `available`: for each
/// entry of width `widths[i]`, its (row, x offset). Entries are separated by `gap`; an entry
/// wider than a row gets a row of its own.
pub fn legend_layout(widths: &[f64], available: f64, gap: f64) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(widths.len());
    let (mut row, mut x) = (0usize, 0.0f64);
    for &w in widths {
        if x > 0.0 && x + w > available {
            row += 1;
            x = 0.0;
        }
        out.push((row, x));
        x += w + gap;
    }
    out
}

/// `label` broken at spaces into lines no wider than `available` (as measured by `width`), for a
/// legend entry that would not fit on one row: greedy, a word longer than a line on a line of its
/// own. A label that fits is one line.
pub fn wrap_label(label: &str, available: f64, width: impl Fn(&str) -> f64) -> Vec<String> {
    if width(label) <= available {
        return vec![label.to_string()];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in label.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || width(&candidate) <= available {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Number of rows of a [`legend_layout`].
pub fn legend_rows(layout: &[(usize, f64)]) -> usize {
    layout.last().map_or(0, |&(row, _)| row + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_legend_labels_wrap_at_spaces() {
        let width = |t: &str| t.chars().count() as f64;
        assert_eq!(wrap_label("short", 10.0, width), ["short"]);
        let lines = wrap_label(
            "MSE SGD, a0 = 0.1: fit slope -1.19 (seeds -1.23 to -1.15)",
            20.0,
            width,
        );
        assert_eq!(
            lines,
            [
                "MSE SGD, a0 = 0.1:",
                "fit slope -1.19",
                "(seeds -1.23 to",
                "-1.15)"
            ]
        );
        assert!(lines.iter().all(|l| width(l) <= 20.0));
        // nothing lost, nothing added
        assert_eq!(
            lines.join(" "),
            "MSE SGD, a0 = 0.1: fit slope -1.19 (seeds -1.23 to -1.15)"
        );
        // a word longer than a line stands alone
        assert_eq!(
            wrap_label("a verylongword b", 5.0, width),
            ["a", "verylongword", "b"]
        );
    }

    #[test]
    fn log_ticks_are_decades_on_wide_ranges() {
        assert_eq!(log_ticks(1.0, 1e4), vec![1.0, 10.0, 100.0, 1000.0, 10000.0]);
        let t = log_ticks(1.0, 3e4);
        assert_eq!(t.last().copied(), Some(1e4));
        // many decades: thinned, never more than a dozen labels
        assert!(log_ticks(1e-30, 1e10).len() <= 13);
    }

    #[test]
    fn log_ticks_below_a_decade_get_2_and_5_multiples() {
        let t = log_ticks(0.015, 0.09);
        assert_eq!(t.len(), 2, "{t:?}");
        assert!((t[0] - 0.02).abs() < 1e-12 && (t[1] - 0.05).abs() < 1e-12);
        let t = log_ticks(1e-3, 1e-1);
        assert_eq!(t.len(), 7, "{t:?}");
        // very narrow: integer multiples
        assert!(log_ticks(0.021, 0.049).len() >= 2);
        assert!(log_ticks(0.0, 1.0).is_empty());
        assert!(log_ticks(2.0, 1.0).is_empty());
        assert!(!log_minor_ticks(1.0, 100.0).is_empty());
    }

    #[test]
    fn thinning_keeps_decades_then_strides() {
        let t = log_ticks(1e-3, 1e-1);
        assert_eq!(thin_ticks(&t, 4, true).len(), 3);
        assert_eq!(thin_ticks(&t, 10, true), t);
        // one decade among them: kept, with the tick farthest from it
        assert_eq!(thin_ticks(&[0.2, 0.5, 1.0, 2.0], 2, true), vec![0.2, 1.0]);
        assert!(thin_ticks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3, false).len() <= 3);
    }

    #[test]
    fn linear_ticks_use_nice_steps() {
        assert_eq!(
            linear_ticks(0.0, 1.0, 6),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = linear_ticks(-1.05, 1.05, 6);
        assert_eq!(t, vec![-1.0, -0.5, 0.0, 0.5, 1.0]);
        assert!(linear_ticks(0.0, 30000.0, 6).len() <= 6);
        assert!(linear_ticks(1.0, 1.0, 6).is_empty());
    }

    #[test]
    fn one_format_per_axis() {
        // a samples axis: all powers of ten, never "10000" next to "1e5"
        let ticks = log_ticks(1.0, 1e6);
        assert_eq!(axis_format(&ticks, true), TickFormat::Power);
        let labels: Vec<String> = ticks
            .iter()
            .map(|&v| format_tick(v, TickFormat::Power))
            .collect();
        assert_eq!(labels, ["1", "10¹", "10²", "10³", "10⁴", "10⁵", "10⁶"]);
        assert_eq!(format_tick(0.02, TickFormat::Power), "2·10⁻²");
        assert_eq!(format_tick(6.0, TickFormat::Power), "6");
        assert_eq!(format_tick(-2.5e4, TickFormat::Power), "-2.5·10⁴");
        // a linear axis switches as a whole
        let ticks = linear_ticks(0.0, 30000.0, 6);
        assert_eq!(axis_format(&ticks, false), TickFormat::Power);
        assert_eq!(format_tick(20000.0, TickFormat::Power), "2·10⁴");
        assert_eq!(axis_format(&[0.0, 0.5, 1.0], false), TickFormat::Plain);
        assert_eq!(format_tick(0.5, TickFormat::Plain), "0.5");
        assert_eq!(format_tick(2000.0, TickFormat::Plain), "2000");
        assert_eq!(format_tick(0.123456, TickFormat::Plain), "0.123");
        assert_eq!(format_tick(0.0, TickFormat::Power), "0");
        assert_eq!(tick_label(1e5), "10⁵");
        assert_eq!(tick_label(0.25), "0.25");
    }

    #[test]
    fn legends_wrap_into_rows() {
        let layout = legend_layout(&[50.0, 50.0, 50.0, 200.0], 120.0, 10.0);
        assert_eq!(layout, vec![(0, 0.0), (0, 60.0), (1, 0.0), (2, 0.0)]);
        assert_eq!(legend_rows(&layout), 3);
        assert_eq!(legend_rows(&[]), 0);
    }
}
