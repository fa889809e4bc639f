//! `pipewarden check`: analyse files and print findings.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::panic::catch_unwind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ropey::Rope;

use super::discover::{Found, discover};
use super::fix::{self, FixMode};
use super::output::{self, Checked, Format};
use super::parallel;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::analysis::{WorkspaceAnalysis, analyze_text_for_workspace, panic_message};
use crate::config::{Policy, RuleSettings, Settings};
use crate::model::interface::WorkflowSecrets;
use crate::model::kind;
use crate::pins::Pins;
use crate::workspace::baseline::{self, Baseline};
use crate::workspace::interfaces::{KnownSecrets, local_workflows_with};
use crate::workspace::root::{CanonicalPaths, Root, Roots};
use crate::workspace::{find_config, find_lock, load_config, load_lock};

#[derive(Debug, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub settings: Settings,
    /// Apply fixes to the files (`--fix`, `--unsafe-fixes`).
    pub fix: Option<FixMode>,
    /// Show the fixes as a diff instead of writing them (`--diff`).
    pub diff: bool,
    /// Hide the findings this baseline file accepts (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Write today's findings as a baseline (`--write-baseline`).
    pub write_baseline: Option<PathBuf>,
    /// The configuration file (`--config`); otherwise one is looked for above the first path.
    pub config: Option<PathBuf>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut options = Options::default();
        let mut rules = RuleSettings::default();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut value = |flag: &str| args.next().cloned().ok_or_else(|| format!("{flag} needs a value"));
            match arg.as_str() {
                "--format" => {
                    let name = value("--format")?;
                    options.format = Format::parse(&name)
                        .ok_or_else(|| format!("unknown format `{name}` (use text, json, sarif, github or gitlab)"))?;
                }
                "--min-severity" => options.settings.min_severity = Some(value("--min-severity")?),
                "--disable" => rules.disabled.push(value("--disable")?),
                "--enable" => rules.enabled.push(value("--enable")?),
                "--fix" => options.fix = Some(options.fix.unwrap_or(FixMode::Safe)),
                "--unsafe-fixes" => options.fix = Some(FixMode::Unsafe),
                "--diff" => options.diff = true,
                "--baseline" => options.baseline = Some(PathBuf::from(value("--baseline")?)),
                "--write-baseline" => options.write_baseline = Some(PathBuf::from(value("--write-baseline")?)),
                "--config" => options.config = Some(PathBuf::from(value("--config")?)),
                "--trusted-owner" => options.settings.trusted_owners.push(value("--trusted-owner")?),
                flag if flag.starts_with('-') && flag != "-" => {
                    return Err(format!("unknown option `{flag}`"));
                }
                path => options.paths.push(PathBuf::from(path)),
            }
        }
        if options.paths.is_empty() {
            options.paths.push(PathBuf::from("."));
        }
        if options.diff && options.fix.is_none() {
            options.fix = Some(FixMode::Safe);
        }
        options.settings.rules = rules;
        Ok(options)
    }
}

pub fn run(options: &Options, out: &mut impl Write) -> i32 {
    // Reports are written in many small pieces, and a line-buffered stdout would make a
    // system call of each line (200,000 for the corpus's JSON).
    let mut buffered = BufWriter::with_capacity(1 << 16, out);
    let code = run_buffered(options, &mut buffered);
    match buffered.flush() {
        Ok(()) => code,
        Err(_) => EXIT_ERROR,
    }
}

fn run_buffered(options: &Options, out: &mut impl Write) -> i32 {
    let loaded = match load(options, out) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let Loaded { mut checked, io_error, policy, baseline } = loaded;
    if options.diff {
        return if io_error {
            EXIT_ERROR
        } else if checked.iter().any(|file| file.fixed) {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        };
    }
    apply_policy(&mut checked, &policy);
    if let Some(file) = &options.write_baseline {
        let files = checked.iter().map(|file| (file.path.as_path(), &file.rope, file.report.findings.as_slice()));
        return match baseline::write(file, files) {
            Ok(count) => {
                eprintln!("pipewarden: wrote {count} findings to the baseline {}", file.display());
                if io_error { EXIT_ERROR } else { EXIT_CLEAN }
            }
            Err(message) => {
                eprintln!("pipewarden: {message}");
                EXIT_ERROR
            }
        };
    }
    if let Some(baseline) = &baseline {
        hide_accepted(&mut checked, baseline);
    }
    let printed = output::print(options.format, &checked, out);
    let found = checked.iter().any(|file| !file.report.findings.is_empty() || !file.report.syntax_errors.is_empty());
    parallel::release_in_background(checked);
    exit_code(io_error || printed.is_err(), found)
}

