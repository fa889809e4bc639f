//! `oidc-on-untrusted-trigger`: a job that outsiders can start may mint OIDC tokens.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::checkout::executed_heads;
use crate::model::conditions::admits_outsider;
use crate::model::contexts::{Controller, Scope};
use crate::model::github::{Access, Grant, Job, Permissions};
use crate::syntax::span::Span;

pub struct OidcOnUntrustedTrigger;

static META: RuleMeta = RuleMeta {
    id: "oidc-on-untrusted-trigger",
    technique: Technique::CA03,
    severity: Severity::High,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A job that outsiders can trigger may request OIDC tokens for cloud access",
        detects: "A job whose token has `id-token: write` (granted by the job, by the \
workflow, or by `write-all`) in a workflow that runs on events outsiders cause with the \
repository's privileges: `pull_request_target`, `issue_comment`, `issues`, `workflow_run`, \
`discussion`... Jobs whose `if:` keeps outsiders out (an event other than those, a pull \
request from this repository rather than a fork, the author's association, a label) are not \
reported. High when the job also runs code the outsider controls: the pull request's head \
checked out and executed, or their text expanded into a script; medium otherwise. Low \
confidence when a deployment `environment:` or the reusable workflow the job calls may keep \
outsiders out. Reusable workflows are not reported: their callers' triggers decide.",
        why: "With `id-token: write`, any step of the job can ask GitHub for an OIDC token and \
exchange it at AWS, Azure, Google Cloud, a package registry or Vault for credentials of the \
roles that trust this repository. On these triggers the run belongs to the base repository \
(on `pull_request_target` the token even says it comes from the default branch), so trust \
policies written for the release pipeline accept it. Whoever gets code to run in the job \
(through the pull request's files, an injected comment, a compromised action) walks away \
with cloud credentials.",
        attack: "Credential Access › Fetch credentials from a vault (CA03): after Execution in \
the job (EX05 through a checked-out pull request, EX06 through an injection), the attacker \
requests an OIDC token and trades it for cloud credentials, then moves to the cloud \
(LM03) and its data (EF02) or publishes packages (IM04).",
        example: r#"on: pull_request_target
permissions:
  contents: read
  id-token: write
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/preview
          aws-region: eu-west-1
      - run: npm ci && npm run deploy-preview
"#,
        fixed_example: r#"on:
  push:
    branches: [main]
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
      - run: npm ci && npm run deploy
"#,
        fix: "Request OIDC tokens only in workflows that outsiders cannot start (`push` to a \
protected branch, `release`, `workflow_dispatch`), or in a job gated by a deployment \
`environment:` with required reviewers, whose name then appears in the token so the cloud \
role can require it. Build untrusted pull requests on `pull_request`, which gets no OIDC \
token from forks. Scope the cloud role's trust policy to the exact `sub` claim it needs. No \
quick fix is offered: moving the deployment is a design decision.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(269, "Improper Privilege Management"),
        Reference::Link(
            "GitHub: About security hardening with OpenID Connect",
            "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect",
        ),
    ],
};

impl Rule for OidcOnUntrustedTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        if header.triggers.is_reusable_only() {
            return;
        }
        let Some(permissions) = job.token_permissions(header) else { return };
        if permissions.access("id-token") != Some(Access::Write) {
            return;
        }
        let events: Vec<String> = header
            .triggers
            .events
            .iter()
            .filter(|trigger| trigger.event.is_privileged_for_outsiders())
            .filter(|trigger| admits_outsider(job.condition.as_deref(), &trigger.event))
            .map(|trigger| format!("`{}`", trigger.event.name()))
            .collect();
        if events.is_empty() {
            return;
        }
        let (span, granted) = match job.permissions.as_ref() {
            Some(own) => (grant_span(own), "can request OIDC tokens (`id-token: write`)"),
            None => (job.id.span, "gets `id-token: write` from the workflow's `permissions:`"),
        };
        let mut message = format!(
            "job `{}` {granted} and runs on {}, which outsiders can trigger: whoever gets code to run in it can \
             trade the token for the cloud credentials this repository is trusted with",
            job.id.value,
            events.join(", ")
        );
        let untrusted = untrusted_code(context);
        if let Some(how) = &untrusted {
            message.push_str(&format!("; it also runs {how}"));
        }
        if job.environment.is_some() {
            message.push_str(" (unless its deployment environment requires a reviewer)");
        }
        if let Some(uses) = &job.uses {
            message.push_str(&format!(" (unless `{}` keeps outsiders out)", uses.raw));
        }
        // A protected environment or the called workflow may stop outsiders: unseen here.
        let gated_elsewhere = job.environment.is_some() || job.uses.is_some();
        out.report(span, message)
            .with_severity(if untrusted.is_some() { Severity::High } else { Severity::Medium })
            .with_confidence(if gated_elsewhere { Confidence::Low } else { Confidence::Medium });
    }
}

/// The `id-token` entry, or the `write-all` value.
fn grant_span(permissions: &Permissions) -> Span {
    match &permissions.grant {
        Grant::Scopes(scopes) => {
            scopes.iter().find(|scope| scope.name.value == "id-token").map_or(permissions.span, |scope| scope.name.span)
        }
        _ => permissions.span,
    }
}

/// How the job runs code an outsider controls, if it does: a checked-out pull request head
/// that a later step executes, or outsider text expanded into a script.
fn untrusted_code(context: &JobContext<'_>) -> Option<String> {
    let job: &Job = context.job;
    if let Some((fetch, execution)) = executed_heads(&job.steps).first() {
        return Some(format!("the pull request's code (`{}`, run by `{}`)", fetch.head, execution.what));
    }
    job.steps.iter().enumerate().find_map(|(index, step)| {
        let script = step.run.as_ref()?;
        let taint = Scope::workflow_step(context.header, job, index, context.jobs).taint_of_text(&script.text)?;
        (taint.controller == Controller::Outsider).then(|| format!("a script that expands `{}`", taint.origin))
    })
}
