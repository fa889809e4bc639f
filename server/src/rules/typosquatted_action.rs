//! `typosquatted-action`: an action whose name is a near miss of a popular action's.

use std::sync::LazyLock;

use serde::Deserialize;

use super::{
    Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, RuleOptions, Severity, StepContext,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::github::{Step, Uses, UsesTarget};
use crate::{bundled, data};

pub struct TyposquattedAction;

static META: RuleMeta = RuleMeta {
    id: "typosquatted-action",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An action's name is a near miss of a popular action's",
        detects: "`uses:` of an action or reusable workflow whose `owner/repo` is one or two edits \
(a changed, missing, extra or swapped character) away from a popular action's, but is not one: \
`actoins/checkout`, `action/checkout`, `actions/setup-ndoe`, `docker/login-actoin`. Popular \
actions come from a bundled list (`server/data/popular-actions.toml`, the most used actions of a \
corpus of public workflows and of GitHub Marketplace); two actions of that list are never \
look-alikes of each other, so `actions/setup-go` is not a misspelt `actions/setup-node`. Short \
names allow one edit only. A look-alike under another owner is high when it is one edit away \
from a very popular action, medium otherwise; a look-alike under the same owner (`actions/checkuot`) \
is low, since only that owner can publish there: it is a typo that fails, not a trap. Owners \
listed in `trustedOwners` are not reported.",
        why: "Anyone can create a GitHub account named like a popular action's owner with one \
letter changed and publish an action there. A workflow that misspells the name runs the \
impostor's code, which typically behaves like the real action so the mistake goes unnoticed, \
with the job's token and secrets.",
        attack: "Initial Access › Compromise CI/CD supply chain (IA03): the attacker registers \
the look-alike name ahead of time and waits for a typo; the workflow then runs their code \
(Execution), which reads the job's secrets (Credential Access, CA02).",
        example: r#"on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actoins/checkout@v4
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
"#,
        fix: "Check the action's owner and repository on GitHub and correct the name to the one you \
meant. If the look-alike is really the action you want (a fork you trust, say), suppress the \
finding with a comment saying so. If a misspelt name has run, treat the job's secrets as \
exposed and rotate them. No quick fix is offered: the rule cannot know which of the two names \
was meant.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(1357, "Reliance on Insufficiently Trustworthy Component"),
        Reference::Link(
            "GitHub: Security hardening, using third-party actions",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
        ),
    ],
};

#[derive(Deserialize)]
struct Popular {
    very_popular: Vec<String>,
    popular: Vec<String>,
}

static POPULAR: LazyLock<Popular> = LazyLock::new(|| data::parse(bundled!("popular-actions.toml")));

/// Names shorter than this allow one edit only: two edits turn `azure/cli` into too many
/// legitimate names.
const TWO_EDITS_FROM: usize = 12;

impl Rule for TyposquattedAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        if let Some(uses) = &context.job.uses {
            check(uses, context.options, out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(uses) = &step.uses {
            check(uses, context.options(), out);
        }
    }
}

fn check(uses: &Uses, options: &RuleOptions, out: &mut Findings) {
    let UsesTarget::Repository { owner, repo, .. } = &uses.target else { return };
    if owner.is_empty() || repo.is_empty() || options.trusts_owner(owner) {
        return;
    }
    // Built by hand: this runs for every action a workflow uses.
    let mut used = String::with_capacity(owner.len() + 1 + repo.len());
    used.extend([owner.as_str(), "/", repo.as_str()]);
    used.make_ascii_lowercase();
    let all =
        || POPULAR.very_popular.iter().map(|name| (name, true)).chain(POPULAR.popular.iter().map(|name| (name, false)));
    if all().any(|(name, _)| *name == used) {
        return;
    }
    let nearest = all()
        .filter_map(|(name, very)| {
            let limit = if used.len().min(name.len()) >= TWO_EDITS_FROM { 2 } else { 1 };
            let distance = edit_distance(&used, name, limit)?;
            Some((distance, !very, name))
        })
        .min();
    let Some((distance, not_very, popular)) = nearest else { return };
    let popular_owner = popular.split('/').next().unwrap_or_default();
    let edits = if distance == 1 { "one edit" } else { "two edits" };
    let same_owner = popular_owner.eq_ignore_ascii_case(owner);
    let (severity, confidence, consequence) = if same_owner {
        (
            Severity::Low,
            Confidence::Medium,
            format!("only `{popular_owner}` can publish under that name, so this is a typo that fails, not a trap"),
        )
    } else {
        let severity = if distance == 1 && !not_very { Severity::High } else { Severity::Medium };
        let confidence = if repo.eq_ignore_ascii_case(popular.split('/').nth(1).unwrap_or_default()) {
            Confidence::High
        } else {
            Confidence::Medium
        };
        (
            severity,
            confidence,
            format!("whoever owns `{owner}` decides what it runs; check that it is the action you meant"),
        )
    };
    out.report(
        uses.span,
        format!("`{owner}/{repo}` is {edits} away from the popular action `{popular}` but is not it: {consequence}"),
    )
    .with_severity(severity)
    .with_confidence(confidence);
}

