//! Which runs of a GitHub workflow can start a job: the workflow's triggers (with the branch
//! and tag filters of `push`), the job's `if:`, and the `if:` of the jobs it needs.
//!
//! Conditions are evaluated in three-valued logic for each kind of run: every trigger, and
//! for `push` a push to the default branch, to another branch, or of a tag. What a condition
//! reads and the file does not decide (a repository name, a label, an input) is unknown, so a
//! job whose condition may hold is reported as [`Runs::Maybe`]. The forms release and deploy
//! workflows use are decided: `github.event_name == 'push'`, `startsWith(github.ref,
//! 'refs/tags/')`, `github.ref == 'refs/heads/main'`, `github.ref_type == 'tag'`,
//! `contains(fromJSON('["push", "release"]'), github.event_name)`, `always()`... A test of a
//! value an outsider writes (`contains(github.event.comment.body, '/deploy')`) is theirs to
//! pass, whichever way it is written.

use std::collections::HashMap;

use super::contexts::{JobLookup, is_outsider_controlled_on};
use super::expr::{Comparison, Token, tokenize};
use super::github::{Event, Job, Step, Trigger, WorkflowHeader};
use super::patterns::glob_matches;
use super::reach::{Runs, Truth};

/// What is known of the ref a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunRef {
    /// The default branch, named `main` or `master`.
    DefaultBranch,
    /// Any branch other than the default one: whoever can push can start the run.
    OtherBranch,
    /// A branch other than the default one that the trigger's filters name (`release/**`).
    NamedBranch,
    Tag,
    /// `refs/pull/<n>/merge`.
    PullRequest,
    Unknown,
}

/// One kind of run: a trigger and what its ref is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunKind {
    pub event: Event,
    pub git_ref: RunRef,
}

/// The kinds of run that can start a job, and how surely each does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobReach {
    runs: Vec<(RunKind, Runs)>,
}

/// How deep `needs:` chains are followed.
const MAX_NEEDS_DEPTH: usize = 16;

impl JobReach {
    pub fn of(header: &WorkflowHeader, job: &Job, jobs: &dyn JobLookup) -> JobReach {
        let kinds = run_kinds(&header.triggers.events);
        let mut reacher = Reacher { kinds: &kinds, jobs, memo: HashMap::new() };
        let runs = reacher.runs(job, 0);
        JobReach { runs: kinds.into_iter().zip(runs).collect() }
    }

    /// The runs that reach `step` of `job`: the job's, narrowed by the step's `if:`.
    pub fn of_step(header: &WorkflowHeader, job: &Job, step: &Step, jobs: &dyn JobLookup) -> JobReach {
        let mut reach = JobReach::of(header, job, jobs);
        if let Some(condition) = &step.condition {
            let condition = Condition::parse(&condition.value);
            for (kind, runs) in &mut reach.runs {
                *runs = runs.and(Runs::when(condition.evaluate(kind)));
            }
        }
        reach
    }

    /// Whether runs of `event` can start the job.
    pub fn event(&self, event: &Event) -> Runs {
        self.runs.iter().filter(|(kind, _)| kind.event == *event).map(|(_, runs)| *runs).max().unwrap_or(Runs::No)
    }

    /// Whether a push to a branch other than the default one can start the job: anyone with
    /// write access can push one, reviewed or not.
    pub fn other_branch_pushes(&self) -> Runs {
        self.runs
            .iter()
            .filter(|(kind, _)| kind.event == Event::Push && kind.git_ref == RunRef::OtherBranch)
            .map(|(_, runs)| *runs)
            .max()
            .unwrap_or(Runs::No)
    }

    /// The event that outsiders cause and that runs with the repository's secrets
    /// (`pull_request_target`, `issue_comment`, `workflow_run`...) most surely able to start the
    /// job, if any can.
    pub fn privileged_outsider_event(&self) -> Option<(&Event, Runs)> {
        self.events().into_iter().filter(|(event, _)| event.is_privileged_for_outsiders()).max_by_key(|(_, runs)| *runs)
    }

