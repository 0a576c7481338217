//! The legend of a chart: its entries (regions, reference lines, the vertical marker, the
//! series), laid out in rows below the plot, long labels wrapped at spaces onto rows of their
//! own, and drawn with a swatch of each entry's style.

use super::chart::{ChartSpec, Marker, PALETTE};
use crate::ui::axis::{legend_layout, legend_rows, wrap_label};
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::ShapeStyle;

/// Height of one legend row, in CSS px.
const ROW_HEIGHT: f64 = 15.0;
/// Width of an entry's swatch, in CSS px (the label starts 4 px after it).
const SWATCH_WIDTH: f64 = 18.0;

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub(super) enum Swatch {
    Line {
        color: RGBColor,
        width: u32,
        dashed: bool,
    },
    Dots(RGBColor),
    Triangles(RGBColor),
    Crosses(RGBColor),
    Area(RGBColor),
    /// No swatch: the continuation line of a label wrapped over several rows.
    Continuation,
}

/// The legend entries of `spec`, in drawing order.
fn legend_entries(spec: &ChartSpec, ratio: f64) -> Vec<(String, Swatch)> {
    let mut out = Vec::new();
    for region in spec.regions.iter().filter(|r| !r.label.is_empty()) {
        out.push((
            region.label.clone(),
            Swatch::Area(PALETTE[region.color % PALETTE.len()]),
        ));
    }
    for (_, label) in &spec.horizontal_lines {
        out.push((
            label.clone(),
            Swatch::Line {
                color: RGBColor(120, 120, 120),
                width: ratio as u32,
                dashed: true,
            },
        ));
    }
    if let Some((_, label)) = &spec.vertical_marker {
        out.push((
            label.clone(),
            Swatch::Line {
                color: RGBColor(213, 94, 0),
                width: (1.5 * ratio) as u32,
                dashed: false,
            },
        ));
    }
    for s in spec.series.iter().filter(|s| !s.label.is_empty()) {
        let color = PALETTE[s.color % PALETTE.len()];
        let swatch = match s.markers {
            Marker::Line => Swatch::Line {
                color,
                width: ((if s.bold { 2.5 } else { 1.2 }) * ratio).round() as u32,
                dashed: s.dashed,
            },
            Marker::Dots => Swatch::Dots(color),
            Marker::OpenTriangles => Swatch::Triangles(color),
            Marker::Crosses => Swatch::Crosses(color),
        };
        out.push((s.label.clone(), swatch));
    }
    out
}

/// A legend ready to draw: one entry per row piece (a wrapped label gives several), where each
/// goes ([`legend_layout`]: row and x offset), and the height the rows take (device px).
pub(super) struct Legend {
    entries: Vec<(String, Swatch)>,
    layout: Vec<(usize, f64)>,
    /// Height of the rows in device pixels (0 without a legend).
    pub(super) height: f64,
}

/// Lays out the legend of `spec` in rows of width `available` (device px), measuring labels with
/// `text_width`; a chart with a single line and nothing else has none (its title names it).
pub(super) fn plan_legend(
    spec: &ChartSpec,
    ratio: f64,
    available: f64,
    text_width: impl Fn(&str) -> f64,
) -> Legend {
    let mut entries = legend_entries(spec, ratio);
    if entries.len() == 1 && spec.regions.is_empty() && spec.horizontal_lines.is_empty() {
        entries.clear();
    }
    let swatch_w = SWATCH_WIDTH * ratio;
    // a label wider than the canvas wraps at spaces: its first line beside the swatch, the rest
    // below it, every line a row of its own (a phone's chart keeps the whole label)
    let mut rows: Vec<(String, Swatch, bool)> = Vec::with_capacity(entries.len());
    for (label, swatch) in entries {
        let lines = wrap_label(&label, available - swatch_w - 4.0 * ratio, &text_width);
        let wrapped = lines.len() > 1;
        for (i, line) in lines.into_iter().enumerate() {
            let swatch = if i == 0 { swatch } else { Swatch::Continuation };
            rows.push((line, swatch, wrapped));
        }
    }
    let widths: Vec<f64> = rows
        .iter()
        .map(|(label, _, wrapped)| match wrapped {
            true => available,
            false => swatch_w + 4.0 * ratio + text_width(label),
        })
        .collect();
    let entries: Vec<(String, Swatch)> = rows.into_iter().map(|(l, s, _)| (l, s)).collect();
    let layout = legend_layout(&widths, available, 12.0 * ratio);
    let height = if entries.is_empty() {
        0.0
    } else {
        legend_rows(&layout) as f64 * ROW_HEIGHT * ratio + 4.0 * ratio
    };
    Legend {
        entries,
        layout,
        height,
    }
}

/// Draws the rows of `legend` into `area` (rows beyond its height are left out rather than drawn
/// over the plot).
pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    legend: &Legend,
    margin: f64,
    ratio: f64,
    font: &TextStyle,
) -> Result<(), String> {
    let (_, h) = area.dim_in_pixel();
    let row_h = ROW_HEIGHT * ratio;
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    for ((label, swatch), &(row, x)) in legend.entries.iter().zip(&legend.layout) {
        let top = 2.0 * ratio + row as f64 * row_h;
        if top + row_h > h as f64 + 1.0 {
            break; // more rows than room: the rest is left out rather than drawn over the plot
        }
        let (x, y) = ((margin + x) as i32, (top + row_h / 2.0) as i32);
        let sw = (SWATCH_WIDTH * ratio) as i32;
        let size = (3.5 * ratio) as i32;
        match *swatch {
            Swatch::Line {
                color,
                width,
                dashed,
            } => {
                let style = ShapeStyle::from(&color).stroke_width(width.max(1));
                if dashed {
                    let seg = sw / 3;
                    area.draw(&PathElement::new(vec![(x, y), (x + seg, y)], style))
                        .map_err(err)?;
                    area.draw(&PathElement::new(
                        vec![(x + 2 * seg, y), (x + sw, y)],
                        style,
                    ))
                    .map_err(err)?;
                } else {
                    area.draw(&PathElement::new(vec![(x, y), (x + sw, y)], style))
                        .map_err(err)?;
                }
            }
            Swatch::Dots(color) => area
                .draw(&Circle::new((x + sw / 2, y), size, color.filled()))
                .map_err(err)?,
            Swatch::Triangles(color) => area
                .draw(&TriangleMarker::new(
                    (x + sw / 2, y),
                    size + 1,
                    ShapeStyle::from(&color).stroke_width(ratio as u32),
                ))
                .map_err(err)?,
            Swatch::Crosses(color) => area
                .draw(&Cross::new(
                    (x + sw / 2, y),
                    size + 1,
                    ShapeStyle::from(&color).stroke_width((1.5 * ratio) as u32),
                ))
                .map_err(err)?,
            Swatch::Area(color) => area
                .draw(&Rectangle::new(
                    [(x, y - size), (x + sw, y + size)],
                    color.mix(0.25).filled(),
                ))
                .map_err(err)?,
            Swatch::Continuation => {}
        }
        let text_h = area
            .estimate_text_size(label, font)
            .map_or(0, |(_, th)| th as i32);
        area.draw(&Text::new(
            label.clone(),
            (x + sw + (4.0 * ratio) as i32, y - text_h / 2),
            font.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}
