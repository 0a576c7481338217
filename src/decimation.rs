//! Decimation of a plotted series to the chart's pixel width: for every pixel column keep the
//! first, minimum, maximum and last point, so the drawn line looks the same with at most four
//! points per column (M4 / min-max decimation).

/// Points of one series, x increasing, reduced to at most 4 per pixel column of `width` columns
/// spanning [x_min, x_max] through `to_pixel` (which maps x to a column coordinate, so log
/// axes decimate in log space).
pub fn decimate_to_columns(
    points: &[(f64, f64)],
    width: usize,
    to_pixel: impl Fn(f64) -> f64,
) -> Vec<(f64, f64)> {
    if points.len() <= 4 * width.max(1) {
        return points.to_vec();
    }
    let mut out = Vec::with_capacity(4 * width);
    let mut i = 0;
    while i < points.len() {
        let column = to_pixel(points[i].0).floor();
        let start = i;
        let (mut lo, mut hi) = (start, start);
        while i < points.len() && to_pixel(points[i].0).floor() == column {
            if points[i].1 < points[lo].1 {
                lo = i;
            }
            if points[i].1 > points[hi].1 {
                hi = i;
            }
            i += 1;
        }
        let end = i - 1;
        let mut keep = [start, lo, hi, end];
        keep.sort_unstable();
        let mut last = usize::MAX;
        for k in keep {
            if k != last {
                out.push(points[k]);
                last = k;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_extremes_and_bounds_the_size() {
        let points: Vec<(f64, f64)> = (0..10_000)
            .map(|i| (i as f64, ((i * 7919) % 1000) as f64))
            .collect();
        let width = 200;
        let out = decimate_to_columns(&points, width, |x| x / 10_000.0 * width as f64);
        assert!(out.len() <= 4 * width);
        assert_eq!(out.first(), points.first());
        assert_eq!(out.last(), points.last());
        let max = out.iter().map(|p| p.1).fold(f64::MIN, f64::max);
        assert_eq!(max, 999.0);
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
