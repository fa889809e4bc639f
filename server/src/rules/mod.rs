//! Rules: pure functions from the model to findings, one rule per file.
//!
//! A rule declares its metadata and documentation in a [`RuleMeta`] and overrides the hooks
//! of [`Rule`] for the level it inspects (workflow, job, step, action, GitLab pipeline or job);
//! the analysis calls every hook, so no rule contains a traversal. Adding a rule touches its
//! own file, one line of [`REGISTRY`] and its fixtures under `tests/fixtures/rules/<id>/`.

mod all_secrets_exposed;
mod artifact_poisoning;
mod artifact_secrets;
mod branch_protection_tampering;
mod cache_poisoning;
mod cloud_metadata_access;
mod continue_on_error_security;
mod curl_pipe_shell;
mod dangerous_trigger;
mod deploy_without_environment;
mod env_file_injection;
mod environment_dump;
mod excessive_permissions;
mod expression_injection;
mod gitlab_allow_failure_security;
mod gitlab_artifact_secrets;
mod gitlab_cache_poisoning;
mod gitlab_curl_pipe_shell;
mod gitlab_downstream_variable_forwarding;
mod gitlab_hardcoded_credentials;
mod gitlab_id_token_audience;
mod gitlab_job_token_misuse;
mod gitlab_missing_timeout;
mod gitlab_mr_pipeline_secrets;
mod gitlab_privileged_dind;
mod gitlab_publish_with_token;
mod gitlab_script_injection;
mod gitlab_secret_in_log;
mod gitlab_tls_verification_disabled;
mod gitlab_unpinned_image;
mod gitlab_unprotected_deploy;
mod hardcoded_credentials;
mod insecure_commands;
mod known_vulnerable_action;
mod long_lived_cloud_credentials;
mod missing_concurrency;
mod missing_timeout;
mod oidc_on_untrusted_trigger;
mod pat_usage;
mod persisted_checkout_credentials;
mod pr_terraform_plan;
mod publish_with_token;
mod push_to_protected_branch;
mod secret_in_log;
mod secrets_inherit;
mod self_hosted_runner_public;
mod spoofable_actor_check;
mod tls_verification_disabled;
mod typosquatted_action;
mod unpinned_action;
mod unpinned_image;
mod unpinned_include;
mod unprotected_release;
mod unsound_condition;
mod untrusted_checkout;
pub mod unused_suppression;
mod workflow_file_write;
mod workflow_level_secrets;

pub mod docs;
mod fail_open;
mod finding;
pub mod fix;
pub mod glossary;
mod secrets;
mod taint;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;

pub use finding::{Applicability, Edit, Extent, Finding, Findings, Fix};

use crate::matrix::{OwaspCicd, Technique};
use crate::model::action::Action;
use crate::model::call::{Call, Returned};
use crate::model::contexts::{JobLookup, Scope};
use crate::model::github::{Job, Step, Workflow, WorkflowHeader};
use crate::model::gitlab::{GitlabJob, Globals, Pipeline};
use crate::model::inclusion::Inclusion;
use crate::model::interface::LocalWorkflows;
use crate::model::{Env, Text};
use crate::pins::Pins;

