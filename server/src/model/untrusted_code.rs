//! A pull request's code inside a job: the steps that fetch it into the workspace
//! (`actions/checkout` of the head, `gh pr checkout`, `git fetch` of `pull/N/head` followed by
//! a checkout) and the steps that then execute the fetched files (builds, installs, tests,
//! scripts from the tree, local actions, actions that run the tree). Rules about privileged
//! triggers ask this module rather than knowing build tools themselves; what executes is the
//! bundled `data/workspace-code.toml`.
//!
//! A fetch into a subdirectory (`path:` of `actions/checkout`) only counts as executed by a
//! step that works in that directory: its `working-directory`, a `cd` into it, or a command
//! that names it.

use std::sync::LazyLock;

use serde::Deserialize;

use super::Text;
use super::github::{Step, UsesTarget};
use super::shell::{Command, Script};
use crate::syntax::span::Span;
use crate::{bundled, data};

/// Context paths that name a pull request's head: a ref, commit or repository whose content
/// the pull request's author wrote.
const HEAD_CONTEXTS: &[&str] = &[
    "github.head_ref",
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo.full_name",
    "github.event.pull_request.head.repo.clone_url",
    "github.event.pull_request.merge_commit_sha",
    "github.event.pull_request.number",
    "github.event.number",
    "github.event.issue.number",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.head_repository.full_name",
    "github.event.workflow_run.pull_requests.*.head.sha",
    "github.event.workflow_run.pull_requests.*.head.ref",
    "github.event.workflow_run.pull_requests.*.number",
];

/// Numbers that name a pull request only inside `refs/pull/<n>/...` or `gh pr checkout <n>`.
const NUMBER_CONTEXTS: &[&str] = &[
    "github.event.pull_request.number",
    "github.event.number",
    "github.event.issue.number",
    "github.event.workflow_run.pull_requests.*.number",
];

#[derive(Deserialize)]
struct WorkspaceCode {
    command: Vec<CommandFact>,
    action: Vec<ActionFact>,
    publish: Vec<CommandFact>,
    publish_action: Vec<PublishAction>,
}

#[derive(Deserialize)]
struct PublishAction {
    uses: String,
}

#[derive(Deserialize)]
struct CommandFact {
    names: Vec<String>,
    subcommands: Vec<String>,
    #[serde(default)]
    local_only: bool,
    #[serde(default)]
    remote_only: bool,
}

#[derive(Deserialize)]
struct ActionFact {
    uses: String,
    executes: bool,
    when_input: Option<String>,
}

static FACTS: LazyLock<WorkspaceCode> = LazyLock::new(|| data::parse(bundled!("workspace-code.toml")));

/// A step that brings a pull request's code into the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// The index of the step.
    pub step: usize,
    /// What to point at: the `ref:`/`repository:` value, or the command.
    pub span: Span,
    /// What names the head, for messages: a context path, `refs/pull/...`, `gh pr checkout`.
    pub head: String,
    /// The directory under the workspace it is written to; `None` for the workspace itself.
    pub path: Option<String>,
    /// For a fetch by a `run:` script, where in the script it happens: only what the script
    /// runs after it executes the fetched code.
    pub after: usize,
}

/// A step, or a command of one, that executes code from the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    pub span: Span,
    /// What runs, for messages: `npm ci`, `./build.sh`, `./.github/actions/x`, an action.
    pub what: String,
    /// Whether it certainly runs the files (a build, a script, a local action, an action known
    /// to), rather than being an action this model does not know.
    pub certain: bool,
}

