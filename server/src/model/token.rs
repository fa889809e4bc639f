//! What a job does with the workflow's `GITHUB_TOKEN`: the permission scopes its steps need,
//! from the actions they use, the `gh` and `git` commands they run and the Octokit calls of
//! `actions/github-script` (the bundled `data/token-permissions.toml`), and the steps that may
//! use the token in ways this analysis cannot see.

use std::sync::LazyLock;

use serde::Deserialize;

use super::Text;
use super::checkout;
use super::git;
use super::github::{Access, Event, Job, Step, UsesTarget, WorkflowHeader};
use super::shell::{Command, Dialect, Script};
use crate::{bundled, data};

/// One thing the token must be allowed: any of the alternatives is enough.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Need {
    pub alternatives: Vec<(String, Access)>,
}

impl TryFrom<String> for Need {
    type Error = String;

    /// Parses `issues: write | pull-requests: write`.
    fn try_from(text: String) -> Result<Self, String> {
        let alternatives = text
            .split('|')
            .map(|alternative| {
                let (scope, level) = alternative.split_once(':').ok_or_else(|| format!("`{text}`: no `:`"))?;
                let access = match level.trim() {
                    "read" => Access::Read,
                    "write" => Access::Write,
                    other => return Err(format!("`{text}`: unknown level `{other}`")),
                };
                Ok((scope.trim().to_owned(), access))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { alternatives })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Facts {
    scopes: Vec<String>,
    inert_commands: Vec<String>,
    action: Vec<ActionFact>,
    gh: Vec<GhFact>,
    api: Vec<ApiFact>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ActionFact {
    /// The action's name, or a prefix ending in `*`: lowered when the list loads, as the
    /// names of steps' actions are compared lowered.
    uses: String,
    needs: Vec<Need>,
    #[serde(default)]
    may_need: Vec<Need>,
    token_input: Option<String>,
    token_env: Option<String>,
    #[serde(default = "default_true")]
    token_default: bool,
    if_input: Option<String>,
    unless_input: Option<String>,
}

fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct GhFact {
    command: String,
    needs: Vec<Need>,
    #[serde(default)]
    may_need: Vec<Need>,
    #[serde(default)]
    unknown: bool,
}

#[derive(Deserialize)]
struct ApiFact {
    namespace: String,
    method: Option<String>,
    scope: Option<String>,
    needs: Option<Vec<Need>>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| {
    let mut facts: Facts = data::parse(bundled!("token-permissions.toml"));
    for fact in &mut facts.action {
        fact.uses.make_ascii_lowercase();
    }
    facts
});

/// Every scope `permissions:` can grant, in the order fixes write them.
pub fn scopes() -> &'static [String] {
    &FACTS.scopes
}

/// A step that may use the token in a way the analysis cannot see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// What it is, for messages: "`some/action@v1` may use the token".
    pub reason: String,
    /// The only scope it may use, or `None` for any.
    pub scope: Option<&'static str>,
}

/// What a job's steps need of the token.
#[derive(Debug, Default)]
pub struct JobNeeds {
    /// Needs without which a step fails.
    pub required: Vec<Need>,
    /// Needs of some uses of a step (an option, a private repository).
    pub optional: Vec<Need>,
    pub unknown: Vec<Unknown>,
}

impl JobNeeds {
    /// Whether some step needs `scope` at `access` or more (as one of its alternatives).
    pub fn justifies(&self, scope: &str, access: Access) -> bool {
        self.required
            .iter()
            .chain(&self.optional)
            .flat_map(|need| &need.alternatives)
            .any(|(needed, level)| needed == scope && covers(*level, access))
    }

    /// The first step that may use `scope` unseen.
    pub fn unknown_for(&self, scope: &str) -> Option<&Unknown> {
        self.unknown.iter().find(|unknown| unknown.scope.is_none_or(|only| only == scope))
    }

    /// The least grant that meets every required need, in the order of [`scopes`]: of
    /// alternatives, the first unless another is granted anyway.
    pub fn least_privilege(&self) -> Vec<(String, Access)> {
        let mut granted: Vec<(String, Access)> = Vec::new();
        let grant = |granted: &mut Vec<(String, Access)>, (scope, access): &(String, Access)| match granted
            .iter_mut()
            .find(|(name, _)| name == scope)
        {
            Some(existing) if covers(existing.1, *access) => {}
            Some(existing) => existing.1 = *access,
            None => granted.push((scope.clone(), *access)),
        };
        for need in self.required.iter().filter(|need| need.alternatives.len() == 1) {
            grant(&mut granted, &need.alternatives[0]);
        }
        for need in self.required.iter().filter(|need| need.alternatives.len() > 1) {
            let met = need
                .alternatives
                .iter()
                .any(|(scope, access)| granted.iter().any(|(name, level)| name == scope && covers(*level, *access)));
            if !met {
                grant(&mut granted, &need.alternatives[0]);
            }
        }
        granted.sort_by_key(|(scope, _)| scopes().iter().position(|known| known == scope));
        granted
    }
}

/// Whether `granted` includes `needed`: write includes read.
pub fn covers(granted: Access, needed: Access) -> bool {
    matches!((granted, needed), (Access::Write, _) | (Access::Read, Access::Read | Access::None) | (_, Access::None))
}

/// What the steps of `job` need of the token.
pub fn job_needs(header: &WorkflowHeader, job: &Job) -> JobNeeds {
    let mut needs = JobNeeds::default();
    if let Some(uses) = &job.uses {
        needs.unknown.push(Unknown {
            reason: format!("the reusable workflow `{}` gets the job's token", uses.raw),
            scope: None,
        });
    }
    // Whether an earlier checkout left the GITHUB_TOKEN in `.git/config`, for git to use.
    let mut persisted: Option<&Step> = None;
    for step in &job.steps {
        let environment = Environment { header, job, step };
        match (&step.uses, &step.run) {
            (Some(_), _) => action_needs(step, &environment, &mut needs),
            (None, Some(script)) => script_needs(script, &environment, persisted, &mut needs),
            (None, None) => {}
        }
        if persisted.is_none()
            && checkout::is_checkout(step)
            && checkout::uses_github_token(step)
            && checkout::persists_credentials(step)
        {
            persisted = Some(step);
        }
    }
    needs
}

/// The environment variables a step sees: its own, its job's and its workflow's.
struct Environment<'a> {
    header: &'a WorkflowHeader,
    job: &'a Job,
    step: &'a Step,
}

impl Environment<'_> {
    /// Whether a value may be the GITHUB_TOKEN: it expands it, or, in a reusable workflow, a
    /// secret the caller passes (callers commonly pass their `GITHUB_TOKEN`, which is this
    /// job's token too).
    fn may_be_github_token(&self, value: &Text) -> bool {
        value.expands_github_token()
            || self.header.triggers.find(&Event::WorkflowCall).is_some_and(|call| {
                value
                    .expanded()
                    .filter_map(|context| context.secret_name())
                    .any(|name| call.secrets.iter().any(|declared| declared.value.eq_ignore_ascii_case(name)))
            })
    }

