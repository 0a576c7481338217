//! `sgdlab`: the native command line over the Online SGD Lab core.
//!
//! * `sgdlab run CONFIG.json [--csv] [--out FILE]`: simulate (JSON on stdout by default).
//!   A config with a `runs` array runs every entry in parallel on all cores.
//! * `sgdlab run --preset ID`: every panel of one of the lab's presets (the paper's figures).
//! * `sgdlab sweep CONFIG.json [--csv] [--out FILE]`: weak-recovery times over a grid of batch
//!   exponents mu, protocols and seeds (and dimensions, `"d": [...]`), in parallel on all cores.
//! * `sgdlab theory CONFIG.json [--csv] [--out FILE]`: the overlap recursion of the same config
//!   (plus `terms: {gradient, noise, mean_step}`), in the same output schema.
//! * `sgdlab sweep CONFIG.json --shard I/N`: only the jobs of shard I of N (round-robin, see
//!   [`sgdlab::sweep_shard`]); `sgdlab merge SHARD.json... [--out FILE]` reassembles the N shard
//!   outputs into exactly the output of the whole sweep.
//!
//! Invalid configs print `error: <field>: <what is allowed>` and exit with status 2, and so do
//! settings whose estimated cost is above the budget of [`sgdlab::preflight::MAX_OPERATIONS`]
//! (sweeps: [`sgdlab::preflight::MAX_SWEEP_OPERATIONS`] in the worst case) unless `--force` is
//! given. Warnings of the output (`warnings`) are repeated on stderr. The output
//! (`--out FILE` or standard output) is opened before anything is computed; a failed write
//! (a bad path, a full disk, a closed pipe or standard output) prints `error: cannot write ...`
//! and exits with status 1. `run` streams each finished run to the output in order.

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use sgdlab::config::{ConfigError, ConfigFile, ResolvedConfig, RunConfig};
use sgdlab::export::CsvColumns;
use sgdlab::host::{prepare_theory, resolve_runs};
use sgdlab::preflight::human_seconds;
use sgdlab::simulation::{RunOutput, Simulation};
use sgdlab::sweep::{points_to_csv, run_resolved_jobs, SweepPoint};
use sgdlab::sweep_shard::{merge_shards, Shard, ShardOutput, SweepPlan, SweepReport};
use sgdlab::theory_run::run_theory;
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
    /// Sweep the batch exponent mu (and d, given as a list) for several protocols and seeds on
    /// all cores (weak-recovery times for the phase diagram). Prints `{"config": {...},
    /// "estimated_cost": {...}, "points": [...], "summaries": [...]}`, plus `"d_scaling": [...]`
    /// (T = C d^theta per protocol and mu) for two or more d.
    Sweep {
        /// Sweep config (JSON; see the README), or - for standard input.
        config: PathBuf,
        /// Write CSV (one row per point) instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Run even when the estimated cost is above the budget (10^12 operations, about 17
        /// minutes on the reference machine).
        #[arg(long)]
        force: bool,
        /// Run only shard I of N (1 <= I <= N): the jobs i (0-based, in job order) with
        /// i % N = I - 1. The output adds `shard`, `jobs` and `sweep` for `sgdlab merge`.
        #[arg(long, value_name = "I/N", conflicts_with = "csv")]
        shard: Option<String>,
    },
    /// Reassemble the JSON outputs of `sgdlab sweep --shard I/N` (all N shards, any order) into
    /// exactly the output of the whole sweep.
    Merge {
        /// Shard outputs (JSON files), one per shard.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Write CSV (one row per point) instead of JSON.
        #[arg(long)]
        csv: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
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

/// Where results go: opened before anything is computed, so a bad path (or a closed standard
/// output) fails at once instead of after a long run.
struct Output {
    writer: std::io::BufWriter<Box<dyn Write>>,
    name: String,
}

/// An error and the exit status it gives: 2 for invalid input, 1 for failed I/O.
struct Failure {
    message: String,
    status: u8,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure { message, status: 2 }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        e.to_string().into()
    }
}

impl Output {
    /// Creates (truncates) the file, or takes standard output; on Unix a closed standard
    /// output (`>&-`) is an error here, not a silent success.
    fn open(out: &Option<PathBuf>) -> Result<Output, Failure> {
        let io_failure = |message: String| Failure { message, status: 1 };
        match out {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| io_failure(format!("cannot write {}: {e}", path.display())))?;
                Ok(Output {
                    writer: std::io::BufWriter::new(Box::new(file)),
                    name: path.display().to_string(),
                })
            }
            None => Ok(Output {
                writer: std::io::BufWriter::new(stdout_writer().map_err(io_failure)?),
                name: "standard output".to_string(),
            }),
        }
    }

    /// Writes `text`; a failed write (a full disk, a closed pipe) is an error.
    fn write(&mut self, text: &str) -> Result<(), Failure> {
        self.writer
            .write_all(text.as_bytes())
            .map_err(|e| self.failure(e))
    }

    /// Flushes everything written; must be called once at the end.
    fn finish(mut self) -> Result<(), Failure> {
        self.writer.flush().map_err(|e| self.failure(e))
    }

    fn failure(&self, e: std::io::Error) -> Failure {
        Failure {
            message: format!("cannot write to {}: {e}", self.name),
            status: 1,
        }
    }
}