/// The pull request's code fetched by step `index` of `steps`, if it fetches any.
pub fn fetch(steps: &[Step], index: usize) -> Option<Fetch> {
    let step = steps.get(index)?;
    let earlier = &steps[..index];
    if step.uses_action("actions/checkout") {
        let path = step.input_text("path").map(|path| normalise_dir(&path.value)).filter(|path| !path.is_empty());
        return ["ref", "repository"].iter().filter_map(|name| step.input_text(name)).find_map(|value| {
            let head = head_in_text(value, earlier)?;
            Some(Fetch { step: index, span: value.span, head, path: path.clone(), after: 0 })
        });
    }
    let script = step.run.as_ref()?;
    let mut fetched = false;
    for command in &script.commands {
        let words: Vec<&str> = command.args().iter().map(|word| word.text.as_str()).collect();
        let names_head = |script: &Script, command: &Command| {
            command.args().iter().any(|word| {
                word.text.contains("pull/") || head_in_range(script, word.range.clone(), step, earlier).is_some()
            })
        };
        let head = match (command.name(), command.subcommand()) {
            (Some("gh"), Some("pr")) if words.iter().take(3).any(|word| *word == "checkout") => {
                Some("gh pr checkout".to_owned())
            }
            (Some("git"), Some("fetch")) if names_head(script, command) => {
                fetched = true;
                None
            }
            (Some("git"), Some("pull")) if names_head(script, command) => Some("git pull".to_owned()),
            (Some("git"), Some("checkout" | "switch" | "reset" | "merge" | "rebase" | "worktree"))
                if fetched || names_head(script, command) =>
            {
                Some(format!("git {}", command.subcommand().unwrap_or_default()))
            }
            _ => None,
        };
        if let Some(head) = head {
            return Some(Fetch {
                step: index,
                span: script.span_of(command.range.clone()),
                head,
                path: None,
                after: command.range.end,
            });
        }
    }
    None
}

/// A step that downloads the artifacts of another workflow run: in a `workflow_run`
/// workflow, files the triggering run (a pull request's code, in a fork's run) wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub step: usize,
    /// The `uses:` or the command.
    pub span: Span,
    /// How, for messages: `actions/download-artifact`, `gh run download`.
    pub what: String,
    /// Where the files land: a directory of the workspace (`None`: the workspace itself), or
    /// outside it (`runner.temp`, `/tmp`, the home directory), where nothing else looks.
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Workspace(Option<String>),
    Outside(String),
}

/// The artifacts of another run that step `index` downloads, if it does.
pub fn artifact_download(steps: &[Step], index: usize) -> Option<Download> {
    let step = steps.get(index)?;
    let uses = step.uses.as_ref();
    let download = |what: &str, path: Option<&str>| Download {
        step: index,
        span: uses.map_or(step.first_key, |uses| uses.span),
        what: what.to_owned(),
        place: place(path),
    };
    let path = step.input_text("path").map(|path| path.value.as_str());
    if step.uses_action("actions/download-artifact") && step.input("run-id").is_some() {
        return Some(download("actions/download-artifact", path));
    }
    if step.uses_action("dawidd6/action-download-artifact") {
        return Some(download("dawidd6/action-download-artifact", path));
    }
    if step.uses_action("actions/github-script") {
        let script = step.input_text("script")?;
        if !script.value.contains("downloadArtifact") {
            return None;
        }
        // The archive is written where `writeFileSync` says, and extracted by a later step.
        let target = script.value.split("writeFileSync(").nth(1).unwrap_or_default();
        let outside = ["runner.temp", "RUNNER_TEMP", "/tmp", "os.tmpdir"]
            .iter()
            .find(|dir| target.split(',').next().is_some_and(|first| first.contains(*dir)));
        let mut found = download("actions/github-script downloadArtifact", None);
        if let Some(dir) = outside {
            found.place = Place::Outside((*dir).to_owned());
        }
        return Some(found);
    }
    let script = step.run.as_ref()?;
    let command = script.commands.iter().find(|command| {
        command.name() == Some("gh") && command.subcommand() == Some("run") && command.has_arg("download")
    })?;
    let dir = command.option_value(Some("dir"), Some('D')).map(|word| word.text.as_str());
    Some(Download {
        step: index,
        span: script.span_of(command.range.clone()),
        what: "gh run download".to_owned(),
        place: place(dir),
    })
}

