//! A sweep as a plan of independent jobs: validated and costed once ([`SweepPlan`]), run
//! anywhere (one machine, shards of a batch scheduler, a Dask cluster), and reassembled into
//! exactly the output of one `sgdlab sweep` ([`SweepPlan::report`]).
//!
//! * [`SweepPlan::new`] expands a [`SweepConfig`] into its jobs ([`SweepConfig::jobs`]: protocol
//!   x a0 x d x mu x seed, seeds innermost), validates each and sums their worst-case cost.
//! * [`Shard`] (`--shard I/N`) selects the jobs of shard I of N **round-robin**: job i (0-based,
//!   in the order of [`SweepConfig::jobs`]) belongs to shard `i % N + 1`, so every shard gets a
//!   mix of all batch exponents (the cost of a job depends mostly on mu) and shards take about
//!   the same time. A shard's output ([`ShardOutput`]) is a sweep output of its own jobs plus
//!   the shard's position and the sweep config it came from.
//! * [`merge_shards`] checks that the outputs are the N shards of one sweep, each given once,
//!   and interleaves their points back into job order; [`SweepPlan::report`] checks every point
//!   against its job (protocol, a0, d, mu, seed) and adds the summaries and the estimated cost of the
//!   whole sweep, so the merge is the output of the unsharded sweep, number for number.
//!
//! A job's point depends only on its [`RunConfig`] (one seed determines a run), which is what
//! makes any split of the jobs give the same points.

use crate::config::{ConfigError, ResolvedConfig, RunConfig};
use crate::preflight::{check_budget_of, simulation_cost, CostEstimate, MAX_SWEEP_OPERATIONS};
use crate::sweep::{
    fit_d_scaling, summarise, DScalingSummary, SweepConfig, SweepPoint, SweepSummary, MAX_JOBS,
};
use serde::{Deserialize, Serialize};

/// The settings a sweep's cost budget names when it refuses a sweep.
pub const SWEEP_BUDGET_FIELDS: &str = "d, mu, seeds, max_steps, max_samples";

/// The whole output of `sgdlab sweep` (JSON keys in this order): the sweep's config, the
/// worst-case cost of its jobs, one point per job in job order, the summaries per
/// (protocol, a0, d, mu) and, for a sweep over two or more d, the d-scaling fits per
/// (protocol, a0, mu). The explorer reads it back (`Load JSON`, [`crate::ui::explorer::SavedSweep`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepReport {
    /// The sweep as given.
    pub config: SweepConfig,
    /// Worst-case cost (every job running its step cap), summed in job order.
    pub estimated_cost: CostEstimate,
    /// One point per job, in the order of [`SweepConfig::jobs`].
    pub points: Vec<SweepPoint>,
    /// [`summarise`] of the points.
    pub summaries: Vec<SweepSummary>,
    /// [`fit_d_scaling`] of the points: T = C d^theta per (protocol, a0, mu); absent (empty) for a
    /// sweep at one d.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub d_scaling: Vec<DScalingSummary>,
}

/// A validated sweep: its jobs, resolved, and their summed worst-case cost.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// The sweep as given.
    pub config: SweepConfig,
    /// One resolved run per job, in the order of [`SweepConfig::jobs`].
    pub jobs: Vec<ResolvedConfig>,
    /// Sum of [`simulation_cost`] over `jobs`, in job order (an upper bound: jobs stop at weak
    /// recovery).
    pub estimated_cost: CostEstimate,
}

/// The summed [`simulation_cost`] of `jobs`, in their order.
pub fn jobs_cost(jobs: &[ResolvedConfig]) -> CostEstimate {
    jobs.iter()
        .map(simulation_cost)
        .fold(CostEstimate::ZERO, CostEstimate::plus)
}

impl SweepPlan {
    /// Validates `config` and every job (errors name the sweep's field, as
    /// [`SweepConfig::jobs`]).
    pub fn new(config: SweepConfig) -> Result<SweepPlan, ConfigError> {
        let jobs = config
            .jobs()?
            .iter()
            .map(RunConfig::resolve)
            .collect::<Result<Vec<_>, _>>()?;
        let estimated_cost = jobs_cost(&jobs);
        Ok(SweepPlan {
            config,
            jobs,
            estimated_cost,
        })
    }

    /// Reads a sweep config (the strict reader of [`SweepConfig::from_json`]) and plans it.
    pub fn from_json(text: &str) -> Result<SweepPlan, ConfigError> {
        SweepPlan::new(SweepConfig::from_json(text)?)
    }

