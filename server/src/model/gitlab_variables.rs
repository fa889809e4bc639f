//! The GitLab taint model: which CI/CD variables someone other than the maintainers chooses,
//! who, and in which pipelines; the GitLab counterpart of [`super::contexts`].
//!
//! It knows the predefined variables (the bundled `data/gitlab-variables.toml`) and follows a
//! value through the file: into a job's or the pipeline's `variables:` (GitLab expands `$NAME`
//! in those values before the job starts, unless `expand: false`) and into shell assignments
//! of earlier script lines (`before_script` and `script` run in one shell, `after_script` in
//! another). Rules ask a [`Scope`] and get a [`Taint`], never a list of variables of their own.
//!
//! Unlike GitHub's `${{ }}`, GitLab never pastes a variable into a script: the shell expands
//! it when the line runs, so `echo "$CI_MERGE_REQUEST_TITLE"` prints the title whatever it
//! holds. A value becomes code only where something parses it again (`eval`, `sh -c`, a
//! generated script: see [`super::reparse`]).

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;
use std::rc::Rc;
use std::sync::LazyLock;

use serde::Deserialize;

use super::credentials;
use super::gitlab::{GitlabJob, Globals, Variable};
use super::reach::{Reach, Runs};
use super::reparse;
use super::shell::{Command, PartKind, Script, Word, is_assignment};
use crate::{bundled, data};

/// How many indirections (a variable holding a variable...) are followed: enough for real
/// files, and a bound for cyclic ones.
const MAX_HOPS: usize = 8;

/// Who chooses a value, from the least exposed to the most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Controller {
    /// The author of commits that reached a protected branch, possibly through a reviewed
    /// merge request from a fork.
    #[serde(rename = "commit-author")]
    CommitAuthor,
    /// Anyone who can push a branch or a tag, or start a pipeline (the Developer role).
    #[serde(rename = "developer")]
    Developer,
    /// A project member with the Planner or Reporter role or more (labels, milestones).
    #[serde(rename = "member")]
    Member,
    /// A merge request's author: anyone with an account, when the project accepts merge
    /// requests from forks.
    #[serde(rename = "mr-author")]
    MergeRequestAuthor,
}

impl Controller {
    /// Who that is, for messages.
    pub const fn who(self) -> &'static str {
        match self {
            Controller::CommitAuthor => "the author of a merged commit (possibly an outsider)",
            Controller::Developer => "anyone who can push a branch or a tag to this project",
            Controller::Member => "any project member who can label merge requests",
            Controller::MergeRequestAuthor => {
                "the merge request's author (anyone with an account, when the project accepts merge requests from forks)"
            }
        }
    }

    const fn label(self) -> &'static str {
        match self {
            Controller::CommitAuthor => "commit author",
            Controller::Developer => "developer",
            Controller::Member => "member",
            Controller::MergeRequestAuthor => "**merge request author**",
        }
    }
}

/// The kinds of pipeline a variable's value is decided in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PipelineKind {
    MergeRequest,
    Branch,
    DefaultBranch,
    Tag,
}

impl PipelineKind {
    pub const ALL: [PipelineKind; 4] =
        [PipelineKind::MergeRequest, PipelineKind::Branch, PipelineKind::DefaultBranch, PipelineKind::Tag];

    /// Whether a job of `reach` runs in this kind of pipeline.
    pub fn runs(self, reach: &Reach) -> Runs {
        match self {
            PipelineKind::MergeRequest => reach.merge_requests,
            PipelineKind::Branch => reach.other_branches,
            PipelineKind::DefaultBranch => reach.default_branch,
            PipelineKind::Tag => reach.tags,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            PipelineKind::MergeRequest => "merge request pipelines",
            PipelineKind::Branch => "branch pipelines",
            PipelineKind::DefaultBranch => "default branch pipelines",
            PipelineKind::Tag => "tag pipelines",
        }
    }
}

/// A predefined variable someone other than the maintainers chooses.
#[derive(Debug, Deserialize)]
pub struct VariableFact {
    pub name: String,
    pub what: String,
    merge_request: Option<Controller>,
    branch: Option<Controller>,
    default_branch: Option<Controller>,
    tag: Option<Controller>,
    /// Why the value cannot carry shell syntax, if it cannot.
    pub safe: Option<String>,
}

impl VariableFact {
    /// Who chooses the value in a kind of pipeline; `None` where it is unset or the
    /// maintainers' (the default branch's name).
    pub fn controller(&self, kind: PipelineKind) -> Option<Controller> {
        match kind {
            PipelineKind::MergeRequest => self.merge_request,
            PipelineKind::Branch => self.branch,
            PipelineKind::DefaultBranch => self.default_branch,
            PipelineKind::Tag => self.tag,
        }
    }
}