    /// The triggers that can start the job, each with how surely, in the workflow's order.
    pub fn events(&self) -> Vec<(&Event, Runs)> {
        let mut events: Vec<(&Event, Runs)> = Vec::new();
        for (kind, runs) in self.runs.iter().filter(|(_, runs)| runs.possible()) {
            match events.iter_mut().find(|(event, _)| **event == kind.event) {
                Some((_, existing)) => *existing = (*existing).max(*runs),
                None => events.push((&kind.event, *runs)),
            }
        }
        events
    }
}

/// The kinds of run a workflow's triggers start.
fn run_kinds(triggers: &[Trigger]) -> Vec<RunKind> {
    let mut kinds = Vec::new();
    for trigger in triggers {
        let event = trigger.event.clone();
        let refs: Vec<RunRef> = match trigger.event {
            Event::Push => push_refs(trigger),
            Event::PullRequest | Event::PullRequestReview | Event::PullRequestReviewComment => {
                vec![RunRef::PullRequest]
            }
            Event::Release => vec![RunRef::Tag],
            Event::Schedule
            | Event::IssueComment
            | Event::Issues
            | Event::Discussion
            | Event::DiscussionComment
            | Event::WorkflowRun
            | Event::RepositoryDispatch
            | Event::Watch
            | Event::Fork
            | Event::Gollum
            | Event::CheckRun
            | Event::CheckSuite => vec![RunRef::DefaultBranch],
            _ => vec![RunRef::Unknown],
        };
        kinds.extend(refs.into_iter().map(|git_ref| RunKind { event: event.clone(), git_ref }));
    }
    kinds
}

/// The refs a `push` trigger runs for, from its filters: branch filters alone exclude tags,
/// tag filters alone exclude branches.
fn push_refs(trigger: &Trigger) -> Vec<RunRef> {
    let branch_filter = !trigger.branches.is_empty() || !trigger.branches_ignore.is_empty();
    let tag_filter = !trigger.tags.is_empty() || !trigger.tags_ignore.is_empty();
    let mut refs = Vec::new();
    if branch_filter || !tag_filter {
        let is_default = |name: &str| matches!(name, "main" | "master");
        let default = if trigger.branches.is_empty() {
            !trigger
                .branches_ignore
                .iter()
                .any(|pattern| glob_matches(pattern, "main") && glob_matches(pattern, "master"))
        } else {
            trigger.branches.iter().any(|pattern| glob_matches(pattern, "main") || glob_matches(pattern, "master"))
        };
        let any = trigger.branches.is_empty()
            || trigger.branches.iter().any(|pattern| matches!(pattern.as_str(), "*" | "**"));
        let named = trigger.branches.iter().any(|pattern| !is_default(pattern));
        if default {
            refs.push(RunRef::DefaultBranch);
        }
        if any {
            refs.push(RunRef::OtherBranch);
        } else if named {
            refs.push(RunRef::NamedBranch);
        }
    }
    if tag_filter || !branch_filter {
        refs.push(RunRef::Tag);
    }
    refs
}

struct Reacher<'a> {
    kinds: &'a [RunKind],
    jobs: &'a dyn JobLookup,
    memo: HashMap<String, Vec<Runs>>,
}

impl Reacher<'_> {
    /// Whether each kind of run starts `job`.
    fn runs(&mut self, job: &Job, depth: usize) -> Vec<Runs> {
        if let Some(known) = self.memo.get(&job.id.value) {
            return known.clone();
        }
        let condition = job.condition.as_deref().map(|text| Condition::parse(&text.value));
        let mut runs: Vec<Runs> = self
            .kinds
            .iter()
            .map(|kind| condition.as_ref().map_or(Runs::Yes, |condition| Runs::when(condition.evaluate(kind))))
            .collect();
        // A job runs only if the jobs it needs ran, unless its condition says otherwise.
        let status_function = condition.as_ref().is_some_and(|condition| condition.reads_status);
        if !status_function && depth < MAX_NEEDS_DEPTH {
            // Mark the job while its needs are read, so that a cycle ends.
            self.memo.insert(job.id.value.clone(), runs.clone());
            for need in &job.needs {
                let Some(needed) = self.jobs.job(&need.value) else { continue };
                let needed_runs = self.runs(needed, depth + 1);
                for (own, needed) in runs.iter_mut().zip(needed_runs) {
                    *own = own.and(needed);
                }
            }
        }
        self.memo.insert(job.id.value.clone(), runs.clone());
        runs
    }
}

