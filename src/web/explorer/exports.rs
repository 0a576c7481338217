//! The explorer's downloads: the points as CSV (both modes; the `d` column tells a sweep over
//! d apart), the sweep as JSON (config, points, summaries, and for a sweep over d the fits
//! `d_scaling`, the shape `sgdlab sweep` writes) and both charts as PNG or SVG.

use super::{document, Explorer};
use crate::sweep::{fit_d_scaling, points_to_csv, summarise};
use crate::ui::explorer::explorer_charts;
use crate::web::chart::chart_svg;
use crate::web::dom::{download, download_text};

impl Explorer {
    /// Downloads the points as CSV.
    pub(super) fn export_csv(&self) {
        download_text(
            &self.ui.run.owner_document().unwrap_or_else(document),
            "online-sgd-lab-sweep.csv",
            "text/csv",
            &points_to_csv(&self.model.sorted_points()),
        );
    }

    /// Downloads the two charts as PNG (the canvases) or SVG (drawn again through plotters'
    /// SVG backend at the canvases' CSS size).
    pub(super) fn export_charts(&self, svg: bool) {
        let Some(config) = self.model.shown_config() else {
            return;
        };
        let ui = &self.ui;
        let document = ui.run.owner_document().unwrap_or_else(document);
        let charts = explorer_charts(config, &self.model.sorted_points(), false);
        for (name, canvas, spec) in [
            ("theta", &ui.theta, &charts.theta),
            ("samples", &ui.samples, &charts.samples),
        ] {
            let file = format!("online-sgd-lab-sweep-{name}");
            if svg {
                let (w, h) = (
                    canvas.client_width().max(320),
                    canvas.client_height().max(200),
                );
                match chart_svg(spec, w as u32, h as u32) {
                    Ok(text) => {
                        download_text(&document, &format!("{file}.svg"), "image/svg+xml", &text)
                    }
                    Err(e) => web_sys::console::warn_1(&format!("svg: {e}").into()),
                }
            } else if let Ok(url) = canvas.to_data_url() {
                download(&document, &format!("{file}.png"), &url);
            }
        }
    }

    /// Downloads the sweep as JSON: config, points, summaries and, over two or more d, the
    /// fits T = C d^θ (`d_scaling`), as `sgdlab sweep` writes them.
    pub(super) fn export_json(&self) {
        let points = self.model.sorted_points();
        let mut json = serde_json::json!({
            "config": self.model.config,
            "points": points,
            "summaries": summarise(&points),
        });
        if let Some(config) = &self.model.config {
            let fits = fit_d_scaling(config, &points);
            if !fits.is_empty() {
                json["d_scaling"] = serde_json::json!(fits);
            }
        }
        download_text(
            &self.ui.run.owner_document().unwrap_or_else(document),
            "online-sgd-lab-sweep.json",
            "application/json",
            &json.to_string(),
        );
    }
}
