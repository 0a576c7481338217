//! `sgdlab`: the native command line over the Online SGD Lab core.
//!
//! * `sgdlab run CONFIG.json [--csv] [--out FILE]`: simulate (JSON on stdout by default).
//!   A config with a `runs` array runs every entry in parallel on all cores.
//! * `sgdlab run --preset ID`: every panel of one of the lab's presets (the paper's figures).
//! * `sgdlab sweep CONFIG.json [--csv] [--out FILE]`: weak-recovery times over a grid of batch
//!   exponents mu, protocols and seeds, in parallel on all cores.
//! * `sgdlab theory CONFIG.json [--csv] [--out FILE]`: the overlap recursion of the same config
//!   (plus `terms: {gradient, noise, mean_step}`), in the same output schema.
//!
//! Invalid configs print `error: <field>: <what is allowed>` and exit with status 2, and so do
//! settings whose estimated cost is above the budget of [`sgdlab::preflight::MAX_OPERATIONS`]
//! (sweeps: [`sgdlab::preflight::MAX_SWEEP_OPERATIONS`] in the worst case) unless `--force` is
//! given. Warnings of the output (`warnings`) are repeated on stderr.

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use sgdlab::config::{ConfigError, ConfigFile, RunConfig};
use sgdlab::export::{csv_header, csv_rows};
use sgdlab::preflight::{
    check_budget, check_budget_of, human_seconds, simulation_cost, theory_cost, CostEstimate,
    MAX_SWEEP_OPERATIONS,
};
use sgdlab::simulation::{RunOutput, Simulation};
use sgdlab::sweep::{points_to_csv, run_resolved, summarise, SweepConfig, SweepPoint};
use sgdlab::theory::from_config::{run_theory, theory_config_from_json};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sgdlab",
    version,
    about = "Online SGD Lab: projected online SGD on Gaussian single/multi-index targets (arXiv 2406.02157)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate one run, or every entry of a `runs` array in parallel.
    Run {
        /// Config file (JSON; see the README for the schema), or - for standard input.
        #[arg(required_unless_present = "preset", conflicts_with = "preset")]
        config: Option<PathBuf>,
        /// Run one of the lab's presets (the paper's figures) instead: every panel of it.
        #[arg(long, value_parser = preset_ids())]
        preset: Option<String>,
        /// Write CSV (one row per recorded step) instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Run even when the estimated cost is above the budget (10^12 operations, about 17
        /// minutes on the reference machine).
        #[arg(long)]
        force: bool,
    },
    /// Run the deterministic overlap recursion of a config (same JSON as `run`, plus
    /// `terms: {gradient, noise, mean_step}`), from the same initial overlaps as the simulation.
    Theory {
        /// Config file (JSON), or - for standard input.
        config: PathBuf,
        /// Write CSV instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Run even when the estimated cost is above the budget (10^12 operations, about 17
        /// minutes on the reference machine).
        #[arg(long)]
        force: bool,
    },
    /// Sweep the batch exponent mu for several protocols and seeds on all cores (weak-recovery
    /// times for the phase diagram). Prints `{"points": [...], "summaries": [...],
    /// "estimated_cost": {...}}`.
    Sweep {
        /// Sweep config (JSON; see the README), or - for standard input.
        config: PathBuf,
        /// Write CSV (one row per point) instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Run even when the worst-case estimated cost (every job running max_steps) is above
        /// the sweep budget (10^15 operations, about 12 days of one reference core).
        #[arg(long)]
        force: bool,
    },
}

fn preset_ids() -> Vec<&'static str> {
    sgdlab::presets::PRESETS.iter().map(|p| p.id).collect()
}

fn preset_file(id: &str) -> Result<ConfigFile, String> {
    let preset = sgdlab::presets::preset(id).ok_or_else(|| format!("unknown preset {id}"))?;
    let state = preset.state().map_err(|e| format!("preset {id}: {e:?}"))?;
    Ok(ConfigFile {
        runs: state.panel_configs(),
        is_list: true,
    })
}

fn read_config(path: &PathBuf) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write_output(out: &Option<PathBuf>, text: &str) -> Result<(), String> {
    match out {
        Some(path) => {
            std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                .map_err(|e| format!("cannot write output: {e}"))
        }
    }
}

fn run_all(file: &ConfigFile, force: bool) -> Result<Vec<RunOutput>, ConfigError> {
    let resolved = file.resolve()?;
    for (i, r) in resolved.iter().enumerate() {
        check_budget(&simulation_cost(r), "nb, steps, sampler", force).map_err(|e| {
            if file.is_list {
                ConfigError::new(format!("runs[{i}].{}", e.field), e.message)
            } else {
                e
            }
        })?;
    }
    Ok(resolved
        .into_par_iter()
        .map(|r| Simulation::from_resolved(r).run_to_end())
        .collect())
}