    /// Refuses the sweep when its worst case is above [`MAX_SWEEP_OPERATIONS`] (unless `force`),
    /// naming [`SWEEP_BUDGET_FIELDS`].
    pub fn check_budget(&self, force: bool) -> Result<(), ConfigError> {
        check_budget_of(
            &self.estimated_cost,
            MAX_SWEEP_OPERATIONS,
            SWEEP_BUDGET_FIELDS,
            force,
        )
    }

    /// The output of the whole sweep from one point per job (in job order, from any runner):
    /// checks the number of points and that each point is its job's (protocol, a0, d, mu, seed), and
    /// adds the summaries and the estimated cost. Errors name `points` (or `points[i]`).
    pub fn report(&self, points: Vec<SweepPoint>) -> Result<SweepReport, ConfigError> {
        if points.len() != self.jobs.len() {
            return Err(ConfigError::new(
                "points",
                format!(
                    "the sweep has {} jobs, got {} points",
                    self.jobs.len(),
                    points.len()
                ),
            ));
        }
        for (i, (point, job)) in points.iter().zip(&self.jobs).enumerate() {
            check_point(i, point, &job.input)?;
        }
        Ok(SweepReport {
            config: self.config.clone(),
            estimated_cost: self.estimated_cost,
            summaries: summarise(&points),
            d_scaling: fit_d_scaling(&self.config, &points),
            points,
        })
    }

    /// The jobs of `shard` (in job order), after checking that the sweep has at least as many
    /// jobs as shards (errors name `--shard`) and the shard's worst-case cost against
    /// [`MAX_SWEEP_OPERATIONS`] (unless `force`).
    pub fn shard_jobs(
        &self,
        shard: Shard,
        force: bool,
    ) -> Result<Vec<ResolvedConfig>, ConfigError> {
        if shard.count > self.jobs.len() {
            return Err(ConfigError::new(
                SHARD_FLAG,
                format!(
                    "{shard}: the sweep has only {} jobs, so at most {} shards",
                    self.jobs.len(),
                    self.jobs.len()
                ),
            ));
        }
        let jobs = self.jobs_of(shard);
        check_budget_of(
            &jobs_cost(&jobs),
            MAX_SWEEP_OPERATIONS,
            SWEEP_BUDGET_FIELDS,
            force,
        )?;
        Ok(jobs)
    }

    /// The jobs of `shard`, in job order (unchecked).
    fn jobs_of(&self, shard: Shard) -> Vec<ResolvedConfig> {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(i, _)| shard.contains(*i))
            .map(|(_, job)| job.clone())
            .collect()
    }
}

/// Checks that `point` is the measurement of `job`, job `i` of its sweep (same protocol, a0 and
/// μ to the bit, d, and seed), naming `points[i]` otherwise.
pub fn check_point(i: usize, point: &SweepPoint, job: &RunConfig) -> Result<(), ConfigError> {
    let mu = job.batch.map(|b| b.mu);
    let a0 = job.model.second_layer.a0;
    if point.protocol != job.loss
        || point.seed != job.seed
        || point.d != job.model.d
        || point.a0.to_bits() != a0.to_bits()
        || mu.map(f64::to_bits) != Some(point.mu.to_bits())
    {
        return Err(ConfigError::new(
            format!("points[{i}]"),
            format!(
                "is protocol {}, a0 {}, d {}, mu {}, seed {}, but job {i} of the sweep is protocol {}, a0 {a0}, d {}, mu {}, seed {}",
                point.protocol,
                point.a0,
                point.d,
                point.mu,
                point.seed,
                job.loss,
                job.model.d,
                mu.unwrap_or(f64::NAN),
                job.seed
            ),
        ));
    }
    Ok(())
}

/// The command-line flag a [`Shard`] is read from, named in its errors.
pub const SHARD_FLAG: &str = "--shard";

/// Shard `index` of `count` (1 <= index <= count): the jobs i (0-based) with
/// `i % count == index - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Position of the shard, from 1.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Whether job `i` (0-based, in job order) belongs to this shard.
    pub fn contains(&self, i: usize) -> bool {
        i % self.count == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = ConfigError;

    /// Reads `I/N` with 1 <= I <= N <= [`MAX_JOBS`]; errors name [`SHARD_FLAG`] and the range.
    fn from_str(text: &str) -> Result<Shard, ConfigError> {
        let shown = crate::config::json::cut(text);
        let expected = format!("expected I/N with whole numbers 1 <= I <= N <= {MAX_JOBS} (shard I of N, e.g. 1/4), got \"{shown}\"");
        let (i, n) = text
            .split_once('/')
            .and_then(|(i, n)| {
                Some((
                    i.trim().parse::<usize>().ok()?,
                    n.trim().parse::<usize>().ok()?,
                ))
            })
            .ok_or_else(|| ConfigError::new(SHARD_FLAG, expected.clone()))?;
        if n == 0 || n > MAX_JOBS || i == 0 || i > n {
            return Err(ConfigError::new(SHARD_FLAG, expected));
        }
        Ok(Shard { index: i, count: n })
    }
}