/// Standard output as a writer that reports errors. Rust's `Stdout` silently discards writes
/// to a closed descriptor (EBADF), so on Unix descriptor 1 is duplicated (which fails when it
/// is closed) and written directly.
///
/// Rust's runtime reopens a standard output that was closed at start-up (`>&-`) on /dev/null
/// for reading and writing; on Linux that case is recognised (descriptor 1 is /dev/null open
/// read-write, where a shell's `>/dev/null` opens it write-only) and reported as closed.
#[cfg(unix)]
fn stdout_writer() -> Result<Box<dyn Write>, String> {
    use std::os::fd::AsFd;
    if stdout_was_closed() {
        return Err("standard output is closed (nothing could be written); redirect it to a file, or use --out FILE".to_string());
    }
    let fd = std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| format!("standard output is not open: {e}"))?;
    Ok(Box::new(std::fs::File::from(fd)))
}

/// true when descriptor 1 is the read-write /dev/null Rust's runtime puts in place of a closed
/// standard output (Linux, from /proc; false wherever that cannot be told).
#[cfg(unix)]
fn stdout_was_closed() -> bool {
    let is_null = std::fs::read_link("/proc/self/fd/1")
        .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
    if !is_null {
        return false;
    }
    let Ok(info) = std::fs::read_to_string("/proc/self/fdinfo/1") else {
        return false;
    };
    info.lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        .is_some_and(|flags| flags & 0o3 == 0o2)
}

/// Standard output as a writer.
#[cfg(not(unix))]
fn stdout_writer() -> Result<Box<dyn Write>, String> {
    Ok(Box::new(std::io::stdout()))
}

/// The CSV rows of one run (`label` names it in multi-run files) in a file with `columns`.
fn run_csv(label: &str, o: &RunOutput, columns: &CsvColumns) -> String {
    columns.trajectory_rows(label, &o.trajectory, o.config.nb_resolved)
}

/// Runs every config and streams the results to `output` in order: runs are computed in
/// chunks of at most one run per thread (fewer when the memory estimate of a chunk would pass
/// [`RUNS_MEMORY_BUDGET`]), and each chunk is written out before the next starts, so memory
/// stays bounded however many runs there are. `is_list`: the file had a `runs` list.
fn stream_runs(
    resolved: Vec<ResolvedConfig>,
    is_list: bool,
    csv: bool,
    output: &mut Output,
) -> Result<(), Failure> {
    let largest = resolved
        .iter()
        .map(ResolvedConfig::output_bytes_estimate)
        .max()
        .unwrap_or(1);
    let threads = rayon::current_num_threads().max(1);
    let chunk = ((RUNS_MEMORY_BUDGET / largest.max(1)) as usize).clamp(1, threads);
    let single = resolved.len() == 1;
    // a_j columns when any run trains its second layer, R_j_i for the most free directions
    let first = &resolved[0].input.model;
    let columns = CsvColumns {
        second_layer: resolved
            .iter()
            .any(|r| r.input.model.second_layer.trained()),
        free_directions: resolved
            .iter()
            .map(|r| r.input.model.covariance.free_directions())
            .max()
            .unwrap_or(0),
        ..CsvColumns::new(first.p, first.k)
    };
    if csv {
        output.write(&format!("{}\n", columns.header()))?;
    } else if is_list {
        output.write("{\"runs\":[")?;
    }
    let mut done = 0;
    let mut resolved = resolved.into_iter();
    loop {
        let batch: Vec<_> = resolved.by_ref().take(chunk).collect();
        if batch.is_empty() {
            break;
        }
        let outputs: Vec<RunOutput> = batch
            .into_par_iter()
            .map(|r| Simulation::from_resolved(r).run_to_end())
            .collect();
        for o in outputs {
            let text = if csv {
                let label = if single {
                    o.config.input.loss.to_string()
                } else {
                    format!("run{done}_{}", o.config.input.loss)
                };
                run_csv(&label, &o, &columns)
            } else {
                let json = serde_json::to_string(&o).map_err(|e| e.to_string())?;
                if is_list && done > 0 {
                    format!(",{json}")
                } else {
                    json
                }
            };
            output.write(&text)?;
            if let Some(m) = &o.message {
                eprintln!("warning: run diverged: {m}");
            }
            for w in &o.warnings {
                eprintln!("warning: {w}");
            }
            done += 1;
        }
    }
    if !csv && is_list {
        output.write("]}")?;
    }
    Ok(())
}