    /// Whether `name` is set, and if so whether to the GITHUB_TOKEN.
    fn holds_github_token(&self, name: &str) -> Option<bool> {
        [&self.step.env, &self.job.env, &self.header.env]
            .into_iter()
            .find_map(|env| env.get(name))
            .map(|var| var.value.as_ref().is_some_and(|value| self.may_be_github_token(value)))
    }

    /// Whether any variable the step sees holds the GITHUB_TOKEN.
    fn has_github_token(&self) -> bool {
        [&self.step.env, &self.job.env, &self.header.env]
            .into_iter()
            .flat_map(|env| &env.vars)
            .any(|var| var.value.as_ref().is_some_and(|value| self.may_be_github_token(value)))
    }
}

fn action_needs(step: &Step, environment: &Environment<'_>, needs: &mut JobNeeds) {
    let Some(uses) = &step.uses else { return };
    let name = match &uses.target {
        UsesTarget::Repository { .. } => uses.action_name().unwrap_or_default().to_ascii_lowercase(),
        UsesTarget::Local { .. } | UsesTarget::Docker { .. } => {
            let reason = format!("`{}` may use the token (pipewarden does not read the action)", uses.raw);
            needs.unknown.push(Unknown { reason, scope: None });
            return;
        }
    };
    let mut known = false;
    for fact in FACTS.action.iter().filter(|fact| matches_action(&fact.uses, &name)) {
        known = true;
        if applies(fact, step, environment) {
            needs.required.extend(fact.needs.iter().cloned());
            needs.optional.extend(fact.may_need.iter().cloned());
        }
    }
    if name == "actions/github-script" {
        let uses_github_token =
            step.input_text("github-token").is_none_or(|token| environment.may_be_github_token(token));
        if let (true, Some(code)) = (uses_github_token, step.input_text("script")) {
            script_api_needs(&code.value, needs);
        }
    } else if !known {
        let reason =
            format!("`{}` may use the token (actions get it through inputs that default to `github.token`)", uses.raw);
        needs.unknown.push(Unknown { reason, scope: None });
    }
}

