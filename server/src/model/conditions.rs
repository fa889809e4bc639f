//! What an `if:` allows: whether a job or step can run when an outsider caused the event.
//!
//! The condition is read as `||` of `&&` of atoms, parentheses nested. An atom is false for an
//! outsider's run when it compares `github.event_name` to another event, checks that a pull
//! request comes from this repository rather than a fork, checks the author's association
//! (`OWNER`, `MEMBER`, `COLLABORATOR`) or the login of the pull request's or comment's author,
//! or requires a label (only people with triage access can add one). Everything else may be
//! true, including `github.actor` checks: the actor is whoever last acted on the pull request,
//! which an outsider can arrange. The answer errs towards "can run".

use super::Text;
use super::github::Event;

/// Whether a job or step with this `if:` can run for `event` when an outsider caused it.
pub fn admits_outsider(condition: Option<&Text>, event: &Event) -> bool {
    condition.is_none_or(|condition| outsider_value(strip(&condition.value), event) != Some(false))
}

/// The value of an expression for an outsider's run of `event`: `Some` when the atoms above
/// decide it, `None` when it depends on something else.
pub fn outsider_value(expression: &str, event: &Event) -> Option<bool> {
    let disjuncts = split(expression, "||");
    let values = disjuncts.iter().map(|disjunct| {
        let atoms = split(disjunct, "&&");
        let values: Vec<Option<bool>> = atoms.iter().map(|atom| atom_value(atom, event)).collect();
        if values.contains(&Some(false)) {
            Some(false)
        } else if values.iter().all(|value| *value == Some(true)) {
            Some(true)
        } else {
            None
        }
    });
    let values: Vec<Option<bool>> = values.collect();
    if values.contains(&Some(true)) {
        Some(true)
    } else if values.iter().all(|value| *value == Some(false)) {
        Some(false)
    } else {
        None
    }
}

/// The results an expression such as `cond && 'a' || 'b'` can produce for an outsider's run
/// of `event`: each branch whose condition may hold, up to the first that surely holds.
/// Results come as written (string literals with their quotes).
pub fn outsider_results<'a>(expression: &'a str, event: &Event) -> Vec<&'a str> {
    let mut results = Vec::new();
    for branch in split(strip(expression), "||") {
        let mut atoms = split(branch, "&&");
        let result = atoms.pop().unwrap_or_default().trim();
        let condition = atoms.join("&&");
        let value = if atoms.is_empty() { Some(true) } else { outsider_value(&condition, event) };
        if value == Some(false) {
            continue;
        }
        results.push(result);
        if value == Some(true) {
            break;
        }
    }
    results
}

fn strip(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix("${{").and_then(|rest| rest.strip_suffix("}}")).unwrap_or(text).trim()
}

fn atom_value(atom: &str, event: &Event) -> Option<bool> {
    let atom = atom.trim();
    if let Some(inner) = atom.strip_prefix('(').and_then(|rest| rest.strip_suffix(')'))
        && balanced(inner)
    {
        return outsider_value(inner, event);
    }
    let compact: String = atom.chars().filter(|c| !c.is_whitespace()).collect::<String>().replace('"', "'");
    if let Some(name) = compared_event(&compact, "==") {
        return Some(name == event.name());
    }
    if let Some(name) = compared_event(&compact, "!=") {
        return Some(name != event.name());
    }
    excludes_outsiders(&compact).then_some(false)
}

/// The event an atom compares `github.event_name` to with `op`, in either order.
fn compared_event<'a>(compact: &'a str, op: &str) -> Option<&'a str> {
    let (left, right) = compact.split_once(op)?;
    let literal = |side: &'a str| side.strip_prefix('\'').and_then(|s| s.strip_suffix('\''));
    match (left, right) {
        ("github.event_name", value) | (value, "github.event_name") => literal(value),
        _ => None,
    }
}

fn excludes_outsiders(compact: &str) -> bool {
    let lower = compact.to_ascii_lowercase();
    let same_repository = [
        "github.event.pull_request.head.repo.full_name==github.repository",
        "github.repository==github.event.pull_request.head.repo.full_name",
    ]
    .iter()
    .any(|check| lower == *check)
        || lower == "github.event.pull_request.head.repo.fork==false"
        || lower == "!github.event.pull_request.head.repo.fork";
    let association = lower.contains("author_association")
        && !lower.starts_with('!')
        && !lower.contains("!=")
        && ["owner", "member", "collaborator"].iter().any(|trusted| lower.contains(trusted));
    let author_login = !lower.starts_with('!')
        && lower.contains("==")
        && [
            "github.event.pull_request.user.login",
            "github.event.comment.user.login",
            "github.event.issue.user.login",
            "github.event.review.user.login",
        ]
        .iter()
        .any(|login| lower.contains(login));
    let label = lower.starts_with("contains(") && lower.contains(".labels.");
    same_repository || association || author_login || label
}