/// Where a downloaded file lands, from the path it is written to.
fn place(path: Option<&str>) -> Place {
    let Some(path) = path.map(str::trim).filter(|path| !path.is_empty()) else {
        return Place::Workspace(None);
    };
    let outside =
        ["${{ runner.temp }}", "$RUNNER_TEMP", "${RUNNER_TEMP}", "runner.temp", "/tmp", "~", "$HOME", "${HOME}"];
    if outside.iter().any(|prefix| path.starts_with(prefix)) || path.starts_with('/') {
        return Place::Outside(path.to_owned());
    }
    let dir = normalise_dir(path);
    Place::Workspace((!dir.is_empty() && dir != ".").then_some(dir))
}

/// Whether step `step` replaces the workspace directory `path` with other code: a checkout
/// of the base repository into the same place.
pub fn replaces(step: &Step, path: Option<&str>) -> bool {
    step.uses_action("actions/checkout")
        && step.input_text("path").map(|p| normalise_dir(&p.value)).filter(|p| !p.is_empty()).as_deref() == path
}

/// The pull request head a value names, as a context path, where `earlier` steps ran before:
/// what a caller passes into a reusable workflow or an action.
pub fn head_named(text: &Text, earlier: &[Step]) -> Option<String> {
    head_in_text(text, earlier).filter(|head| names_head(head, earlier))
}

/// The head a text names: a head context, `refs/pull/`, or an output of a step or job that
/// looked the pull request up.
fn head_in_text(text: &Text, earlier: &[Step]) -> Option<String> {
    if text.value.contains("refs/pull/") || text.value.contains("pull/") && text.value.contains("/head") {
        return Some(text.value.clone());
    }
    let mut paths = text.expressions.iter().flat_map(|expression| &expression.contexts).map(|context| &context.path);
    paths.find(|path| names_head(path, earlier) && !NUMBER_CONTEXTS.contains(&path.as_str())).cloned()
}

/// The head named in a range of a script: an expression, or a variable the step's `env:`
/// sets from one.
fn head_in_range(script: &Script, range: std::ops::Range<usize>, step: &Step, earlier: &[Step]) -> Option<String> {
    let span = script.span_of(range.clone());
    let in_expression = script
        .text
        .expressions
        .iter()
        .filter(|expression| expression.span.start >= span.start && expression.span.end <= span.end)
        .flat_map(|expression| &expression.contexts)
        .map(|context| &context.path)
        .find(|path| names_head(path, earlier) && !NUMBER_CONTEXTS.contains(&path.as_str()))
        .cloned();
    in_expression.or_else(|| {
        super::shell::variable_names(script.slice(range))
            .filter_map(|name| step.env.get(name)?.value.as_ref())
            .find_map(|value| head_in_text(value, earlier))
    })
}

/// Whether a context path names the pull request's head.
fn names_head(path: &str, earlier: &[Step]) -> bool {
    if HEAD_CONTEXTS.iter().any(|head| path.eq_ignore_ascii_case(head)) {
        return true;
    }
    let segments: Vec<&str> = path.split('.').collect();
    match segments.as_slice() {
        // `steps.pr.outputs.head_sha`, `needs.info.outputs.headRef`: outputs that say so.
        ["steps" | "needs", _, "outputs", name] if name.to_ascii_lowercase().contains("head") => true,
        // The base of a pull request it looked up is the repository's own code.
        ["steps" | "needs", _, "outputs", name] if name.to_ascii_lowercase().contains("base") => false,
        ["steps", id, "outputs", _] => earlier
            .iter()
            .any(|step| step.id.as_ref().is_some_and(|step_id| step_id.value == *id) && looks_up_pull_request(step)),
        _ => false,
    }
}

/// Whether a step asks GitHub about a pull request (`gh pr view`, `pulls.get`, `/pulls/`),
/// so that its outputs are the pull request's head.
fn looks_up_pull_request(step: &Step) -> bool {
    let texts = step.run.as_ref().map(|run| &run.text).into_iter().chain(step.input_text("script"));
    let mentions = texts.into_iter().any(|text| {
        ["gh pr view", "pulls.get", "/pulls/", "pulls/", "pullRequest", "pull_request"]
            .iter()
            .any(|marker| text.value.contains(marker))
    });
    mentions || step.uses.as_ref().is_some_and(|uses| uses.raw.to_ascii_lowercase().contains("pull-request"))
}

