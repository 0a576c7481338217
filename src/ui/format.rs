//! Status texts: sampling rates and durations as the page prints them.

/// A sampling rate for a status line: "950 samples/s", "12.3 k samples/s", "41.7 M samples/s",
/// "3.2 G samples/s", and from 10^12 on in scientific notation ("1.07e14 samples/s": the clt
/// sampler represents a batch without drawing it). Not finite or negative: "—".
pub fn format_rate(rate: f64) -> String {
    if !rate.is_finite() || rate < 0.0 {
        "—".into()
    } else if rate >= 1e12 {
        format!("{rate:.2e} samples/s")
    } else if rate >= 1e9 {
        format!("{:.1} G samples/s", rate / 1e9)
    } else if rate >= 1e6 {
        format!("{:.1} M samples/s", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.1} k samples/s", rate / 1e3)
    } else {
        format!("{rate:.0} samples/s")
    }
}

/// A duration in seconds for an ETA: "42 s", "3 min 5 s", "2.5 h"; not finite or negative: "—".
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds < 0.0 {
        "—".into()
    } else if seconds < 60.0 {
        format!("{seconds:.0} s")
    } else if seconds < 3600.0 {
        format!(
            "{:.0} min {:.0} s",
            (seconds / 60.0).floor(),
            (seconds % 60.0).floor()
        )
    } else {
        format!("{:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_use_readable_units() {
        assert_eq!(format_rate(950.0), "950 samples/s");
        assert_eq!(format_rate(12_345.0), "12.3 k samples/s");
        assert_eq!(format_rate(41.7e6), "41.7 M samples/s");
        assert_eq!(format_rate(3.2e9), "3.2 G samples/s");
        assert_eq!(format_rate(1.073741824e14), "1.07e14 samples/s");
        assert_eq!(format_rate(f64::NAN), "—");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(42.4), "42 s");
        assert_eq!(format_duration(185.0), "3 min 5 s");
        assert_eq!(format_duration(9000.0), "2.5 h");
        assert_eq!(format_duration(f64::INFINITY), "—");
    }
}

/// A count in three significant figures with a k / M / G suffix ("224", "8.09k", "145M",
/// "∞" for an infinite count).
pub fn format_count(x: f64) -> String {
    if !x.is_finite() {
        return "∞".into();
    }
    let (scaled, suffix) = match x.abs() {
        a if a < 1e3 => return format!("{}", x.round()),
        a if a < 1e6 => (x / 1e3, "k"),
        a if a < 1e9 => (x / 1e6, "M"),
        _ => (x / 1e9, "G"),
    };
    let digits = if scaled.abs() >= 100.0 {
        0
    } else if scaled.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$}{suffix}")
}

#[cfg(test)]
mod count_tests {
    use super::format_count;

    #[test]
    fn counts_read_in_three_figures() {
        assert_eq!(format_count(224.4), "224");
        assert_eq!(format_count(8092.5), "8.09k");
        assert_eq!(format_count(145e6), "145M");
        assert_eq!(format_count(2.5e10), "25.0G");
        assert_eq!(format_count(f64::INFINITY), "∞");
    }
}