/// Every rule, in the order they are documented.
pub static REGISTRY: &[&dyn Rule] = &[
    // GitHub Actions, in the matrix's order of tactics.
    &environment_dump::EnvironmentDump,
    &dangerous_trigger::DangerousTrigger,
    &known_vulnerable_action::KnownVulnerableAction,
    &unpinned_action::UnpinnedAction,
    &unpinned_image::UnpinnedImage,
    &typosquatted_action::TyposquattedAction,
    &hardcoded_credentials::HardcodedCredentials,
    &long_lived_cloud_credentials::LongLivedCloudCredentials,
    &expression_injection::ExpressionInjection,
    &env_file_injection::EnvFileInjection,
    &untrusted_checkout::UntrustedCheckout,
    &curl_pipe_shell::CurlPipeShell,
    &tls_verification_disabled::TlsVerificationDisabled,
    &pr_terraform_plan::PrTerraformPlan,
    &deploy_without_environment::DeployWithoutEnvironment,
    &self_hosted_runner_public::SelfHostedRunnerPublic,
    &workflow_file_write::WorkflowFileWrite,
    &excessive_permissions::ExcessivePermissions,
    &spoofable_actor_check::SpoofableActorCheck,
    &pat_usage::PatUsage,
    &push_to_protected_branch::PushToProtectedBranch,
    &cache_poisoning::CachePoisoning,
    &branch_protection_tampering::BranchProtectionTampering,
    &insecure_commands::InsecureCommands,
    &unsound_condition::UnsoundCondition,
    &continue_on_error_security::ContinueOnErrorSecurity,
    &cloud_metadata_access::CloudMetadataAccess,
    &workflow_level_secrets::WorkflowLevelSecrets,
    &all_secrets_exposed::AllSecretsExposed,
    &oidc_on_untrusted_trigger::OidcOnUntrustedTrigger,
    &artifact_secrets::ArtifactSecrets,
    &persisted_checkout_credentials::PersistedCheckoutCredentials,
    &artifact_poisoning::ArtifactPoisoning,
    &secrets_inherit::SecretsInherit,
    &publish_with_token::PublishWithToken,
    &secret_in_log::SecretInLog,
    &missing_timeout::MissingTimeout,
    &missing_concurrency::MissingConcurrency,
    &unprotected_release::UnprotectedRelease,
    // GitLab CI.
    &unpinned_include::UnpinnedInclude,
    &gitlab_mr_pipeline_secrets::GitlabMrPipelineSecrets,
    &gitlab_unpinned_image::GitlabUnpinnedImage,
    &gitlab_hardcoded_credentials::GitlabHardcodedCredentials,
    &gitlab_script_injection::GitlabScriptInjection,
    &gitlab_curl_pipe_shell::GitlabCurlPipeShell,
    &gitlab_tls_verification_disabled::GitlabTlsVerificationDisabled,
    &gitlab_unprotected_deploy::GitlabUnprotectedDeploy,
    &gitlab_privileged_dind::GitlabPrivilegedDind,
    &gitlab_cache_poisoning::GitlabCachePoisoning,
    &gitlab_allow_failure_security::GitlabAllowFailureSecurity,
    &gitlab_job_token_misuse::GitlabJobTokenMisuse,
    &gitlab_id_token_audience::GitlabIdTokenAudience,
    &gitlab_artifact_secrets::GitlabArtifactSecrets,
    &gitlab_downstream_variable_forwarding::GitlabDownstreamVariableForwarding,
    &gitlab_publish_with_token::GitlabPublishWithToken,
    &gitlab_secret_in_log::GitlabSecretInLog,
    &gitlab_missing_timeout::GitlabMissingTimeout,
    // Both.
    &unused_suppression::UnusedSuppression,
];

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    REGISTRY.iter().copied().find(|rule| rule.meta().id == id)
}

/// A rule. Every hook has an empty default; a rule overrides the ones it needs.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Whether what the rule finds in a workflow's jobs may change with how another file
    /// calls it: the caller's triggers and the secrets it gives (read from the header), what
    /// it passes and what called workflows return (read through the taint model). A rule that
    /// reads none of these says so, and a file analysed as each of its callers calls it keeps
    /// that rule's findings from its analysis alone instead of running it again.
    fn reads_the_call(&self) -> bool {
        true
    }

    /// Called once per GitHub workflow, with every job.
    fn check_workflow(&self, _workflow: &Workflow, _out: &mut Findings) {}

    /// Called for each job of a GitHub workflow.
    fn check_job(&self, _context: &JobContext<'_>, _out: &mut Findings) {}

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

/// What users configure about the rules themselves (as opposed to which findings are shown,
/// which [`crate::config::Policy`] decides after the analysis).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// Owners of actions the user trusts as much as their own repository, in lowercase.
    trusted_owners: Vec<String>,
    /// Context paths the user marks as written by outsiders, besides the taint model's.
    untrusted_contexts: Vec<String>,
    /// When a file is analysed as another file calls it (a reusable workflow, an action),
    /// what that caller passes. Set by the cross-file analysis, never by users.
    pub call: Option<Arc<Call>>,
    /// What the local reusable workflows this file calls return to it (the taint of their
    /// outputs as it calls them). Set by the cross-file analysis, never by users.
    pub returned: Option<Arc<Returned>>,
    /// When a GitLab file is analysed as another file includes it, what that file gives it.
    /// Set by the cross-file analysis, never by users.
    pub included: Option<Arc<Inclusion>>,
    /// The repository's lock file: the commits and digests its tags resolved to.
    pins: Arc<Pins>,
    /// The repository's own reusable workflows and the secrets they take.
    local_workflows: Arc<LocalWorkflows>,
}