/// Whether the lowered `name` is the action `pattern` (lowered) names.
fn matches_action(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    }
}

/// Whether a fact's needs apply to the step, given its inputs and the token it passes.
fn applies(fact: &ActionFact, step: &Step, environment: &Environment<'_>) -> bool {
    if fact.if_input.as_ref().is_some_and(|input| step.input(input).is_none())
        || fact.unless_input.as_ref().is_some_and(|input| step.input(input).is_some())
    {
        return false;
    }
    let from_input = fact
        .token_input
        .as_ref()
        .and_then(|input| step.input_text(input))
        .map(|value| environment.may_be_github_token(value));
    let from_env = fact.token_env.as_ref().and_then(|name| environment.holds_github_token(name));
    from_input.or(from_env).unwrap_or(fact.token_default)
}

/// The needs of the Octokit calls of a github-script: `github.rest.issues.createComment(...)`
/// (or `github.issues.createComment` in versions before 5).
fn script_api_needs(code: &str, needs: &mut JobNeeds) {
    // `run({github, context})`, `require('./x')(github)`: the client goes to code not read here.
    let handed_on = code.match_indices("github").any(|(at, _)| {
        let before =
            code[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '$')));
        let after = code[at + "github".len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[')));
        before && after
    });
    if handed_on {
        let reason = "the github-script hands its `github` client to code pipewarden does not read".to_owned();
        needs.unknown.push(Unknown { reason, scope: None });
    }
    for (at, _) in code.match_indices("github.") {
        let rest = &code[at + "github.".len()..];
        let rest = rest.strip_prefix("rest.").unwrap_or(rest);
        let mut names = rest.splitn(3, '.').map(|part| {
            let len = part.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            &part[..len]
        });
        let (namespace, method) = (names.next().unwrap_or_default(), names.next().unwrap_or_default());
        if matches!(namespace, "graphql" | "request") {
            let reason = format!("the github-script calls `github.{namespace}`, whose needs depend on the query");
            needs.unknown.push(Unknown { reason, scope: None });
            continue;
        }
        if method.is_empty() || !rest[namespace.len()..].starts_with('.') {
            continue;
        }
        match api_needs(namespace, method) {
            Some(found) => needs.required.extend(found),
            None if FACTS.api.iter().all(|fact| fact.namespace != namespace) && namespace != "paginate" => {
                let reason =
                    format!("the github-script calls `{namespace}.{method}`, whose needs pipewarden does not know");
                needs.unknown.push(Unknown { reason, scope: None });
            }
            None => {}
        }
    }
}

