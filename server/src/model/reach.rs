//! When a GitLab job runs: its `rules:`, `only:` and `except:` (and the pipeline's
//! `workflow: rules:`) reduced to the questions security rules ask. Can a merge request
//! pipeline run it, where a merge request's author chooses the code? Can a pipeline for a
//! branch other than the default one, pushed by any developer, run it?
//!
//! Conditions are evaluated for four kinds of pipeline with three-valued logic: a comparison
//! with a value the file does not decide (a project path, a regular expression over a branch
//! name) is unknown, and a job whose rules may match is reported as [`Runs::Maybe`].

use super::Text;
use super::gitlab::RuleClause;

/// Whether a job runs in a kind of pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Runs {
    No,
    /// Depends on something the file does not decide.
    Maybe,
    Yes,
}

impl Runs {
    pub fn possible(self) -> bool {
        self != Runs::No
    }

    /// For messages about a job in a kind of pipeline: nothing when it surely runs there,
    /// else " (if its rules let it run there)".
    pub fn caveat(self) -> &'static str {
        if self == Runs::Yes { "" } else { " (if its rules let it run there)" }
    }

    fn and(self, other: Runs) -> Runs {
        self.min(other)
    }
}

/// The kinds of pipeline a job can run in, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reach {
    /// Merge request pipelines: their code is the merge request's, which a fork's author
    /// writes when a maintainer runs the pipeline in this project.
    pub merge_requests: Runs,
    /// Pipelines for branches other than the default branch, which anyone who can push a
    /// branch starts, and which do not get protected variables.
    pub other_branches: Runs,
    pub default_branch: Runs,
    pub tags: Runs,
    /// Whether the job waits for a person to start it (`when: manual`) wherever it runs.
    pub manual: bool,
}

impl Reach {
    const EVERYWHERE: Reach = Reach {
        merge_requests: Runs::Yes,
        other_branches: Runs::Yes,
        default_branch: Runs::Yes,
        tags: Runs::Yes,
        manual: false,
    };

    /// Where a job runs, from its own `rules:`/`only:`/`except:` and `when:`, within the
    /// pipelines `workflow: rules:` create (`None` when there are none).
    ///
    /// A job with none of `rules:`, `only:` and `except:` gets the default `only: [branches,
    /// tags]`, so it stays out of merge request pipelines, unless the pipeline has
    /// `workflow: rules:`: GitLab then drops that default and the job runs in every pipeline
    /// the workflow creates.
    pub fn of_job(
        rules: &[RuleClause],
        only: &[String],
        except: &[String],
        when: Option<&str>,
        workflow: Option<&Reach>,
    ) -> Reach {
        let own = if !rules.is_empty() {
            of_rules(rules)
        } else if !only.is_empty() || !except.is_empty() || workflow.is_none() {
            of_refs(only, except)
        } else {
            Reach::EVERYWHERE
        };
        let workflow = workflow.unwrap_or(&Reach::EVERYWHERE);
        Reach {
            merge_requests: own.merge_requests.and(workflow.merge_requests),
            other_branches: own.other_branches.and(workflow.other_branches),
            default_branch: own.default_branch.and(workflow.default_branch),
            tags: own.tags.and(workflow.tags),
            manual: own.manual || when == Some("manual"),
        }
    }

    /// The pipelines `workflow: rules:` lets GitLab create. Without them GitLab creates
    /// branch and tag pipelines, and merge request pipelines only for jobs whose own rules
    /// ask for them (counted as possible here, decided by the job: see [`Reach::of_job`]).
    pub fn of_workflow(rules: &[RuleClause]) -> Reach {
        if rules.is_empty() { Reach::EVERYWHERE } else { of_rules(rules) }
    }

    /// Whether code that someone without maintainer rights chose can run the job: a merge
    /// request's, or an unprotected branch's.
    pub fn untrusted_code_can_run(&self) -> Runs {
        self.merge_requests.max(self.other_branches)
    }
}

/// The four kinds of pipeline conditions are evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pipeline {
    MergeRequest,
    OtherBranch,
    DefaultBranch,
    Tag,
}

const PIPELINES: [Pipeline; 4] =
    [Pipeline::MergeRequest, Pipeline::OtherBranch, Pipeline::DefaultBranch, Pipeline::Tag];

