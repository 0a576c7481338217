//! Line charts drawn with plotters on a `<canvas>` (main thread only: plotters measures text
//! through the DOM).
//!
//! Canvases are drawn at device resolution (CSS size x devicePixelRatio) so they stay crisp
//! on high-DPI screens; series are decimated to the pixel width before drawing. Colours are
//! the Okabe-Ito colour-blind-safe palette.

use crate::decimation::decimate_to_columns;
use plotters::prelude::*;
use plotters::style::ShapeStyle;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;

/// Okabe-Ito palette (colour-blind safe).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

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
    /// Where the legend goes.
    pub legend: LegendCorner,
}

/// Legend placement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LegendCorner {
    /// Top left (default).
    #[default]
    UpperLeft,
    /// Top right.
    UpperRight,
    /// Bottom right.
    LowerRight,
}

impl LegendCorner {
    fn position(self) -> SeriesLabelPosition {
        match self {
            LegendCorner::UpperLeft => SeriesLabelPosition::UpperLeft,
            LegendCorner::UpperRight => SeriesLabelPosition::UpperRight,
            LegendCorner::LowerRight => SeriesLabelPosition::LowerRight,
        }
    }
}

/// Sizes the canvas backing store to its CSS box times devicePixelRatio; returns the ratio.
pub fn fit_canvas_to_display(canvas: &HtmlCanvasElement) -> f64 {
    let ratio = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .max(1.0);
    let css_width = canvas.client_width().max(200) as f64;
    let css_height = canvas.client_height().max(150) as f64;
    let (w, h) = (
        (css_width * ratio).round() as u32,
        (css_height * ratio).round() as u32,
    );
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    ratio
}

/// Tick label: integers without decimals, powers of ten as 1e-6, others with 3 significant digits.
pub fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    let exponent = a.log10().round();
    if (a.log10() - exponent).abs() < 1e-9 && !(-2.0..=4.0).contains(&exponent) {
        return format!("{}1e{}", if v < 0.0 { "-" } else { "" }, exponent as i32);
    }
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.2e}");
    }
    if (v - v.round()).abs() < 1e-9 * a.max(1.0) {
        return format!("{}", v.round() as i64);
    }
    let text = format!("{v:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn bounds(spec: &ChartSpec) -> ((f64, f64), (f64, f64)) {
    let all = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter())
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
        // whole decades, so a log axis always has labelled ticks
        (y0, y1) = (
            10f64.powf(y0.log10().floor()),
            10f64.powf((y1 * 1.0001).log10().ceil()),
        );
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
}

impl ChartGeometry {
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
}

