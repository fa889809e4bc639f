//! `excessive-permissions`: the workflow's token can write more than its jobs need.

use std::sync::Arc;

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta,
    Severity, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Access, Grant, Job, Permissions, Scope, Workflow, WorkflowHeader};
use crate::model::token::{self, JobNeeds};
use crate::syntax::span::Span;

pub struct ExcessivePermissions;

static META: RuleMeta = RuleMeta {
    id: "excessive-permissions",
    technique: Technique::PR01,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "The workflow's token has more permissions than its jobs need",
        detects: "`permissions: write-all` on a workflow or a job (high); workflows with no \
`permissions:` at the top level where some job sets none either, so the token gets the \
repository's defaults (medium, high on triggers outsiders can cause with the repository's \
privileges); and scopes granted `write` that no step of the job needs (low, medium on those \
triggers). What a job needs is derived from its steps with a bundled list: `actions/checkout` \
reads `contents`, `softprops/action-gh-release` and `git push` write it, `gh pr comment` and \
`peter-evans/create-or-update-comment` write `pull-requests` or `issues`, `docker/login-action` \
given the `GITHUB_TOKEN` writes `packages`, `actions/deploy-pages` writes `pages` and \
`id-token`, the Octokit calls of `actions/github-script`, and so on. An action the list does \
not know, a script that has the token in its environment, or a script that runs after \
`actions/checkout` left the token in `.git/config` may need scopes the rule cannot see: such \
findings have low confidence and say which step it is. A job that declares its own \
`permissions:` is scoped, so a workflow whose every job does so is not reported as unscoped. \
Reusable workflows (`workflow_call` only) get their permissions from the caller and are only \
checked for scopes they grant needlessly.",
        why: "Every job gets a `GITHUB_TOKEN`. Without `permissions:`, it has the repository's \
default permissions, which for many organisations and all older repositories means write \
access to contents, packages, pull requests and more. Any code that runs in the job (a \
compromised action, an injected script, a malicious dependency) can use that token to push \
code, publish releases or approve pull requests. A scope the job never uses is such a gift \
and nothing else.",
        attack: "Privilege Escalation › Access higher privilege accounts (PR01): a foothold \
in one step becomes control of the token's identity, which can write to the repository. \
It turns Execution (EX05, EX06) into Persistence (PE05: pushing code) and Impact (IM04: \
poisoning releases).",
        example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
"#,
        fix: "Declare `permissions:` at the top of the workflow with the least it needs \
(often `contents: read`), and grant more only to the jobs that need it. The quick fixes give \
each unscoped job the permissions its steps need, or add `permissions: contents: read` at the \
top; replace `write-all` with what the steps need (or `read-all`); and lower a needless \
`write` to `read` (or remove it). All are unsafe: a step whose needs the rule cannot see \
(a script calling the API, an action it does not know) then fails until its scope is granted \
again.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec5),
        Reference::Cwe(250, "Execution with Unnecessary Privileges"),
        Reference::Zizmor("excessive-permissions"),
        Reference::Poutine("default_permissions_on_risky_events"),
        Reference::CodeQl("actions/missing-workflow-permissions"),
        Reference::Link(
            "GitHub: Controlling permissions for GITHUB_TOKEN",
            "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/controlling-permissions-for-github_token",
        ),
    ],
};