/// The output of `sgdlab sweep --shard I/N`: the sweep output of the shard's own jobs
/// (`estimated_cost` of those jobs, their points in job order and their summaries), the shard
/// and the job count of the whole sweep, and the sweep config, so that [`merge_shards`] can
/// check and reassemble the shards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardOutput {
    /// Which shard this is.
    pub shard: Shard,
    /// Jobs of the whole sweep.
    pub jobs: usize,
    /// The sweep config (as read, defaults filled in).
    pub sweep: SweepConfig,
    /// Worst-case cost of this shard's jobs.
    pub estimated_cost: CostEstimate,
    /// The points of this shard's jobs, in job order.
    pub points: Vec<SweepPoint>,
    /// [`summarise`] of this shard's points.
    pub summaries: Vec<SweepSummary>,
}

impl ShardOutput {
    /// The output of `shard` of `plan` from the points of its jobs (in job order).
    pub fn new(plan: &SweepPlan, shard: Shard, points: Vec<SweepPoint>) -> ShardOutput {
        let own = plan.jobs_of(shard);
        ShardOutput {
            shard,
            jobs: plan.jobs.len(),
            sweep: plan.config.clone(),
            estimated_cost: jobs_cost(&own),
            summaries: summarise(&points),
            points,
        }
    }
}

/// Reassembles the outputs of the N shards of one sweep (in any order, each once) into the
/// output of the unsharded sweep. `shards` pairs each output with a name for messages (its
/// file). Errors name the file and what does not fit: shards of different sweeps or counts, a
/// shard given twice or missing, a shard with the wrong number of points, a point that is not
/// its job's.
pub fn merge_shards(shards: Vec<(String, ShardOutput)>) -> Result<SweepReport, ConfigError> {
    let Some((first_name, first)) = shards.first() else {
        return Err(ConfigError::new(
            "merge",
            "give the output files of every shard",
        ));
    };
    let count = first.shard.count;
    let mut slots: Vec<Option<(String, Vec<SweepPoint>)>> = vec![None; count];
    for (name, shard) in &shards {
        if shard.shard.count != count || shard.sweep != first.sweep || shard.jobs != first.jobs {
            return Err(ConfigError::new(
                name.clone(),
                format!(
                    "shard {} is not a shard of the same sweep as {first_name} (shard {}): the sweep config, job count and shard count must match",
                    shard.shard, first.shard
                ),
            ));
        }
        let slot = &mut slots[shard.shard.index - 1];
        if let Some((other, _)) = slot {
            return Err(ConfigError::new(
                name.clone(),
                format!("shard {} is given twice (also in {other})", shard.shard),
            ));
        }
        *slot = Some((name.clone(), shard.points.clone()));
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| slots[i - 1].is_none())
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(ConfigError::new(
            "merge",
            format!("missing shard(s) {}", missing.join(", ")),
        ));
    }
    let plan = SweepPlan::new(first.sweep.clone())?;
    if plan.jobs.len() != first.jobs {
        return Err(ConfigError::new(
            first_name.clone(),
            format!(
                "the shards say the sweep has {} jobs, its config gives {}",
                first.jobs,
                plan.jobs.len()
            ),
        ));
    }
    let mut streams: Vec<(String, std::vec::IntoIter<SweepPoint>)> = slots
        .into_iter()
        .map(|s| {
            let (name, points) = s.expect("every shard checked above");
            (name, points.into_iter())
        })
        .collect();
    let mut points = Vec::with_capacity(plan.jobs.len());
    for i in 0..plan.jobs.len() {
        let (name, stream) = &mut streams[i % count];
        let point = stream.next().ok_or_else(|| {
            ConfigError::new(
                name.clone(),
                format!("shard {}/{count} has too few points", i % count + 1),
            )
        })?;
        points.push(point);
    }
    for (i, (name, stream)) in streams.iter_mut().enumerate() {
        if stream.next().is_some() {
            return Err(ConfigError::new(
                name.clone(),
                format!("shard {}/{count} has more points than jobs", i + 1),
            ));
        }
    }
    plan.report(points)
}
