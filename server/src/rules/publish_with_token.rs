//! `publish-with-token`: a package is published with a long-lived token where the registry
//! offers trusted publishing.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::expr::{find_expressions, stored_secrets};
use crate::model::github::{Job, Step, WorkflowHeader};
use crate::model::github_reach::JobReach;
use crate::model::reach::Runs;
use crate::model::release::{self, Configuration, Credentials, Registry, Replacement, Token};
use crate::model::shell::variable_names;
use crate::syntax::span::Span;

pub struct PublishWithToken;

static META: RuleMeta = RuleMeta {
    id: "publish-with-token",
    technique: Technique::LM05,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A package is published with a long-lived token instead of trusted publishing",
        detects: "Steps that publish to a registry with a token stored in the repository's \
secrets: `pypa/gh-action-pypi-publish` with `password:`, `twine upload`, `uv publish` or `poetry \
publish` with `TWINE_PASSWORD`, `-p` or the user `__token__`; `npm publish`, `yarn npm publish` or \
`changesets/action` with `NODE_AUTH_TOKEN`, `NPM_TOKEN` or an `.npmrc` `_authToken`; `cargo \
publish` with `CARGO_REGISTRY_TOKEN` or `--token`; `gem push` with `GEM_HOST_API_KEY`; `dotnet \
nuget push` with `--api-key`; a step that sets a variable only publishing tools read \
(`CARGO_REGISTRY_TOKEN`, `TWINE_PASSWORD`, `GEM_HOST_API_KEY`) from a secret, even when its \
command is in a script; and logins to Docker Hub in jobs that push images. A token made by \
an earlier step (`rust-lang/crates-io-auth-action`, `NuGet/login`) or the job's `GITHUB_TOKEN` is \
not reported, nor is publishing to a registry this rule does not know (a private one). Medium \
where the registry offers trusted publishing from GitHub Actions (PyPI, npm, crates.io, \
RubyGems, nuget.org), high when an event outsiders cause (`pull_request_target`, \
`issue_comment`, `workflow_run`...) can start the job; low for Docker Hub, which has no \
alternative to tokens.",
        why: "A registry token does not expire and works from anywhere. Every step of the job can \
read it: a compromised action, a malicious build dependency, or a command injected into the \
job sends it away, and whoever has it publishes new versions of the package, with no \
pipeline, review or tag involved, until someone notices and revokes it. Trusted publishing \
replaces the token: the registry trusts this workflow's OIDC identity and hands it a token \
that lives for minutes and publishes only this package.",
        attack: "Lateral Movement › Registry injection (LM05): after Credential Access to the \
job's secrets (CA02), the attacker moves from this pipeline to the registry and publishes a \
malicious version, which reaches everyone who installs the package (Impact › Downstream \
poisoning, IM04).",
        example: r#"on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_API_TOKEN }}
"#,
        fixed_example: r#"on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    environment: pypi
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - run: python -m build
      - uses: pypa/gh-action-pypi-publish@release/v1
"#,
        fix: "Configure a trusted publisher for the package on the registry (the repository, \
this workflow's file name and, preferably, an environment), give the job `permissions: \
id-token: write`, remove the token from the step, then delete the token on the registry and \
the secret. PyPI's and RubyGems' actions and npm 11.5+ use trusted publishing by themselves; for \
crates.io use `rust-lang/crates-io-auth-action`, for nuget.org `NuGet/login`. For Docker Hub, \
use an access token limited to this repository's images, stored as a secret of an environment \
with required reviewers. No quick fix is offered: the registry must be configured first.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Zizmor("use-trusted-publishing"),
        Reference::Link(
            "OpenSSF: Trusted Publishers for All Package Repositories",
            "https://repos.openssf.org/trusted-publishers-for-all-package-repositories.html",
        ),
        Reference::Link("PyPI: Trusted publishers", "https://docs.pypi.org/trusted-publishers/"),
        Reference::Link("npm: Trusted publishing for npm packages", "https://docs.npmjs.com/trusted-publishers"),
    ],
};

