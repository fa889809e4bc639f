//! `unsound-condition`: `if:` conditions that do not test what they seem to: always true
//! because of how GitHub reads `${{ }}` in them, or passed by text the attacker writes.

use super::{
    Applicability, Confidence, Edit, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta,
    Severity, StepContext, taint,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::Text;
use crate::model::contexts::{self, Controller, Events, Scope};
use crate::model::expr::{self, Node};
use crate::model::github::{Job, Step, TokenWrites, WorkflowHeader};
use crate::syntax::span::Span;
use crate::syntax::yaml::ScalarStyle;

pub struct UnsoundCondition;

static META: RuleMeta = RuleMeta {
    id: "unsound-condition",
    technique: Technique::DE05,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An `if:` condition is always true, or passed by text an attacker writes",
        detects: "Three kinds of `if:` on jobs and steps. (1) Conditions where `${{ }}` is \
not the whole value: `if: ${{ a }} && b`, two `${{ }}` joined by text, or a block scalar \
(`if: |` or `if: >`) whose value ends with a line break. (2) `contains('main dev', \
github.head_ref)`: a list written as one string, which `contains` searches for a substring. \
(3) On triggers that run with secrets for outsiders, a check that the subject's own text \
(`github.event.issue.body`, a pull request's title, a branch name) contains or equals a \
keyword, with no check of who wrote it in the same condition: the author of that text passes \
it at will. Negated checks (`!contains(..., '[skip ci]')`) only let the author skip work and \
are not reported, nor are keyword checks on comments (chat commands, which need their own \
permission check).",
        why: "GitHub evaluates an `if:` as an expression only when it is bare or entirely one \
`${{ }}`. Otherwise it substitutes each `${{ }}` and gets a string such as `false && true` or \
`false\\n`, and every non-empty string is true: the job or step always runs, whatever the \
condition says, and the check it was meant to be (an event, a branch, an actor) silently \
does nothing. `contains()` on a string is a substring test, so `contains('main develop', \
github.head_ref)` also accepts the branches `ma`, `in` and `dev` of any fork. And a \
keyword in an issue or pull request body is no approval: the attacker writes the body.",
        attack: "Defense Evasion › Manipulate service logs (DE05): the workflow looks guarded, \
in review and in its run logs, but the guard passes for everyone. It opens the gated step to \
whatever comes before it, typically Initial Access through a public repository (IA01) on \
`pull_request_target` or `issue_comment`, and then Execution (EX05, EX06) or Credential \
Access (CA02) with the job's secrets.",
        example: r#"on: pull_request_target
jobs:
  deploy-preview:
    if: ${{ github.event.pull_request.head.repo.fork == false }} && github.actor != 'dependabot[bot]'
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy-preview.sh
"#,
        fixed_example: r#"on: pull_request_target
jobs:
  deploy-preview:
    if: github.event.pull_request.head.repo.fork == false && github.actor != 'dependabot[bot]'
    runs-on: ubuntu-latest
    steps:
      - run: ./deploy-preview.sh
"#,
        fix: "Write the condition bare (`if: a && b`) or entirely inside one `${{ }}`, and \
use `>-` or `|-` if it must span lines. Test membership in a list with `contains(fromJSON('[\"main\", \
\"develop\"]'), github.head_ref)`. Base approvals on who acted (`author_association`, a label \
only maintainers can set, an environment with required reviewers), never on text the \
attacker writes. The quick fixes remove the `${{ }}` from a condition that is not wholly one \
(adding parentheses where precedence needs them), and turn a string searched by `contains` \
into a `fromJSON` list. Both are marked unsafe: the job or step that ran every time now runs \
only when its condition holds, which is the point, but may surprise a pipeline that came to \
rely on it.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec1),
        Reference::Cwe(571, "Expression is Always True"),
        Reference::Zizmor("unsound-condition"),
        Reference::Zizmor("unsound-contains"),
        Reference::Actionlint("if-cond"),
        Reference::Link(
            "GitHub: Expressions, example of `if:` conditions",
            "https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/evaluate-expressions-in-workflows-and-actions#example-expression-in-an-if-conditional",
        ),
    ],
};