impl RuleOptions {
    pub fn new(trusted_owners: impl IntoIterator<Item = String>) -> Self {
        Self {
            trusted_owners: trusted_owners.into_iter().map(|owner| owner.to_ascii_lowercase()).collect(),
            untrusted_contexts: Vec::new(),
            call: None,
            returned: None,
            included: None,
            pins: Arc::default(),
            local_workflows: Arc::default(),
        }
    }

    /// These options, with the repository's lock file.
    pub fn with_pins(self, pins: Arc<Pins>) -> Self {
        Self { pins, ..self }
    }

    /// What the repository's lock file records (nothing when there is none).
    pub fn pins(&self) -> &Pins {
        &self.pins
    }

    /// These options, with the repository's reusable workflows.
    pub fn with_local_workflows(self, local_workflows: Arc<LocalWorkflows>) -> Self {
        Self { local_workflows, ..self }
    }

    /// These options for a file outside the repository whose reusable workflows they hold:
    /// without them, as its local `uses:` name other files.
    pub fn outside_the_repository(&self) -> Self {
        Self { local_workflows: Arc::default(), ..self.clone() }
    }

    /// The repository's reusable workflows (none when the workspace is not known).
    pub fn local_workflows(&self) -> &LocalWorkflows {
        &self.local_workflows
    }

    /// These options, with `paths` also treated as attacker-controlled.
    pub fn with_untrusted_contexts(self, paths: impl IntoIterator<Item = String>) -> Self {
        Self { untrusted_contexts: paths.into_iter().collect(), ..self }
    }

    /// The context paths the user marks as written by outsiders.
    pub fn untrusted_contexts(&self) -> &[String] {
        &self.untrusted_contexts
    }

    /// Whether these options and `other` differ at most in how a file is called, included or
    /// returned to, which the cross-file analysis sets, and not in what the user set.
    pub fn differ_only_in_calls(&self, other: &Self) -> bool {
        // Destructured, so that a new option cannot be forgotten here.
        let Self { trusted_owners, untrusted_contexts, call: _, returned: _, included: _, pins, local_workflows } =
            self;
        *trusted_owners == other.trusted_owners
            && *untrusted_contexts == other.untrusted_contexts
            && *pins == other.pins
            && *local_workflows == other.local_workflows
    }

    /// These options for a file read as `call` calls it.
    pub fn for_call(&self, call: Call) -> Self {
        Self { call: Some(Arc::new(call)), ..self.clone() }
    }

    /// These options for a file whose calls to reusable workflows return `returned`.
    pub fn for_returned(&self, returned: Returned) -> Self {
        Self { returned: Some(Arc::new(returned)), ..self.clone() }
    }

    /// These options for a GitLab file read as another file includes it.
    pub fn for_inclusion(&self, inclusion: Inclusion) -> Self {
        Self { included: Some(Arc::new(inclusion)), ..self.clone() }
    }

    /// Whether the user listed `owner` (GitHub owners are case-insensitive) as trusted.
    pub fn trusts_owner(&self, owner: &str) -> bool {
        self.trusted_owners.iter().any(|trusted| trusted.eq_ignore_ascii_case(owner))
    }
}

/// A job of a workflow, with the workflow's header and its other jobs.
#[derive(Clone, Copy)]
pub struct JobContext<'a> {
    pub header: &'a WorkflowHeader,
    pub job: &'a Job,
    pub jobs: &'a dyn JobLookup,
    pub options: &'a RuleOptions,
}

impl<'a> JobContext<'a> {
    /// Where values are read at the level of the job (after all its steps).
    pub fn scope(&self) -> Scope<'a> {
        Scope::workflow_job(self.header, self.job, self.jobs)
            .with_untrusted_contexts(&self.options.untrusted_contexts)
            .with_call(self.options.call.as_deref())
            .with_returned(self.options.returned.as_deref())
    }
}

