//! Attack paths: chains of findings an attacker can actually walk, not a list of tactics.
//!
//! A path starts where someone can set a job off (a trigger an outsider causes, a merge
//! request, a branch push), reaches execution in that job (an injection, a pull request's
//! code run), then what that job holds (secrets, a token that writes, OIDC, caches, a
//! self-hosted runner) and the damage those allow (publishing a release, pushing to the
//! default branch) in the job or in the jobs that need it. Findings of different jobs chain
//! only through `needs`. Paths are ranked by who can start them and how far they reach; a
//! finding on a complete path an outsider can start is raised one level, and says why.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use crate::matrix::{Tactic, Technique};
use crate::rules::{RuleMeta, Severity};

use super::Reported;

/// Who can set a path off, from the most to the fewest people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Starter {
    /// Anyone with an account: a fork's pull request, an issue, a comment, a merge request.
    Outsider,
    /// Anyone who can push a branch to the repository or project.
    Developer,
    /// Only maintainers: pushes to protected branches, releases, dispatches.
    Maintainer,
}

impl Starter {
    pub const fn name(self) -> &'static str {
        match self {
            Starter::Outsider => "outsider",
            Starter::Developer => "developer",
            Starter::Maintainer => "maintainer",
        }
    }
}

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub starter: Starter,
    /// How, in words: "anyone with a GitHub account, through `pull_request_target`".
    pub how: String,
    /// The trigger or job that starts it.
    pub range: Range<usize>,
}

/// What paths need to know of a job: its name, where it starts (when it differs from the
/// file's triggers, as GitLab jobs' rules do), the jobs it needs, and what it holds.
#[derive(Debug, Clone)]
pub struct JobLinks {
    pub name: Arc<str>,
    pub entry: Option<Entry>,
    pub needs: Arc<[String]>,
    pub assets: Vec<Asset>,
}

/// Something a job holds or does that whoever runs code in it gains, found in the model
/// rather than reported by a rule: a secret, a token that writes, a release it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub technique: Technique,
    /// In words: "the secret `secrets.NPM_TOKEN`".
    pub what: Arc<str>,
    pub range: Range<usize>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A finding, by its index in the report's findings.
    Finding(usize),
    /// What the job holds, by its index in the path's assets.
    Asset(usize),
}

/// A chain of findings from an entry to what the attacker gains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttackPath {
    /// Shared by the paths that start the same way: a workflow's thousand jobs have one.
    pub entry: Arc<Entry>,
    /// The job where the attacker's code runs.
    pub job: Arc<str>,
    /// In the order the attack takes them: the matrix's order of tactics.
    pub steps: Vec<Step>,
    /// What the job holds that no finding already names.
    pub assets: Vec<Asset>,
    /// What the last step achieves, in words.
    pub outcome: Arc<str>,
    /// Whether it goes from the entry through execution to something the job holds or
    /// damages.
    pub complete: bool,
}