#[derive(Deserialize)]
struct Facts {
    variable: Vec<VariableFact>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("gitlab-variables.toml")));

/// Every predefined variable the model knows, for documentation and hovers.
pub fn facts() -> &'static [VariableFact] {
    &FACTS.variable
}

/// The fact about a predefined variable.
pub fn fact(name: &str) -> Option<&'static VariableFact> {
    facts().iter().find(|fact| fact.name == name)
}

/// A value someone other than the maintainers chooses, and how it reaches where it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    pub controller: Controller,
    /// The predefined variable it comes from, e.g. `CI_MERGE_REQUEST_TITLE`.
    pub origin: String,
    /// What the value is, for messages.
    pub what: String,
    /// The variables it passed through, from the origin to the one read, e.g. `["TITLE"]`.
    pub via: Vec<String>,
    /// The kind of pipeline where `controller` chooses it and the job runs.
    pub pipeline: PipelineKind,
    /// Whether the job surely runs in that kind of pipeline.
    pub runs: Runs,
    /// Why the value cannot carry shell syntax, if it cannot.
    pub safe: Option<String>,
}

impl Taint {
    /// Whether the value is read where GitLab sets it, without indirection.
    pub fn is_direct(&self) -> bool {
        self.via.is_empty()
    }

    /// Whether the value can carry shell syntax.
    pub fn injectable(&self) -> bool {
        self.safe.is_none()
    }

    /// The subject of a sentence for messages: "`$CI_MERGE_REQUEST_TITLE` (the merge
    /// request's title), through `$TITLE`,".
    pub fn describe(&self) -> String {
        let mut text = format!("`${}` ({})", self.origin, self.what);
        if !self.via.is_empty() {
            let hops: Vec<String> = self.via.iter().map(|hop| format!("`${hop}`")).collect();
            let _ = write!(text, ", through {},", hops.join(" and "));
        }
        text
    }

    /// Orders taints by how bad they are.
    fn rank(&self) -> (bool, Controller, Runs, bool) {
        (self.injectable(), self.controller, self.runs, self.is_direct())
    }

    fn through(mut self, hop: &str) -> Self {
        self.via.push(hop.to_owned());
        self
    }
}

/// The worse of two taints.
fn worst(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.rank() > a.rank() { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The `$NAME` and `${NAME}` references in a value GitLab expands (a `variables:` value, a
/// cache key), with their byte ranges; `$$` is a literal `$`.
pub fn references(text: &str) -> Vec<(&str, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] != b'$' {
            at += 1;
            continue;
        }
        if bytes.get(at + 1) == Some(&b'$') {
            at += 2;
            continue;
        }
        let braced = bytes.get(at + 1) == Some(&b'{');
        let start = at + 1 + usize::from(braced);
        let len =
            bytes[start.min(bytes.len())..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
        let closed = !braced || bytes.get(start + len) == Some(&b'}');
        if len > 0 && closed && !bytes[start].is_ascii_digit() {
            let end = start + len + usize::from(braced);
            found.push((&text[start..start + len], at..end));
            at = end;
        } else {
            at += 1;
        }
    }
    found
}

/// Where a value is read: a job, and optionally a place in one of its script lines.
#[derive(Clone)]
pub struct Scope<'a> {
    job: &'a GitlabJob,
    index: Rc<Index<'a>>,
    /// The index of a line in [`GitlabJob::scripts`] and an offset in it.
    position: Option<(usize, usize)>,
}

/// What a job defines, by name, read once per scope so that each lookup costs the same
/// whatever the size of the job.
struct Index<'a> {
    /// The job's variables, then the pipeline's.
    variables: HashMap<&'a str, &'a Variable>,
    /// Shell assignments, in the order they run.
    assignments: HashMap<&'a str, Vec<Assignment<'a>>>,
    /// How many lines (`before_script` and `script`) run in the first shell; `after_script`
    /// runs in another.
    shared_lines: usize,
}

struct Assignment<'a> {
    line: usize,
    /// Where the assigning command ends.
    end: usize,
    script: &'a Script,
    word: &'a Word,
}