fn runs_csv(outputs: &[RunOutput]) -> String {
    let mut text = String::new();
    let first = &outputs[0].config.input;
    text.push_str(&csv_header(first.p, first.k));
    text.push('\n');
    for (i, o) in outputs.iter().enumerate() {
        let label = if outputs.len() == 1 {
            o.config.input.loss.to_string()
        } else {
            format!("run{i}_{}", o.config.input.loss)
        };
        text.push_str(&csv_rows(&label, &o.trajectory, o.config.nb_resolved));
    }
    text
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            config,
            preset,
            csv,
            out,
            force,
        } => (|| {
            let file = match (config, preset) {
                (_, Some(id)) => preset_file(&id)?,
                (Some(path), None) => {
                    RunConfig::list_from_json(&read_config(&path)?).map_err(|e| e.to_string())?
                }
                (None, None) => return Err("give a CONFIG file or --preset".to_string()),
            };
            let configs = &file.runs;
            if csv
                && configs
                    .iter()
                    .any(|c| (c.p, c.k) != (configs[0].p, configs[0].k))
            {
                return Err(
                    "--csv needs the same p and k in every run (use JSON output otherwise)"
                        .to_string(),
                );
            }
            let outputs = run_all(&file, force).map_err(|e| e.to_string())?;
            let text = if csv {
                runs_csv(&outputs)
            } else if !file.is_list {
                serde_json::to_string(&outputs[0]).map_err(|e| e.to_string())?
            } else {
                serde_json::to_string(&serde_json::json!({ "runs": outputs }))
                    .map_err(|e| e.to_string())?
            };
            write_output(&out, &text)?;
            let diverged: Vec<_> = outputs.iter().filter_map(|o| o.message.clone()).collect();
            for m in &diverged {
                eprintln!("warning: run diverged: {m}");
            }
            for w in outputs.iter().flat_map(|o| &o.warnings) {
                eprintln!("warning: {w}");
            }
            Ok(())
        })(),
        Command::Theory {
            config,
            csv,
            out,
            force,
        } => (|| {
            let (run, terms) =
                theory_config_from_json(&read_config(&config)?).map_err(|e| e.to_string())?;
            let resolved = run.resolve().map_err(|e| e.to_string())?;
            check_budget(&theory_cost(&resolved), "p, k, steps", force)
                .map_err(|e| e.to_string())?;
            let output = run_theory(&resolved, terms).map_err(|e| e.to_string())?;
            let text = if csv {
                format!(
                    "{}\n{}",
                    csv_header(run.p, run.k),
                    csv_rows(
                        &format!("theory_{}", run.loss),
                        &output.trajectory,
                        resolved.nb_resolved
                    )
                )
            } else {
                serde_json::to_string(&output).map_err(|e| e.to_string())?
            };
            write_output(&out, &text)?;
            if let Some(m) = &output.message {
                eprintln!("warning: the recursion stopped early: {m}");
            }
            for w in &output.warnings {
                eprintln!("warning: {w}");
            }
            Ok(())
        })(),
        Command::Sweep {
            config,
            csv,
            out,
            force,
        } => (|| {
            let sweep =
                SweepConfig::from_json(&read_config(&config)?).map_err(|e| e.to_string())?;
            let jobs = sweep.jobs().map_err(|e| e.to_string())?;
            let resolved = jobs
                .iter()
                .map(|j| j.resolve())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            // an upper bound: jobs stop at weak recovery
            let total = resolved
                .iter()
                .map(simulation_cost)
                .fold(CostEstimate::ZERO, CostEstimate::plus);
            check_budget_of(
                &total,
                MAX_SWEEP_OPERATIONS,
                "mu, seeds, max_steps, max_samples",
                force,
            )
            .map_err(|e| e.to_string())?;
            if total.seconds > 60.0 {
                eprintln!(
                    "note: the sweep may take up to {} of one reference core if no run recovers before max_steps",
                    human_seconds(total.seconds)
                );
            }
            let points: Vec<SweepPoint> = resolved.into_par_iter().map(run_resolved).collect();
            let text = if csv {
                points_to_csv(&points)
            } else {
                serde_json::to_string(
                    &serde_json::json!({ "points": points, "summaries": summarise(&points), "estimated_cost": total }),
                )
                .map_err(|e| e.to_string())?
            };
            write_output(&out, &text)
        })(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