impl AttackPath {
    /// The findings on the path, in its order.
    pub fn findings(&self) -> impl Iterator<Item = usize> + '_ {
        self.steps.iter().filter_map(|step| match step {
            Step::Finding(index) => Some(*index),
            Step::Asset(_) => None,
        })
    }

    /// The technique and the range of a step.
    pub fn locate(&self, step: &Step, findings: &[Reported]) -> (Technique, Range<usize>) {
        match *step {
            Step::Finding(index) => (findings[index].rule.technique, findings[index].range.clone()),
            Step::Asset(index) => (self.assets[index].technique, self.assets[index].range.clone()),
        }
    }

    /// The step in words: a finding's message, or what the job holds.
    pub fn describe<'a>(&'a self, step: &Step, findings: &'a [Reported]) -> &'a str {
        match *step {
            Step::Finding(index) => &findings[index].message,
            Step::Asset(index) => &self.assets[index].what,
        }
    }

    /// A step in a line: "Credential Access (CA02): the secret `secrets.NPM_TOKEN`", a
    /// finding by its rule's summary.
    pub fn headline(&self, step: &Step, findings: &[Reported]) -> String {
        let (technique, text) = self.headline_parts(step, findings);
        headline(technique, text)
    }

    /// What a step's headline is made of: its technique and its text.
    pub fn headline_parts<'a>(&'a self, step: &Step, findings: &'a [Reported]) -> (Technique, &'a str) {
        let (technique, _) = self.locate(step, findings);
        let text = match *step {
            Step::Finding(index) => findings[index].rule.docs.summary,
            Step::Asset(index) => &self.assets[index].what,
        };
        (technique, text)
    }

    /// The tactics the path goes through, in order.
    pub fn tactics(&self, findings: &[Reported]) -> Vec<Tactic> {
        let mut tactics: Vec<Tactic> = self.tactics_in_order(findings).collect();
        tactics.dedup();
        tactics
    }

    /// How many tactics the path goes through, without listing them.
    fn tactic_count(&self, findings: &[Reported]) -> usize {
        let mut last = None;
        self.tactics_in_order(findings).filter(|&tactic| last.replace(tactic) != Some(tactic)).count()
    }

    /// The tactic of each step, in order (a tactic of several steps comes several times).
    fn tactics_in_order<'a>(&'a self, findings: &'a [Reported]) -> impl Iterator<Item = Tactic> + 'a {
        self.steps.iter().map(|step| self.locate(step, findings).0.tactic())
    }

    /// The path on one line: "Initial Access (IA01) → Execution (EX05) → Credential
    /// Access (CA02)".
    pub fn summary(&self, findings: &[Reported]) -> String {
        let mut parts: Vec<(Tactic, Vec<&str>)> = Vec::new();
        for step in &self.steps {
            let technique = self.locate(step, findings).0;
            match parts.last_mut() {
                Some((tactic, ids)) if *tactic == technique.tactic() => {
                    if !ids.contains(&technique.id()) {
                        ids.push(technique.id());
                    }
                }
                _ => parts.push((technique.tactic(), vec![technique.id()])),
            }
        }
        parts
            .iter()
            .map(|(tactic, ids)| format!("{} ({})", tactic.name(), ids.join(", ")))
            .collect::<Vec<_>>()
            .join(" → ")
    }

    /// Keeps the path's findings through a change of the report's findings: `new_index`
    /// maps each old index to its new one, `None` for those removed. Returns whether a
    /// finding is left on the path.
    pub(super) fn renumber(&mut self, new_index: &[Option<usize>]) -> bool {
        self.steps.retain_mut(|step| match step {
            Step::Finding(index) => new_index[*index].map(|new| *index = new).is_some(),
            Step::Asset(_) => true,
        });
        self.findings().next().is_some()
    }
}