/// What in `step` executes the code in workspace directory `dir` (`None`: the workspace
/// itself); for a `run:` script, only commands after offset `after`.
pub fn execution(step: &Step, dir: Option<&str>, after: usize) -> Option<Execution> {
    if let Some(script) = &step.run {
        let in_dir =
            dir.is_none_or(|dir| step.working_directory.as_ref().is_some_and(|wd| mentions_dir(&wd.value, dir)));
        return script_execution(script, dir, in_dir, after);
    }
    let uses = step.uses.as_ref()?;
    let certain = |what: String| Some(Execution { span: uses.span, what, certain: true });
    let inputs_name_dir = || {
        dir.is_none_or(|dir| {
            step.with.iter().filter_map(|input| input.value.as_ref()).any(|value| mentions_dir(&value.value, dir))
        })
    };
    match &uses.target {
        UsesTarget::Local { path } if dir.is_none_or(|dir| mentions_dir(path, dir)) => certain(path.clone()),
        UsesTarget::Local { .. } | UsesTarget::Docker { .. } => None,
        UsesTarget::Repository { .. } => {
            let name = uses.action_name()?;
            if step.uses_action("actions/github-script") {
                let module = loaded_module(&step.input_text("script")?.value)?;
                return dir.is_none_or(|dir| mentions_dir(module, dir)).then(|| Execution {
                    span: uses.span,
                    what: format!("require('{module}')"),
                    certain: true,
                });
            }
            let fact = FACTS.action.iter().find(|fact| uses.is_action(&fact.uses));
            match fact {
                Some(ActionFact { when_input: Some(input), .. }) => {
                    let set = step.input_text(input).is_some_and(|value| value.value.trim() != "false");
                    (set && dir.is_none()).then(|| Execution { span: uses.span, what: uses.raw.clone(), certain: true })
                }
                Some(fact) if fact.executes && inputs_name_dir() => certain(uses.raw.clone()),
                Some(_) => None,
                None if is_setup_action(&name) || dir.is_some() => None,
                None => Some(Execution { span: uses.span, what: uses.raw.clone(), certain: false }),
            }
        }
    }
}

/// The first module of the workspace a github-script script loads: `require('./x.js')`,
/// `` await import(`${process.env.GITHUB_WORKSPACE}/x.mjs`) ``.
fn loaded_module(code: &str) -> Option<&str> {
    ["require(", "import("].iter().flat_map(|call| code.match_indices(call)).find_map(|(at, call)| {
        let rest = code[at + call.len()..].trim_start();
        let quote = rest.chars().next().filter(|c| matches!(c, '\'' | '"' | '`'))?;
        let body = &rest[1..];
        let module = &body[..body.find(quote)?];
        let local = module.starts_with("./")
            || module.starts_with("../")
            || module.contains("GITHUB_WORKSPACE")
            || module.contains("github.workspace");
        local.then_some(module)
    })
}

/// The first execution of what step `fetched` brought into `dir`: by a command of that step
/// after offset `after` (a `run:` script), or by a later step.
pub fn executed_after(steps: &[Step], fetched: usize, dir: Option<&str>, after: usize) -> Option<Execution> {
    let own = steps.get(fetched).filter(|step| step.run.is_some()).and_then(|step| execution(step, dir, after));
    let later = || steps.get(fetched + 1..)?.iter().find_map(|step| execution(step, dir, 0).filter(|e| e.certain));
    own.filter(|execution| execution.certain).or_else(later)
}

/// Setup actions install a toolchain and read the workspace only for cache keys.
fn is_setup_action(name: &str) -> bool {
    let repo = name.split('/').nth(1).unwrap_or_default().to_ascii_lowercase();
    repo.starts_with("setup-") || repo.starts_with("action-setup") || repo.ends_with("-toolchain")
}