/// A parsed `if:` condition.
struct Condition {
    expression: Option<Expr>,
    /// Whether it calls `always()`, `failure()` or `cancelled()`, which let a job run when
    /// the jobs it needs did not.
    reads_status: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Value),
    /// A context path, lowercased: `github.event_name`.
    Path(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Equal(Box<Expr>, Box<Expr>),
    NotEqual(Box<Expr>, Box<Expr>),
    /// Ordering comparisons, never decided.
    Ordering(Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

/// A value a condition computes, as far as it is known.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    /// Text known to start with `prefix` and to be none of `not`: another branch's ref is
    /// `refs/heads/...` but not `refs/heads/main`.
    Prefix {
        prefix: &'static str,
        not: &'static [&'static str],
    },
    Bool(bool),
    Null,
    List(Vec<String>),
    Unknown,
    /// Text an outsider writes, or a test of it: true or false as they choose.
    Chosen,
}

/// How deep a condition may nest before it counts as unknown.
const MAX_NESTING: usize = 32;

impl Condition {
    fn parse(source: &str) -> Condition {
        let trimmed = source.trim();
        let inner = trimmed
            .strip_prefix("${{")
            .and_then(|rest| rest.strip_suffix("}}"))
            .filter(|inner| !inner.contains("${{"))
            .unwrap_or(trimmed);
        let tokens: Vec<Token<'_>> = tokenize(inner).into_iter().map(|(token, ..)| token).collect();
        let mut parser = Parser { tokens: &tokens, position: 0, depth: 0 };
        let expression = parser.or();
        let complete = parser.position == tokens.len() && parser.depth <= MAX_NESTING;
        let reads_status = tokens.windows(2).any(|pair| {
            let status = ["always", "failure", "cancelled"];
            matches!(pair[0], Token::Ident(name) if status.iter().any(|s| s.eq_ignore_ascii_case(name)))
                && pair[1] == Token::OpenParen
        });
        Condition { expression: expression.filter(|_| complete), reads_status }
    }

    fn evaluate(&self, kind: &RunKind) -> Truth {
        let Some(expression) = &self.expression else {
            return Truth::Unknown;
        };
        if kind.git_ref == RunRef::DefaultBranch {
            // The default branch is almost always `main` or `master`: decided if both agree.
            let main = truthy(&evaluate(expression, kind, "main"));
            let master = truthy(&evaluate(expression, kind, "master"));
            return if main == master { main } else { Truth::Unknown };
        }
        truthy(&evaluate(expression, kind, "main"))
    }
}

fn truthy(value: &Value) -> Truth {
    match value {
        Value::Text(text) => Truth::of(!text.is_empty()),
        Value::Prefix { .. } | Value::List(_) | Value::Chosen => Truth::True,
        Value::Bool(value) => Truth::of(*value),
        Value::Null => Truth::False,
        Value::Unknown => Truth::Unknown,
    }
}

const DEFAULT_REFS: &[&str] = &["refs/heads/main", "refs/heads/master"];
const DEFAULT_NAMES: &[&str] = &["main", "master"];

