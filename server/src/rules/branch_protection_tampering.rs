//! `branch-protection-tampering`: a workflow changes branch protection or rulesets.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::commands::{self, ProtectionChange};
use crate::model::github::{Event, Step};

pub struct BranchProtectionTampering;

static META: RuleMeta = RuleMeta {
    id: "branch-protection-tampering",
    technique: Technique::DE04,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A workflow changes branch protection or rulesets",
        detects: "Steps that call the GitHub APIs that change protection: `gh api` or `curl` with \
a method other than GET (`-X DELETE`, `-X PUT`, `--method PATCH`, or fields that make it a \
POST) on `/repos/{owner}/{repo}/branches/{branch}/protection` and its sub-resources \
(`required_status_checks`, `enforce_admins`, `required_pull_request_reviews`...) or on \
`/rulesets`; GraphQL mutations such as `deleteBranchProtectionRule`; and Octokit methods such as \
`repos.updateBranchProtection` or `repos.deleteBranchProtection` in `actions/github-script`. \
Reads (`gh api …/protection` without a method) are not reported. High when the workflow runs on \
events outsiders cause with the repository's secrets (`pull_request_target`, `issue_comment`, \
`workflow_run`...); medium otherwise.",
        why: "Branch protection and rulesets are what keep unreviewed code out of the default \
branch: required reviews, required status checks, no force pushes. A workflow that can change \
them holds an administration token (a personal access token or an app's), and anything that \
runs in that job (a compromised action, a script from a pull request, an injected command) can \
switch protection off, push, and switch it back on.",
        attack: "Defense Evasion › Reconfigure branch protections (DE04): with the job's admin \
token the attacker removes required reviews or checks, then pushes to the protected branch \
(Privilege Escalation, PR02) and persists in the code (Persistence, PE05).",
        example: r#"on: workflow_dispatch
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - env:
          GH_TOKEN: ${{ secrets.ADMIN_TOKEN }}
        run: |
          gh api -X DELETE "repos/${{ github.repository }}/branches/main/protection/enforce_admins"
          git push origin HEAD:main
          gh api -X POST "repos/${{ github.repository }}/branches/main/protection/enforce_admins"
"#,
        fixed_example: r#"on: workflow_dispatch
jobs:
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
    steps:
      - env:
          GH_TOKEN: ${{ github.token }}
        run: |
          git push origin HEAD:release-bump
          gh pr create --base main --head release-bump --fill
"#,
        fix: "Do not automate protection changes from workflows. Let automation open a pull \
request that goes through the protection, or give a GitHub App the narrow bypass a ruleset \
allows (a bypass actor) instead of an admin token that can rewrite the rules. If protection \
must be managed as code, do it from a separate, manually approved workflow in a protected \
environment. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(284, "Improper Access Control"),
        Reference::Link(
            "GitHub REST API: Protected branches",
            "https://docs.github.com/en/rest/branches/branch-protection",
        ),
    ],
};

impl Rule for BranchProtectionTampering {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let outsiders = context.header().and_then(|header| {
            header
                .triggers
                .events
                .iter()
                .map(|trigger| &trigger.event)
                .find(|event| event.is_privileged_for_outsiders())
        });
        let mut report = |span, change: &ProtectionChange| {
            let target = if change.path.as_deref().unwrap_or(&change.call).to_ascii_lowercase().contains("ruleset") {
                "a ruleset"
            } else {
                "branch protection"
            };
            let verb = if change.removes() { "removes" } else { "changes" };
            let call = match &change.path {
                Some(path) => format!("{} {path}", change.call),
                None => change.call.clone(),
            };
            let message = format!(
                "this {verb} {target} (`{call}`): the job holds a token that can administer the repository, and whatever \
                 runs in it can switch off the reviews and checks that guard protected branches{}",
                outsiders.map_or(String::new(), |event: &Event| format!(
                    "; `{}` lets outsiders start this workflow",
                    event.name()
                )),
            );
            let severity = if outsiders.is_some() { Severity::High } else { Severity::Medium };
            out.report(span, message).with_severity(severity);
        };
        if let Some(script) = &step.run {
            for change in commands::protection_changes(script) {
                report(script.span_of(change.range.clone()), &change);
            }
        }
        if step.uses_action("actions/github-script")
            && let Some(code) = step.input_text("script")
        {
            for change in commands::protection_changes_in_text(&code.value) {
                report(code.span_of(change.range.clone()), &change);
            }
        }
    }
}
