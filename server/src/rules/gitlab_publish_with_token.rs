//! `gitlab-publish-with-token`: a GitLab job publishes with a long-lived token where the job
//! token or trusted publishing would do.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::release::{self, Configuration, Credentials, Registry, Replacement, Token};
use crate::model::shell::{is_assignment, variable_names};
use crate::syntax::span::Span;

pub struct GitlabPublishWithToken;

static META: RuleMeta = RuleMeta {
    id: "gitlab-publish-with-token",
    technique: Technique::LM05,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A package is published with a long-lived token where the job token or trusted publishing would do",
        detects: "Script commands that publish with a token kept in a CI/CD variable: to GitLab's \
own package or container registry with a personal or project token instead of \
`$CI_JOB_TOKEN` (`npm publish` with an `.npmrc` `_authToken`, `twine upload`, `docker login \
$CI_REGISTRY` with another password); to PyPI, npm or crates.io, which accept trusted \
publishing from GitLab CI (`twine upload` with `TWINE_PASSWORD` or the user `__token__`, `npm \
publish` with `NPM_TOKEN`, `cargo publish` with `CARGO_REGISTRY_TOKEN`); and, at low severity, to \
registries with no alternative from GitLab (RubyGems.org with `GEM_HOST_API_KEY`, nuget.org, \
and Docker Hub logins in jobs that push images); and jobs whose `variables:` set \
`CARGO_REGISTRY_TOKEN`, `TWINE_PASSWORD` or `GEM_HOST_API_KEY` from another variable, even when \
the publishing command is in a script. The job token, `$CI_REGISTRY_PASSWORD`, deploy \
tokens and `id_tokens:` are not reported, nor are registries this rule does not know.",
        why: "A CI/CD variable holding a registry token is readable by every job that runs with \
it, and unless it is protected, by pipelines of any branch a developer pushes. Whoever reads it \
publishes new versions of the package from anywhere, for as long as the token lives. The job \
token is valid only while the job runs and only for this project's registries; trusted \
publishing gives a token that lives for minutes and publishes only this package.",
        attack: "Lateral Movement › Registry injection (LM05): code running in any job that \
sees the variable (Credential Access, CA02) takes the token and publishes a malicious version, \
which every consumer installs (Impact › Downstream poisoning, IM04).",
        example: r#"stages: [publish]
publish:
  stage: publish
  image: python:3.12
  rules:
    - if: $CI_COMMIT_TAG
  script:
    - pip install build twine
    - python -m build
    - twine upload -u __token__ -p "$PYPI_TOKEN" dist/*
"#,
        fixed_example: r#"stages: [publish]
publish:
  stage: publish
  image: python:3.12
  rules:
    - if: $CI_COMMIT_TAG
  id_tokens:
    PYPI_ID_TOKEN:
      aud: pypi
  script:
    - pip install build twine
    - python -m build
    - twine upload dist/*
"#,
        fix: "For GitLab's own registries, authenticate with `$CI_JOB_TOKEN` (user \
`gitlab-ci-token`), or `$CI_REGISTRY_USER`/`$CI_REGISTRY_PASSWORD` for the container registry. For \
PyPI, npm and crates.io, configure a trusted publisher for this project and pipeline on the \
registry, request an `id_tokens:` token with the registry's audience, and delete the stored \
token. Where no alternative exists, use a token limited to the package, in a protected, masked \
variable, used only by a job that runs on protected tags. No quick fix is offered: the \
registry must be configured first.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Link("GitLab: CI/CD job token", "https://docs.gitlab.com/ci/jobs/ci_job_token/"),
        Reference::Link(
            "PyPI: Trusted publishers (GitLab CI/CD)",
            "https://docs.pypi.org/trusted-publishers/adding-a-publisher/#gitlab-cicd",
        ),
    ],
};

impl Rule for GitlabPublishWithToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let mut configuration = Configuration::default();
        for script in job.scripts() {
            configuration.read_script(script);
        }
        let credentials = JobCredentials { job, globals };
        let pushes_image = job.scripts().flat_map(|script| &script.commands).any(release::command_pushes_image);
        let mut reported: Vec<&str> = Vec::new();
        for script in job.scripts() {
            for command in &script.commands {
                let Some(publication) = release::command_publication(script, command, &configuration) else { continue };
                let Some(registry) = publication.registry else { continue };
                if reported.contains(&registry.id.as_str()) || (registry.only_with_image_push && !pushes_image) {
                    continue;
                }
                let Some(token) = publication.token(&credentials) else { continue };
                reported.push(&registry.id);
                let verb = if publication.login { "logs in to" } else { "publishes to" };
                report(registry, publication.span, &format!("`{}` {verb}", publication.what), &token, out);
            }
        }
        // A token only publishing tools read, for a job whose publishing command is hidden in a
        // script of the repository (not one whose command is seen and does not publish).
        if job.scripts().flat_map(|script| &script.commands).any(release::names_publish_command) {
            return;
        }
        for variable in &job.variables {
            let Some(registry) = release::publishing_variable(&variable.name.value) else { continue };
            let Some(value) = variable.value.as_ref().filter(|_| !reported.contains(&registry.id.as_str())) else {
                continue;
            };
            let Some(credential) = credentials.credential(&value.value) else { continue };
            reported.push(&registry.id);
            // The variable is explicit, but the command it serves is not seen.
            let token = Token { explicit: false, ..Token::through(credential, &variable.name.value) };
            report(registry, variable.name.span, &format!("job `{}` publishes to", job.name.value), &token, out);
        }
    }
}

fn report(registry: &Registry, span: Span, subject: &str, token: &Token, out: &mut Findings) {
    let used =
        format!("{subject} {} with {}, a long-lived token kept in a CI/CD variable", registry.name, token.describe());
    let (message, severity) = match registry.replacement {
        Replacement::JobToken => (
            format!(
                "{used}, where the job's own `$CI_JOB_TOKEN` would do: whoever reads the variable writes to this \
                 project's registry"
            ),
            Severity::Medium,
        ),
        Replacement::TrustedPublishing if registry.trusts("gitlab") => (
            format!(
                "{used}: whoever reads it publishes malicious versions until it is revoked; {} accepts trusted \
                 publishing from GitLab CI (`id_tokens:`), which needs no stored token",
                registry.name
            ),
            Severity::Medium,
        ),
        _ => (
            format!(
                "{used}: {} has no trusted publishing from GitLab CI, so limit the token to what this job publishes and \
                 keep it in a protected variable",
                registry.name
            ),
            Severity::Low,
        ),
    };
    let confidence = if token.explicit { Confidence::High } else { Confidence::Medium };
    out.report(span, message).with_severity(severity).with_confidence(confidence);
}

/// Variables that hold a token GitLab makes for the job, valid only while it runs.
const JOB_TOKENS: &[&str] = &[
    "CI_JOB_TOKEN",
    "CI_REGISTRY_PASSWORD",
    "CI_DEPENDENCY_PROXY_PASSWORD",
    "CI_DEPLOY_PASSWORD",
    "CI_JOB_JWT",
    "CI_JOB_JWT_V1",
    "CI_JOB_JWT_V2",
];

/// Words that make a variable's name a credential's.
const CREDENTIAL_WORDS: &[&str] = &["TOKEN", "PASSWORD", "PASSWD", "SECRET", "API_KEY", "APIKEY", "AUTH"];

/// How deep variables are followed to the one they are set from.
const MAX_HOPS: usize = 4;

/// What a GitLab job's values hold: CI/CD variables set in the project's settings (not in this
/// file), directly or through the job's and the pipeline's `variables:`.
struct JobCredentials<'a> {
    job: &'a GitlabJob,
    globals: &'a Globals,
}

impl JobCredentials<'_> {
    fn resolve(&self, value: &str, hops: usize) -> Option<String> {
        for name in variable_names(value) {
            if self.is_job_token(name) {
                return None;
            }
            if let Some(assigned) = self.variable(name) {
                if hops < MAX_HOPS
                    && let Some(credential) = self.resolve(&assigned, hops + 1)
                {
                    return Some(credential);
                }
                continue;
            }
            if !is_predefined(name) {
                return Some(format!("${name}"));
            }
        }
        None
    }

    fn is_job_token(&self, name: &str) -> bool {
        JOB_TOKENS.contains(&name) || self.job.id_tokens.iter().any(|token| token.name.value == name)
    }
}

/// GitLab's predefined variables (https://docs.gitlab.com/ci/variables/predefined_variables/).
fn is_predefined(name: &str) -> bool {
    name.starts_with("CI_") || name.starts_with("GITLAB_USER_") || matches!(name, "GITLAB_CI" | "GITLAB_FEATURES")
}

impl Credentials for JobCredentials<'_> {
    fn credential(&self, value: &str) -> Option<String> {
        self.resolve(value, 0)
    }

    fn variable(&self, name: &str) -> Option<String> {
        if let Some(variable) = self.job.variable(self.globals, name) {
            return variable.value.as_ref().map(|text| text.value.clone());
        }
        // `export NAME=value` and `NAME=value command` in the scripts.
        let assignments = self.job.scripts().flat_map(|script| &script.commands).flat_map(|command| {
            let exported = if command.name() == Some("export") { command.args() } else { &[] };
            command.assignments.iter().chain(exported)
        });
        assignments
            .filter(|word| is_assignment(&word.text))
            .find_map(|word| word.text.strip_prefix(name)?.strip_prefix('=').map(str::to_owned))
    }

    fn mentioned(&self) -> Vec<String> {
        let names = self.job.scripts().flat_map(|script| variable_names(&script.text.value));
        let mut mentioned: Vec<String> = names
            .filter(|name| CREDENTIAL_WORDS.iter().any(|word| name.contains(word)))
            .filter(|name| !self.is_job_token(name) && !is_predefined(name))
            .filter_map(|name| self.resolve(&format!("${name}"), 0))
            .collect();
        mentioned.dedup();
        mentioned
    }
}
