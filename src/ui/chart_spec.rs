//! What a chart shows, as plain data: series, markers, shaded regions, reference lines, axis
//! scales and ranges ([`ChartSpec`]), the axis ranges it implies ([`bounds`]), and where a
//! drawn plot landed so a pointer position maps back to data ([`ChartGeometry`]). The page
//! builds specs with pure functions (tested natively) and `web::chart` draws them with
//! plotters on a canvas.

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (x, y) points, x increasing.
    pub points: Vec<(f64, f64)>,
    /// Palette index.
    pub color: usize,
    /// Dashed line (theory overlays, off-diagonal Q).
    pub dashed: bool,
    /// Thick line.
    pub bold: bool,
    /// Draw markers at the points instead of a line.
    pub markers: Marker,
}

/// How the points of a series are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Marker {
    /// A line through the points.
    #[default]
    Line,
    /// Filled circles.
    Dots,
    /// Open triangles (censored measurements, drawn at the cap).
    OpenTriangles,
    /// Large crosses (distinguished points, e.g. the optimal batch sizes of a phase diagram).
    Crosses,
}

/// A shaded region of the plane.
#[derive(Clone, Debug)]
pub struct Region {
    /// Polygon vertices.
    pub polygon: Vec<(f64, f64)>,
    /// Palette index.
    pub color: usize,
    /// Legend label.
    pub label: String,
}

/// A shaded band between two curves (e.g. the 25–75% quantiles over seeds), drawn under the
/// lines.
#[derive(Clone, Debug)]
pub struct Band {
    /// Legend label (empty: none; the median line usually carries it).
    pub label: String,
    /// Lower curve, x increasing.
    pub lower: Vec<(f64, f64)>,
    /// Upper curve, x increasing.
    pub upper: Vec<(f64, f64)>,
    /// Palette index.
    pub color: usize,
}

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct ChartSpec {
    /// Caption above the plot.
    pub title: String,
    /// x-axis label.
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// Logarithmic x axis (x must be > 0).
    pub log_x: bool,
    /// Logarithmic y axis (y must be > 0).
    pub log_y: bool,
    /// Fixed y range, else fitted.
    pub y_range: Option<(f64, f64)>,
    /// Horizontal reference lines (y, label).
    pub horizontal_lines: Vec<(f64, String)>,
    /// Vertical marker (x, label).
    pub vertical_marker: Option<(f64, String)>,
    /// The lines.
    pub series: Vec<Series>,
    /// Shaded regions, drawn first.
    pub regions: Vec<Region>,
    /// Fixed x range, else fitted.
    pub x_range: Option<(f64, f64)>,
    /// Shaded bands, drawn after the regions and before the lines.
    pub bands: Vec<Band>,
}