impl Rule for ExcessivePermissions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        let header = &workflow.header;
        // The jobs that get the workflow's permissions, with what their steps need; `None`
        // for a job that calls a reusable workflow, whose needs are not in this file. Read
        // only when a grant is to be weighed: it lexes every script of every job.
        let inheriting = || -> Vec<(&Job, Option<JobNeeds>)> {
            workflow
                .jobs
                .iter()
                .map(Arc::as_ref)
                .filter(|job| job.permissions.is_none())
                .map(|job| (job, job.uses.is_none().then(|| token::job_needs(header, job))))
                .collect()
        };
        let reusable = header.triggers.uses_callers_token();
        match &header.permissions {
            Some(permissions) if permissions.grant == Grant::WriteAll && !reusable => {
                let inheriting = inheriting();
                let needs: Option<Vec<&JobNeeds>> = inheriting.iter().map(|(_, needs)| needs.as_ref()).collect();
                report_write_all(permissions, "the workflow", needs.as_deref(), out);
            }
            Some(Permissions { grant: Grant::Scopes(scopes), .. })
                if scopes.iter().any(|scope| scope.access.value == Access::Write) =>
            {
                let inheriting = inheriting();
                if inheriting.is_empty() {
                    return;
                }
                for scope in scopes.iter().filter(|scope| scope.access.value == Access::Write) {
                    report_workflow_scope(header, scopes, scope, &inheriting, out);
                }
            }
            None if !reusable => report_missing(header, &inheriting(), out),
            _ => {}
        }
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (header, job) = (context.header, context.job);
        let Some(permissions) = &job.permissions else { return };
        if job.uses.is_some() {
            return;
        }
        let needs = token::job_needs(header, job);
        match &permissions.grant {
            Grant::WriteAll if !header.triggers.uses_callers_token() => {
                report_write_all(permissions, &format!("job `{}`", job.id.value), Some(&[&needs]), out);
            }
            Grant::Scopes(scopes) => {
                for scope in scopes.iter().filter(|scope| scope.access.value == Access::Write) {
                    if needs.justifies(&scope.name.value, Access::Write) {
                        continue;
                    }
                    let unknown = needs.unknown_for(&scope.name.value);
                    let mut message = format!(
                        "`{}: write` is granted to job `{}`, but none of its steps",
                        scope.name.value, job.id.value
                    );
                    match unknown {
                        Some(unknown) => message.push_str(&format!(" is known to need it; {}", unknown.reason)),
                        None => message.push_str(" needs it"),
                    }
                    report_unneeded(header, scopes, scope, &[&needs], unknown.is_some(), message, out);
                }
            }
            _ => {}
        }
    }
}

fn report_write_all(permissions: &Permissions, owner: &str, needs: Option<&[&JobNeeds]>, out: &mut Findings) {
    let finding = out
        .report(
            permissions.span,
            format!("{owner} grants `write-all`: every step can push code, publish releases and approve pull requests"),
        )
        .with_severity(Severity::High);
    if let Some(needs) = needs
        && let Some(edit) = replace_grant(permissions, &least_privilege(needs))
    {
        finding.with_fix(Fix {
            title: "Replace `write-all` with what the steps need".into(),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        });
    }
    finding.with_fix(Fix {
        title: "Replace `write-all` with `read-all`".into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(permissions.span, "read-all")],
    });
}

/// A write scope of the workflow's `permissions:`, checked against the jobs that inherit it.
fn report_workflow_scope(
    header: &WorkflowHeader,
    scopes: &[Scope],
    scope: &Scope,
    inheriting: &[(&Job, Option<JobNeeds>)],
    out: &mut Findings,
) {
    let name = &scope.name.value;
    // A job calling a reusable workflow may need anything.
    let Some(needs): Option<Vec<&JobNeeds>> = inheriting.iter().map(|(_, needs)| needs.as_ref()).collect() else {
        return;
    };
    let (needing, idle): (Vec<_>, Vec<_>) =
        inheriting.iter().zip(&needs).partition(|(_, needs)| needs.justifies(name, Access::Write));
    if idle.is_empty() {
        return;
    }
    let unknown = idle.iter().find_map(|(_, needs)| needs.unknown_for(name));
    let idle_names = job_names(idle.iter().map(|((job, _), _)| *job));
    let granted = format!("`{name}: write` is granted to every job without its own `permissions:`");
    let mut message = if needing.is_empty() {
        format!("{granted} ({idle_names}), and none of them")
    } else {
        let needing_names = job_names(needing.iter().map(|((job, _), _)| *job));
        format!("{granted}, but only {needing_names} uses it; it also reaches {idle_names}, where no step")
    };
    match unknown {
        Some(unknown) => message.push_str(&format!(" is known to need it; {}", unknown.reason)),
        None => message.push_str(" needs it"),
    }
    if needing.is_empty() {
        report_unneeded(header, scopes, scope, &needs, unknown.is_some(), message, out);
    } else {
        // Moving the grant into the jobs that need it is left to the user.
        out.report(scope.access.span, message).with_severity(Severity::Low).with_confidence(if unknown.is_some() {
            Confidence::Low
        } else {
            Confidence::Medium
        });
    }
}