fn of_rules(rules: &[RuleClause]) -> Reach {
    let mut runs = [Runs::No; 4];
    let mut manual = true;
    for (slot, pipeline) in PIPELINES.iter().enumerate() {
        let mut possible = Runs::No;
        for clause in rules {
            let when = clause.when.as_ref().map(|when| when.as_str());
            let matches = clause.condition.as_ref().map_or(Truth::True, |condition| evaluate(condition, *pipeline));
            let matches = if clause.has_changes_or_exists { matches.and(Truth::Unknown) } else { matches };
            let included = when != Some("never");
            match matches {
                Truth::False => continue,
                Truth::True => {
                    if included {
                        possible = possible.max(Runs::Yes);
                        manual &= when == Some("manual");
                    }
                    break;
                }
                Truth::Unknown => {
                    if included {
                        possible = possible.max(Runs::Maybe);
                        manual &= when == Some("manual");
                    }
                }
            }
        }
        runs[slot] = possible;
    }
    let [merge_requests, other_branches, default_branch, tags] = runs;
    let manual = manual && runs.iter().any(|r| r.possible());
    Reach { merge_requests, other_branches, default_branch, tags, manual }
}

/// `only:` and `except:` with refs (`merge_requests`, `branches`, `tags`, branch names and
/// `/regex/` patterns).
fn of_refs(only: &[String], except: &[String]) -> Reach {
    let matches = |refs: &[String], pipeline: Pipeline| -> Runs {
        refs.iter().map(|reference| ref_matches(reference, pipeline)).max().unwrap_or(Runs::No)
    };
    let runs = |pipeline: Pipeline| {
        let included = if only.is_empty() {
            // The default `only: [branches, tags]`.
            if pipeline == Pipeline::MergeRequest { Runs::No } else { Runs::Yes }
        } else {
            matches(only, pipeline)
        };
        let excluded = matches(except, pipeline);
        match excluded {
            Runs::Yes => Runs::No,
            Runs::Maybe => included.and(Runs::Maybe),
            Runs::No => included,
        }
    };
    Reach {
        merge_requests: runs(Pipeline::MergeRequest),
        other_branches: runs(Pipeline::OtherBranch),
        default_branch: runs(Pipeline::DefaultBranch),
        tags: runs(Pipeline::Tag),
        manual: false,
    }
}

fn ref_matches(reference: &str, pipeline: Pipeline) -> Runs {
    let yes_if = |condition: bool| if condition { Runs::Yes } else { Runs::No };
    match reference {
        "merge_requests" | "external_pull_requests" => yes_if(pipeline == Pipeline::MergeRequest),
        "branches" | "pushes" => yes_if(matches!(pipeline, Pipeline::OtherBranch | Pipeline::DefaultBranch)),
        "tags" => yes_if(pipeline == Pipeline::Tag),
        "api" | "chat" | "pipelines" | "schedules" | "triggers" | "web" => Runs::No,
        pattern if pattern.starts_with('/') => match pipeline {
            Pipeline::MergeRequest => Runs::No,
            _ => Runs::Maybe,
        },
        name if is_default_branch_name(name) => yes_if(pipeline == Pipeline::DefaultBranch),
        _ => yes_if(pipeline == Pipeline::OtherBranch),
    }
}

fn is_default_branch_name(name: &str) -> bool {
    matches!(name, "main" | "master")
}

/// Three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Truth {
    False,
    Unknown,
    True,
}

impl Truth {
    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

/// A value a condition compares.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    /// A variable that is not set in this kind of pipeline.
    Absent,
    /// Set to a non-empty value the file does not decide.
    Set,
    /// Set or not, to something the file does not decide.
    Unknown,
    /// The default branch's name, whatever it is.
    DefaultBranch,
    /// The name of a branch that is not the default one.
    OtherBranch,
    Text(String),
    Regex(String),
}