impl Rule for UnsoundCondition {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        if let Some(condition) = &context.job.condition {
            let gate = Gate::new("job", context.scope(), Some((context.header, context.job)));
            check(condition, &gate, out);
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(condition) = &step.condition {
            let gate = Gate::new("step", context.scope(), context.header().zip(context.job()));
            check(condition, &gate, out);
        }
    }
}

/// What a condition guards.
struct Gate<'a> {
    /// "job" or "step".
    owner: &'static str,
    scope: Scope<'a>,
    /// Whether an outsider can start the workflow with secrets in reach.
    privileged: bool,
    /// Whether the job holds secrets or a token that may write.
    holds_privileges: bool,
}

impl<'a> Gate<'a> {
    fn new(owner: &'static str, scope: Scope<'a>, job: Option<(&WorkflowHeader, &Job)>) -> Self {
        let privileged = match scope.events {
            Events::Of(triggers) => triggers.events.iter().any(|trigger| trigger.event.is_privileged_for_outsiders()),
            Events::Any => false,
        };
        let holds_privileges = job.is_some_and(|(header, job)| {
            !job.secrets_read(header).is_empty() || TokenWrites::of(header, job).may_write()
        });
        Self { owner, scope, privileged, holds_privileges }
    }
}

fn check(condition: &Text, gate: &Gate<'_>, out: &mut Findings) {
    always_true(condition, gate, out);
    for (offset, source) in expr::condition_sources(&condition.value) {
        let tree = expr::parse(source);
        let mut identity_checked = false;
        tree.walk(&mut |node, _| {
            if let Node::Path { path, .. } = node {
                identity_checked |= contexts::identifies_actor(path);
            }
        });
        tree.walk(&mut |node, negated| {
            substring_membership(condition, offset, node, &gate.scope, out);
            if gate.privileged && !negated && !identity_checked {
                keyword_in_own_text(condition, offset, node, gate, out);
            }
        });
    }
}

/// Reports a condition GitHub reads as a string, which is always true.
fn always_true(condition: &Text, gate: &Gate<'_>, out: &mut Findings) {
    let reason = match condition.expressions.len() {
        0 => return,
        1 if !has_text_outside(condition) => {
            if !condition.value.ends_with('\n') {
                return;
            }
            "the line break that ends the block scalar"
        }
        1 => "the text around its `${{ }}`",
        _ => "the text between its `${{ }}`",
    };
    report_always_true(condition, gate, reason, out);
}

fn report_always_true(condition: &Text, gate: &Gate<'_>, reason: &str, out: &mut Findings) {
    // Point at the expressions rather than the indentation of a block scalar.
    let span = match (condition.expressions.first(), condition.expressions.last()) {
        (Some(first), Some(last)) if first.span.unit == last.span.unit => Span { end: last.span.end, ..first.span },
        _ => condition.span,
    };
    let finding = out.report(
        span,
        format!(
            "GitHub reads this `if:` as text, not as one expression, because of {reason}: it substitutes the \
             `${{{{ }}}}` and gets a non-empty string, which is always true, so the {} runs whatever the condition \
             says",
            gate.owner
        ),
    );
    // A condition on the run's status alone (`${{ success() }} || ${{ failure() }}`) gates
    // nothing an attacker wants; one on the event, the actor or a branch does.
    let reads_context = condition.expressions.iter().any(|expression| !expression.contexts.is_empty());
    let severity = match (reads_context, gate.privileged) {
        (false, _) => Severity::Low,
        (true, false) => Severity::Medium,
        (true, true) => Severity::High,
    };
    finding.with_severity(severity);
    if let Some(fix) = bare_condition_fix(condition) {
        finding.with_fix(fix);
    }
}

/// Whether a condition has text other than blanks outside its one `${{ }}`.
fn has_text_outside(condition: &Text) -> bool {
    let value = condition.value.trim();
    condition.expressions.len() != 1 || !value.starts_with("${{") || !value.ends_with("}}")
}

