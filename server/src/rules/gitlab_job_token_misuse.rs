//! `gitlab-job-token-misuse`: the job token sent to other hosts, or kept in uploaded files.

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::gitlab_variables::{Scope, references};
use crate::model::reparse;
use crate::model::shell::{Command, Script, Word};
use crate::{bundled, data};

pub struct GitlabJobTokenMisuse;

static META: RuleMeta = RuleMeta {
    id: "gitlab-job-token-misuse",
    technique: Technique::CA02,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "The job token is sent to another host, or kept in an uploaded file",
        detects: "`$CI_JOB_TOKEN` (or `$CI_REGISTRY_PASSWORD`, `$CI_REPOSITORY_URL`, which \
hold it, or a variable set from them) in a command that sends it to a host other than this \
GitLab instance: a URL's host in `curl`, `git`, an `npm` configuration line and the like, \
also through a pipe (`echo \"$CI_JOB_TOKEN\" | docker login --password-stdin host`), or the \
registry of `docker login` (Docker Hub when none is named). Hosts named by `$CI_SERVER_HOST`, \
`$CI_SERVER_URL`, `$CI_API_V4_URL`, `$CI_REGISTRY` and the other instance variables, or whose \
name holds `gitlab`, count as the instance. Public services (GitHub, Docker Hub, npm, PyPI, \
cloud registries: a bundled list) are medium; other hosts are low, since a working pipeline \
that sends the token somewhere usually sends it to the instance under its own domain. Also \
low: the token written into a file, or into a clone's `.git/config` through its remote URL, \
that the job uploads as an artifact.",
        why: "The job token acts as the user who started the pipeline, for as long as the job \
runs: it reads this project's repository and packages, pushes to its registries, and reaches \
every project that lists this one in its job token allowlist. A host that receives it, or \
anyone who intercepts the request, can use it for that time. In an artifact it outlives \
nothing (it expires when the job ends), but the file shows how the token flows, and the same \
file often carries longer-lived secrets.",
        attack: "Credential Access › Env variables stored in CI/CD (CA02): the token leaves \
the job to a host its owner does not control. With it, Lateral Movement › Compromise other \
CI/CD pipelines (LM04) through the projects that accept this project's job token, and \
Exfiltration › Clone Git repositories (EF01).",
        example: r#"stages: [publish]
push-image:
  stage: publish
  script:
    - docker login -u gitlab-ci-token -p "$CI_JOB_TOKEN"
    - docker build -t "$CI_REGISTRY_IMAGE" . && docker push "$CI_REGISTRY_IMAGE"
"#,
        fixed_example: r#"stages: [publish]
push-image:
  stage: publish
  script:
    - docker login -u gitlab-ci-token -p "$CI_JOB_TOKEN" "$CI_REGISTRY"
    - docker build -t "$CI_REGISTRY_IMAGE" . && docker push "$CI_REGISTRY_IMAGE"
"#,
        fix: "Send the job token only to this instance, through its variables \
(`$CI_API_V4_URL`, `$CI_SERVER_HOST`, `$CI_REGISTRY`); give other services their own \
narrowly scoped credential, stored as a protected, masked variable. Write credentials \
configuration outside the project directory (`$HOME/.npmrc`) or delete it before artifacts \
are collected. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Link("GitLab: CI/CD job token", "https://docs.gitlab.com/ci/jobs/ci_job_token/"),
    ],
};

/// Predefined variables that hold the job token.
const TOKEN_VARIABLES: &[&str] = &["CI_JOB_TOKEN", "CI_BUILD_TOKEN", "CI_REGISTRY_PASSWORD", "CI_REPOSITORY_URL"];

/// Predefined variables that name this GitLab instance or one of its services.
const INSTANCE_VARIABLES: &[&str] = &[
    "CI_SERVER_URL",
    "CI_SERVER_HOST",
    "CI_SERVER_FQDN",
    "CI_SERVER_SHELL_SSH_HOST",
    "CI_API_V4_URL",
    "CI_API_GRAPHQL_URL",
    "CI_PROJECT_URL",
    "CI_REPOSITORY_URL",
    "CI_REGISTRY",
    "CI_REGISTRY_IMAGE",
    "CI_DEPENDENCY_PROXY_SERVER",
    "CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX",
    "CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX",
    "CI_TEMPLATE_REGISTRY_HOST",
    "CI_MERGE_REQUEST_PROJECT_URL",
];