/// The files under `options.paths`, analysed, with the configuration's policy and baseline
/// applied, for the commands that report on findings without fixing them (`paths`,
/// `threat-model`, `matrix`). `Err` is the exit code of a usage or configuration error.
pub fn analysed(options: &Options) -> Result<(Vec<Checked>, bool), i32> {
    let Loaded { mut checked, io_error, policy, baseline } = load(options, &mut std::io::sink())?;
    apply_policy(&mut checked, &policy);
    if let Some(baseline) = &baseline {
        hide_accepted(&mut checked, baseline);
    }
    Ok((checked, io_error))
}

pub fn exit_code(error: bool, found: bool) -> i32 {
    match (error, found) {
        (true, _) => EXIT_ERROR,
        (false, true) => EXIT_FINDINGS,
        (false, false) => EXIT_CLEAN,
    }
}

/// The analysed files, before the policy hides anything, with what will filter them.
struct Loaded {
    checked: Vec<Checked>,
    io_error: bool,
    policy: Policy,
    baseline: Option<Baseline>,
}

fn load(options: &Options, out: &mut impl Write) -> Result<Loaded, i32> {
    let mut settings = project_settings(options).overridden_by(&options.settings);
    settings.pins = project_lock(options);
    let (policy, warnings) = Policy::from_settings(&settings);
    if let Some(warning) = warnings.first() {
        eprintln!("pipewarden: {warning}");
        return Err(EXIT_ERROR);
    }
    let baseline_file = options.baseline.as_deref().or(policy.baseline());
    let baseline = baseline_file.map(Baseline::read).transpose().map_err(|message| {
        eprintln!("pipewarden: {message}");
        EXIT_ERROR
    })?;
    let mut io_error = false;
    let mut checked = Vec::new();
    let found: Vec<Found> = options.paths.iter().flat_map(|root| discover(root)).collect();
    let results = {
        // Files are analysed on every core; what each prints is written afterwards, in order.
        // Those that pass `secrets: inherit` wait for the others, which include the reusable
        // workflows their policy reads.
        let indexed: Vec<(usize, &Found)> = found.iter().enumerate().collect();
        let canonical_paths = CanonicalPaths::default();
        let mut results = parallel::analyse_in_order(&indexed, |(_, found)| match found {
            Found::File(path) => {
                Some(check_file(path, options, &canonical_paths, &|text| without_workflows(&policy, text)))
            }
            Found::Error(..) => None,
        });
        let mut waiting: Vec<(usize, &Path, usize)> = indexed
            .iter()
            .filter_map(|(index, found)| match (found, &results[*index]) {
                (Found::File(path), Some(Ok(Checking::Waits(length)))) => Some((*index, path.as_path(), *length)),
                _ => None,
            })
            .collect();
        // Largest first: the last files the workers take are then small ones, and neither
        // core waits long for the other at the end.
        waiting.sort_by_key(|(_, _, length)| std::cmp::Reverse(*length));
        // Read only when a file waits for it: it resolves the path of every reusable workflow.
        let known = if waiting.is_empty() { KnownWorkflows::default() } else { KnownWorkflows::of(&results) };
        let known = |path: &Path, text: &str| known.secrets(path, text);
        let repositories = RepositoryPolicies::new(waiting.iter().map(|(_, path, _)| *path), &policy);
        let late: Vec<(usize, &Path)> = waiting.iter().enumerate().map(|(at, (_, path, _))| (at, *path)).collect();
        let checked_late = parallel::analyse_in_order(&late, |(at, path)| {
            check_file(path, options, &canonical_paths, &|text| Some(repositories.of(*at, text, &known)))
        });
        for ((index, _, _), result) in waiting.iter().zip(checked_late) {
            results[*index] = Some(result);
        }
        results
    };
    for (found, result) in found.iter().zip(results) {
        match (found, result) {
            (Found::Error(path, error), _) => {
                eprintln!("pipewarden: {}: {error}", path.display());
                io_error = true;
            }
            (Found::File(_), Some(Ok(Checking::Done(file, diff)))) => {
                if out.write_all(&diff).is_err() {
                    io_error = true;
                }
                checked.push(*file);
            }
            (Found::File(path), Some(Err(error))) => {
                eprintln!("pipewarden: {}: {error}", path.display());
                io_error |= error.kind() != std::io::ErrorKind::InvalidData;
            }
            (Found::File(_), _) => {}
        }
    }
    // Fixing rewrites files one by one; what callers reach is read once they are written.
    super::reached::add_reached(&mut checked, &policy.rule_options(), !options.diff);
    Ok(Loaded { checked, io_error, policy, baseline })
}