fn script_execution(script: &Script, dir: Option<&str>, step_in_dir: bool, after: usize) -> Option<Execution> {
    let mut in_dir = step_in_dir;
    for command in script.commands.iter().filter(|command| command.range.start >= after) {
        if command.name() == Some("cd") {
            if let Some(dir) = dir {
                in_dir = command.args().first().is_some_and(|target| mentions_dir(&target.text, dir));
            }
            continue;
        }
        if !(in_dir || dir.is_some_and(|dir| works_in(command, dir))) {
            continue;
        }
        if let Some(what) = executes(command) {
            return Some(Execution { span: script.span_of(command.range.clone()), what, certain: true });
        }
    }
    None
}

/// Whether a command runs what is in directory `dir` rather than in the current directory:
/// its program or script is there (`./pr/build.sh`, `bash pr/x.sh`), an option points its
/// work there (`make -C pr`, `npm ci --prefix pr`), or it builds a path there
/// (`pip install ./pr`, `cargo build --manifest-path pr/Cargo.toml`). A bare `pr` among other
/// operands is data (`smokeshow upload pr`).
fn works_in(command: &Command, dir: &str) -> bool {
    let Some(index) = command.name_index() else {
        return false;
    };
    let directory_options = [
        "-C",
        "--prefix",
        "--cwd",
        "--dir",
        "--directory",
        "--project",
        "--manifest-path",
        "-f",
        "--file",
        "-p",
        "--project-dir",
        "--working-directory",
        "--chdir",
    ];
    let words = &command.words[index..];
    words.iter().enumerate().any(|(position, word)| {
        let text = word.text.as_str();
        let after_option = position > 0 && directory_options.contains(&words[position - 1].text.as_str());
        let path_like = text.starts_with("./") || text.contains('/') || text.contains('=');
        (position == 0 || after_option || path_like) && mentions_dir(text, dir)
    })
}

/// What a command runs from the current directory's files, if it does: `npm ci`, `./x.sh`.
pub fn executes(command: &Command) -> Option<String> {
    let index = command.name_index()?;
    let program = command.words[index].text.as_str();
    let name = command.name()?;
    let operands: Vec<&str> = command.operands().collect();
    let first_two = || {
        let mut what = program.to_owned();
        if let Some(first) = operands.first() {
            what.push(' ');
            what.push_str(first);
        }
        what
    };
    // A program of the tree: `./build.sh`, `scripts/test`, `bin/setup`.
    if is_relative_path(program) {
        return Some(program.to_owned());
    }
    // An interpreter given a file of the tree.
    let interpreters = ["bash", "sh", "zsh", "source", ".", "python", "python3", "node", "ruby", "perl", "php", "pwsh"];
    if interpreters.contains(&name) {
        // Inline code (`bash -c`, `python -c`, `node -e`) is the workflow's own.
        if ['c', 'e', 'p'].iter().any(|flag| command.option(None, Some(*flag)).is_some()) {
            return None;
        }
        let module = command.option_value(None, Some('m')).map(|word| word.text.as_str());
        if let Some(module) = module {
            return ["pytest", "build", "tox", "nox", "unittest", "setup", "pip"]
                .contains(&module)
                .then(|| format!("{program} -m {module}"))
                .filter(|_| module != "pip" || operands.iter().any(|operand| is_local(operand)));
        }
        let file = operands.first().filter(|file| {
            !file.starts_with(['/', '$', '~', '-']) && file.contains(['.', '/']) && !file.contains("://")
        })?;
        return Some(format!("{program} {file}"));
    }
    let fact = FACTS.command.iter().find(|fact| fact.names.iter().any(|known| known == name))?;
    let subcommand = operands.first().copied();
    let runs = fact.subcommands.is_empty() || subcommand.is_some_and(|sub| fact.subcommands.iter().any(|s| s == sub));
    if !runs {
        return None;
    }
    if fact.local_only {
        let local = command.args().iter().any(|word| {
            matches!(word.text.as_str(), "-e" | "--editable" | "-r" | "--requirement") || is_local(&word.text)
        });
        if !local {
            return None;
        }
    }
    Some(first_two())
}