/// The value of a predefined variable in a kind of pipeline.
fn variable(name: &str, pipeline: Pipeline) -> Value {
    use Pipeline::*;
    match (name, pipeline) {
        ("CI_PIPELINE_SOURCE", MergeRequest) => Value::Text("merge_request_event".into()),
        ("CI_PIPELINE_SOURCE", _) => Value::Text("push".into()),
        (name, MergeRequest) if name.starts_with("CI_MERGE_REQUEST_") => Value::Set,
        (name, _) if name.starts_with("CI_MERGE_REQUEST_") => Value::Absent,
        ("CI_COMMIT_BRANCH", DefaultBranch) | ("CI_COMMIT_REF_NAME", DefaultBranch) | ("CI_DEFAULT_BRANCH", _) => {
            Value::DefaultBranch
        }
        ("CI_COMMIT_BRANCH", OtherBranch) | ("CI_COMMIT_REF_NAME", OtherBranch) => Value::OtherBranch,
        ("CI_COMMIT_REF_NAME", _) => Value::Unknown,
        ("CI_COMMIT_BRANCH", MergeRequest | Tag) => Value::Absent,
        ("CI_COMMIT_TAG", Tag) => Value::Set,
        ("CI_COMMIT_TAG", _) => Value::Absent,
        ("CI_COMMIT_REF_PROTECTED", DefaultBranch) => Value::Text("true".into()),
        ("CI_COMMIT_REF_PROTECTED", MergeRequest | OtherBranch) => Value::Text("false".into()),
        _ => Value::Unknown,
    }
}

/// Evaluates a `rules: if:` condition in a kind of pipeline.
fn evaluate(condition: &Text, pipeline: Pipeline) -> Truth {
    let tokens = tokenize(&condition.value);
    let mut parser = Parser { tokens: &tokens, position: 0, pipeline, depth: 0 };
    let truth = parser.or();
    if parser.position < tokens.len() { Truth::Unknown } else { truth }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Variable(String),
    Text(String),
    Regex(String),
    Null,
    Equal,
    NotEqual,
    Matches,
    NotMatches,
    And,
    Or,
    Open,
    Close,
    Not,
}

fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let rest = &source[index..];
        let (token, len) = match bytes[index] {
            b' ' | b'\t' | b'\n' | b'\r' => {
                index += 1;
                continue;
            }
            b'$' => {
                let braced = rest.starts_with("${");
                let start = if braced { 2 } else { 1 };
                let len = rest[start..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
                let end = start + len + usize::from(braced && rest[start + len..].starts_with('}'));
                (Token::Variable(rest[start..start + len].to_owned()), end.max(1))
            }
            quote @ (b'"' | b'\'') => {
                let close = rest[1..].find(quote as char).map_or(rest.len(), |found| found + 1);
                (Token::Text(rest[1..close].to_owned()), (close + 1).min(rest.len()))
            }
            b'/' => {
                let close = rest[1..].find('/').map_or(rest.len(), |found| found + 1);
                let flags = rest[(close + 1).min(rest.len())..].bytes().take_while(u8::is_ascii_alphabetic).count();
                (Token::Regex(rest[1..close].to_owned()), (close + 1 + flags).min(rest.len()))
            }
            _ if rest.starts_with("==") => (Token::Equal, 2),
            _ if rest.starts_with("!=") => (Token::NotEqual, 2),
            _ if rest.starts_with("=~") => (Token::Matches, 2),
            _ if rest.starts_with("!~") => (Token::NotMatches, 2),
            _ if rest.starts_with("&&") => (Token::And, 2),
            _ if rest.starts_with("||") => (Token::Or, 2),
            b'(' => (Token::Open, 1),
            b')' => (Token::Close, 1),
            b'!' => (Token::Not, 1),
            _ if rest.starts_with("null") => (Token::Null, 4),
            _ => {
                let len = rest.chars().next().map_or(1, char::len_utf8);
                (Token::Text(rest[..len].to_owned()), len)
            }
        };
        tokens.push(token);
        index += len;
    }
    tokens
}

/// How deep parentheses may nest before the condition counts as unknown.
const MAX_NESTING: usize = 32;

struct Parser<'a> {
    tokens: &'a [Token],
    position: usize,
    pipeline: Pipeline,
    depth: usize,
}