/// How many variables are followed to find a value.
const MAX_HOPS: usize = 8;

impl Rule for GitlabJobTokenMisuse {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let scope = Scope::new(globals, job);
        for (index, script) in job.scripts().enumerate() {
            for command in &script.commands {
                let at = scope.in_script(index, command.range.start);
                let Some((token, range)) = token_part(&at, command) else { continue };
                // The token may go out through the commands this one pipes into
                // (`echo "$CI_JOB_TOKEN" | docker login --password-stdin host`).
                let receivers =
                    std::iter::successors(Some(command), |current| script.piped_into(current)).take(reparse::MAX_PIPE);
                if let Some((host, public)) = receivers.into_iter().find_map(|receiver| foreign_host(&at, receiver)) {
                    let consequence = "whoever receives it can act with this job's access (its project's repository, packages and registry, and the projects that allow this one) while the job runs";
                    let span = script.span_of(range.clone());
                    if public {
                        out.report(span, format!("`${token}` holds the job token and is sent to {host}, a public service that is not this GitLab instance: {consequence}"))
                            .with_confidence(Confidence::High);
                    } else {
                        out.report(span, format!("`${token}` holds the job token and is sent to {host}: unless that is this GitLab instance under its own domain (then name it with `$CI_SERVER_HOST`), {consequence}"))
                            .with_severity(Severity::Low)
                            .with_confidence(Confidence::Low);
                    }
                }
                let Some(artifacts) = &job.artifacts else { continue };
                for file in kept_in(script, command, &token).filter(|file| artifacts.covering(file).is_some()) {
                    out.report(
                        script.span_of(range.clone()),
                        format!(
                            "`${token}` holds the job token and is kept in `{file}`, which this job uploads as an artifact: the token expires with the job, but the artifact shows it to everyone who can download it"
                        ),
                    )
                    .with_severity(Severity::Low)
                    .with_confidence(Confidence::High);
                }
            }
        }
    }
}

/// The first expansion of `command` that holds the job token, with its range.
fn token_part(scope: &Scope<'_>, command: &Command) -> Option<(String, Range<usize>)> {
    command
        .words
        .iter()
        .chain(&command.assignments)
        .flat_map(|word| word.variables())
        .find(|(name, _)| holds_token(scope, name, 0))
        .map(|(name, part)| (name.to_owned(), part.range.clone()))
}

fn holds_token(scope: &Scope<'_>, name: &str, hops: usize) -> bool {
    if TOKEN_VARIABLES.contains(&name) {
        return true;
    }
    hops < MAX_HOPS
        && scope.value_of(name).is_some_and(|value| {
            references(&value).iter().any(|(referenced, _)| holds_token(scope, referenced, hops + 1))
        })
}

#[derive(Deserialize)]
struct PublicServices {
    hosts: Vec<String>,
}

static PUBLIC_SERVICES: LazyLock<PublicServices> = LazyLock::new(|| data::parse(bundled!("public-services.toml")));

/// Where a host stands.
enum Host {
    Instance,
    /// A host that may be this instance under its own domain.
    Unknown(String),
    /// A public service that is surely not a GitLab instance.
    Public(String),
}

/// A host `command` sends to that is not known to be this instance, described for messages,
/// and whether it is surely a third party.
fn foreign_host(scope: &Scope<'_>, command: &Command) -> Option<(String, bool)> {
    let args = command.args();
    let outside = |host: Host| match host {
        Host::Instance => None,
        Host::Unknown(host) => Some((format!("`{host}`"), false)),
        Host::Public(host) => Some((format!("`{host}`"), true)),
    };
    if command.name() == Some("docker") && command.subcommand() == Some("login") {
        return match docker_login_registry(args) {
            None => Some(("Docker Hub (`docker login` names no registry)".to_owned(), true)),
            Some(word) => classify(scope, &word.text, 0).and_then(outside),
        };
    }
    let mut found: Option<(String, bool)> = None;
    for host in args.iter().filter_map(|word| destination(scope, word)).filter_map(outside) {
        if found.as_ref().is_none_or(|(_, public)| host.1 && !public) {
            found = Some(host);
        }
    }
    found
}