/// Writes a sweep's output: its points as CSV, or the whole report as JSON.
fn write_sweep(report: &SweepReport, csv: bool, mut output: Output) -> Result<(), Failure> {
    let text = if csv {
        points_to_csv(&report.points)
    } else {
        serde_json::to_string(report).map_err(|e| e.to_string())?
    };
    output.write(&text)?;
    output.finish()
}

/// Memory budget of the runs computed at the same time by `sgdlab run` with a `runs` list
/// (by [`sgdlab::config::ResolvedConfig::output_bytes_estimate`]), in bytes (2 GiB).
const RUNS_MEMORY_BUDGET: u64 = 2 << 30;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), Failure> = match cli.command {
        Command::Run {
            config,
            preset,
            csv,
            out,
            force,
        } => (|| {
            let file = match (config, preset) {
                (_, Some(id)) => preset_file(&id)?,
                (Some(path), None) => RunConfig::list_from_json(&read_config(&path)?)?,
                (None, None) => return Err("give a CONFIG file or --preset".to_string().into()),
            };
            let configs = &file.runs;
            if csv
                && configs
                    .iter()
                    .any(|c| (c.model.p, c.model.k) != (configs[0].model.p, configs[0].model.k))
            {
                return Err(
                    "--csv needs the same p and k in every run (use JSON output otherwise)"
                        .to_string()
                        .into(),
                );
            }
            let resolved = resolve_runs(&file, force)?;
            let is_list = file.is_list;
            drop(file);
            let mut output = Output::open(&out)?;
            stream_runs(resolved, is_list, csv, &mut output)?;
            output.finish()
        })(),
        Command::Theory {
            config,
            csv,
            out,
            force,
        } => (|| {
            let (resolved, terms) = prepare_theory(&read_config(&config)?, force)?;
            let run = &resolved.input;
            let mut output = Output::open(&out)?;
            let result = run_theory(&resolved, terms)?;
            let text = if csv {
                let columns = CsvColumns {
                    second_layer: run.model.second_layer.trained(),
                    free_directions: run.model.covariance.free_directions(),
                    ..CsvColumns::new(run.model.p, run.model.k)
                };
                format!(
                    "{}\n{}",
                    columns.header(),
                    columns.trajectory_rows(
                        &format!("theory_{}", run.loss),
                        &result.trajectory,
                        resolved.nb_resolved,
                    )
                )
            } else {
                serde_json::to_string(&result).map_err(|e| e.to_string())?
            };
            output.write(&text)?;
            output.finish()?;
            if let Some(m) = &result.message {
                eprintln!("warning: the recursion stopped early: {m}");
            }
            for w in &result.warnings {
                eprintln!("warning: {w}");
            }
            Ok(())
        })(),
        Command::Sweep {
            config,
            csv,
            out,
            force,
            shard,
        } => (|| {
            let plan = SweepPlan::from_json(&read_config(&config)?)?;
            if let Some(shard) = shard {
                let shard: Shard = shard.parse()?;
                let jobs = plan.shard_jobs(shard, force)?;
                let mut output = Output::open(&out)?;
                let shard_output = ShardOutput::new(&plan, shard, run_resolved_jobs(jobs));
                output.write(&serde_json::to_string(&shard_output).map_err(|e| e.to_string())?)?;
                return output.finish();
            }
            plan.check_budget(force)?;
            let total = plan.estimated_cost;
            if total.seconds > 60.0 {
                eprintln!(
                    "note: the sweep may take up to {} of one reference core if no run recovers before max_steps",
                    human_seconds(total.seconds)
                );
            }
            let output = Output::open(&out)?;
            let points: Vec<SweepPoint> = run_resolved_jobs(plan.jobs.clone());
            let report = plan.report(points)?;
            write_sweep(&report, csv, output)
        })(),
        Command::Merge { shards, csv, out } => (|| {
            let mut outputs = Vec::with_capacity(shards.len());
            for path in &shards {
                let name = path.display().to_string();
                let shard: ShardOutput = serde_json::from_str(&read_config(path)?)
                    .map_err(|e| format!("{name}: not the output of sgdlab sweep --shard: {e}"))?;
                outputs.push((name, shard));
            }
            let report = merge_shards(outputs)?;
            let output = Output::open(&out)?;
            write_sweep(&report, csv, output)
        })(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.status)
        }
    }
}
