//! A sweep saved as JSON — the explorer's "Export JSON", `sgdlab sweep`'s output, or the
//! precomputed sweep the page ships — read back with its config validated and every point
//! checked against its job, so a file that does not belong to its config is refused.

use crate::config::json::cut_to;
use crate::config::RunConfig;
use crate::sweep::{SweepConfig, SweepPoint};
use serde_json::Value;

/// Largest saved sweep read, in bytes (100 000 points of about 300 bytes).
pub const MAX_SAVED_BYTES: usize = 32 << 20;

/// A saved sweep: its config, its jobs and one point per job (in job order).
#[derive(Clone, Debug, PartialEq)]
pub struct SavedSweep {
    /// The sweep config.
    pub config: SweepConfig,
    /// Its jobs.
    pub jobs: Vec<RunConfig>,
    /// One point per job.
    pub points: Vec<SweepPoint>,
}

impl SavedSweep {
    /// Reads `{"config": {...}, "points": [...], ...}` (other keys, e.g. `summaries`, are
    /// ignored: they are recomputed from the points). Errors name what is wrong.
    pub fn parse(text: &str) -> Result<SavedSweep, String> {
        if text.len() > MAX_SAVED_BYTES {
            return Err(format!(
                "saved sweep: {} bytes, at most {MAX_SAVED_BYTES}",
                text.len()
            ));
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| format!("saved sweep: not JSON ({})", cut_to(&e.to_string(), 200)))?;
        let config = value.get("config").ok_or(
            "saved sweep: no `config` key (export the sweep with Export JSON or `sgdlab sweep`)",
        )?;
        let config = SweepConfig::from_json(&config.to_string())
            .map_err(|e| format!("saved sweep: config.{e}"))?;
        let jobs = config
            .jobs()
            .map_err(|e| format!("saved sweep: config.{e}"))?;
        let mut points = value
            .get("points")
            .cloned()
            .ok_or("saved sweep: no `points` key")?;
        // files written before points carried `d` (sweeps at one d) or `a0` (sweeps at one
        // second-layer weight): the job's
        if let Value::Array(list) = &mut points {
            for (p, job) in list.iter_mut().zip(&jobs) {
                if let Value::Object(p) = p {
                    p.entry("d").or_insert_with(|| Value::from(job.model.d));
                    let a0 = job.model.second_layer.a0;
                    p.entry("a0").or_insert_with(|| Value::from(a0));
                }
            }
        }
        let points: Vec<SweepPoint> = serde_json::from_value(points)
            .map_err(|e| format!("saved sweep: points: {}", cut_to(&e.to_string(), 200)))?;
        if points.len() != jobs.len() {
            return Err(format!(
                "saved sweep: {} points for the {} jobs of its config",
                points.len(),
                jobs.len()
            ));
        }
        for (i, (point, job)) in points.iter().zip(&jobs).enumerate() {
            crate::sweep_shard::check_point(i, point, job)
                .map_err(|e| format!("saved sweep: {e}"))?;
        }
        Ok(SavedSweep {
            config,
            jobs,
            points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ModelSettings;
    use crate::sweep::run_sweep_jobs;

    fn small() -> SweepConfig {
        SweepConfig {
            model: ModelSettings {
                d: 64,
                ..ModelSettings::default()
            },
            mu: vec![1.0, 1.5],
            seeds: vec![0, 1],
            max_steps: 2000,
            ..SweepConfig::default()
        }
    }

    fn saved_text(config: &SweepConfig, points: &[SweepPoint]) -> String {
        serde_json::json!({ "config": config, "points": points }).to_string()
    }

    #[test]
    fn an_export_reads_back_as_it_was() {
        let config = small();
        let points = run_sweep_jobs(&config.jobs().unwrap()).unwrap();
        let saved = SavedSweep::parse(&saved_text(&config, &points)).unwrap();
        assert_eq!(saved.config, config);
        assert_eq!(saved.points, points);
    }

    #[test]
    fn points_that_do_not_belong_to_the_config_are_refused() {
        let config = small();
        let mut points = run_sweep_jobs(&config.jobs().unwrap()).unwrap();
        points.swap(0, 1);
        let e = SavedSweep::parse(&saved_text(&config, &points)).unwrap_err();
        assert!(e.contains("points[0]"), "{e}");
        points.pop();
        let e = SavedSweep::parse(&saved_text(&config, &points)).unwrap_err();
        assert!(e.contains("points for the"), "{e}");
        assert!(SavedSweep::parse("{}").unwrap_err().contains("no `config`"));
        assert!(SavedSweep::parse("nope").unwrap_err().contains("not JSON"));
        let bad = r#"{"config": {"d": -1}, "points": []}"#;
        assert!(SavedSweep::parse(bad)
            .unwrap_err()
            .starts_with("saved sweep: config.d"));
    }
}