impl Rule for PublishWithToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let StepContext::Workflow { header, job, jobs, index, .. } = *context else {
            return;
        };
        // Most steps publish nothing: leave before reading the earlier steps' configuration.
        let names_publish = step.run.iter().flat_map(|script| &script.commands).any(release::names_publish_command);
        let sets_token = step.env.vars.iter().any(|var| release::publishing_variable(&var.name.value).is_some());
        if !names_publish && !sets_token && !release::is_publish_action(step) {
            return;
        }
        let mut configuration = Configuration::default();
        for earlier in &job.steps[..=index.min(job.steps.len().saturating_sub(1))] {
            if earlier.uses_action("actions/setup-node")
                && let Some(url) = earlier.input_text("registry-url")
            {
                configuration.registry_urls.push(&url.value);
            }
            if let Some(script) = &earlier.run {
                configuration.read_script(script);
            }
        }
        let commands = step.run.iter().flat_map(|script| {
            script.commands.iter().filter_map(|command| release::command_publication(script, command, &configuration))
        });
        let publications = release::action_publication(step, &configuration).into_iter().chain(commands);
        let credentials = StepCredentials { step, job, header };
        let mut reported: Vec<&str> = Vec::new();
        for publication in publications {
            let Some(registry) = publication.registry else { continue };
            let duplicate = reported.contains(&registry.id.as_str());
            if duplicate || registry.replacement == Replacement::JobToken {
                continue;
            }
            if registry.only_with_image_push && !pushes_image(job) {
                continue;
            }
            let Some(token) = publication.token(&credentials) else { continue };
            reported.push(&registry.id);
            let verb = if publication.login { "logs in to" } else { "publishes to" };
            let subject = format!("`{}` {verb} {}", publication.what, registry.name);
            report(registry, publication.span, &subject, &token, JobReach::of_step(header, job, step, jobs), out);
        }
        // A token only publishing tools read, for a step whose publishing command is hidden in
        // a script of the repository (not one whose command is seen and does not publish).
        if step.run.iter().flat_map(|script| &script.commands).any(release::names_publish_command) {
            return;
        }
        for var in &step.env.vars {
            let Some(registry) = release::publishing_variable(&var.name.value) else { continue };
            let Some(value) = var.value.as_ref().filter(|_| !reported.contains(&registry.id.as_str())) else {
                continue;
            };
            let Some(credential) = credentials.credential(&value.value) else { continue };
            reported.push(&registry.id);
            // The variable is explicit, but the command it serves is not seen.
            let token = Token { explicit: false, ..Token::through(credential, &var.name.value) };
            let subject = format!("this step publishes to {}", registry.name);
            report(registry, var.name.span, &subject, &token, JobReach::of_step(header, job, step, jobs), out);
        }
    }
}

fn report(registry: &Registry, span: Span, subject: &str, token: &Token, reach: JobReach, out: &mut Findings) {
    if reach.events().is_empty() {
        return;
    }
    let used = format!("{subject} with the long-lived token {}", token.describe());
    let outsiders = reach.privileged_outsider_event().filter(|(_, runs)| *runs == Runs::Yes);
    let (message, severity) = if registry.trusts("github") {
        let mut message = format!(
            "{used}: whoever obtains it (a compromised action or dependency of this job, a leaked log) can publish \
             malicious versions until it is revoked; {} accepts trusted publishing from GitHub Actions, which needs no \
             stored token",
            registry.name
        );
        match outsiders {
            Some((event, _)) => {
                message
                    .push_str(&format!(", and this job can be started by `{}`, which outsiders cause", event.name()));
                (message, Severity::High)
            }
            None => (message, Severity::Medium),
        }
    } else {
        let what = if registry.only_with_image_push { "the images this job pushes" } else { "this package" };
        let message = format!(
            "{used}: {} has no trusted publishing from GitHub Actions, so limit the token to {what} and keep it in an \
             environment with required reviewers",
            registry.name
        );
        (message, Severity::Low)
    };
    let confidence = if token.explicit { Confidence::High } else { Confidence::Medium };
    out.report(span, message).with_severity(severity).with_confidence(confidence);
}

/// Whether a step of the job pushes a container image.
fn pushes_image(job: &Job) -> bool {
    job.steps.iter().any(|step| {
        release::action_pushes_image(step)
            || step.run.iter().flat_map(|script| &script.commands).any(release::command_pushes_image)
    })
}

/// How deep `env:` values are followed to the secret they hold.
const MAX_HOPS: usize = 4;

/// What a workflow step's values hold: `secrets.*` read directly, or through the `env:` of
/// the step, the job or the workflow.
struct StepCredentials<'a> {
    step: &'a Step,
    job: &'a Job,
    header: &'a WorkflowHeader,
}

impl StepCredentials<'_> {
    fn resolve(&self, value: &str, hops: usize) -> Option<String> {
        if let Some(secret) = stored_secrets(value).next() {
            return Some(secret);
        }
        if hops >= MAX_HOPS {
            return None;
        }
        let expressions = find_expressions(value, Span::document(0..value.len()));
        let env_reads = expressions
            .iter()
            .flat_map(|expression| &expression.contexts)
            .filter_map(|context| context.path.strip_prefix("env."));
        env_reads
            .chain(variable_names(value))
            .find_map(|name| self.variable(name).and_then(|value| self.resolve(&value, hops + 1)))
    }
}

impl Credentials for StepCredentials<'_> {
    fn credential(&self, value: &str) -> Option<String> {
        self.resolve(value, 0)
    }

    fn variable(&self, name: &str) -> Option<String> {
        [&self.step.env, &self.job.env, &self.header.env]
            .into_iter()
            .find_map(|env| env.get(name))
            .and_then(|var| var.value.as_ref())
            .map(|text| text.value.clone())
    }

    fn mentioned(&self) -> Vec<String> {
        let env = self.step.env.vars.iter().filter_map(|var| var.value.as_ref());
        let inputs = self.step.with.iter().filter_map(|input| input.value.as_ref());
        let script = self.step.run.as_ref().map(|run| &run.text);
        env.chain(inputs).chain(script).flat_map(|text| stored_secrets(&text.value)).collect()
    }
}
