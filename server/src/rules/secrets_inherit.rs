//! `secrets-inherit`: a reusable workflow is given every secret of the caller.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Job, Secrets, UsesTarget};
use crate::model::interface::WorkflowSecrets;
use crate::model::is_commit_sha;
use crate::syntax::span::Span;

pub struct SecretsInherit;

static META: RuleMeta = RuleMeta {
    id: "secrets-inherit",
    technique: Technique::LM04,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A reusable workflow is given every secret with `secrets: inherit`",
        detects: "A job that calls a reusable workflow with `secrets: inherit`. High when the \
called workflow lives in another repository at a tag or branch its owners can move, medium \
when it is in another repository pinned to a commit, low when it is in this repository. \
Explicit `secrets:` mappings are not reported.",
        why: "`secrets: inherit` passes the called workflow every secret the caller can see: \
repository, environment and organisation secrets alike, whether it needs them or not. Whoever \
controls the called workflow, or the ref it is called at, gets them all; a workflow in \
another repository at a movable tag hands them to that repository's maintainers, and to \
anyone who compromises it.",
        attack: "Lateral Movement › Compromise other CI/CD pipelines from privilege \
escalation (LM04): a foothold in the called workflow (a compromised shared-workflows \
repository, a moved tag, IA03) receives the secrets of every pipeline that calls it with \
`inherit`, and with them access to those pipelines' registries, clouds and repositories \
(CA02, LM03).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  release:
    uses: some-org/shared-workflows/.github/workflows/release.yml@v1
    secrets: inherit
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  release:
    uses: some-org/shared-workflows/.github/workflows/release.yml@8f4b7f84864484a7bf31766abe9204da3cbe65b3
    secrets:
      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}
"#,
        fix: "Pass only the secrets the called workflow declares under \
`on.workflow_call.secrets`, each by name (`NPM_TOKEN: ${{ secrets.NPM_TOKEN }}`), and pin a \
workflow of another repository to a commit. For a workflow of this repository the quick fix \
writes that mapping from the called file's `on.workflow_call.secrets` (or removes \
`secrets: inherit` when it declares none). It is safe when the called workflow reads no \
secret it does not declare and passes none on with `inherit` itself; otherwise it is offered \
as unsafe and names the secrets that would be lost, since GitHub refuses a mapping of an \
undeclared secret (declare them first). For a workflow of another repository, which \
pipewarden does not read, the fix replaces `inherit` with an empty mapping and a comment to \
fill in; it is unsafe, as until the names are filled in the called workflow runs without \
secrets.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(200, "Exposure of Sensitive Information to an Unauthorized Actor"),
        Reference::Zizmor("secrets-inherit"),
        Reference::Link(
            "GitHub: Passing secrets to nested workflows",
            "https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-secrets-to-nested-workflows",
        ),
    ],
};

impl Rule for SecretsInherit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let job = context.job;
        let (Some(Secrets::Inherit(span)), Some(uses)) = (&job.secrets, &job.uses) else { return };
        let (severity, whose) = match &uses.target {
            UsesTarget::Repository { git_ref, .. } if git_ref.as_deref().is_some_and(is_commit_sha) => {
                (Severity::Medium, "a workflow of another repository".to_owned())
            }
            UsesTarget::Repository { git_ref, .. } => (
                Severity::High,
                format!(
                    "a workflow of another repository at `{}`, which its owners can move",
                    git_ref.as_deref().unwrap_or("its default branch")
                ),
            ),
            UsesTarget::Local { .. } | UsesTarget::Docker { .. } => {
                (Severity::Low, "a workflow of this repository".to_owned())
            }
        };
        let fix = match &uses.target {
            UsesTarget::Local { path } => {
                context.options.local_workflows().called(path).map(|called| explicit_mapping(job, *span, called, path))
            }
            _ => None,
        };
        out.report(
            *span,
            format!(
                "`secrets: inherit` gives every secret this workflow can see to `{}`, {whose}; pass only the ones \
                 it declares",
                uses.raw
            ),
        )
        .with_severity(severity)
        .with_fix(fix.unwrap_or_else(|| skeleton(*span)));
    }
}

/// The mapping to fill in, when what the called workflow takes is not known.
fn skeleton(span: Span) -> Fix {
    Fix {
        title: "Replace `inherit` with an explicit mapping to fill in".into(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(
            span,
            "{}  # NAME: ${{ secrets.NAME }} for each secret the called workflow declares",
        )],
    }
}

/// Passes a workflow of this repository exactly the secrets it declares. Safe when it reads
/// no others and passes none on with `inherit` itself; otherwise those would be lost.
fn explicit_mapping(job: &Job, span: Span, called: &WorkflowSecrets, path: &str) -> Fix {
    let applicability = if called.mapping_is_complete() { Applicability::Safe } else { Applicability::Unsafe };
    let caveat = if !called.undeclared.is_empty() {
        format!(" (it also reads {}, which it does not declare)", code_list(&called.undeclared))
    } else if called.passes_all_on {
        " (it passes `inherit` on, and would pass only these)".to_owned()
    } else {
        String::new()
    };
    let passes = |declared| format!("Pass only what `{path}` declares: {}", code_list(declared));
    let (title, edit) = match (&called.declared[..], job.key_column) {
        ([], Some(_)) => (format!("Remove `secrets: inherit`: `{path}` declares no secrets"), Edit::delete_lines(span)),
        ([], None) => (format!("Pass no secrets: `{path}` declares none"), Edit::replace(span, "{}")),
        (declared, Some(column)) => (passes(declared), Edit::replace_with_block(span, block_mapping(declared, column))),
        (declared, None) => (passes(declared), Edit::replace(span, flow_mapping(declared))),
    };
    Fix { title: format!("{title}{caveat}").into(), applicability, edits: vec![edit] }
}

/// `NAME: ${{ secrets.NAME }}` for each name, nested under job keys at `column`.
fn block_mapping(names: &[String], column: u32) -> String {
    let indent = " ".repeat(column as usize + 2);
    names.iter().map(|name| format!("\n{indent}{name}: ${{{{ secrets.{name} }}}}")).collect()
}

/// The same as a flow mapping, its values quoted since `{` ends a plain scalar there.
fn flow_mapping(names: &[String]) -> String {
    let entries: Vec<String> = names.iter().map(|name| format!("{name}: \"${{{{ secrets.{name} }}}}\"")).collect();
    format!("{{ {} }}", entries.join(", "))
}

fn code_list(names: &[String]) -> String {
    names.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ")
}