/// The registry operand of `docker login`, after its options and their values.
fn docker_login_registry(args: &[Word]) -> Option<&Word> {
    let mut words = args.iter().skip_while(|word| word.text != "login").skip(1);
    while let Some(word) = words.next() {
        match word.text.as_str() {
            "-u" | "--username" | "-p" | "--password" => {
                words.next();
            }
            text if text.starts_with('-') => {}
            _ => return Some(word),
        }
    }
    None
}

/// The host a word sends to: the host of a URL in it, or of the URL a variable holds.
fn destination(scope: &Scope<'_>, word: &Word) -> Option<Host> {
    if let Some(host) = url_host(&word.text) {
        return classify(scope, host, 0);
    }
    match &*word.parts {
        [part] => variable_host(scope, word.variable(part)?, 0),
        _ => None,
    }
}

/// The host of the first URL in a text (`https://user:pass@host:port/...`, `//host/...`).
fn url_host(text: &str) -> Option<&str> {
    let start = match text.find("://") {
        Some(at) => at + 3,
        None => text.strip_prefix("//").map(|_| 2).or_else(|| text.find("\"//").map(|at| at + 3))?,
    };
    let rest = &text[start..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let host = if host.starts_with("${") { host } else { host.split(':').next().unwrap_or(host) };
    (!host.is_empty()).then_some(host)
}

fn classify(scope: &Scope<'_>, host: &str, hops: usize) -> Option<Host> {
    if let Some(rest) = host.strip_prefix('$') {
        let name = rest.trim_start_matches('{');
        let name = &name[..name.find(|c: char| !c.is_ascii_alphanumeric() && c != '_').unwrap_or(name.len())];
        return variable_host(scope, name, hops);
    }
    let host = host.to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    let public = PUBLIC_SERVICES
        .hosts
        .iter()
        .any(|service| host == service || host.strip_suffix(service.as_str()).is_some_and(|sub| sub.ends_with('.')));
    if public {
        Some(Host::Public(host.to_owned()))
    } else if host.contains("gitlab") {
        Some(Host::Instance)
    } else if host.is_empty() || host.contains('$') || !host.contains('.') || host.starts_with("127.") {
        None
    } else {
        Some(Host::Unknown(host.to_owned()))
    }
}

/// The host a variable names, following its value in the file.
fn variable_host(scope: &Scope<'_>, name: &str, hops: usize) -> Option<Host> {
    if INSTANCE_VARIABLES.contains(&name) {
        return Some(Host::Instance);
    }
    if hops >= MAX_HOPS {
        return None;
    }
    let value = scope.value_of(name)?;
    match url_host(&value) {
        Some(host) => classify(scope, host, hops + 1),
        None => classify(scope, &value, hops + 1),
    }
}

/// The files where `command` keeps the token held by `$token`: files it writes the token
/// into, and the `.git/config` of a clone or remote whose URL carries it.
fn kept_in<'a>(script: &'a Script, command: &'a Command, token: &str) -> impl Iterator<Item = String> + 'a {
    let written = reparse::written_variables(script, command).iter().any(|(name, _)| *name == token);
    let files = script
        .written_files(command)
        .filter(move |_| written)
        .filter(|word| word.is_literal())
        .map(|word| word.text.clone());
    let git_config = (command.name() == Some("git")).then(|| git_config_of(command)).flatten();
    files.chain(git_config)
}

/// The `.git/config` that `git clone URL [dir]` or `git remote add|set-url NAME URL` writes
/// the URL into.
fn git_config_of(command: &Command) -> Option<String> {
    let operands: Vec<&str> = command.operands().collect();
    match operands.as_slice() {
        ["clone", rest @ ..] => {
            let url = rest.iter().position(|operand| operand.contains("://") || operand.contains('@'))?;
            let dir = rest.get(url + 1).map_or_else(|| repository_name(rest[url]), |dir| dir.trim_end_matches('/'));
            Some(format!("{dir}/.git/config"))
        }
        ["remote", "add" | "set-url", ..] => Some(".git/config".to_owned()),
        _ => None,
    }
}

/// The directory `git clone` creates for a URL: its last path component without `.git`.
fn repository_name(url: &str) -> &str {
    let last = url.trim_end_matches('/').rsplit(['/', ':']).next().unwrap_or(url);
    last.strip_suffix(".git").unwrap_or(last)
}