/// The project's policy for a text that does not say `inherit`: only `secrets-inherit` reads
/// the repository's reusable workflows, and only where the text says `inherit`.
fn without_workflows<'p>(project: &'p Policy, text: &str) -> Option<&'p Policy> {
    (!text.contains("inherit")).then_some(project)
}

/// The policy each file that says `inherit` is checked under: the project's with the
/// reusable workflows of its repository, read the first time one of its files needs them.
struct RepositoryPolicies<'p> {
    project: &'p Policy,
    repositories: Vec<(Option<Root>, OnceLock<Policy>)>,
    /// For each file, its repository's index.
    of_file: Vec<usize>,
}

impl<'p> RepositoryPolicies<'p> {
    fn new<'f>(files: impl Iterator<Item = &'f Path>, project: &'p Policy) -> Self {
        let mut repositories: Vec<(Option<Root>, OnceLock<Policy>)> = Vec::new();
        let mut of_file = Vec::new();
        let mut roots = Roots::default();
        for path in files {
            let root = roots.around(path);
            let index = repositories.iter().position(|(known, _)| *known == root).unwrap_or_else(|| {
                repositories.push((root, OnceLock::new()));
                repositories.len() - 1
            });
            of_file.push(index);
        }
        Self { project, repositories, of_file }
    }

    /// The policy for file `file` (by its place among those given), whose text is `text`,
    /// with `known` saying what the reusable workflows already checked take.
    fn of(&self, file: usize, text: &str, known: &KnownSecrets<'_>) -> &Policy {
        if let Some(project) = without_workflows(self.project, text) {
            return project;
        }
        let (root, policy) = &self.repositories[self.of_file[file]];
        policy.get_or_init(|| {
            let workflows = root.as_ref().map(|root| local_workflows_with(root, known)).unwrap_or_default();
            self.project.with_local_workflows(Arc::new(workflows))
        })
    }
}

/// The reusable workflows checked, by canonical path: their texts and the secrets they take.
#[derive(Default)]
struct KnownWorkflows<'c> {
    by_path: HashMap<PathBuf, (&'c Rope, WorkflowSecrets)>,
}

impl<'c> KnownWorkflows<'c> {
    fn of(results: &'c [Option<std::io::Result<Checking>>]) -> Self {
        let checked = results.iter().filter_map(|result| match result {
            Some(Ok(Checking::Done(file, _))) => Some(file),
            _ => None,
        });
        let by_path = checked
            .filter_map(|file| {
                let secrets = file.model.as_ref()?.secrets()?;
                Some((file.canonical.clone()?, (&file.rope, secrets)))
            })
            .collect();
        Self { by_path }
    }

    /// What the workflow at `path` takes, if it was checked with the text `text`.
    fn secrets(&self, path: &Path, text: &str) -> Option<WorkflowSecrets> {
        let (rope, secrets) = self.by_path.get(path)?;
        (**rope == text).then(|| secrets.clone())
    }
}

/// What checking one found file gave.
enum Checking {
    /// Its analysis, with the diff to print when `--diff` asked for one.
    Done(Box<Checked>, Vec<u8>),
    /// It is not a pipeline file.
    NotPipeline,
    /// Its policy reads its repository's reusable workflows, which are checked first. With
    /// the length of its text, for the order in which the files that wait are checked.
    Waits(usize),
}