/// The value of a context path in a kind of run; `default` names the default branch.
fn context(path: &str, kind: &RunKind, default: &str) -> Value {
    let text = |value: &str| Value::Text(value.to_owned());
    match (path, kind.git_ref) {
        ("github.event_name", _) => text(kind.event.name()),
        ("github.ref", RunRef::DefaultBranch) => text(&format!("refs/heads/{default}")),
        ("github.ref", RunRef::OtherBranch | RunRef::NamedBranch) => {
            Value::Prefix { prefix: "refs/heads/", not: DEFAULT_REFS }
        }
        ("github.ref", RunRef::Tag) => Value::Prefix { prefix: "refs/tags/", not: &[] },
        ("github.ref", RunRef::PullRequest) => Value::Prefix { prefix: "refs/pull/", not: &[] },
        ("github.ref_name", RunRef::DefaultBranch) => text(default),
        ("github.ref_name", RunRef::OtherBranch | RunRef::NamedBranch) => {
            Value::Prefix { prefix: "", not: DEFAULT_NAMES }
        }
        (
            "github.ref_type",
            RunRef::DefaultBranch | RunRef::OtherBranch | RunRef::NamedBranch | RunRef::PullRequest,
        ) => text("branch"),
        ("github.ref_type", RunRef::Tag) => text("tag"),
        // Whoever comments chooses to comment on a pull request or on an issue.
        ("github.event.issue.pull_request", _) if kind.event == Event::IssueComment => Value::Chosen,
        (path, _) if is_outsider_controlled_on(path, &kind.event) => Value::Chosen,
        _ => Value::Unknown,
    }
}

/// Three-valued truth, and the truth of a test an outsider passes or fails as they choose.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Test {
    Decided(Truth),
    Chosen,
}

impl Test {
    fn of(value: &Value) -> Test {
        if *value == Value::Chosen { Test::Chosen } else { Test::Decided(truthy(value)) }
    }

    fn value(self) -> Value {
        match self {
            Test::Chosen => Value::Chosen,
            Test::Decided(Truth::True) => Value::Bool(true),
            Test::Decided(Truth::False) => Value::Bool(false),
            Test::Decided(Truth::Unknown) => Value::Unknown,
        }
    }

    fn and(self, other: Test) -> Test {
        match (self, other) {
            (Test::Chosen, Test::Decided(Truth::True)) | (Test::Decided(Truth::True), Test::Chosen) => Test::Chosen,
            (Test::Chosen, Test::Chosen) => Test::Chosen,
            (Test::Chosen, decided) | (decided, Test::Chosen) => decided,
            (Test::Decided(a), Test::Decided(b)) => Test::Decided(a.and(b)),
        }
    }

    fn or(self, other: Test) -> Test {
        match (self, other) {
            (Test::Decided(Truth::True), _) | (_, Test::Decided(Truth::True)) => Test::Decided(Truth::True),
            (Test::Chosen, _) | (_, Test::Chosen) => Test::Chosen,
            (Test::Decided(a), Test::Decided(b)) => Test::Decided(a.or(b)),
        }
    }
}

impl std::ops::Not for Test {
    type Output = Test;

    fn not(self) -> Test {
        match self {
            Test::Chosen => Test::Chosen,
            Test::Decided(truth) => Test::Decided(!truth),
        }
    }
}

fn evaluate(expression: &Expr, kind: &RunKind, default: &str) -> Value {
    let eval = |expression: &Expr| evaluate(expression, kind, default);
    let test = |expression: &Expr| Test::of(&eval(expression));
    let compare = |left: &Expr, right: &Expr| {
        let (left, right) = (eval(left), eval(right));
        if left == Value::Chosen || right == Value::Chosen { Test::Chosen } else { Test::Decided(equal(&left, &right)) }
    };
    match expression {
        Expr::Literal(value) => value.clone(),
        Expr::Path(path) => context(path, kind, default),
        Expr::Not(inner) => (!test(inner)).value(),
        Expr::And(left, right) => test(left).and(test(right)).value(),
        Expr::Or(left, right) => test(left).or(test(right)).value(),
        Expr::Equal(left, right) => compare(left, right).value(),
        Expr::NotEqual(left, right) => (!compare(left, right)).value(),
        Expr::Ordering(..) => Value::Unknown,
        Expr::Call(name, args) => {
            let args: Vec<Value> = args.iter().map(eval).collect();
            if args.contains(&Value::Chosen) && name != "fromjson" { Value::Chosen } else { call(name, &args) }
        }
    }
}