/// The axis ranges of a spec: the data's extent (finite points only, positive on log axes),
/// or the fixed ranges, widened to hold the horizontal lines, padded (5% on linear y, a factor
/// 1.25 on log y) and at least a decade wide on log axes.
pub fn bounds(spec: &ChartSpec) -> ((f64, f64), (f64, f64)) {
    let all = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .chain(
            spec.bands
                .iter()
                .flat_map(|b| b.lower.iter().chain(&b.upper)),
        )
        .filter(|(x, y)| {
            x.is_finite() && y.is_finite() && (!spec.log_x || *x > 0.0) && (!spec.log_y || *y > 0.0)
        });
    let (mut x0, mut x1, mut y0, mut y1) = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in all {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if !x0.is_finite() {
        (x0, x1) = if spec.log_x { (1.0, 10.0) } else { (0.0, 1.0) };
    }
    if !y0.is_finite() {
        (y0, y1) = if spec.log_y { (1e-3, 1.0) } else { (0.0, 1.0) };
    }
    if let Some(r) = spec.y_range {
        (y0, y1) = r;
    }
    if let Some(r) = spec.x_range {
        (x0, x1) = r;
    }
    for &(y, _) in &spec.horizontal_lines {
        if spec.y_range.is_none() && y.is_finite() {
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    if x1 <= x0 {
        x1 = if spec.log_x { x0 * 10.0 } else { x0 + 1.0 };
    }
    if y1 <= y0 {
        let pad = if spec.log_y {
            y0
        } else {
            y0.abs().max(1e-3) * 0.1
        };
        (y0, y1) = if spec.log_y {
            let decade = y0.log10().floor();
            (10f64.powf(decade), 10f64.powf(decade + 1.0))
        } else {
            (y0 - pad, y1 + pad)
        };
    } else if !spec.log_y && spec.y_range.is_none() {
        let pad = 0.05 * (y1 - y0);
        (y0, y1) = (y0 - pad, y1 + pad);
    } else if spec.log_y && spec.y_range.is_none() {
        // a little room above and below; `log_ticks` labels even a fraction of a decade
        (y0, y1) = (y0 / 1.25, y1 * 1.25);
    }
    if spec.log_x && x1 / x0 < 10.0 {
        x1 = x0 * 10.0;
    }
    ((x0, x1), (y0, y1))
}

/// Where the plot landed on the canvas, to map the mouse back to data coordinates.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChartGeometry {
    /// Plot area in device pixels: left, right.
    pub left: f64,
    /// Right edge (device pixels).
    pub right: f64,
    /// x range of the axis.
    pub x0: f64,
    /// x range of the axis.
    pub x1: f64,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// devicePixelRatio used.
    pub ratio: f64,
    /// Plot area in device pixels: top edge.
    pub top: f64,
    /// Bottom edge (device pixels).
    pub bottom: f64,
    /// y range of the axis (bottom, top).
    pub y0: f64,
    /// y range of the axis.
    pub y1: f64,
    /// Logarithmic y axis.
    pub log_y: bool,
}

impl ChartGeometry {
    /// The data y under a CSS-pixel offset from the canvas' top edge, if inside the plot.
    pub fn y_at(&self, css_y: f64) -> Option<f64> {
        let py = css_y * self.ratio;
        if py < self.top || py > self.bottom || self.bottom <= self.top {
            return None;
        }
        let f = (self.bottom - py) / (self.bottom - self.top);
        Some(if self.log_y {
            self.y0 * (self.y1 / self.y0).powf(f)
        } else {
            self.y0 + f * (self.y1 - self.y0)
        })
    }

    /// The data x under a CSS-pixel offset from the canvas' left edge, if inside the plot.
    pub fn x_at(&self, css_x: f64) -> Option<f64> {
        let px = css_x * self.ratio;
        if px < self.left || px > self.right || self.right <= self.left {
            return None;
        }
        let f = (px - self.left) / (self.right - self.left);
        Some(if self.log_x {
            self.x0 * (self.x1 / self.x0).powf(f)
        } else {
            self.x0 + f * (self.x1 - self.x0)
        })
    }

    /// The CSS-pixel offset (from the canvas' top left) of the data point (x, y), if the
    /// point is inside the plot.
    pub fn css_of(&self, x: f64, y: f64) -> Option<(f64, f64)> {
        let frac = |v: f64, a: f64, b: f64, log: bool| {
            if log {
                (v > 0.0 && a > 0.0).then(|| (v / a).ln() / (b / a).ln())
            } else {
                Some((v - a) / (b - a))
            }
        };
        let fx = frac(x, self.x0, self.x1, self.log_x)?;
        let fy = frac(y, self.y0, self.y1, self.log_y)?;
        if !(0.0..=1.0).contains(&fx) || !(0.0..=1.0).contains(&fy) || self.ratio <= 0.0 {
            return None;
        }
        let px = self.left + fx * (self.right - self.left);
        let py = self.bottom - fy * (self.bottom - self.top);
        Some((px / self.ratio, py / self.ratio))
    }
}