/// Splits at `op` outside parentheses and quotes.
fn split<'a>(text: &'a str, op: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            // Bytes, not text: `index` may be inside a character of several bytes (`«`); an
            // operator is ASCII, so where it starts is a character boundary.
            _ if !quoted && depth == 0 && bytes[index..].starts_with(op.as_bytes()) => {
                parts.push(&text[start..index]);
                index += op.len();
                start = index;
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// Whether every parenthesis of `text` (outside quotes) is closed in order.
fn balanced(text: &str) -> bool {
    let (mut depth, mut quoted) = (0i32, false);
    for byte in text.bytes() {
        match byte {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admits(condition: &str, event: &str) -> bool {
        admits_outsider(Some(&Text::for_tests(condition)), &Event::parse(event))
    }

    #[test]
    fn event_names_route_runs() {
        assert!(!admits("github.event_name == 'push'", "pull_request"));
        assert!(admits("github.event_name == 'push' || github.event_name == 'pull_request'", "pull_request"));
        assert!(!admits("${{ github.event_name != 'pull_request_target' }}", "pull_request_target"));
        assert!(admits("github.event_name != 'push'", "pull_request"));
        assert!(!admits("(github.event_name == 'push' && always())", "issue_comment"));
    }

    #[test]
    fn fork_association_login_and_label_checks_exclude_outsiders() {
        let same_repo = "github.event.pull_request.head.repo.full_name == github.repository";
        assert!(!admits(same_repo, "pull_request"));
        assert!(!admits(&format!("github.event_name == 'push' || {same_repo}"), "pull_request"));
        assert!(!admits(
            "contains(fromJSON('[\"OWNER\",\"MEMBER\"]'), github.event.comment.author_association)",
            "issue_comment"
        ));
        assert!(!admits("github.event.pull_request.user.login == 'dependabot[bot]'", "pull_request_target"));
        assert!(!admits("contains(github.event.pull_request.labels.*.name, 'safe to test')", "pull_request_target"));
        assert!(admits("!contains(github.event.pull_request.labels.*.name, 'skip')", "pull_request_target"));
    }

    #[test]
    fn spoofable_or_unrelated_checks_do_not() {
        assert!(admits("github.actor == 'dependabot[bot]'", "pull_request_target"));
        assert!(admits("github.repository == 'org/repo'", "pull_request"));
        assert!(admits("github.event.pull_request.head.repo.full_name != github.repository", "pull_request"));
        assert!(admits("!(github.event_name == 'pull_request')", "pull_request"));
        assert!(admits_outsider(None, &Event::PullRequest));
    }

    #[test]
    fn text_of_several_bytes_outside_quotes_is_read_as_text() {
        // Found by fuzzing: the operators were looked for at every byte, inside `«` too.
        assert!(!admits("github.event.comment.body == «ok» && github.event_name == 'push'", "issue_comment"));
        assert!(admits("github.event.comment.body == \"é\" || github.event_name == 'push'", "issue_comment"));
    }

    #[test]
    fn results_of_routing_expressions() {
        let routed = "${{ github.event_name == 'pull_request' && 'ubuntu-latest' || 'self-hosted' }}";
        assert_eq!(outsider_results(routed, &Event::PullRequest), ["'ubuntu-latest'"]);
        assert_eq!(outsider_results(routed, &Event::IssueComment), ["'self-hosted'"]);
        let unknown = "${{ github.repository == 'o/r' && 'big-runner' || 'ubuntu-latest' }}";
        assert_eq!(outsider_results(unknown, &Event::PullRequest), ["'big-runner'", "'ubuntu-latest'"]);
        assert_eq!(outsider_results("${{ inputs.runner }}", &Event::PullRequest), ["inputs.runner"]);
    }

    #[test]
    fn values_are_decided_only_by_known_atoms() {
        let pull_request = Event::PullRequest;
        assert_eq!(outsider_value("github.event_name == 'pull_request' && always()", &pull_request), None);
        assert_eq!(outsider_value("github.event_name == 'pull_request'", &pull_request), Some(true));
        assert_eq!(outsider_value("github.event_name == 'push' || x", &pull_request), None);
        assert_eq!(
            outsider_value("(github.event_name == 'push') || github.event_name == 'schedule'", &pull_request),
            Some(false)
        );
    }
}