/// Whether a command signs, uploads or publishes files (`gpg`, `twine upload`, `scp`): what
/// makes a file it is given trusted elsewhere.
pub fn publishes(command: &Command) -> bool {
    let (Some(name), subcommand) = (command.name(), command.subcommand()) else {
        return false;
    };
    if command.has_arg("--dry-run") || command.has_arg("--dryrun") {
        return false;
    }
    let remote = command.operands().any(|operand| operand.contains(':') && !operand.contains("://"));
    FACTS.publish.iter().any(|fact| {
        fact.names.iter().any(|known| known == name)
            && (fact.subcommands.is_empty() || subcommand.is_some_and(|sub| fact.subcommands.iter().any(|s| s == sub)))
            && (!fact.remote_only || remote)
    })
}

/// Whether a step publishes a release or a package: a publishing command in its script, or
/// a publishing action.
pub fn step_publishes(step: &Step) -> bool {
    step.run.as_ref().is_some_and(|script| script.commands.iter().any(publishes))
        || FACTS.publish_action.iter().any(|action| step.uses_action(&action.uses))
}

/// A path relative to the current directory: `./x`, `../x`, `scripts/x`.
fn is_relative_path(word: &str) -> bool {
    let first = word.split('/').next().unwrap_or_default();
    word.contains('/')
        && !word.starts_with('/')
        && !word.starts_with('~')
        && !word.starts_with('$')
        && !word.contains("://")
        && (first == "." || first == ".." || !first.is_empty())
        && !first.contains(['@', ':', '='])
}

/// A local project or file as a package manager operand: `.`, `./pkg`, `.[dev]`, `.$EXTRAS`.
fn is_local(operand: &str) -> bool {
    operand == "." || ["./", "../", ".[", ".$"].iter().any(|prefix| operand.starts_with(prefix))
}

/// Whether a path names directory `dir` of the workspace or something inside it.
fn mentions_dir(text: &str, dir: &str) -> bool {
    let value = text.rsplit('=').next().unwrap_or(text);
    let normalised = normalise_dir(value);
    normalised == dir || normalised.starts_with(&format!("{dir}/"))
}

