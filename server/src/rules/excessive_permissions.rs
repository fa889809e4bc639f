//! `excessive-permissions`: the workflow's token can write more than its jobs need.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Event, Grant, Job, Permissions, Workflow, WorkflowHeader};

pub struct ExcessivePermissions;

static META: RuleMeta = RuleMeta {
    id: "excessive-permissions",
    technique: Technique::PR01,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "The workflow's token has more permissions than its jobs need",
        detects: "`permissions: write-all` on a workflow or a job, and workflows with no \
`permissions:` at the top level where some job sets none either. A job that declares its own \
`permissions:` is scoped, so a workflow whose every job does so is not reported. Reusable \
workflows (`workflow_call` only) get their permissions from the caller and are not reported.",
        why: "Every job gets a `GITHUB_TOKEN`. Without `permissions:`, it has the repository's \
default permissions, which for many organisations and all older repositories means write \
access to contents, packages, pull requests and more. Any code that runs in the job (a \
compromised action, an injected script, a malicious dependency) can use that token to push \
code, publish releases or approve pull requests.",
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
(often `contents: read`), and grant more only to the jobs that need it. The quick fixes add \
`permissions: contents: read` at the top, or replace `write-all` with `read-all`; both are \
unsafe, because a job that writes (releases, comments, labels) then fails until it declares \
the scope it needs.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec5),
        Reference::Cwe(250, "Execution with Unnecessary Privileges"),
        Reference::Zizmor("excessive-permissions"),
        Reference::Poutine("job_all_secrets"),
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
        if is_reusable_only(header) {
            return;
        }
        match &header.permissions {
            Some(permissions) => report_write_all(permissions, "the workflow", out),
            None => report_missing(header, &workflow.jobs, out),
        }
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        if let Some(permissions) = &job.permissions
            && !is_reusable_only(context.header)
        {
            report_write_all(permissions, &format!("job `{}`", job.id.value), out);
        }
    }
}

fn is_reusable_only(header: &WorkflowHeader) -> bool {
    !header.triggers.events.is_empty()
        && header.triggers.events.iter().all(|trigger| trigger.event == Event::WorkflowCall)
}

fn report_write_all(permissions: &Permissions, owner: &str, out: &mut Findings) {
    if permissions.grant != Grant::WriteAll {
        return;
    }
    out.report(
        permissions.span,
        format!("{owner} grants `write-all`: every step can push code, publish releases and approve pull requests"),
    )
    .with_severity(Severity::High)
    .with_fix(Fix {
        title: "Replace `write-all` with `read-all`".to_owned(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(permissions.span, "read-all")],
    });
}

fn report_missing(header: &WorkflowHeader, jobs: &[std::sync::Arc<Job>], out: &mut Findings) {
    let unscoped: Vec<&str> = jobs.iter().filter(|job| job.permissions.is_none()).map(|job| job.id.as_str()).collect();
    let (Some(anchor), false) = (header.triggers.key.or(header.jobs_key), unscoped.is_empty()) else {
        return;
    };
    let names = unscoped.iter().take(5).map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
    let more = if unscoped.len() > 5 { format!(" and {} more", unscoped.len() - 5) } else { String::new() };
    let finding = out.report(
        anchor,
        format!(
            "no `permissions:` for the workflow, and {names}{more} set none either: their token gets the repository's \
             default permissions, often write access to everything"
        ),
    );
    if header.triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders()) {
        finding.with_severity(Severity::High);
    }
    if let Some(jobs_key) = header.jobs_key {
        finding.with_fix(Fix {
            title: "Add `permissions: contents: read` to the workflow".to_owned(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::insert(jobs_key, "permissions:\n  contents: read\n\n")],
        });
    }
}