impl Parser<'_> {
    fn or(&mut self) -> Truth {
        let mut truth = self.and();
        while self.eat(&Token::Or) {
            truth = truth.or(self.and());
        }
        truth
    }

    fn and(&mut self) -> Truth {
        let mut truth = self.unary();
        while self.eat(&Token::And) {
            truth = truth.and(self.unary());
        }
        truth
    }

    fn unary(&mut self) -> Truth {
        let mut negations = 0usize;
        while self.eat(&Token::Not) {
            negations += 1;
        }
        let truth = self.primary();
        if negations % 2 == 1 { truth.not() } else { truth }
    }

    fn primary(&mut self) -> Truth {
        if self.eat(&Token::Open) {
            self.depth += 1;
            if self.depth > MAX_NESTING {
                self.position = self.tokens.len();
                return Truth::Unknown;
            }
            let truth = self.or();
            self.eat(&Token::Close);
            self.depth -= 1;
            return truth;
        }
        let left = self.operand();
        let operator = self.tokens.get(self.position).cloned();
        match operator {
            Some(op @ (Token::Equal | Token::NotEqual | Token::Matches | Token::NotMatches)) => {
                self.position += 1;
                let right = self.operand();
                compare(&left, &op, &right)
            }
            // A variable alone is true when it is set and not empty.
            _ => match left {
                Value::Absent => Truth::False,
                Value::Text(text) => {
                    if text.is_empty() {
                        Truth::False
                    } else {
                        Truth::True
                    }
                }
                Value::DefaultBranch | Value::OtherBranch | Value::Set => Truth::True,
                Value::Unknown | Value::Regex(_) => Truth::Unknown,
            },
        }
    }

    fn operand(&mut self) -> Value {
        let value = match self.tokens.get(self.position) {
            Some(Token::Variable(name)) => variable(name, self.pipeline),
            Some(Token::Text(text)) => Value::Text(text.clone()),
            Some(Token::Regex(pattern)) => Value::Regex(pattern.clone()),
            Some(Token::Null) => Value::Absent,
            _ => return Value::Unknown,
        };
        self.position += 1;
        value
    }

    fn eat(&mut self, token: &Token) -> bool {
        let found = self.tokens.get(self.position) == Some(token);
        self.position += usize::from(found);
        found
    }
}

fn compare(left: &Value, operator: &Token, right: &Value) -> Truth {
    let equal = match (left, right) {
        (Value::Absent, Value::Absent) => Truth::True,
        // A variable the file does not decide may be unset too.
        (Value::Unknown, _) | (_, Value::Unknown) => Truth::Unknown,
        (Value::Absent, _) | (_, Value::Absent) => Truth::False,
        (Value::DefaultBranch, Value::DefaultBranch) => Truth::True,
        (Value::DefaultBranch, Value::OtherBranch) | (Value::OtherBranch, Value::DefaultBranch) => Truth::False,
        (Value::OtherBranch, Value::Text(name)) | (Value::Text(name), Value::OtherBranch) => {
            if is_default_branch_name(name) { Truth::False } else { Truth::Unknown }
        }
        (Value::DefaultBranch, Value::Text(name)) | (Value::Text(name), Value::DefaultBranch) => {
            if is_default_branch_name(name) {
                Truth::True
            } else {
                Truth::Unknown
            }
        }
        (Value::Text(a), Value::Text(b)) => {
            if a == b {
                Truth::True
            } else {
                Truth::False
            }
        }
        _ => Truth::Unknown,
    };
    let matched = match (left, right) {
        (Value::Absent, Value::Regex(_)) => Truth::False,
        (Value::Text(text), Value::Regex(pattern)) => simple_regex_match(pattern, text),
        // The default branch is almost always `main` or `master`.
        (Value::DefaultBranch, Value::Regex(pattern)) => {
            match (simple_regex_match(pattern, "main"), simple_regex_match(pattern, "master")) {
                (a, b) if a == b => a,
                _ => Truth::Unknown,
            }
        }
        _ => Truth::Unknown,
    };
    match operator {
        Token::Equal => equal,
        Token::NotEqual => equal.not(),
        Token::Matches => matched,
        _ => matched.not(),
    }
}