impl<'a> Index<'a> {
    fn of(globals: &'a Globals, job: &'a GitlabJob) -> Self {
        let mut variables = HashMap::new();
        for variable in job.variables.iter().chain(&globals.variables) {
            variables.entry(variable.name.value.as_str()).or_insert(variable);
        }
        let mut assignments: HashMap<&'a str, Vec<Assignment<'a>>> = HashMap::new();
        for (line, script) in job.scripts().enumerate() {
            for command in script.commands.iter().filter(|command| command.depth == 0) {
                for word in assigned_words(command) {
                    let Some((name, _)) = word.text.split_once('=') else { continue };
                    let end = command.range.end;
                    assignments.entry(name).or_default().push(Assignment { line, end, script, word });
                }
            }
        }
        Self { variables, assignments, shared_lines: job.before_script.len() + job.script.len() }
    }
}

impl<'a> Scope<'a> {
    /// Values read in the job's configuration (its `variables:`, cache key, trigger...).
    pub fn new(globals: &'a Globals, job: &'a GitlabJob) -> Self {
        Self { job, index: Rc::new(Index::of(globals, job)), position: None }
    }

    /// Values read at `offset` of script line `line` (an index in [`GitlabJob::scripts`]),
    /// where earlier lines' shell assignments are seen.
    pub fn in_script(&self, line: usize, offset: usize) -> Self {
        Self { position: Some((line, offset)), ..self.clone() }
    }

    fn variable(&self, name: &str) -> Option<&'a Variable> {
        self.index.variables.get(name).copied()
    }

    /// The taint of the variable `$name` read here.
    pub fn taint_of_variable(&self, name: &str) -> Option<Taint> {
        self.variable_taint(name, 0)
    }

    /// The worst taint of the variables a GitLab-expanded value references.
    pub fn taint_of_text(&self, text: &str) -> Option<Taint> {
        self.text_taint(text, 0)
    }

    /// The value the file gives `$name` here: the text of a shell assignment in an earlier
    /// line, or of a `variables:` entry; `None` for a variable the file does not set.
    pub fn value_of(&self, name: &str) -> Option<String> {
        if let Some((_, _, word)) = self.assignment(name) {
            return Some(word.text.split_once('=').map_or(String::new(), |(_, value)| value.to_owned()));
        }
        self.variable(name).map(|variable| variable.value.as_ref().map_or(String::new(), |v| v.value.clone()))
    }

    /// The project or group CI/CD variable holding a credential that `$name` reads here: the
    /// variable itself when the file does not set it and its name says it is one
    /// (`DEPLOY_TOKEN`), or one its `variables:` value references (`TOKEN: $DEPLOY_TOKEN`).
    /// Predefined variables, and the job-scoped credentials GitLab issues, are not counted.
    pub fn secret_behind(&self, name: &str) -> Option<String> {
        self.secret(name, 0)
    }

    fn secret(&self, name: &str, hops: usize) -> Option<String> {
        if hops > MAX_HOPS || name.starts_with("CI_") || name.starts_with("GITLAB_") {
            return None;
        }
        match self.variable(name) {
            Some(variable) if variable.expand => {
                let value = variable.value.as_ref()?;
                references(&value.value).into_iter().find_map(|(referenced, _)| self.secret(referenced, hops + 1))
            }
            Some(_) => None,
            None => credentials::is_credential_name(name).then(|| name.to_owned()),
        }
    }

    fn text_taint(&self, text: &str, hops: usize) -> Option<Taint> {
        references(text).into_iter().map(|(name, _)| self.variable_taint(name, hops + 1)).fold(None, worst)
    }

    fn variable_taint(&self, name: &str, hops: usize) -> Option<Taint> {
        if hops > MAX_HOPS {
            return None;
        }
        // The nearest definition wins: a shell assignment in an earlier line, then the job's
        // `variables:`, the pipeline's, and last what GitLab predefines.
        if let Some((before, script, word)) = self.assignment(name) {
            return before.word_taint(script, word, hops).map(|taint| taint.through(name));
        }
        if let Some(variable) = self.variable(name) {
            if !variable.expand {
                return None;
            }
            let value = variable.value.as_ref()?;
            // Reading a variable while resolving itself (`PATH: "$PATH:/x"`) reads the outer one.
            let outer = Scope { position: None, ..self.clone() };
            return outer.text_taint(&value.value, hops).map(|taint| taint.through(name));
        }
        self.predefined_taint(name)
    }

    fn predefined_taint(&self, name: &str) -> Option<Taint> {
        let fact = fact(name)?;
        PipelineKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let runs = kind.runs(&self.job.reach);
                let controller = fact.controller(kind).filter(|_| runs.possible())?;
                Some(Taint {
                    controller,
                    origin: fact.name.clone(),
                    what: fact.what.clone(),
                    via: Vec::new(),
                    pipeline: kind,
                    runs,
                    safe: fact.safe.clone(),
                })
            })
            .fold(None, |found, taint| worst(found, Some(taint)))
    }

    /// The worst taint of what a word expands: its variables, and those of the commands
    /// inside its substitutions whose output carries them (`$(echo "$X" | tr ...)`).
    fn word_taint(&self, script: &Script, word: &Word, hops: usize) -> Option<Taint> {
        let variables = |word: &Word| -> Vec<String> { word.variables().map(|(name, _)| name.to_owned()).collect() };
        let substituted = word
            .parts
            .iter()
            .filter(|part| part.kind == PartKind::Substitution)
            .flat_map(|part| script.commands_within(part.range.clone()))
            .filter(|command| reparse::passes_input_through(command))
            .flat_map(|command| command.args().iter().flat_map(variables));
        variables(word)
            .into_iter()
            .chain(substituted)
            .map(|name| self.variable_taint(&name, hops + 1))
            .fold(None, worst)
    }

    /// Whether `$name` is, here, a variable the script assigned itself: a shell variable,
    /// which a new shell (`sh -c`) does not see unless it was exported, unlike GitLab's
    /// CI/CD variables.
    pub fn assigned_in_shell(&self, name: &str) -> bool {
        self.assignment(name).is_some()
    }

    /// The last shell assignment to `name` before the scope's position, in the same shell,
    /// with the scope where its value is read.
    fn assignment(&self, name: &str) -> Option<(Scope<'a>, &'a Script, &'a Word)> {
        let (line, offset) = self.position?;
        let assignments = self.index.assignments.get(name)?;
        let before = assignments.partition_point(|a| (a.line, a.end) <= (line, offset));
        let last = &assignments[before.checked_sub(1)?];
        let shared = self.index.shared_lines;
        let same_shell = (last.line < shared) == (line < shared);
        same_shell.then(|| (self.in_script(last.line, last.word.range.start), last.script, last.word))
    }
}