/// Reports a write scope no step needs, with a fix that lowers it to what they need.
fn report_unneeded(
    header: &WorkflowHeader,
    scopes: &[Scope],
    scope: &Scope,
    needs: &[&JobNeeds],
    unknown: bool,
    message: String,
    out: &mut Findings,
) {
    let privileged = header.triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders());
    let severity = if privileged && !unknown { Severity::Medium } else { Severity::Low };
    let reads =
        scope.name.value != "id-token" && needs.iter().any(|needs| needs.justifies(&scope.name.value, Access::Read));
    let (title, edit) = if reads {
        (format!("Lower `{}` to `read`", scope.name.value), Edit::replace(scope.access.span, "read"))
    } else if scopes.len() > 1 {
        let entry = Span::new(scope.name.span.unit, scope.name.span.start as usize, scope.access.span.end as usize);
        (format!("Remove `{}: write`", scope.name.value), fix::remove_entry(entry))
    } else {
        (format!("Set `{}` to `none`", scope.name.value), Edit::replace(scope.access.span, "none"))
    };
    out.report(scope.access.span, message)
        .with_severity(severity)
        .with_confidence(if unknown { Confidence::Low } else { Confidence::Medium })
        .with_fix(Fix { title: title.into(), applicability: Applicability::Unsafe, edits: vec![edit] });
}

fn report_missing(header: &WorkflowHeader, unscoped: &[(&Job, Option<JobNeeds>)], out: &mut Findings) {
    let (Some(anchor), false) = (header.triggers.key.or(header.jobs_key), unscoped.is_empty()) else {
        return;
    };
    let names = job_names(unscoped.iter().map(|(job, _)| *job));
    let finding = out.report(
        anchor,
        format!(
            "no `permissions:` for the workflow, and {names} set none either: their token gets the repository's \
             default permissions, often write access to everything"
        ),
    );
    if header.triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders()) {
        finding.with_severity(Severity::High);
    }
    let per_job: Option<Vec<Edit>> = unscoped
        .iter()
        .map(|(job, needs)| {
            let block = grant_block(&least_privilege(&[needs.as_ref()?]), 2);
            fix::insert_key(job.first_key?, job.key_column, &format!("permissions:{block}"))
        })
        .collect();
    if let Some(edits) = per_job {
        finding.with_fix(Fix {
            title: "Give each job the permissions its steps need".into(),
            applicability: Applicability::Unsafe,
            edits,
        });
    }
    if let Some(jobs_key) = header.jobs_key {
        finding.with_fix(Fix {
            title: "Add `permissions: contents: read` to the workflow".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(jobs_key, "permissions:\n  contents: read\n\n")],
        });
    }
}

/// The union of the least privileges of several jobs.
fn least_privilege(needs: &[&JobNeeds]) -> Vec<(String, Access)> {
    let mut union: Vec<(String, Access)> = Vec::new();
    for (scope, access) in needs.iter().flat_map(|needs| needs.least_privilege()) {
        match union.iter_mut().find(|(name, _)| *name == scope) {
            Some(existing) if token::covers(existing.1, access) => {}
            Some(existing) => existing.1 = access,
            None => union.push((scope, access)),
        }
    }
    union.sort_by_key(|(scope, _)| token::scopes().iter().position(|known| *known == *scope));
    union
}

/// `permissions:` value text: ` {}` for nothing, else one `scope: level` line per grant,
/// each on a new line indented by `indent`.
fn grant_block(grants: &[(String, Access)], indent: usize) -> String {
    if grants.is_empty() {
        return " {}".to_owned();
    }
    let pad = " ".repeat(indent);
    grants
        .iter()
        .map(|(scope, access)| format!("\n{pad}{scope}: {}", if *access == Access::Write { "write" } else { "read" }))
        .collect()
}

/// Replaces a `permissions:` value (from after its key) with `grants` as a block mapping.
fn replace_grant(permissions: &Permissions, grants: &[(String, Access)]) -> Option<Edit> {
    let (key, value) = (permissions.key, permissions.span);
    if key.unit != value.unit {
        return None;
    }
    let block = grant_block(grants, permissions.key_column as usize + 2);
    Some(Edit::replace(Span::new(key.unit, key.end as usize, value.end as usize), format!(":{block}")))
}

/// "`a`, `b` and 3 more", for messages.
fn job_names<'a>(jobs: impl Iterator<Item = &'a Job>) -> String {
    let names: Vec<&str> = jobs.map(|job| job.id.as_str()).collect();
    let listed = names.iter().take(5).map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
    if names.len() > 5 { format!("{listed} and {} more", names.len() - 5) } else { listed }
}