/// The needs of the Octokit method `namespace.method`, when the data knows them.
fn api_needs(namespace: &str, method: &str) -> Option<Vec<Need>> {
    let in_namespace = || FACTS.api.iter().filter(move |fact| fact.namespace == namespace);
    if let Some(fact) = in_namespace().find(|fact| fact.method.as_deref() == Some(method)) {
        return fact.needs.clone();
    }
    let fact = in_namespace().find(|fact| fact.method.is_none())?;
    if let Some(needs) = &fact.needs {
        return Some(needs.clone());
    }
    let reads = ["get", "list", "check", "compare", "download"].iter().any(|prefix| method.starts_with(prefix));
    let access = if reads { Access::Read } else { Access::Write };
    let alternatives = fact.scope.as_deref()?.split('|').map(|scope| (scope.trim().to_owned(), access)).collect();
    Some(vec![Need { alternatives }])
}

fn script_needs(script: &Script, environment: &Environment<'_>, persisted: Option<&Step>, needs: &mut JobNeeds) {
    let holds_token = environment.has_github_token() || environment.may_be_github_token(&script.text);
    if script.dialect != Dialect::Posix {
        if !script.text.value.trim().is_empty() {
            unknown_command(None, holds_token, persisted, needs);
        }
        return;
    }
    let mut unseen = false;
    for command in &script.commands {
        if git::push(command).is_some() {
            if persisted.is_some() || holds_token {
                needs.required.push(Need { alternatives: vec![("contents".to_owned(), Access::Write)] });
            }
        } else if let Some((group, verb)) = git::gh_subcommand(command) {
            gh_needs(command, group, verb, environment, needs);
        } else if !unseen && command.name().is_some_and(|name| !is_inert(name)) {
            let program = command.name_index().and_then(|index| command.words.get(index));
            unseen = unknown_command(program.map(|word| word.text.as_str()), holds_token, persisted, needs);
        }
    }
}

/// Records a command that may use the token unseen: any scope when the token is in its
/// environment; else `contents` when git credentials were left in `.git/config`, and
/// `id-token`, which any command can use (the runner gives every step of a job with
/// `id-token: write` what it needs to request an OIDC token). Returns whether it recorded one.
fn unknown_command(name: Option<&str>, holds_token: bool, persisted: Option<&Step>, needs: &mut JobNeeds) -> bool {
    let what = name.map_or_else(|| "a script pipewarden does not read".to_owned(), |name| format!("`{name}`"));
    if holds_token {
        needs.unknown.push(Unknown { reason: format!("{what} runs with the token in its environment"), scope: None });
        return true;
    }
    if persisted.is_some() {
        let reason = format!("{what} runs after `actions/checkout` left the token in `.git/config`, and may push");
        needs.unknown.push(Unknown { reason, scope: Some("contents") });
    }
    let reason = format!("{what} may request an OIDC token, as any command of the job can");
    needs.unknown.push(Unknown { reason, scope: Some("id-token") });
    true
}

fn is_inert(name: &str) -> bool {
    name == "git" || FACTS.inert_commands.iter().any(|inert| inert == name)
}