/// The optimal string alignment distance between `a` and `b` (insertions, deletions,
/// substitutions and swaps of adjacent characters), if it is at most `limit`.
///
/// Every `uses:` that is not a popular action is compared with each popular one, so only the
/// band of cells within `limit` of the diagonal is computed: a cell outside it is further
/// than `limit` already, and holds `limit + 1`.
fn edit_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let far = limit + 1;
    // Three rows of the dynamic programme: two back (for swaps), one back, current.
    let mut before: Vec<usize> = vec![far; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).map(|j| j.min(far)).collect();
    let mut current = vec![far; b.len() + 1];
    for i in 1..=a.len() {
        let (low, high) = (i.saturating_sub(limit).max(1), (i + limit).min(b.len()));
        // The cells on either side of the band, which the next row reads.
        current[low - 1] = if low == 1 { i.min(far) } else { far };
        if let Some(right) = current.get_mut(high + 1) {
            *right = far;
        }
        for j in low..=high {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best.min(far);
        }
        if current[low - 1..=high].iter().min().is_some_and(|min| *min > limit) {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|distance| *distance <= limit)
}

#[cfg(test)]
mod tests {
    use super::edit_distance;

    #[test]
    fn edits_count_swaps_as_one() {
        assert_eq!(edit_distance("actions/checkuot", "actions/checkout", 2), Some(1));
        assert_eq!(edit_distance("action/checkout", "actions/checkout", 2), Some(1));
        assert_eq!(edit_distance("actons/setup-node", "actions/setup-node", 2), Some(1));
        assert_eq!(edit_distance("actoins/chekout", "actions/checkout", 2), Some(2));
        assert_eq!(edit_distance("actions/checkout", "actions/checkout", 2), Some(0));
        assert_eq!(edit_distance("actions/setup-go", "actions/setup-node", 2), None);
        assert_eq!(edit_distance("azure/cli", "azure/clj", 1), Some(1));
        assert_eq!(edit_distance("", "ab", 2), Some(2));
    }

    /// The whole table, as the banded computation was checked against.
    fn full_distance(a: &str, b: &str) -> usize {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut table = vec![vec![0; b.len() + 1]; a.len() + 1];
        for (i, row) in table.iter_mut().enumerate() {
            row[0] = i;
        }
        table[0] = (0..=b.len()).collect();
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (table[i - 1][j] + 1).min(table[i][j - 1] + 1).min(table[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(table[i - 2][j - 2] + 1);
                }
                table[i][j] = best;
            }
        }
        table[a.len()][b.len()]
    }

    #[test]
    fn the_band_gives_the_distance_of_the_whole_table() {
        let names = [
            "actions/checkout",
            "actions/chekcout",
            "action/checkout",
            "actions/checkou",
            "actoins/chekout",
            "azure/cli",
            "azure/clj",
            "azur/cli",
            "a",
            "ab",
            "ba",
            "",
            "abcabc",
            "cbacba",
            "docker/login-action",
            "docker/loign-action",
            "dokcer/login-actoin",
            "aws-actions/configure-aws-credentials",
        ];
        for a in names {
            for b in names {
                let full = full_distance(a, b);
                for limit in 0..4 {
                    assert_eq!(edit_distance(a, b, limit), (full <= limit).then_some(full), "{a:?} {b:?} {limit}");
                }
            }
        }
    }
}