/// The words of `command` that assign shell variables: `NAME=value` alone, or the
/// assignments given to `export`, `declare`, `local`, `readonly` or `typeset`.
fn assigned_words(command: &Command) -> Vec<&Word> {
    let words = if command.words.is_empty() {
        &command.assignments[..]
    } else if matches!(command.name(), Some("export" | "declare" | "local" | "readonly" | "typeset")) {
        command.args()
    } else {
        &[]
    };
    words.iter().filter(|word| is_assignment(&word.text)).collect()
}

/// A one-line description of a predefined variable, for hovers.
pub fn describe(name: &str) -> Option<String> {
    let fact = fact(name)?;
    let who: Vec<String> = PipelineKind::ALL
        .into_iter()
        .filter_map(|kind| Some(format!("{} in {}", fact.controller(kind)?.who(), kind.name())))
        .collect();
    let text = match &fact.safe {
        Some(reason) => format!(
            "`${name}` is {}: chosen by {}. It cannot carry shell syntax ({reason}), but whoever chooses it still picks, for example, a cache key built from it.",
            fact.what,
            who.join("; "),
        ),
        None => format!(
            "`${name}` is **attacker-controlled**: {}, chosen by {}. The shell expands it when the line runs, so `\"${name}\"` is data; it becomes code only where it is parsed again (`eval`, `sh -c`, a generated script): Execution › Modify CI/CD configurations (EX06).",
            fact.what,
            who.join("; "),
        ),
    };
    Some(text)
}