/// Drops the findings the configuration ignores for their path, and applies its severity
/// overrides.
fn apply_policy(checked: &mut [Checked], policy: &Policy) {
    for file in checked {
        // Only path globs read it, and it asks the system for the current folder.
        let absolute =
            policy.ignores_paths().then(|| std::path::absolute(&file.path).unwrap_or_else(|_| file.path.clone()));
        file.report.retain_findings(|finding| {
            if absolute.as_deref().is_some_and(|absolute| policy.ignores_path(absolute, finding.rule.id)) {
                return false;
            }
            policy.apply(finding.rule.id, finding.severity).map(|severity| finding.severity = severity).is_some()
        });
    }
}

fn hide_accepted(checked: &mut [Checked], baseline: &Baseline) {
    let hidden: usize = checked.iter_mut().map(|file| baseline.filter(&file.path, &file.rope, &mut file.report)).sum();
    if hidden > 0 {
        eprintln!("pipewarden: {hidden} findings accepted by the baseline are not shown");
    }
}

/// The settings of the project's configuration file: the one given with `--config`, or the
/// first found above the first path. An invalid file is reported and the defaults are used.
pub(super) fn project_settings(options: &Options) -> Settings {
    let found = options.config.clone().or_else(|| options.paths.first().and_then(|path| find_config(path, None)));
    let Some(path) = found else {
        return Settings::default();
    };
    match load_config(&path) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("pipewarden: {}:{}: {}; the defaults are used", path.display(), error.line, error.message);
            Settings::default()
        }
    }
}

/// The repository's lock file, found above the first path like the configuration. An
/// invalid one is reported and nothing is pinned from it.
fn project_lock(options: &Options) -> Arc<Pins> {
    let Some(path) = options.paths.first().and_then(|path| find_lock(path, None)) else {
        return Arc::default();
    };
    match load_lock(&path) {
        Ok(pins) => Arc::new(pins),
        Err(error) => {
            eprintln!("pipewarden: {}:{}: {}; no pin is offered from it", path.display(), error.line, error.message);
            Arc::default()
        }
    }
}

/// Analyses one file if it is a pipeline file, fixing it first when asked, with the diff to
/// print when `--diff` asked for one; unless `policy_for` has no policy for it yet. Invalid
/// UTF-8 is an `InvalidData` error.
fn check_file<'p>(
    path: &Path,
    options: &Options,
    canonical_paths: &CanonicalPaths,
    policy_for: &dyn Fn(&str) -> Option<&'p Policy>,
) -> std::io::Result<Checking> {
    let bytes = std::fs::read(path)?;
    let original = String::from_utf8(bytes).map_err(|error| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not valid UTF-8 ({error}); skipped"))
    })?;
    let Some(kind) = kind::detect(&path.to_string_lossy(), &original) else {
        return Ok(Checking::NotPipeline);
    };
    let Some(policy) = policy_for(&original) else {
        return Ok(Checking::Waits(original.len()));
    };
    // Rules' panics are contained by the analysis; anything else is a bug to report, and
    // must not stop the other files from being checked.
    let contained = |payload: Box<dyn std::any::Any + Send>| {
        std::io::Error::other(format!("internal error, please report it: {}", panic_message(payload.as_ref())))
    };
    // Without fixes, the text read is the text checked: not copied, one large file's peak.
    let (text, fixed, diff) = match options.fix {
        None => (original, false, Vec::new()),
        Some(mode) => {
            let (text, applied) = catch_unwind(|| fix::fix_text(kind, &original, policy, mode)).map_err(contained)?;
            let fixed = text != original;
            let mut diff = Vec::new();
            if fixed {
                let shown = path.display().to_string();
                if options.diff {
                    diff = fix::unified_diff(&shown, &original, &text).into_bytes();
                } else {
                    std::fs::write(path, &text)?;
                    for fix in &applied {
                        eprintln!("pipewarden: {shown}:{}: fixed [{}] {}", fix.line, fix.rule, fix.title);
                    }
                }
            }
            (text, fixed, diff)
        }
    };
    let options = policy.rule_options();
    let WorkspaceAnalysis { report, model, parsed, rope } =
        catch_unwind(|| analyze_text_for_workspace(kind, text, Arc::clone(&options))).map_err(contained)?;
    let canonical = canonical_paths.of(path);
    let checked = Checked { path: path.to_path_buf(), canonical, kind, rope, report, fixed, options, model, parsed };
    Ok(Checking::Done(Box::new(checked), diff))
}
