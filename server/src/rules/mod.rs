//! Rules: pure functions from the model to findings, one rule per file.
//!
//! A rule declares its metadata and documentation in a [`RuleMeta`] and overrides the hooks
//! of [`Rule`] for the level it inspects (workflow, job, step, action, GitLab pipeline or job);
//! the analysis calls every hook, so no rule contains a traversal. Adding a rule touches its
//! own file, one line of [`REGISTRY`] and its fixtures under `tests/fixtures/rules/<id>/`.

mod excessive_permissions;
mod expression_injection;
mod unpinned_action;
mod unpinned_include;
mod untrusted_checkout;

pub mod docs;
mod finding;
pub mod glossary;

use serde::Serialize;

pub use finding::{Applicability, Edit, Finding, Findings, Fix};

use crate::matrix::{OwaspCicd, Technique};
use crate::model::action::Action;
use crate::model::github::{Job, Step, Workflow, WorkflowHeader};
use crate::model::gitlab::{GitlabJob, Globals, Pipeline};

/// Every rule, in the order they are documented.
pub static REGISTRY: &[&dyn Rule] = &[
    &expression_injection::ExpressionInjection,
    &untrusted_checkout::UntrustedCheckout,
    &excessive_permissions::ExcessivePermissions,
    &unpinned_action::UnpinnedAction,
    &unpinned_include::UnpinnedInclude,
];

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|rule| rule.meta().id == id)
}

/// A rule. Every hook has an empty default; a rule overrides the ones it needs.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Called once per GitHub workflow, with every job.
    fn check_workflow(&self, _workflow: &Workflow, _out: &mut Findings) {}

    /// Called for each job of a GitHub workflow.
    fn check_job(&self, _header: &WorkflowHeader, _job: &Job, _out: &mut Findings) {}

    /// Called for each step of a workflow job or a composite action.
    fn check_step(&self, _context: &StepContext<'_>, _step: &Step, _out: &mut Findings) {}

    /// Called once per action metadata file.
    fn check_action(&self, _action: &Action, _out: &mut Findings) {}

    /// Called once per GitLab pipeline, with every job.
    fn check_pipeline(&self, _pipeline: &Pipeline, _out: &mut Findings) {}

    /// Called for each GitLab job that runs (hidden template jobs are seen through the jobs
    /// that extend them).
    fn check_gitlab_job(&self, _globals: &Globals, _job: &GitlabJob, _out: &mut Findings) {}
}

/// Where a step is: in a workflow job, or in a composite action.
#[derive(Clone, Copy)]
pub enum StepContext<'a> {
    Workflow { header: &'a WorkflowHeader, job: &'a Job },
    Action { action: &'a Action },
}

/// What a rule is, for users and for the analysis.
#[derive(Debug)]
pub struct RuleMeta {
    /// Kebab-case; names the file, the fixture folder, the docs anchor and the diagnostic code.
    pub id: &'static str,
    pub technique: Technique,
    pub severity: Severity,
    pub confidence: Confidence,
    pub platforms: &'static [Platform],
    pub docs: RuleDocs,
    pub references: &'static [Reference],
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// A rule's documentation: the single source of its hover text, `explain` output and docs.
#[derive(Debug)]
pub struct RuleDocs {
    /// One line: what is wrong.
    pub summary: &'static str,
    /// What the rule detects.
    pub detects: &'static str,
    /// Why that is dangerous.
    pub why: &'static str,
    /// The attack, in the matrix's terms.
    pub attack: &'static str,
    /// A file the rule reports (tested: it must produce a finding of this rule).
    pub example: &'static str,
    /// The same file fixed (tested: it must produce none).
    pub fixed_example: &'static str,
    /// How to fix it, including what the quick fixes do and when they are unsafe.
    pub fix: &'static str,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] =
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

    pub const fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|severity| severity.name().eq_ignore_ascii_case(name))
    }
}

/// How sure a rule is that a finding is a real problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub const fn name(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    GithubActions,
    GitlabCi,
}

impl Platform {
    pub const fn name(self) -> &'static str {
        match self {
            Platform::GithubActions => "GitHub Actions",
            Platform::GitlabCi => "GitLab CI",
        }
    }
}

/// Where else this problem is described or detected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    Owasp(OwaspCicd),
    Cwe(u32, &'static str),
    /// A zizmor audit id.
    Zizmor(&'static str),
    /// An actionlint check name.
    Actionlint(&'static str),
    /// A poutine rule id.
    Poutine(&'static str),
    /// A CodeQL query id.
    CodeQl(&'static str),
    /// A page of documentation.
    Link(&'static str, &'static str),
}
