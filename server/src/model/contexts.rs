//! What GitHub Actions contexts hold, and which of them an outsider controls.

/// Context paths whose value an outsider controls. `*` matches one path segment.
pub const ATTACKER_CONTROLLED: &[&str] = &[
    "github.head_ref",
    "github.event.issue.title",
    "github.event.issue.body",
    "github.event.pull_request.title",
    "github.event.pull_request.body",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.label",
    "github.event.pull_request.head.repo.default_branch",
    "github.event.pull_request.head.repo.description",
    "github.event.pull_request.head.repo.homepage",
    "github.event.comment.body",
    "github.event.review.body",
    "github.event.review_comment.body",
    "github.event.discussion.title",
    "github.event.discussion.body",
    "github.event.pages.*.page_name",
    "github.event.commits.*.message",
    "github.event.commits.*.author.email",
    "github.event.commits.*.author.name",
    "github.event.head_commit.message",
    "github.event.head_commit.author.email",
    "github.event.head_commit.author.name",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.display_title",
    "github.event.workflow_run.head_commit.message",
    "github.event.workflow_run.head_commit.author.email",
    "github.event.workflow_run.head_commit.author.name",
    "github.event.workflow_run.pull_requests.*.head.ref",
];

/// Whether an outsider (anyone who can open an issue, comment or pull request) can set the
/// value at `path`. Paths are normalised as [`super::expr::ContextRef::path`] is.
pub fn is_attacker_controlled(path: &str) -> bool {
    ATTACKER_CONTROLLED.iter().any(|pattern| path_matches(pattern, path))
}

/// A one-line description of a context path's origin, for hovers.
pub fn describe(path: &str) -> String {
    if is_attacker_controlled(path) {
        return format!(
            "`{path}` is **attacker-controlled**: whoever opens the issue, pull request or comment, or names the \
             branch or commit, chooses its text. Pasted into a script it becomes code (Execution › Modify CI/CD \
             configurations, EX06); pass it through an environment variable instead."
        );
    }
    let origin = match path.split('.').next().unwrap_or_default() {
        "secrets" => {
            "a secret: it is masked in logs, but any step that can run code can read and exfiltrate it (Credential Access › Env variables stored in CI/CD, CA02)"
        }
        "github" => "set by GitHub for this run",
        "env" => "an environment variable set in this workflow; it is only as trustworthy as the value assigned to it",
        "inputs" => "an input of this workflow or action, chosen by whoever calls or dispatches it",
        "steps" | "needs" | "jobs" => {
            "an output of an earlier step or job; trust it as much as the code that produced it"
        }
        "matrix" | "strategy" => "a value of this job's matrix, written in the workflow",
        "vars" => "a configuration variable of the repository or organisation",
        "runner" => "a property of the runner executing the job",
        _ => "a context value",
    };
    format!("`{path}`: {origin}.")
}

fn path_matches(pattern: &str, path: &str) -> bool {
    let (mut pattern, mut path) = (pattern.split('.'), path.split('.'));
    loop {
        match (pattern.next(), path.next()) {
            (None, None) => return true,
            (Some("*"), Some(_)) => {}
            (Some(expected), Some(actual)) if expected.eq_ignore_ascii_case(actual) || actual == "*" => {}
            _ => return false,
        }
    }
}
