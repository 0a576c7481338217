//! Line charts drawn with plotters on a `<canvas>` (main thread only: plotters measures text
//! through the DOM).
//!
//! Canvases are drawn at device resolution (CSS size x devicePixelRatio) so they stay crisp
//! on high-DPI screens; series are decimated to the pixel width before drawing. Colours are
//! the Okabe-Ito colour-blind-safe palette.

use super::chart_legend::{draw_legend, plan_legend};
use crate::decimation::decimate_to_columns;
use crate::ui::axis::{
    axis_format, format_tick, linear_ticks, log_minor_ticks, log_ticks, thin_ticks,
};
pub use crate::ui::chart_spec::{bounds, ChartGeometry, ChartSpec, Marker, Region, Series};
use plotters::drawing::DrawingAreaErrorKind;
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

/// Tick label of a value on its own (plain between 10⁻³ and 10⁴, powers of ten outside); the
/// axes use one format per axis ([`crate::ui::axis::axis_format`]).
pub fn tick_label(v: f64) -> String {
    crate::ui::axis::tick_label(v)
}

/// Draws `spec` into `canvas`, filling it: the plot on top, its legend in rows below (never
/// over the data). Errors are returned as text, never panics.
pub fn draw_chart(canvas: &HtmlCanvasElement, spec: &ChartSpec) -> Result<ChartGeometry, String> {
    let ratio = fit_canvas_to_display(canvas);
    let backend =
        CanvasBackend::with_canvas_object(canvas.clone()).ok_or("canvas has no 2d context")?;
    draw_on(backend.into_drawing_area(), spec, ratio)
}

/// `spec` as an SVG document of `width` x `height` (CSS px): the same drawing as
/// [`draw_chart`], through plotters' SVG backend (for slides and papers).
pub fn chart_svg(spec: &ChartSpec, width: u32, height: u32) -> Result<String, String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width.max(1), height.max(1)));
        draw_on(root.into_drawing_area(), spec, 1.0)?;
    }
    Ok(text)
}