/// The paths through a file's findings, best first. `file_entry` is what starts the file's
/// jobs (a workflow's triggers); a job's own entry wins over it.
pub fn build(findings: &[Reported], jobs: &[JobLinks], file_entry: Option<&Entry>) -> Vec<AttackPath> {
    // A keystroke builds the paths of every job: one sorted index and scratch lists reused
    // from job to job keep that to a short walk per job, without a map or lists of its own.
    let by_job = ByJob::new(findings);
    let serious = |i: usize| findings[i].severity >= Severity::Medium;
    let whole_file = by_job.whole_file();
    let file_entries: Vec<usize> = whole_file.iter().copied().filter(|&i| opens_to_outsiders(&findings[i])).collect();
    let file_holds: Vec<usize> = whole_file
        .iter()
        .copied()
        .filter(|&i| serious(i) && tactic(&findings[i]) == Tactic::PrivilegeEscalation)
        .collect();
    let dependents = Dependents::new(jobs);
    let file_entry = file_entry.cloned().map(Arc::new);
    let mut paths: Vec<AttackPath> = Vec::new();
    // Which job names have paths already, by group.
    let mut named = vec![false; by_job.slices.len()];
    let mut found = Vec::new();
    let mut summaries = Summaries::default();
    for job in jobs {
        let Some(group) = by_job.group(&job.name) else { continue };
        let own = by_job.of_group(group);
        let own_of =
            |keep: fn(Tactic) -> bool| own.iter().copied().filter(move |&i| serious(i) && keep(tactic(&findings[i])));
        if own_of(|t| t == Tactic::Execution).next().is_none() {
            continue;
        }
        let entry = match (&job.entry, &file_entry) {
            (Some(own), _) => Arc::new(own.clone()),
            (None, Some(file)) => Arc::clone(file),
            (None, None) => continue,
        };
        found.clear();
        found.extend(&file_entries);
        found.extend(own.iter().copied().filter(|&i| opens_to_outsiders(&findings[i])));
        found.extend(own_of(|t| t == Tactic::Execution));
        // Past the way in and the execution, what the job holds and what the attack damages.
        let gains = found.len();
        found.extend(own_of(is_holding));
        found.extend(&file_holds);
        found.extend(own_of(is_impact));
        for downstream in dependents.downstream_of(&job.name) {
            let theirs = by_job.of(downstream);
            found.extend(theirs.iter().copied().filter(|&i| serious(i) && is_impact(tactic(&findings[i]))));
        }
        let gains_something = found.len() > gains;
        found.sort_unstable();
        found.dedup();
        // What the job holds that no finding on the path already names, in the same tactic
        // at the same place.
        let assets: Vec<Asset> = job
            .assets
            .iter()
            .filter(|asset| !found.iter().any(|&i| names_the_same(&findings[i], asset)))
            .cloned()
            .collect();
        let mut steps: Vec<Step> = found.iter().map(|&i| Step::Finding(i)).collect();
        steps.extend((0..assets.len()).map(Step::Asset));
        let mut path = AttackPath {
            entry,
            job: Arc::clone(&job.name),
            steps: Vec::new(),
            complete: gains_something || !assets.is_empty(),
            assets,
            outcome: Arc::from(""),
        };
        steps.sort_by_key(|step| {
            let (technique, range) = path.locate(step, findings);
            (technique.tactic(), range.start)
        });
        path.steps = steps;
        // Every path holds a finding of its job's own, so only jobs of one name (GitLab keys
        // written twice) can give the same steps twice.
        let repeated = std::mem::replace(&mut named[group], true)
            && paths.iter().any(|other| other.job == path.job && other.steps == path.steps);
        if repeated {
            continue;
        }
        path.outcome = outcome(&path, job, findings, &mut summaries);
        paths.push(path);
    }
    // The key counts tactics, so it is worked out once per path, not at every comparison.
    paths.sort_by_cached_key(|path| {
        let tactics = path.tactic_count(findings);
        let worst = path.findings().map(|i| findings[i].severity).max();
        (path.entry.starter, !path.complete, std::cmp::Reverse(tactics), std::cmp::Reverse(worst))
    });
    paths
}

/// What the path's last step achieves, in words. The steps are in the matrix's order, so the
/// last is the furthest the attack gets. A finding that overlaps something the job does says
/// it best in the job's own words ("publishes to npm"); otherwise its rule's summary does.
fn outcome(path: &AttackPath, job: &JobLinks, findings: &[Reported], summaries: &mut Summaries) -> Arc<str> {
    match path.steps.last() {
        Some(Step::Finding(index)) => {
            let finding = &findings[*index];
            match job.assets.iter().find(|asset| names_the_same(finding, asset)) {
                Some(asset) => Arc::clone(&asset.what),
                None => summaries.of(finding.rule),
            }
        }
        Some(Step::Asset(index)) => Arc::clone(&path.assets[*index].what),
        None => Arc::from(""),
    }
}