fn equal(left: &Value, right: &Value) -> Truth {
    match (left, right) {
        (Value::Text(a), Value::Text(b)) => Truth::of(a.eq_ignore_ascii_case(b)),
        (Value::Prefix { prefix, not }, Value::Text(text)) | (Value::Text(text), Value::Prefix { prefix, not }) => {
            if !starts_with(text, prefix) || not.iter().any(|excluded| excluded.eq_ignore_ascii_case(text)) {
                Truth::False
            } else {
                Truth::Unknown
            }
        }
        (Value::Bool(a), Value::Bool(b)) => Truth::of(a == b),
        (Value::Null, Value::Null) => Truth::True,
        (Value::Null, Value::Text(_) | Value::Prefix { .. }) | (Value::Text(_) | Value::Prefix { .. }, Value::Null) => {
            Truth::False
        }
        _ => Truth::Unknown,
    }
}

fn starts_with(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn call(name: &str, args: &[Value]) -> Value {
    match (name, args) {
        // A job runs when nothing before it failed or was cancelled; whether something did
        // is not known from the file.
        ("success" | "always", []) => Value::Bool(true),
        ("cancelled", []) => Value::Bool(false),
        ("startswith", [Value::Text(text), Value::Text(prefix)]) => Value::Bool(starts_with(text, prefix)),
        ("startswith", [Value::Prefix { prefix: known, .. }, Value::Text(prefix)]) => {
            if starts_with(known, prefix) {
                Value::Bool(true)
            } else if starts_with(prefix, known) {
                Value::Unknown
            } else {
                Value::Bool(false)
            }
        }
        ("endswith", [Value::Text(text), Value::Text(suffix)]) => {
            let (text, suffix) = (text.to_ascii_lowercase(), suffix.to_ascii_lowercase());
            Value::Bool(text.ends_with(&suffix))
        }
        ("contains", [Value::Text(text), Value::Text(part)]) => {
            Value::Bool(text.to_ascii_lowercase().contains(&part.to_ascii_lowercase()))
        }
        ("contains", [Value::List(items), Value::Text(item)]) => {
            Value::Bool(items.iter().any(|candidate| candidate.eq_ignore_ascii_case(item)))
        }
        ("contains", [Value::List(items), Value::Prefix { prefix, not }]) => {
            if items.iter().any(|item| starts_with(item, prefix) && !not.iter().any(|n| n.eq_ignore_ascii_case(item))) {
                Value::Unknown
            } else {
                Value::Bool(false)
            }
        }
        ("fromjson", [Value::Text(json)]) => from_json(json),
        _ => Value::Unknown,
    }
}

/// `fromJSON('["push", "release"]')` and the scalars `true`, `false`, `null`.
fn from_json(json: &str) -> Value {
    match json.trim() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        _ => {}
    }
    let Some(inner) = json.trim().strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) else {
        return Value::Unknown;
    };
    let items: Option<Vec<String>> = inner
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| item.strip_prefix('"').and_then(|rest| rest.strip_suffix('"')).map(str::to_owned))
        .collect();
    items.map_or(Value::Unknown, Value::List)
}