/// Draws `spec` into `root` at `ratio` device pixels per CSS pixel.
fn draw_on<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    spec: &ChartSpec,
    ratio: f64,
) -> Result<ChartGeometry, String>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let ((x0, x1), (y0, y1)) = bounds(spec);
    let font = |size: f64| ("sans-serif", (size * ratio) as u32);
    let (w, h) = root.dim_in_pixel();
    let width_px = w as usize;
    // legend rows below the plot
    let margin = 8.0 * ratio;
    let legend_font: TextStyle = font(11.0).into_font().into();
    let available = w as f64 - 2.0 * margin;
    let legend = plan_legend(spec, ratio, available, |label: &str| {
        root.estimate_text_size(label, &legend_font)
            .map_or(label.chars().count() as f64 * 6.0 * ratio, |(tw, _)| {
                tw as f64
            })
    });
    let legend_h = legend.height.min(h as f64 * 0.45);
    let (plot_area, legend_area) = root.split_vertically(h as i32 - legend_h.round() as i32);
    // ticks: decades (with 2 and 5 multiples on short log ranges), thinned to fit
    let plot_css_w = (w as f64 / ratio - 90.0).max(60.0);
    let plot_css_h = (h as f64 - legend_h) / ratio - 70.0;
    let ticks = |lo: f64, hi: f64, log: bool, room: f64, per: f64| {
        let max = ((room / per).floor() as usize).max(2);
        let t = if log {
            thin_ticks(&log_ticks(lo, hi), max, true)
        } else {
            linear_ticks(lo, hi, max.min(7))
        };
        let minor = if log {
            log_minor_ticks(lo, hi)
        } else {
            Vec::new()
        };
        (t, minor)
    };
    let (x_ticks, x_minor) = ticks(x0, x1, spec.log_x, plot_css_w, 48.0);
    let (y_ticks, y_minor) = ticks(y0, y1, spec.log_y, plot_css_h.max(40.0), 28.0);
    let x_format = axis_format(&x_ticks, spec.log_x);
    let y_format = axis_format(&y_ticks, spec.log_y);
    macro_rules! draw_with {
        ($builder:expr, $to_pixel:expr) => {{
            let mut chart = $builder.map_err(|e| e.to_string())?;
            chart
                .configure_mesh()
                .x_desc(spec.x_label.as_str())
                .y_desc(spec.y_label.as_str())
                .label_style(font(11.0))
                .axis_desc_style(font(12.0))
                .bold_line_style(RGBColor(222, 222, 222))
                .light_line_style(RGBColor(242, 242, 242))
                // linear axes keep plotters' 1-2-5 ticks (the same steps as `linear_ticks`)
                .x_labels(x_ticks.len().max(2))
                .y_labels(y_ticks.len().max(2))
                .x_label_formatter(&|v| format_tick(*v, x_format))
                .y_label_formatter(&|v| format_tick(*v, y_format))
                .draw()
                .map_err(|e| e.to_string())?;
            for region in &spec.regions {
                let color = PALETTE[region.color % PALETTE.len()].mix(0.12);
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        region.polygon.clone(),
                        color.filled(),
                    )))
                    .map_err(|e| e.to_string())?;
            }
            // bands: the lower curve, then the upper one backwards, over the steps both reach
            let drawable = |&(x, y): &(f64, f64)| {
                x.is_finite()
                    && y.is_finite()
                    && (!spec.log_x || x > 0.0)
                    && (!spec.log_y || y > 0.0)
            };
            for band in &spec.bands {
                let n = band.lower.len().min(band.upper.len());
                let mut polygon: Vec<(f64, f64)> =
                    band.lower[..n].iter().copied().filter(drawable).collect();
                polygon.extend(band.upper[..n].iter().rev().copied().filter(drawable));
                if polygon.len() < 3 {
                    continue;
                }
                let color = PALETTE[band.color % PALETTE.len()].mix(0.22);
                chart
                    .draw_series(std::iter::once(Polygon::new(polygon, color.filled())))
                    .map_err(|e| e.to_string())?;
            }
            for (y, _) in &spec.horizontal_lines {
                let style = ShapeStyle::from(&RGBColor(120, 120, 120)).stroke_width(ratio as u32);
                chart
                    .draw_series(DashedLineSeries::new(
                        vec![(x0, *y), (x1, *y)],
                        (6.0 * ratio) as u32,
                        (4.0 * ratio) as u32,
                        style,
                    ))
                    .map_err(|e| e.to_string())?;
            }
            if let Some((x, _)) = &spec.vertical_marker {
                let style =
                    ShapeStyle::from(&RGBColor(213, 94, 0)).stroke_width((1.5 * ratio) as u32);
                chart
                    .draw_series(LineSeries::new(vec![(*x, y0), (*x, y1)], style))
                    .map_err(|e| e.to_string())?;
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
                if s.markers == Marker::Dots {
                    chart
                        .draw_series(points.iter().map(|&p| Circle::new(p, size, color.filled())))
                        .map_err(|e| e.to_string())?;
                } else if s.markers == Marker::OpenTriangles {
                    chart
                        .draw_series(
                            points
                                .iter()
                                .map(|&p| TriangleMarker::new(p, size + 1, style)),
                        )
                        .map_err(|e| e.to_string())?;
                } else if s.markers == Marker::Crosses {
                    let bold = style.stroke_width((2.5 * ratio).round() as u32);
                    chart
                        .draw_series(points.iter().map(|&p| Cross::new(p, 2 * size, bold)))
                        .map_err(|e| e.to_string())?;
                } else if s.dashed {
                    chart
                        .draw_series(DashedLineSeries::new(
                            points,
                            (5.0 * ratio) as u32,
                            (3.0 * ratio) as u32,
                            style,
                        ))
                        .map_err(|e| e.to_string())?;
                } else {
                    chart
                        .draw_series(LineSeries::new(points, style))
                        .map_err(|e| e.to_string())?;
                }
            }
            let (xr, yr) = chart.plotting_area().get_pixel_range();
            ChartGeometry {
                left: xr.start as f64,
                right: xr.end as f64,
                x0,
                x1,
                log_x: spec.log_x,
                ratio,
                top: yr.start as f64,
                bottom: yr.end as f64,
                y0,
                y1,
                log_y: spec.log_y,
            }
        }};
    }
    let mut builder = ChartBuilder::on(&plot_area);
    builder
        .caption(spec.title.as_str(), font(14.0))
        .margin(margin as u32)
        // room for half of the last x tick label, so 10⁴ is never cut to 10
        .margin_right((22.0 * ratio) as u32)
        .x_label_area_size((36.0 * ratio) as u32)
        .y_label_area_size((56.0 * ratio) as u32);
    let span = width_px as f64;
    let key = |t: &Vec<f64>, m: &Vec<f64>| (t.clone(), m.clone());
    let ((xt, xm), (yt, ym)) = (key(&x_ticks, &x_minor), key(&y_ticks, &y_minor));
    let xs = move || {
        let (a, b) = (xt.clone(), xm.clone());
        (move |_: usize| a.clone(), move |_: usize| b.clone())
    };
    let ys = move || {
        let (a, b) = (yt.clone(), ym.clone());
        (move |_: usize| a.clone(), move |_: usize| b.clone())
    };
    let ((xb, xl), (yb, yl)) = (xs(), ys());
    let geometry = match (spec.log_x, spec.log_y) {
        (false, false) => draw_with!(builder.build_cartesian_2d(x0..x1, y0..y1), |x: f64| (x
            - x0)
            / (x1 - x0)
            * span),
        (true, false) => draw_with!(
            builder.build_cartesian_2d(
                (x0..x1)
                    .log_scale()
                    .with_key_point_func(xb)
                    .with_light_point_func(xl),
                y0..y1
            ),
            |x: f64| (x / x0).ln() / (x1 / x0).ln() * span
        ),
        (false, true) => draw_with!(
            builder.build_cartesian_2d(
                x0..x1,
                (y0..y1)
                    .log_scale()
                    .with_key_point_func(yb)
                    .with_light_point_func(yl)
            ),
            |x: f64| (x - x0) / (x1 - x0) * span
        ),
        (true, true) => draw_with!(
            builder.build_cartesian_2d(
                (x0..x1)
                    .log_scale()
                    .with_key_point_func(xb)
                    .with_light_point_func(xl),
                (y0..y1)
                    .log_scale()
                    .with_key_point_func(yb)
                    .with_light_point_func(yl)
            ),
            |x: f64| (x / x0).ln() / (x1 / x0).ln() * span
        ),
    };
    draw_legend(&legend_area, &legend, margin, ratio, &legend_font)?;
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
/// written in the cells when they are large enough, and the colour scale (a bar from -1 to 1)
/// along the bottom.
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
    let (w, full_h) = root.dim_in_pixel();
    let bar_h = (24.0 * ratio) as u32;
    let (maps, scale) = root.split_vertically(full_h.saturating_sub(bar_h));
    draw_color_scale(&scale, ratio)?;
    let h = full_h.saturating_sub(bar_h);
    let halves = maps.split_evenly((1, 2));
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
                // a light outline, so a cell near 0 (white) is still seen
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell - 1, y + cell - 1)],
                    ShapeStyle::from(&RGBColor(215, 215, 215)).stroke_width(1),
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