fn gh_needs(command: &Command, group: &str, verb: Option<&str>, environment: &Environment<'_>, needs: &mut JobNeeds) {
    // gh reads GH_TOKEN, then GITHUB_TOKEN; another credential there is not this token.
    let other_token = ["GH_TOKEN", "GITHUB_TOKEN"]
        .iter()
        .find_map(|name| environment.holds_github_token(name))
        .is_some_and(|github_token| !github_token);
    if other_token {
        return;
    }
    let specific = verb.map(|verb| format!("{group} {verb}"));
    let Some(fact) = FACTS
        .gh
        .iter()
        .find(|fact| Some(&fact.command) == specific.as_ref())
        .or_else(|| FACTS.gh.iter().find(|fact| fact.command == group))
    else {
        return;
    };
    needs.required.extend(fact.needs.iter().cloned());
    needs.optional.extend(fact.may_need.iter().cloned());
    let writes =
        ["method", "field", "raw-field", "input"].iter().any(|long| command.option(Some(long), None).is_some())
            || command.option(None, Some('X')).is_some()
            || command.option(None, Some('f')).is_some()
            || command.option(None, Some('F')).is_some();
    if fact.unknown && writes {
        let reason = format!("`gh {group}` calls an endpoint whose needs pipewarden does not know");
        needs.unknown.push(Unknown { reason, scope: None });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::github::parse_for_tests;

    fn needs_of(source: &str) -> JobNeeds {
        let workflow = parse_for_tests(source);
        job_needs(&workflow.header, &workflow.jobs[0])
    }

    fn least(needs: &JobNeeds) -> Vec<String> {
        needs
            .least_privilege()
            .into_iter()
            .map(|(scope, access)| format!("{scope}: {}", if access == Access::Write { "write" } else { "read" }))
            .collect()
    }

    #[test]
    fn every_need_names_a_known_scope() {
        let known = |need: &Need| need.alternatives.iter().all(|(scope, _)| scopes().contains(scope));
        for fact in &FACTS.action {
            assert!(fact.needs.iter().chain(&fact.may_need).all(known), "{}", fact.uses);
        }
        for fact in &FACTS.gh {
            assert!(fact.needs.iter().chain(&fact.may_need).all(known), "{}", fact.command);
        }
        for fact in &FACTS.api {
            assert!(fact.needs.iter().flatten().all(known), "{}", fact.namespace);
            let scopes_known =
                fact.scope.iter().flat_map(|s| s.split('|')).all(|s| scopes().iter().any(|k| k == s.trim()));
            assert!(scopes_known, "{}", fact.namespace);
        }
    }

    #[test]
    fn needs_follow_actions_commands_and_api_calls() {
        let needs = needs_of(
            r#"on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - uses: softprops/action-gh-release@v2
      - run: gh pr comment 1 --body hi && git push origin main
      - uses: actions/github-script@v7
        with:
          script: await github.rest.issues.addLabels({})
"#,
        );
        // The comment and the labels both accept `pull-requests: write`: one grant does.
        assert_eq!(least(&needs), ["contents: write", "pull-requests: write"]);
        assert!(needs.unknown.is_empty(), "{:?}", needs.unknown);
        assert!(needs.justifies("issues", Access::Write), "an alternative of both");
        assert!(!needs.justifies("packages", Access::Read));
    }

    #[test]
    fn a_token_other_than_the_github_token_needs_nothing_of_it() {
        let needs = needs_of(
            r#"on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
        with:
          token: ${{ secrets.PAT }}
      - uses: peter-evans/create-pull-request@v7
        with:
          token: ${{ secrets.PAT }}
      - uses: docker/login-action@v3
        with:
          password: ${{ secrets.DOCKERHUB }}
      - run: gh release create v1
        env:
          GH_TOKEN: ${{ secrets.PAT }}
"#,
        );
        assert!(needs.required.is_empty(), "{:?}", needs.required);
    }

    #[test]
    fn unseen_uses_are_recorded_with_their_scope() {
        let needs = needs_of(
            r#"on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
      - run: make release
      - uses: some/action@v1
"#,
        );
        let scopes: Vec<Option<&str>> = needs.unknown.iter().map(|unknown| unknown.scope).collect();
        assert_eq!(scopes, [Some("contents"), Some("id-token"), None]);
        assert_eq!(needs.unknown_for("issues").unwrap().reason.split(' ').next(), Some("`some/action@v1`"));
    }

    #[test]
    fn alternatives_already_met_add_nothing() {
        let needs = needs_of(
            r#"on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: peter-evans/create-or-update-comment@v4
      - uses: marocchino/sticky-pull-request-comment@v2
"#,
        );
        assert_eq!(least(&needs), ["pull-requests: write"]);
    }
}