/// The table of `docs/gitlab-variables.md`, generated from the bundled data.
pub fn markdown_table() -> String {
    let mut table = String::from(
        "| variable | what it holds | merge request | other branch | default branch | tag | shell syntax |\n|---|---|---|---|---|---|---|\n",
    );
    for fact in facts() {
        let cell = |kind: PipelineKind| fact.controller(kind).map_or("", Controller::label);
        let _ = writeln!(
            table,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            fact.name,
            fact.what.replace('|', "\\|"),
            cell(PipelineKind::MergeRequest),
            cell(PipelineKind::Branch),
            cell(PipelineKind::DefaultBranch),
            cell(PipelineKind::Tag),
            fact.safe.as_deref().map_or("can carry it".to_owned(), |reason| format!("cannot: {reason}")),
        );
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gitlab::parse_for_tests;

    fn job_taint(source: &str, job: &str, name: &str) -> Option<Taint> {
        let pipeline = parse_for_tests(source);
        let job = pipeline.jobs.iter().find(|candidate| candidate.name.value == job).unwrap();
        Scope::new(&pipeline.globals, job).taint_of_variable(name)
    }

    const MR_ONLY: &str = "rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n";

    #[test]
    fn predefined_variables_by_pipeline() {
        let source = format!(
            "mr:\n  script: [x]\n  {MR_ONLY}main:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n"
        );
        let title = job_taint(&source, "mr", "CI_MERGE_REQUEST_TITLE").unwrap();
        assert_eq!(
            (title.controller, title.pipeline, title.runs),
            (Controller::MergeRequestAuthor, PipelineKind::MergeRequest, Runs::Yes)
        );
        assert!(job_taint(&source, "main", "CI_MERGE_REQUEST_TITLE").is_none(), "unset outside merge requests");
        assert_eq!(job_taint(&source, "main", "CI_COMMIT_MESSAGE").unwrap().controller, Controller::CommitAuthor);
        assert!(job_taint(&source, "main", "CI_COMMIT_REF_NAME").is_none(), "the default branch's name");
        let slug = job_taint(&source, "mr", "CI_COMMIT_REF_SLUG").unwrap();
        assert!(!slug.injectable());
        assert!(job_taint(&source, "mr", "CI_PROJECT_PATH").is_none());
    }

    #[test]
    fn values_flow_through_variables_and_assignments() {
        let source = format!(
            "variables:\n  TITLE: \"MR: $CI_MERGE_REQUEST_TITLE\"\n  RAW:\n    value: $CI_MERGE_REQUEST_TITLE\n    expand: false\njob:\n  variables:\n    COPY: ${{TITLE}}\n    PATH: \"$PATH:/opt\"\n  {MR_ONLY}  before_script:\n    - export MSG=\"$(echo \"$COPY\" | head -1)\"\n  script:\n    - NAME=$CI_COMMIT_REF_NAME; echo \"$NAME\"\n    - NAME=fixed\n    - echo \"$NAME\"\n  after_script:\n    - echo \"$MSG\"\n"
        );
        let pipeline = parse_for_tests(&source);
        let job = &pipeline.jobs[0];
        let scope = Scope::new(&pipeline.globals, job);
        let copy = scope.taint_of_variable("COPY").unwrap();
        assert_eq!(
            (copy.origin.as_str(), copy.via.clone()),
            ("CI_MERGE_REQUEST_TITLE", vec!["TITLE".to_owned(), "COPY".to_owned()])
        );
        assert!(scope.taint_of_variable("RAW").is_none(), "`expand: false` keeps the text literal");
        assert!(scope.taint_of_variable("PATH").is_none());
        let at = |line: usize, offset: usize, name: &str| scope.in_script(line, offset).taint_of_variable(name);
        assert_eq!(at(1, 0, "MSG").unwrap().via, ["TITLE", "COPY", "MSG"]);
        assert_eq!(at(1, 30, "NAME").unwrap().origin, "CI_COMMIT_REF_NAME");
        assert!(at(1, 0, "NAME").is_none(), "not yet assigned");
        assert!(at(3, 0, "NAME").is_none(), "reassigned to fixed text");
        assert!(at(4, 0, "MSG").is_none(), "`after_script` runs in another shell");
        assert_eq!(scope.value_of("TITLE").as_deref(), Some("MR: $CI_MERGE_REQUEST_TITLE"));
    }

    #[test]
    fn secrets_behind_variables() {
        let source = "variables:\n  TOKEN: $DEPLOY_TOKEN\n  DB_PASSWORD: postgres\njob:\n  script: [x]\n";
        let pipeline = parse_for_tests(source);
        let scope = Scope::new(&pipeline.globals, &pipeline.jobs[0]);
        assert_eq!(scope.secret_behind("TOKEN").as_deref(), Some("DEPLOY_TOKEN"));
        assert_eq!(scope.secret_behind("AWS_SECRET_ACCESS_KEY").as_deref(), Some("AWS_SECRET_ACCESS_KEY"));
        assert!(scope.secret_behind("DB_PASSWORD").is_none(), "set in the file: not a secret");
        assert!(scope.secret_behind("CI_JOB_TOKEN").is_none());
        assert!(scope.secret_behind("VERSION").is_none());
    }

    #[test]
    fn references_in_expanded_values() {
        let names: Vec<&str> =
            references("a $X ${Y_1} $$Z $ {W} ${bad $1 $").into_iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["X", "Y_1"]);
    }

    #[test]
    fn every_fact_names_a_controller() {
        for fact in facts() {
            assert!(PipelineKind::ALL.iter().any(|kind| fact.controller(*kind).is_some()), "{}", fact.name);
        }
        assert!(describe("CI_MERGE_REQUEST_TITLE").unwrap().contains("attacker-controlled"));
        assert!(describe("CI_COMMIT_REF_SLUG").unwrap().contains("cannot carry shell syntax"));
    }
}