/// The heatmaps' colour scale: a gradient bar from -1 to 1 with its end and middle labels.
fn draw_color_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    ratio: f64,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (w, _) = area.dim_in_pixel();
    let font: TextStyle = ("sans-serif", (10.0 * ratio) as u32).into_font().into();
    let pad = (4.0 * ratio) as i32;
    let label_w = (18.0 * ratio) as i32;
    let bar_w = ((w as i32 - 2 * pad - 2 * label_w) as f64).clamp(20.0, 160.0 * ratio) as i32;
    let (x0, y0, bh) = (pad + label_w, (4.0 * ratio) as i32, (8.0 * ratio) as i32);
    let steps = 48;
    for i in 0..steps {
        let a = x0 + bar_w * i / steps;
        let b = x0 + bar_w * (i + 1) / steps;
        let v = -1.0 + 2.0 * (i as f64 + 0.5) / steps as f64;
        area.draw(&Rectangle::new(
            [(a, y0), (b, y0 + bh)],
            diverging_color(v).filled(),
        ))
        .map_err(err)?;
    }
    area.draw(&Rectangle::new(
        [(x0, y0), (x0 + bar_w, y0 + bh)],
        ShapeStyle::from(&RGBColor(170, 170, 170)).stroke_width(1),
    ))
    .map_err(err)?;
    let text = |t: &str, x: i32| -> Result<(), String> {
        let tw = area
            .estimate_text_size(t, &font)
            .map_or(0, |(tw, _)| tw as i32);
        area.draw(&Text::new(
            t.to_string(),
            (x - tw / 2, y0 + bh + (2.0 * ratio) as i32),
            font.clone(),
        ))
        .map_err(err)
    };
    text("−1", x0)?;
    text("0", x0 + bar_w / 2)?;
    text("1", x0 + bar_w)?;
    Ok(())
}