/// A workspace path without `./`, the workspace prefix or a trailing `/`.
fn normalise_dir(path: &str) -> String {
    let mut path = path.trim();
    for prefix in ["${{ github.workspace }}/", "$GITHUB_WORKSPACE/", "${GITHUB_WORKSPACE}/", "./"] {
        path = path.strip_prefix(prefix).unwrap_or(path);
    }
    path.trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::github::parse_for_tests;

    fn job(steps: &str) -> Vec<Step> {
        let source = format!("on: pull_request_target\njobs:\n  a:\n    runs-on: x\n    steps:\n{steps}");
        parse_for_tests(&source).jobs[0].steps.clone()
    }

    #[test]
    fn fetches_of_the_head() {
        let steps = job(concat!(
            "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n          path: pr\n",
            "      - uses: actions/checkout@v4\n",
            "      - run: gh pr checkout ${{ github.event.number }}\n",
            "      - run: git fetch origin pull/1/head:pr && git checkout pr\n",
            "      - run: git fetch origin ${{ github.event.pull_request.base.ref }} && git diff\n",
            "      - id: pr\n        uses: actions/github-script@v7\n        with:\n          script: return (await github.rest.pulls.get(context.issue)).data\n",
            "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ steps.pr.outputs.sha }}\n",
            "      - uses: actions/checkout@v4\n        with:\n          ref: ${{ steps.pr.outputs.base_sha }}\n",
        ));
        let fetched: Vec<(usize, Option<String>)> =
            (0..steps.len()).filter_map(|index| fetch(&steps, index)).map(|f| (f.step, f.path)).collect();
        assert_eq!(fetched, [(0, Some("pr".into())), (2, None), (3, None), (6, None)]);
        assert!(replaces(&steps[1], None));
        assert!(!replaces(&steps[1], Some("pr")));
    }

    #[test]
    fn downloads_of_other_runs_artifacts() {
        let steps = job(concat!(
            "      - uses: actions/download-artifact@v4\n        with:\n          run-id: ${{ github.event.workflow_run.id }}\n",
            "      - uses: actions/download-artifact@v4\n        with:\n          name: own\n",
            "      - uses: dawidd6/action-download-artifact@v6\n        with:\n          path: ${{ runner.temp }}/artifacts\n",
            "      - run: gh run download \"$RUN_ID\" --dir pr\n",
            "      - uses: actions/github-script@v7\n        with:\n          script: |\n            const d = await github.rest.actions.downloadArtifact(x);\n            fs.writeFileSync(`${process.env.RUNNER_TEMP}/a.zip`, d);\n",
        ));
        let places: Vec<Option<Place>> =
            (0..steps.len()).map(|index| artifact_download(&steps, index).map(|download| download.place)).collect();
        assert_eq!(
            places,
            [
                Some(Place::Workspace(None)),
                None,
                Some(Place::Outside("${{ runner.temp }}/artifacts".into())),
                Some(Place::Workspace(Some("pr".into()))),
                Some(Place::Outside("RUNNER_TEMP".into())),
            ]
        );
    }

    #[test]
    fn publishing_commands() {
        let publishes_in = |script: &str| {
            let script = Script::parse(Text::for_tests(script), super::super::shell::Dialect::Posix);
            script.commands.iter().any(publishes)
        };
        assert!(publishes_in("twine upload dist/*"));
        assert!(publishes_in("rsync -a dist/ deploy@example.com:/srv"));
        assert!(!publishes_in("rsync -a src/ ../copy"));
        assert!(!publishes_in("cargo publish --workspace --dry-run"));
        assert!(!publishes_in("npm run build"));
    }

    #[test]
    fn executions_of_the_workspace() {
        let steps = job(concat!(
            "      - run: npm ci && npm test\n",
            "      - run: pip install black && git diff && npm --version\n",
            "      - run: pip install -e . && ./scripts/check.sh\n",
            "      - uses: actions/setup-node@v4\n        with:\n          cache: npm\n",
            "      - uses: some/linter@v1\n",
            "      - uses: ./.github/actions/build\n",
            "      - run: cd pr && make\n",
            "      - run: make -C base && cat pr/package.json\n",
            "      - uses: ruby/setup-ruby@v1\n        with:\n          bundler-cache: true\n",
            "      - run: uv run smokeshow upload pr && npm ci --prefix pr\n",
            "      - uses: actions/github-script@v7\n        with:\n          script: fs.readFileSync('./NR'); require('fs')\n",
            "      - uses: actions/github-script@v7\n        with:\n          script: await require( './scripts/comment.js')(github)\n",
        ));
        let what = |index: usize, dir: Option<&str>| execution(&steps[index], dir, 0).map(|e| (e.what, e.certain));
        assert_eq!(what(0, None), Some(("npm ci".into(), true)));
        assert_eq!(what(1, None), None);
        assert_eq!(what(2, None), Some(("pip install".into(), true)));
        assert_eq!(what(3, None), None);
        assert_eq!(what(4, None), Some(("some/linter@v1".into(), false)));
        assert_eq!(what(4, Some("pr")), None);
        assert_eq!(what(5, None), Some(("./.github/actions/build".into(), true)));
        assert_eq!(what(5, Some("pr")), None);
        assert_eq!(what(6, Some("pr")), Some(("make".into(), true)));
        assert_eq!(what(7, Some("pr")), None);
        assert_eq!(what(8, None), Some(("ruby/setup-ruby@v1".into(), true)));
        assert_eq!(what(9, Some("pr")), Some(("npm ci".into(), true)));
        assert_eq!(what(10, None), None);
        assert_eq!(what(11, None), Some(("require('./scripts/comment.js')".into(), true)));
    }
}