/// Decides the common forms `/^text/`, `/text$/`, `/^text$/` and `/text/` over known text;
/// anything with other regular expression syntax is unknown.
fn simple_regex_match(pattern: &str, text: &str) -> Truth {
    let anchored_start = pattern.starts_with('^');
    let anchored_end = pattern.ends_with('$') && !pattern.ends_with("\\$");
    let core = pattern.trim_start_matches('^');
    let core = if anchored_end { &core[..core.len() - 1] } else { core };
    if core.chars().any(|c| "\\.[](){}*+?|^$".contains(c)) {
        return Truth::Unknown;
    }
    let found = match (anchored_start, anchored_end) {
        (true, true) => text == core,
        (true, false) => text.starts_with(core),
        (false, true) => text.ends_with(core),
        (false, false) => text.contains(core),
    };
    if found { Truth::True } else { Truth::False }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::span::Span;

    fn clause(condition: Option<&str>, when: Option<&str>) -> RuleClause {
        RuleClause {
            span: Span::document(0..0),
            condition: condition.map(Text::for_tests),
            when: when.map(|when| super::super::Spanned::new(when.to_owned(), Span::document(0..0))),
            has_changes_or_exists: false,
        }
    }

    fn reach(rules: &[RuleClause]) -> (Runs, Runs, Runs, Runs) {
        let reach = Reach::of_job(rules, &[], &[], None, Some(&Reach::EVERYWHERE));
        (reach.merge_requests, reach.other_branches, reach.default_branch, reach.tags)
    }

    #[test]
    fn common_rules() {
        use Runs::*;
        let mr = [clause(Some("$CI_PIPELINE_SOURCE == \"merge_request_event\""), None)];
        assert_eq!(reach(&mr), (Yes, No, No, No));
        let default = [clause(Some("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"), None)];
        assert_eq!(reach(&default), (No, No, Yes, No));
        let tags = [clause(Some("$CI_COMMIT_TAG"), None)];
        assert_eq!(reach(&tags), (No, No, No, Yes));
        let protected = [clause(Some("$CI_COMMIT_REF_PROTECTED == \"true\""), None)];
        assert_eq!(reach(&protected), (No, No, Yes, Maybe));
        let not_mr = [clause(Some("$CI_MERGE_REQUEST_IID"), Some("never")), clause(None, None)];
        assert_eq!(reach(&not_mr), (No, Yes, Yes, Yes));
        let release = [clause(Some("$CI_COMMIT_BRANCH =~ /^release/"), None)];
        assert_eq!(reach(&release), (No, Maybe, No, No));
        let project = [clause(Some("$CI_PROJECT_PATH == \"group/project\" && $CI_PIPELINE_SOURCE == \"push\""), None)];
        assert_eq!(reach(&project), (No, Maybe, Maybe, Maybe));
        let flag = [clause(Some("$COVERITY != null"), None)];
        assert_eq!(reach(&flag), (Maybe, Maybe, Maybe, Maybe), "a variable the file does not set may be unset");
    }

    #[test]
    fn only_and_except_refs() {
        use Runs::*;
        let of = |only: &[&str], except: &[&str]| {
            let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            let reach = Reach::of_job(&[], &strings(only), &strings(except), None, Some(&Reach::EVERYWHERE));
            (reach.merge_requests, reach.other_branches, reach.default_branch, reach.tags)
        };
        assert_eq!(of(&["merge_requests"], &[]), (Yes, No, No, No));
        assert_eq!(of(&["main"], &[]), (No, No, Yes, No));
        assert_eq!(of(&[], &["main"]), (No, Yes, No, Yes));
        assert_eq!(of(&["/^release-.*$/"], &[]), (No, Maybe, Maybe, Maybe));
    }

    #[test]
    fn workflow_rules_bound_the_job() {
        let workflow = Reach::of_workflow(&[clause(Some("$CI_PIPELINE_SOURCE == \"merge_request_event\""), None)]);
        let job = Reach::of_job(&[], &[], &[], Some("manual"), Some(&workflow));
        assert_eq!((job.merge_requests, job.other_branches, job.manual), (Runs::Yes, Runs::No, true));
    }

    #[test]
    fn jobs_without_rules_stay_out_of_merge_requests_unless_the_workflow_has_rules() {
        let plain = Reach::of_job(&[], &[], &[], None, None);
        assert_eq!((plain.merge_requests, plain.other_branches, plain.tags), (Runs::No, Runs::Yes, Runs::Yes));
        let workflow = Reach::of_workflow(&[clause(Some("$CI_MERGE_REQUEST_IID"), None), clause(None, None)]);
        let with_workflow = Reach::of_job(&[], &[], &[], None, Some(&workflow));
        assert_eq!(with_workflow.merge_requests, Runs::Yes);
    }

    #[test]
    fn odd_conditions_are_unknown_not_errors() {
        for condition in ["((((", "$X == ", "== ==", "/unterminated", "\"open", "$", "!!!!$X", "&&||"] {
            let _ = evaluate(&Text::for_tests(condition), Pipeline::MergeRequest);
        }
        let deep = "(".repeat(10_000);
        assert_eq!(evaluate(&Text::for_tests(&deep), Pipeline::MergeRequest), Truth::Unknown);
    }
}