struct Parser<'a> {
    tokens: &'a [Token<'a>],
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn or(&mut self) -> Option<Expr> {
        let mut left = self.and()?;
        while self.eat(&Token::Or) {
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Some(left)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut left = self.comparison()?;
        while self.eat(&Token::And) {
            left = Expr::And(Box::new(left), Box::new(self.comparison()?));
        }
        Some(left)
    }

    fn comparison(&mut self) -> Option<Expr> {
        let left = self.unary()?;
        let make: fn(Box<Expr>, Box<Expr>) -> Expr = match self.tokens.get(self.position) {
            Some(Token::Compare(Comparison::Equal)) => Expr::Equal,
            Some(Token::Compare(Comparison::NotEqual)) => Expr::NotEqual,
            Some(Token::Compare(Comparison::Ordering)) => Expr::Ordering,
            _ => return Some(left),
        };
        self.position += 1;
        let right = self.unary()?;
        Some(make(Box::new(left), Box::new(right)))
    }

    fn unary(&mut self) -> Option<Expr> {
        if self.eat(&Token::Not) {
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return None;
            }
            let inner = self.unary();
            self.depth -= 1;
            return Some(Expr::Not(Box::new(inner?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Option<Expr> {
        let token = self.tokens.get(self.position)?.clone();
        self.position += 1;
        match token {
            Token::OpenParen => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return None;
                }
                let inner = self.or();
                self.depth -= 1;
                self.eat(&Token::CloseParen).then_some(())?;
                inner
            }
            Token::Str(text) => Some(Expr::Literal(Value::Text(text.replace("''", "'")))),
            Token::Number => Some(Expr::Literal(Value::Unknown)),
            Token::Ident(word) => match word.to_ascii_lowercase().as_str() {
                "true" => Some(Expr::Literal(Value::Bool(true))),
                "false" => Some(Expr::Literal(Value::Bool(false))),
                "null" => Some(Expr::Literal(Value::Null)),
                name if self.eat(&Token::OpenParen) => self.call(name.to_owned()),
                name => self.path(name.to_owned()),
            },
            _ => None,
        }
    }

    fn call(&mut self, name: String) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return None;
        }
        let mut args = Vec::new();
        if !self.eat(&Token::CloseParen) {
            loop {
                args.push(self.or()?);
                if self.eat(&Token::CloseParen) {
                    break;
                }
                self.eat(&Token::Comma).then_some(())?;
            }
        }
        self.depth -= 1;
        Some(Expr::Call(name, args))
    }

    /// `github.event.pull_request.labels.*.name`, `github['ref']`, `matrix[env.KEY]`.
    fn path(&mut self, first: String) -> Option<Expr> {
        let mut path = first;
        loop {
            if self.eat(&Token::Dot) {
                match self.tokens.get(self.position) {
                    Some(Token::Ident(segment)) => {
                        path.push('.');
                        path.push_str(&segment.to_ascii_lowercase());
                        self.position += 1;
                    }
                    Some(Token::Star) => {
                        path.push_str(".*");
                        self.position += 1;
                    }
                    _ => return None,
                }
            } else if self.eat(&Token::OpenBracket) {
                match (self.tokens.get(self.position), self.tokens.get(self.position + 1)) {
                    (Some(Token::Str(segment)), Some(Token::CloseBracket)) => {
                        path.push('.');
                        path.push_str(&segment.to_ascii_lowercase());
                        self.position += 2;
                    }
                    _ => {
                        // An index that is computed: the value is unknown.
                        let close = self.tokens[self.position..].iter().position(|t| *t == Token::CloseBracket)?;
                        self.position += close + 1;
                        path.push_str(".*");
                    }
                }
            } else {
                return Some(Expr::Path(path));
            }
        }
    }

    fn eat(&mut self, token: &Token<'_>) -> bool {
        let found = self.tokens.get(self.position) == Some(token);
        self.position += usize::from(found);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::contexts::JobList;
    use crate::model::github::parse_for_tests;

    fn reach(source: &str, job: usize) -> JobReach {
        let workflow = parse_for_tests(source);
        JobReach::of(&workflow.header, &workflow.jobs[job], &JobList(&workflow.jobs))
    }

    fn truth(condition: &str, event: Event, git_ref: RunRef) -> Truth {
        Condition::parse(condition).evaluate(&RunKind { event, git_ref })
    }

    #[test]
    fn conditions_on_events_and_refs() {
        use RunRef::*;
        assert_eq!(truth("github.event_name == 'push'", Event::PullRequestTarget, Unknown), Truth::False);
        assert_eq!(truth("${{ github.event_name == 'push' }}", Event::Push, OtherBranch), Truth::True);
        assert_eq!(truth("startsWith(github.ref, 'refs/tags/')", Event::Push, OtherBranch), Truth::False);
        assert_eq!(truth("startsWith(github.ref, 'refs/tags/v')", Event::Push, Tag), Truth::Unknown);
        assert_eq!(truth("github.ref == 'refs/heads/main'", Event::Push, DefaultBranch), Truth::Unknown);
        assert_eq!(truth("github.ref == 'refs/heads/main'", Event::Push, OtherBranch), Truth::False);
        assert_eq!(truth("github.ref_type == 'tag'", Event::PullRequest, PullRequest), Truth::False);
        assert_eq!(
            truth(
                "github.repository == 'o/r' && github.event_name != 'issue_comment'",
                Event::IssueComment,
                DefaultBranch
            ),
            Truth::False
        );
        assert_eq!(truth("github.repository == 'o/r'", Event::Push, Tag), Truth::Unknown);
        assert_eq!(
            truth(
                "contains(fromJSON('[\"push\", \"release\"]'), github.event_name)",
                Event::WorkflowRun,
                DefaultBranch
            ),
            Truth::False
        );
        assert_eq!(truth("!cancelled() && github.event_name == 'release'", Event::Release, Tag), Truth::True);
        assert_eq!(
            truth(
                "github.event.pull_request.head.repo.full_name == github.repository",
                Event::PullRequestTarget,
                Unknown
            ),
            Truth::Unknown
        );
        assert_eq!(truth("it's (broken", Event::Push, Tag), Truth::Unknown);
        let comment = "github.event.issue.pull_request && !contains(github.event.comment.body, 'skip')";
        assert_eq!(truth(comment, Event::IssueComment, DefaultBranch), Truth::True, "the commenter chooses");
        let member =
            "contains(github.event.comment.body, '/deploy') && github.event.comment.author_association == 'MEMBER'";
        assert_eq!(truth(member, Event::IssueComment, DefaultBranch), Truth::Unknown);
        assert_eq!(
            truth(
                "contains(github.event.comment.body, '/x') && github.event_name == 'push'",
                Event::IssueComment,
                DefaultBranch
            ),
            Truth::False
        );
    }

    #[test]
    fn push_filters_and_needs() {
        let source = "on:\n  push:\n    tags: ['v*']\n  pull_request:\njobs:\n  build:\n    runs-on: x\n    steps: [{run: make}]\n  release:\n    if: startsWith(github.ref, 'refs/tags/')\n    needs: build\n    runs-on: x\n    steps: [{run: make}]\n  publish:\n    needs: release\n    runs-on: x\n    steps: [{run: make}]\n  notify:\n    needs: release\n    if: always()\n    runs-on: x\n    steps: [{run: make}]\n";
        let build = reach(source, 0);
        assert_eq!((build.event(&Event::Push), build.other_branch_pushes()), (Runs::Yes, Runs::No));
        assert_eq!(reach(source, 2).event(&Event::PullRequest), Runs::No, "needs a job that only runs for tags");
        assert_eq!(reach(source, 3).event(&Event::PullRequest), Runs::Yes, "always() runs whatever its needs did");
        let branches =
            "on:\n  push:\n    branches: [main, 'release/**']\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n";
        assert_eq!(reach(branches, 0).other_branch_pushes(), Runs::No, "only named branches");
        let any =
            "on:\n  push:\n    branches-ignore: [gh-pages]\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n";
        assert_eq!(reach(any, 0).other_branch_pushes(), Runs::Yes);
        let main_only = "on:\n  push:\n    branches: [main]\njobs:\n  a:\n    runs-on: x\n    steps: [{run: make}]\n";
        let main = reach(main_only, 0);
        let gated = "on: [push, workflow_dispatch]\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: github.event_name == 'workflow_dispatch'\n        run: make\n";
        let workflow = parse_for_tests(gated);
        let step = JobReach::of_step(
            &workflow.header,
            &workflow.jobs[0],
            &workflow.jobs[0].steps[0],
            &JobList(&workflow.jobs),
        );
        assert_eq!((step.event(&Event::Push), step.event(&Event::WorkflowDispatch)), (Runs::No, Runs::Yes));
        assert_eq!((main.event(&Event::Push), main.other_branch_pushes()), (Runs::Yes, Runs::No));
    }

    #[test]
    fn hostile_conditions_are_unknown() {
        let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(truth(&deep, Event::Push, RunRef::Tag), Truth::Unknown);
        let nots = "!".repeat(10_000);
        assert_eq!(truth(&nots, Event::Push, RunRef::Tag), Truth::Unknown);
        for odd in ["'", "a[", "f(", "a.", "== ==", "fromJSON('[\"a\",')", "contains(", "a[b"] {
            let _ = truth(odd, Event::Push, RunRef::Tag);
        }
    }
}