/// Removes the `${{ }}` around each expression of a condition, with parentheses where `&&`
/// and `||` would otherwise bind differently, or where a plain scalar would start with a
/// YAML indicator.
fn bare_condition_fix(condition: &Text) -> Option<Fix> {
    let several = condition.expressions.len() > 1 || has_text_outside(condition);
    let edits = condition
        .expressions
        .iter()
        .map(|expression| {
            let source = &expression.source;
            let at_start = expression.span.start == condition.span.start;
            let starts_plainly = source.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '(');
            let wrap = (several && (source.contains("&&") || source.contains("||")))
                || (condition.style == ScalarStyle::Plain && at_start && !starts_plainly);
            Edit::replace(expression.span, if wrap { format!("({source})") } else { source.clone() })
        })
        .collect::<Vec<_>>();
    if edits.iter().any(|edit| edit.replacement.is_empty()) {
        return None;
    }
    Some(Fix { title: "Write the condition without `${{ }}`".into(), applicability: Applicability::Unsafe, edits })
}

/// Reports `contains('a b', x)`: a list written as a string, searched for a substring.
fn substring_membership(condition: &Text, offset: usize, node: &Node, scope: &Scope<'_>, out: &mut Findings) {
    let Node::Call { args, range, .. } = node else {
        return;
    };
    let ([Node::Str { value: list, range: list_range }, Node::Path { path, .. }], true) =
        (args.as_slice(), node.is_call("contains"))
    else {
        return;
    };
    let items: Vec<&str> =
        list.split(|c: char| c.is_whitespace() || c == ',').filter(|item| !item.is_empty()).collect();
    if items.len() < 2 {
        return;
    }
    let taint = scope.taint_of_path(path);
    let chooser = taint.as_ref().map_or(String::new(), |taint| format!(", and {} chooses `{path}`", taint::who(taint)));
    let finding = out.report(
        condition.span_of(offset + range.start..offset + range.end),
        format!(
            "`contains('{list}', {path})` tests whether `{path}` is a substring of that string, not one of its items: \
             `{}` and the empty string pass too{chooser}",
            items[0].char_indices().last().map_or("", |(last, _)| &items[0][..last]),
        ),
    );
    let outsider = taint.is_some_and(|taint| taint.controller >= Controller::Author);
    finding.with_severity(if outsider { Severity::Medium } else { Severity::Low });
    if items.iter().all(|item| !item.contains(['"', '\'', '\\'])) {
        let quoted: Vec<String> = items.iter().map(|item| format!("\"{item}\"")).collect();
        finding.with_fix(Fix {
            title: "Test membership in a `fromJSON` list".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit::replace(
                condition.span_of(offset + list_range.start..offset + list_range.end),
                format!("fromJSON('[{}]')", quoted.join(", ")),
            )],
        });
    }
}

/// Reports `contains(github.event.issue.body, 'approved')` and the like: a keyword in text
/// the subject's author writes, used as if someone else had approved.
fn keyword_in_own_text(condition: &Text, offset: usize, node: &Node, gate: &Gate<'_>, out: &mut Findings) {
    let (path, path_range, keyword) = match node {
        Node::Call { args, .. }
            if node.is_call("contains") || node.is_call("startsWith") || node.is_call("endsWith") =>
        {
            match args.as_slice() {
                [Node::Path { path, range }, Node::Str { value, .. }] => (path, range, value),
                _ => return,
            }
        }
        Node::Compare { op, left, right } if op == "==" => match (left.as_ref(), right.as_ref()) {
            (Node::Path { path, range }, Node::Str { value, .. })
            | (Node::Str { value, .. }, Node::Path { path, range }) => (path, range, value),
            _ => return,
        },
        _ => return,
    };
    // Comments are written by someone else than the subject's author: chat commands, whose
    // permission check is a different matter.
    if ["comment", "review", "review_comment"].iter().any(|part| path.split('.').any(|segment| segment == *part)) {
        return;
    }
    let Some(taint) =
        gate.scope.taint_of_path(path).filter(|taint| taint.controller == Controller::Outsider && taint.is_direct())
    else {
        return;
    };
    // An approval written into a body or title is no approval; a branch name tested for a
    // prefix is mostly a filter, which a fork's branch of that name passes too.
    let severity = if taint.multiline && gate.holds_privileges { Severity::Medium } else { Severity::Low };
    out.report(
        condition.span_of(offset + path_range.start..offset + path_range.end),
        format!(
            "the {} runs when `{path}` holds '{keyword}', but that is {}: the author passes this check at will, and \
             nothing in the condition checks who they are",
            gate.owner, taint.what
        ),
    )
    .with_severity(severity)
    .with_confidence(Confidence::Medium);
}