/// Draws `spec` into `canvas`, filling it. Errors are returned as text, never panics.
pub fn draw_chart(canvas: &HtmlCanvasElement, spec: &ChartSpec) -> Result<ChartGeometry, String> {
    let ratio = fit_canvas_to_display(canvas);
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let ((x0, x1), (y0, y1)) = bounds(spec);
    let font = |size: f64| ("sans-serif", (size * ratio) as u32);
    let width_px = canvas.width() as usize;
    macro_rules! draw_with {
        ($builder:expr, $to_pixel:expr) => {{
            let mut chart = $builder.map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc(spec.x_label.as_str())
                .y_desc(spec.y_label.as_str())
                .label_style(font(11.0))
                .axis_desc_style(font(12.0))
                .light_line_style(RGBColor(235, 235, 235))
                .x_labels(6)
                .y_labels(6)
                .x_label_formatter(&|v| tick_label(*v))
                .y_label_formatter(&|v| tick_label(*v))
                .draw()
                .map_err(|e| e.to_string())?;
            for region in &spec.regions {
                let color = PALETTE[region.color % PALETTE.len()].mix(0.12);
                let anno = chart
                    .draw_series(std::iter::once(Polygon::new(
                        region.polygon.clone(),
                        color.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                // unlabelled regions stay out of the legend
                if !region.label.is_empty() {
                    anno.label(region.label.clone()).legend(move |(x, y)| {
                        Rectangle::new([(x, y - 4), (x + 16, y + 4)], color.filled())
                    });
                }
            }
            for (y, label) in &spec.horizontal_lines {
                let style = ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(ratio as u32);
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x0, *y), (x1, *y)],
                        (6.0 * ratio) as u32,
                        (4.0 * ratio) as u32,
                        style,
                    ))
                    .map_err(|e| e.to_string())?
                    .label(label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            }
            if let Some((x, label)) = &spec.vertical_marker {
                let style =
                    ShapeStyle::from(&RGBColor(213, 94, 0)).stroke_width((1.5 * ratio) as u32);
                chart
                    .draw_series(LineSeries::new(vec![(*x, y0), (*x, y1)], style))
                    .map_err(|e| e.to_string())?
                    .label(label.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            }
            for s in &spec.series {
                let color = PALETTE[s.color % PALETTE.len()];
                let style = ShapeStyle::from(&color)
                    .stroke_width(((if s.bold { 2.5 } else { 1.2 }) * ratio).round() as u32);
                let points: Vec<(f64, f64)> = s
                    .points
                    .iter()
                    .copied()
                    .filter(|(x, y)| {
                        x.is_finite()
                            && y.is_finite()
                            && (!spec.log_x || *x > 0.0)
                            && (!spec.log_y || *y > 0.0)
                    })
                    .collect();
                let points = decimate_to_columns(&points, width_px, $to_pixel);
                let size = (3.5 * ratio) as i32;
                let anno = if s.markers == Marker::Dots {
                    chart
                        .draw_series(points.iter().map(|&p| Circle::new(p, size, color.filled())))
                        .map_err(|e| e.to_string())?
                } else if s.markers == Marker::OpenTriangles {
                    chart
                        .draw_series(
                            points
                                .iter()
                                .map(|&p| TriangleMarker::new(p, size + 1, style)),
                        )
                        .map_err(|e| e.to_string())?
                } else if s.markers == Marker::Crosses {
                    let bold = style.stroke_width((2.5 * ratio).round() as u32);
                    chart
                        .draw_series(points.iter().map(|&p| Cross::new(p, 2 * size, bold)))
                        .map_err(|e| e.to_string())?
                } else if s.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(
                            points,
                            (5.0 * ratio) as u32,
                            (3.0 * ratio) as u32,
                            style,
                        ))
                        .map_err(|e| e.to_string())?
                } else {
                    chart
                        .draw_series(LineSeries::new(points, style))
                        .map_err(|e| e.to_string())?
                };
                if !s.label.is_empty() {
                    // the legend shows the series' own marker
                    let marker = s.markers;
                    anno.label(s.label.clone()).legend(move |(x, y)| {
                        let centre = (x + 8, y);
                        match marker {
                            Marker::Line => {
                                PathElement::new(vec![(x, y), (x + 16, y)], style).into_dyn()
                            }
                            Marker::Dots => Circle::new(centre, size, color.filled()).into_dyn(),
                            Marker::OpenTriangles => {
                                TriangleMarker::new(centre, size + 1, style).into_dyn()
                            }
                            Marker::Crosses => Cross::new(centre, size + 1, style).into_dyn(),
                        }
                    });
                }
            }
            chart
                .configure_series_labels()
                .label_font(font(11.0))
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(200, 200, 200))
                .position(spec.legend.position())
                .draw()
                .map_err(|e| e.to_string())?;
            let (xr, _) = chart.plotting_area().get_pixel_range();
            ChartGeometry {
                left: xr.start as f64,
                right: xr.end as f64,
                x0,
                x1,
                log_x: spec.log_x,
                ratio,
            }
        }};
    }
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption(spec.title.as_str(), font(14.0))
        .margin((8.0 * ratio) as u32)
        .x_label_area_size((36.0 * ratio) as u32)
        .y_label_area_size((56.0 * ratio) as u32);
    let span = width_px as f64;
    let geometry = match (spec.log_x, spec.log_y) {
        (false, false) => draw_with!(builder.build_cartesian_2d(x0..x1, y0..y1), |x: f64| (x
            - x0)
            / (x1 - x0)
            * span),
        (true, false) => draw_with!(
            builder.build_cartesian_2d((x0..x1).log_scale(), y0..y1),
            |x: f64| (x / x0).ln() / (x1 / x0).ln() * span
        ),
        (false, true) => draw_with!(
            builder.build_cartesian_2d(x0..x1, (y0..y1).log_scale()),
            |x: f64| (x - x0) / (x1 - x0) * span
        ),
        (true, true) => draw_with!(
            builder.build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale()),
            |x: f64| (x / x0).ln() / (x1 / x0).ln() * span
        ),
    };
    root.present().map_err(|e| e.to_string())?;
    Ok(geometry)
}

/// Diverging colour for a value in [-1, 1]: blue (-1), white (0), orange (+1) (Okabe-Ito ends).
pub fn diverging_color(v: f64) -> RGBColor {
    let t = v.clamp(-1.0, 1.0);
    let (end, f) = if t < 0.0 {
        ((0.0, 114.0, 178.0), -t)
    } else {
        ((230.0, 159.0, 0.0), t)
    };
    let mix = |a: f64| (255.0 + (a - 255.0) * f).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

/// Draws the current M (p x k) and Q (p x p) side by side as heatmaps on [-1, 1], with values
/// written in the cells when they are large enough.
pub fn draw_heatmaps(
    canvas: &HtmlCanvasElement,
    m: &[Vec<f64>],
    q: &[Vec<f64>],
) -> Result<(), String> {
    let ratio = fit_canvas_to_display(canvas);
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2d context")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (w, h) = root.dim_in_pixel();
    let halves = root.split_evenly((1, 2));
    for (area, (name, matrix)) in halves.iter().zip([("M", m), ("Q", q)]) {
        let rows = matrix.len();
        let cols = matrix.first().map_or(0, |r| r.len());
        if rows == 0 || cols == 0 {
            continue;
        }
        let title = (16.0 * ratio) as i32;
        let pad = (4.0 * ratio) as i32;
        let (aw, ah) = ((w / 2) as i32 - 2 * pad, h as i32 - title - pad);
        let cell = (aw / cols as i32).min(ah / rows as i32).max(1);
        area.draw(&Text::new(
            name.to_string(),
            (pad, 0),
            ("sans-serif", (12.0 * ratio) as u32),
        ))
        .map_err(|e| e.to_string())?;
        for (i, row) in matrix.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                let (x, y) = (pad + j as i32 * cell, title + i as i32 * cell);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell - 1, y + cell - 1)],
                    diverging_color(v).filled(),
                ))
                .map_err(|e| e.to_string())?;
                if cell as f64 > 30.0 * ratio {
                    area.draw(&Text::new(
                        format!("{v:.2}"),
                        (
                            x + (3.0 * ratio) as i32,
                            y + cell / 2 - (5.0 * ratio) as i32,
                        ),
                        ("sans-serif", (10.0 * ratio) as u32),
                    ))
                    .map_err(|e| e.to_string())?;
                }
            }
        }
    }
    root.present().map_err(|e| e.to_string())
}