/// Rules' summaries as outcomes, made once per rule rather than once per path.
#[derive(Default)]
struct Summaries(Vec<(&'static str, Arc<str>)>);

impl Summaries {
    fn of(&mut self, rule: &'static RuleMeta) -> Arc<str> {
        if let Some((_, summary)) = self.0.iter().find(|(id, _)| *id == rule.id) {
            return Arc::clone(summary);
        }
        let summary: Arc<str> = lowercase_first(rule.docs.summary).into();
        self.0.push((rule.id, Arc::clone(&summary)));
        summary
    }
}

/// The findings of each job, grouped by the job's name: the indices of a job's findings, in
/// text order, are a slice of one list.
struct ByJob<'a> {
    /// Each job name's group.
    groups: HashMap<&'a str, usize, foldhash::fast::RandomState>,
    /// Where each group's findings are in `indices`.
    slices: Vec<Range<usize>>,
    indices: Vec<usize>,
    /// Findings about the whole file.
    whole_file: Vec<usize>,
}

impl<'a> ByJob<'a> {
    /// A counting sort of the findings by group: a keystroke groups every finding of the
    /// file, which sorting by name made a string comparison at every step.
    fn new(findings: &'a [Reported]) -> Self {
        let mut groups = HashMap::with_hasher(foldhash::fast::RandomState::default());
        let mut group_of = Vec::with_capacity(findings.len());
        let mut counts: Vec<usize> = Vec::new();
        let mut whole_file = Vec::new();
        let mut last: Option<(&str, usize)> = None;
        for (index, finding) in findings.iter().enumerate() {
            let Some(job) = finding.job.as_deref() else {
                whole_file.push(index);
                continue;
            };
            // A job's findings mostly follow each other: the name is hashed once per run.
            let group = match last {
                Some((name, group)) if std::ptr::eq(name, job) || name == job => group,
                _ => *groups.entry(job).or_insert_with(|| {
                    counts.push(0);
                    counts.len() - 1
                }),
            };
            last = Some((job, group));
            counts[group] += 1;
            group_of.push((index, group));
        }
        let mut slices = Vec::with_capacity(counts.len());
        let mut start = 0;
        for count in counts {
            slices.push(start..start);
            start += count;
        }
        let mut indices = vec![0; start];
        for (index, group) in group_of {
            let slice = &mut slices[group];
            indices[slice.end] = index;
            slice.end += 1;
        }
        Self { groups, slices, indices, whole_file }
    }

    /// The group of `job`'s findings, if it has any.
    fn group(&self, job: &str) -> Option<usize> {
        self.groups.get(job).copied()
    }

    fn of(&self, job: &str) -> &[usize] {
        self.group(job).map_or(&[], |group| self.of_group(group))
    }

    fn of_group(&self, group: usize) -> &[usize] {
        &self.indices[self.slices[group].clone()]
    }

    fn whole_file(&self) -> &[usize] {
        &self.whole_file
    }
}

/// The jobs that need each job, for the jobs that are needed at all.
struct Dependents<'a> {
    of: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Dependents<'a> {
    fn new(jobs: &'a [JobLinks]) -> Self {
        let mut of: HashMap<&str, Vec<&str>> = HashMap::new();
        for job in jobs {
            for need in job.needs.iter() {
                of.entry(need.as_str()).or_default().push(&job.name);
            }
        }
        Self { of }
    }

    /// The jobs that need `job`, directly or not: its outputs and artifacts reach them.
    fn downstream_of(&self, job: &'a str) -> Vec<&'a str> {
        let mut reached: Vec<&str> = Vec::new();
        if self.of.is_empty() {
            return reached;
        }
        let mut frontier = vec![job];
        while let Some(current) = frontier.pop() {
            for &other in self.of.get(current).map_or(&[][..], Vec::as_slice) {
                if !reached.contains(&other) && other != job {
                    reached.push(other);
                    frontier.push(other);
                }
            }
        }
        reached
    }
}

/// Raises the findings of complete paths an outsider can start by one level (hygiene
/// findings and entry notes stay as they are), saying why.
pub fn raise(findings: &mut [Reported], paths: &[AttackPath]) {
    let mut raised = HashSet::new();
    for path in paths.iter().filter(|path| path.complete && path.entry.starter == Starter::Outsider) {
        let summary = path.summary(findings);
        for index in path.findings() {
            let finding = &mut findings[index];
            if finding.severity < Severity::Medium || finding.severity == Severity::Critical || !raised.insert(index) {
                continue;
            }
            finding.severity = finding.severity.raised();
            finding.message =
                format!("{} (raised: on an attack path an outsider can walk: {summary})", finding.message).into();
        }
    }
}

/// Who can start a file's jobs: the file's entry and each job's own, each way once, from the
/// most to the fewest people.
pub fn starts(file_entry: Option<Entry>, jobs: &[JobLinks]) -> Vec<Entry> {
    let mut starts: Vec<Entry> = file_entry.into_iter().collect();
    for entry in jobs.iter().filter_map(|job| job.entry.as_ref()) {
        if !starts.iter().any(|start| start.starter == entry.starter && start.how == entry.how) {
            starts.push(entry.clone());
        }
    }
    starts.sort_by_key(|start| start.starter);
    starts
}

/// A step in a line, from its technique and its text.
pub fn headline(technique: Technique, text: &str) -> String {
    format!("{} ({}): {text}", technique.tactic().name(), technique.id())
}

fn tactic(finding: &Reported) -> Tactic {
    finding.rule.technique.tactic()
}

/// Whether a finding is about how the job lets people in. A compromised dependency
/// (`IA03`) is a way in too, but for its publisher, not for whoever starts the job.
fn opens_to_outsiders(finding: &Reported) -> bool {
    tactic(finding) == Tactic::InitialAccess && finding.rule.technique != Technique::IA03
}

/// What code running in a job can take: credentials, privileges, a foothold, blind spots.
fn is_holding(tactic: Tactic) -> bool {
    matches!(
        tactic,
        Tactic::CredentialAccess | Tactic::PrivilegeEscalation | Tactic::Persistence | Tactic::DefenseEvasion
    )
}

/// What the attacker does with it: move on, take data out, damage.
fn is_impact(tactic: Tactic) -> bool {
    matches!(tactic, Tactic::LateralMovement | Tactic::Exfiltration | Tactic::Impact)
}

/// Whether a finding is about what an asset is: the same tactic, at the same place.
fn names_the_same(finding: &Reported, asset: &Asset) -> bool {
    tactic(finding) == asset.technique.tactic() && overlaps(&finding.range, &asset.range)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_lowercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Confidence, RuleMeta, find};

    fn meta(id: &str) -> &'static RuleMeta {
        find(id).expect("a rule of the pack").meta()
    }

    fn finding(rule: &str, at: usize, job: Option<&str>) -> Reported {
        let rule = meta(rule);
        Reported {
            rule,
            range: at..at + 1,
            severity: Severity::High,
            confidence: Confidence::High,
            message: Arc::from("a finding"),
            job: job.map(Arc::from),
            fixes: Default::default(),
            related: Vec::new(),
        }
    }

    fn job(name: &str) -> JobLinks {
        JobLinks { name: Arc::from(name), entry: None, needs: Arc::from([]), assets: Vec::new() }
    }

    #[test]
    fn a_job_s_findings_are_grouped_wherever_they_are() {
        let findings = [
            finding("expression-injection", 1, Some("a")),
            finding("expression-injection", 2, Some("b")),
            finding("expression-injection", 3, None),
            finding("expression-injection", 4, Some("a")),
            finding("expression-injection", 5, Some("a")),
        ];
        let by_job = ByJob::new(&findings);
        assert_eq!(by_job.of("a"), [0, 3, 4]);
        assert_eq!(by_job.of("b"), [1]);
        assert!(by_job.of("c").is_empty());
        assert_eq!(by_job.whole_file(), [2]);
    }

    #[test]
    fn jobs_of_one_name_give_their_path_once() {
        // GitLab keys written twice: two jobs of one name share their findings.
        let findings = [finding("expression-injection", 1, Some("a")), finding("expression-injection", 9, Some("b"))];
        let entry = Entry { starter: Starter::Outsider, how: "anyone".to_owned(), range: 0..1 };
        let paths = build(&findings, &[job("a"), job("b"), job("a")], Some(&entry));
        let jobs: Vec<&str> = paths.iter().map(|path| &*path.job).collect();
        assert_eq!(jobs, ["a", "b"]);
    }
}