/// Where a step is: step `index` of a workflow job, or of a composite action.
#[derive(Clone, Copy)]
pub enum StepContext<'a> {
    Workflow {
        header: &'a WorkflowHeader,
        job: &'a Job,
        jobs: &'a dyn JobLookup,
        index: usize,
        options: &'a RuleOptions,
    },
    Action {
        action: &'a Action,
        index: usize,
        options: &'a RuleOptions,
    },
}

impl<'a> StepContext<'a> {
    /// Where values are read inside this step.
    pub fn scope(&self) -> Scope<'a> {
        let scope = match *self {
            StepContext::Workflow { header, job, jobs, index, .. } => Scope::workflow_step(header, job, index, jobs),
            StepContext::Action { action, index, .. } => Scope::action_step(action, index),
        };
        scope
            .with_untrusted_contexts(&self.options().untrusted_contexts)
            .with_call(self.options().call.as_deref())
            .with_returned(self.options().returned.as_deref())
    }

    /// The workflow's header; `None` in a composite action.
    pub fn header(&self) -> Option<&'a WorkflowHeader> {
        match *self {
            StepContext::Workflow { header, .. } => Some(header),
            StepContext::Action { .. } => None,
        }
    }

    /// The job; `None` in a composite action.
    pub fn job(&self) -> Option<&'a Job> {
        match *self {
            StepContext::Workflow { job, .. } => Some(job),
            StepContext::Action { .. } => None,
        }
    }

    /// Every step of the job or action, this one included.
    pub fn steps(&self) -> &'a [Step] {
        match *self {
            StepContext::Workflow { job, .. } => &job.steps,
            StepContext::Action { action, .. } => action.runs.as_ref().map_or(&[], |runs| &runs.steps),
        }
    }

    /// The steps that run before this one.
    pub fn earlier_steps(&self) -> &'a [Step] {
        let steps = self.steps();
        &steps[..self.index().min(steps.len())]
    }

    /// The steps that run after this one.
    pub fn later_steps(&self) -> &'a [Step] {
        let steps = self.steps();
        &steps[(self.index() + 1).min(steps.len())..]
    }

    /// The `env:` mappings the step runs with, nearest first: its own, the job's, the
    /// workflow's.
    fn environments(&self) -> impl Iterator<Item = &'a Env> {
        let step = self.steps().get(self.index());
        [step.map(|step| &step.env), self.job().map(|job| &job.env), self.header().map(|header| &header.env)]
            .into_iter()
            .flatten()
    }

    /// The value of each variable of the step's environment, by name: the nearest
    /// definition wins.
    pub fn environment(&self) -> HashMap<&'a str, Option<&'a Text>> {
        let mut values = HashMap::new();
        for var in self.environments().flat_map(|env| &env.vars) {
            values.entry(var.name.value.as_str()).or_insert(var.value.as_ref());
        }
        values
    }

    /// The variables of the step's environment that hold a secret
    /// (`NPM_TOKEN: ${{ secrets.NPM_TOKEN }}`), with the secret's path, by name.
    pub fn secret_variables(&self) -> BTreeMap<&'a str, &'a str> {
        self.environment()
            .into_iter()
            .filter_map(|(name, value)| {
                let secret = value?.expressions.iter().find_map(|expression| expression.secret())?;
                Some((name, secret.path.as_str()))
            })
            .collect()
    }

    pub fn index(&self) -> usize {
        match *self {
            StepContext::Workflow { index, .. } | StepContext::Action { index, .. } => index,
        }
    }

    /// The user's options for the rules.
    pub fn options(&self) -> &'a RuleOptions {
        match *self {
            StepContext::Workflow { options, .. } | StepContext::Action { options, .. } => options,
        }
    }
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

    /// One level lower, `info` staying `info`.
    pub fn lowered(self) -> Severity {
        Severity::ALL[(self as usize).saturating_sub(1)]
    }

    /// One level higher, `critical` staying `critical`.
    pub fn raised(self) -> Severity {
        Severity::ALL[(self as usize + 1).min(Severity::ALL.len() - 1)]
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
    /// The short id used in machine-readable output: `github` or `gitlab`.
    pub const fn id(self) -> &'static str {
        match self {
            Platform::GithubActions => "github",
            Platform::GitlabCi => "gitlab",
        }
    }

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
