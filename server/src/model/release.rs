//! What publishes: commands and actions that upload packages to a registry, push container
//! images or attach files to a GitHub release; which registry they publish to, and where they
//! read a token from. Shared by the GitHub and GitLab rules on publishing
//! (`data/publishing.toml` lists the facts).

use std::sync::LazyLock;

use serde::Deserialize;

use super::github::Step;
use super::patterns::{ActionPattern, ByProgram, CommandPattern, HasCommandPattern, Invocation};
use super::shell::{Command, Script};
use crate::syntax::span::Span;
use crate::{bundled, data};

/// A package or image registry.
#[derive(Debug, Deserialize)]
pub struct Registry {
    pub id: String,
    /// For messages: `PyPI`, `the GitLab package registry`.
    pub name: String,
    ecosystems: Vec<String>,
    /// Whether commands of its ecosystems that name no registry publish here.
    #[serde(default)]
    default: bool,
    /// Texts that name it in registry options, inputs and `.npmrc` lines.
    names: Vec<String>,
    pub replacement: Replacement,
    /// The CI systems (`github`, `gitlab`) it accepts trusted publishing from.
    #[serde(default)]
    pub trusted_publishing: Vec<String>,
    #[serde(default)]
    token_variables: Vec<String>,
    #[serde(default)]
    variables_only_publish: bool,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    token_user: Option<String>,
    #[serde(default)]
    user_variables: Vec<String>,
    /// Whether logging in publishes only in a job that also pushes an image.
    #[serde(default)]
    pub only_with_image_push: bool,
}

/// What can replace a long-lived token for a registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replacement {
    /// Trusted publishing: the registry exchanges the CI system's OIDC token for a
    /// short-lived one.
    TrustedPublishing,
    /// The CI job's own token.
    JobToken,
    /// Nothing: a scoped, rotated token is the best there is.
    None,
}

impl Registry {
    /// Whether the registry accepts trusted publishing from `platform` (`github`, `gitlab`).
    pub fn trusts(&self, platform: &str) -> bool {
        self.replacement == Replacement::TrustedPublishing && self.trusted_publishing.iter().any(|p| p == platform)
    }

    fn is_named_in(&self, text: &str) -> bool {
        let text = text.to_ascii_lowercase();
        self.names.iter().any(|name| text.contains(&name.to_ascii_lowercase()))
    }

    fn serves(&self, ecosystem: &str) -> bool {
        self.ecosystems.iter().any(|e| e == ecosystem)
    }
}

#[derive(Deserialize)]
struct PublishCommand {
    ecosystem: String,
    #[serde(flatten)]
    pattern: CommandPattern,
    #[serde(default)]
    token_options: Vec<String>,
    #[serde(default)]
    user_options: Vec<String>,
    #[serde(default)]
    registry_options: Vec<String>,
    #[serde(default)]
    registry_operand: bool,
    #[serde(default)]
    login: bool,
}

impl HasCommandPattern for PublishCommand {
    fn pattern(&self) -> &CommandPattern {
        &self.pattern
    }
}

#[derive(Deserialize)]
struct PublishAction {
    ecosystem: String,
    #[serde(flatten)]
    pattern: ActionPattern,
    #[serde(default)]
    token_inputs: Vec<String>,
    #[serde(default)]
    user_inputs: Vec<String>,
    #[serde(default)]
    registry_inputs: Vec<String>,
    #[serde(default)]
    login: bool,
}

#[derive(Deserialize)]
struct Facts {
    local_hosts: Vec<String>,
    registry: Vec<Registry>,
    command: ByProgram<PublishCommand>,
    action: Vec<PublishAction>,
    image_push: ByProgram<CommandPattern>,
    image_push_action: Vec<ActionPattern>,
    release_command: ByProgram<CommandPattern>,
    release_action: Vec<ActionPattern>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("publishing.toml")));

/// A command or action step that publishes a package.
pub struct Publication<'a> {
    /// Where it publishes; `None` for a registry this file does not know (a private one).
    pub registry: Option<&'static Registry>,
    /// What publishes, for messages: `npm publish`, `pypa/gh-action-pypi-publish`.
    pub what: String,
    pub span: Span,
    /// Values that pass a token, with where: (`$PYPI_TOKEN`, "`-p`").
    tokens: Vec<(&'a str, String)>,
    /// Values that pass a user name.
    users: Vec<&'a str>,
    /// Whether it only logs in to the registry (`docker login`): what it publishes, another
    /// step pushes.
    pub login: bool,
}

/// Where a publication reads its registry configuration when it names no registry: the
/// registry URL of `actions/setup-node`, and `.npmrc` lines written by the job's scripts.
#[derive(Default)]
pub struct Configuration<'a> {
    pub registry_urls: Vec<&'a str>,
    /// `//host/path/:_authToken=value` lines: the registry and the token.
    pub npmrc_tokens: Vec<(&'a str, &'a str)>,
}

impl<'a> Configuration<'a> {
    /// Adds the registry a script configures (`npm config set registry URL`) and the `.npmrc`
    /// token lines it writes or configures.
    pub fn read_script(&mut self, script: &'a Script) {
        for command in &script.commands {
            let operands: Vec<&str> = command.operands().take(4).collect();
            if matches!(command.name(), Some("npm" | "pnpm" | "yarn"))
                && let ["config", "set", "registry", url] | ["set", "registry", url] = operands.as_slice()
            {
                self.registry_urls.push(url);
            }
        }
        let text = script.text.value.as_str();
        for (at, marker) in text.match_indices(":_authToken") {
            let start = text[..at].rfind("//").unwrap_or(at);
            let value = text[at + marker.len()..].trim_start_matches(['=', ' ']);
            let end = match value.strip_prefix("${{") {
                Some(expression) => expression.find("}}").map_or(value.len(), |close| close + 5),
                None => value
                    .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ';' | '>'))
                    .unwrap_or(value.len()),
            };
            self.npmrc_tokens.push((&text[start..at], &value[..end]));
        }
    }
}

/// Whether a registry or image name is on a host inside the job (`localhost:4873`).
fn is_local(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    FACTS.local_hosts.iter().any(|host| text.contains(host.as_str()))
}

/// The registry `ecosystem` publishes to: the one `target` names, or without a target the one
/// the configuration names, or the ecosystem's default. `None` when the target names a
/// registry this file does not know (a private one, with no better credential to offer).
fn registry_for(ecosystem: &str, target: Option<&str>, configured: &[&str]) -> Option<&'static Registry> {
    let serving = || FACTS.registry.iter().filter(move |registry| registry.serves(ecosystem));
    if let Some(target) = target {
        return serving().find(|registry| registry.is_named_in(target));
    }
    configured
        .iter()
        .find_map(|text| serving().find(|registry| registry.is_named_in(text)))
        .or_else(|| serving().find(|registry| registry.default))
}

/// The publication a shell command makes, if it publishes.
pub fn command_publication<'a>(
    script: &Script,
    command: &'a Command,
    configuration: &Configuration<'a>,
) -> Option<Publication<'a>> {
    invocation_publication(script, command, &Invocation::of(command)?, configuration)
}

/// [`command_publication`] for a command already read as an invocation.
fn invocation_publication<'a>(
    script: &Script,
    command: &Command,
    invocation: &Invocation<'a>,
    configuration: &Configuration<'a>,
) -> Option<Publication<'a>> {
    let (publish, what) = FACTS
        .command
        .for_program(invocation.program)
        .find_map(|publish| Some((publish, publish.pattern.shown(invocation)?)))?;
    let target = invocation.option(&publish.registry_options).map(|option| option.value).or_else(|| {
        let options: Vec<&String> = publish.token_options.iter().chain(&publish.user_options).collect();
        let mut operands = invocation.operands_with(&options).skip(publish.pattern.operands.len());
        operands.next().filter(|_| publish.registry_operand).map(|word| word.text.as_str())
    });
    let mut configured: Vec<&str> = Vec::new();
    let mut tokens: Vec<(&str, String)> = Vec::new();
    if publish.ecosystem == "npm" {
        configured.extend(configuration.registry_urls.iter().copied());
        for (registry, token) in &configuration.npmrc_tokens {
            configured.push(registry);
            tokens.push((token, "an `.npmrc` `_authToken`".to_owned()));
        }
    }
    if target.or(configured.first().copied()).is_some_and(is_local) {
        return None;
    }
    let registry = registry_for(&publish.ecosystem, target, &configured);
    if let Some(option) = invocation.option(&publish.token_options) {
        tokens.insert(0, (option.value, format!("`{}`", option.name)));
    }
    let users = invocation.option(&publish.user_options).map(|option| option.value).into_iter().collect();
    Some(Publication {
        registry,
        what,
        span: script.span_of(command.range.clone()),
        tokens,
        users,
        login: publish.login,
    })
}

/// Whether a step uses an action that publishes.
pub fn is_publish_action(step: &Step) -> bool {
    FACTS.action.iter().any(|publish| publish.pattern.matches(step))
}

/// The publication an action step makes, if it publishes.
pub fn action_publication<'a>(step: &'a Step, configuration: &Configuration<'a>) -> Option<Publication<'a>> {
    let publish = FACTS.action.iter().find(|publish| publish.pattern.matches(step))?;
    let input = |names: &'static [String]| {
        names.iter().find_map(|name| step.input_text(name).map(|text| (name.as_str(), text.value.as_str())))
    };
    let target = input(&publish.registry_inputs).map(|(_, value)| value);
    let registry = registry_for(&publish.ecosystem, target, &configuration.registry_urls);
    Some(Publication {
        registry,
        what: publish.pattern.describe().to_owned(),
        span: step.uses.as_ref().map_or(step.first_key, |uses| uses.span),
        tokens: input(&publish.token_inputs).map(|(name, value)| (value, format!("`{name}:`"))).into_iter().collect(),
        users: input(&publish.user_inputs).map(|(_, value)| value).into_iter().collect(),
        login: publish.login,
    })
}

/// What a platform knows about the values a publication reads.
pub trait Credentials {
    /// The long-lived credential a value expands (`secrets.NPM_TOKEN`, `$NPM_TOKEN`), or
    /// `None` for text, the job's own token, or a short-lived token from an earlier step.
    fn credential(&self, value: &str) -> Option<String>;
    /// The value of an environment variable where the publication runs.
    fn variable(&self, name: &str) -> Option<String>;
    /// The long-lived credentials the step or job mentions anywhere.
    fn mentioned(&self) -> Vec<String>;
}

/// The long-lived token a publication authenticates with, and how it gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `secrets.NPM_TOKEN`, `$PYPI_TOKEN`, or a description when the file does not name it.
    pub credential: String,
    /// Whether `credential` names the secret or variable.
    pub named: bool,
    /// "through `TWINE_PASSWORD`", "with `--token`".
    pub how: String,
    /// Whether the token is passed where the tool reads it, rather than guessed from a name.
    pub explicit: bool,
}

impl Token {
    /// A token read from the variable `variable`, which holds `credential`.
    pub fn through(credential: String, variable: &str) -> Token {
        Token { credential, named: true, how: format!("through `{variable}`"), explicit: true }
    }

    /// The token for messages: "`secrets.NPM_TOKEN` (through `NODE_AUTH_TOKEN`)".
    pub fn describe(&self) -> String {
        if self.named {
            format!("`{}` ({})", self.credential, self.how)
        } else {
            format!("{} ({})", self.credential, self.how)
        }
    }
}

impl Publication<'_> {
    /// The long-lived token the publication uses, if the file shows one.
    pub fn token(&self, credentials: &dyn Credentials) -> Option<Token> {
        let registry = self.registry?;
        for (value, place) in &self.tokens {
            if let Some(credential) = credentials.credential(value) {
                return Some(Token { credential, named: true, how: format!("with {place}"), explicit: true });
            }
        }
        for variable in &registry.token_variables {
            if let Some(credential) = credentials.variable(variable).and_then(|value| credentials.credential(&value)) {
                return Some(Token::through(credential, variable));
            }
        }
        let keyword = |credential: &String| {
            let upper = credential.to_ascii_uppercase();
            registry.keywords.iter().any(|keyword| upper.contains(keyword.as_str()))
        };
        if let Some(credential) = credentials.mentioned().into_iter().find(keyword) {
            return Some(Token { credential, named: true, how: "by its name".to_owned(), explicit: false });
        }
        let token_user = registry.token_user.as_deref()?;
        let users = self.users.iter().map(|user| user.to_string());
        let variables = registry.user_variables.iter().filter_map(|name| credentials.variable(name));
        users.chain(variables).any(|user| user.trim_matches(['\'', '"']) == token_user).then(|| Token {
            credential: format!("a {} API token", registry.name),
            named: false,
            how: format!("for the user name `{token_user}`"),
            explicit: false,
        })
    }
}

/// The registry a variable holds a token for, when publishing is all tools use it for
/// (`CARGO_REGISTRY_TOKEN`, `TWINE_PASSWORD`): whatever a step that sets it runs publishes.
pub fn publishing_variable(name: &str) -> Option<&'static Registry> {
    FACTS
        .registry
        .iter()
        .find(|registry| registry.variables_only_publish && registry.token_variables.iter().any(|v| v == name))
}

/// Whether a command is a publishing command, whatever its flags: `cargo publish --dry-run`
/// sets a token and still publishes nothing.
pub fn names_publish_command(command: &Command) -> bool {
    Invocation::of(command).is_some_and(|invocation| {
        FACTS.command.for_program(invocation.program).any(|publish| publish.pattern.names(&invocation))
    })
}

/// Whether a command pushes a container image.
pub fn command_pushes_image(command: &Command) -> bool {
    Invocation::of(command)
        .is_some_and(|invocation| FACTS.image_push.for_program(invocation.program).any(|p| p.matches(&invocation)))
}

/// Whether an action step pushes a container image.
pub fn action_pushes_image(step: &Step) -> bool {
    FACTS.image_push_action.iter().any(|pattern| pattern.matches(step))
}

/// What a step does that releases software, and where: publishing a package, pushing an
/// image, or attaching files to a GitHub release. A login is not a release by itself: the
/// push that follows it is.
pub fn step_release(step: &Step) -> Option<&(String, Span)> {
    step.release.get_or_derive(|| release_of(step).map(Box::new)).as_deref()
}

fn release_of(step: &Step) -> Option<(String, Span)> {
    let published = |publication: &Publication<'_>| match publication.registry {
        _ if publication.login => None,
        Some(registry) => Some(format!("publishes to {} (`{}`)", registry.name, publication.what)),
        None => Some(format!("publishes a package (`{}`)", publication.what)),
    };
    if let Some(uses) = &step.uses {
        if let Some(what) = action_publication(step, &Configuration::default()).as_ref().and_then(published) {
            return Some((what, uses.span));
        }
        let local_tags = step.input_text("tags").is_some_and(|tags| is_local(&tags.value));
        if let Some(pattern) = FACTS.image_push_action.iter().find(|p| p.matches(step)).filter(|_| !local_tags) {
            return Some((format!("pushes an image (`{}`)", pattern.describe()), uses.span));
        }
        if let Some(pattern) = FACTS.release_action.iter().find(|p| p.matches(step)) {
            return Some((format!("attaches files to a GitHub release (`{}`)", pattern.describe()), uses.span));
        }
    }
    let script = step.run.as_ref()?;
    let configuration = Configuration::default();
    script.commands.iter().find_map(|command| {
        let span = script.span_of(command.range.clone());
        let invocation = Invocation::of(command)?;
        if let Some(publication) = invocation_publication(script, command, &invocation, &configuration) {
            return published(&publication).map(|what| (what, span));
        }
        if let Some(shown) = FACTS.image_push.for_program(invocation.program).find_map(|p| p.shown(&invocation)) {
            let local = invocation.args.iter().any(|word| is_local(&word.text));
            return (!local).then(|| (format!("pushes an image (`{shown}`)"), span));
        }
        let shown = FACTS.release_command.for_program(invocation.program).find_map(|p| p.shown(&invocation))?;
        Some((format!("attaches files to a GitHub release (`{shown}`)"), span))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;
    use crate::model::shell::Dialect;

    struct Fake;

    impl Credentials for Fake {
        fn credential(&self, value: &str) -> Option<String> {
            value.contains("SECRET").then(|| value.to_owned())
        }
        fn variable(&self, name: &str) -> Option<String> {
            (name == "TWINE_USERNAME").then(|| "__token__".to_owned())
        }
        fn mentioned(&self) -> Vec<String> {
            vec!["$DEPLOY_KEY".to_owned(), "$NPM_SECRET".to_owned()]
        }
    }

    fn publications(script: &str) -> Vec<(String, Option<Token>)> {
        let script = Script::parse(Text::for_tests(script), Dialect::Posix);
        let mut configuration = Configuration::default();
        configuration.read_script(&script);
        script
            .commands
            .iter()
            .filter_map(|command| command_publication(&script, command, &configuration))
            .filter_map(|publication| Some((publication.registry?.id.clone(), publication.token(&Fake))))
            .collect()
    }

    #[test]
    fn registries_and_tokens() {
        let found = publications("twine upload -p $SECRET dist/*");
        assert_eq!(found[0].0, "pypi");
        assert_eq!(found[0].1.as_ref().unwrap().how, "with `-p`");
        assert_eq!(publications("twine upload dist/*")[0].1.as_ref().unwrap().how, "for the user name `__token__`");
        assert!(publications("twine upload --repository-url https://pkgs.example.com/ dist/*").is_empty());
        let npm = publications("echo \"//registry.npmjs.org/:_authToken=${SECRET}\" > ~/.npmrc\nnpm publish");
        assert_eq!(
            (npm[0].0.as_str(), npm[0].1.as_ref().unwrap().how.as_str()),
            ("npm", "with an `.npmrc` `_authToken`")
        );
        let gitlab = publications(
            "npm config set -- //${CI_SERVER_HOST}/api/v4/projects/1/packages/npm/:_authToken=${CI_JOB_TOKEN}\nnpm publish",
        );
        assert_eq!((gitlab[0].0.as_str(), gitlab[0].1.is_none()), ("gitlab", true));
        let docker = publications(
            "docker login ghcr.io -u x -p $SECRET\ndocker login -u x --password-stdin registry.hub.docker.com/gitlab",
        );
        assert_eq!(docker.len(), 1);
        assert_eq!(docker[0].0, "dockerhub");
        assert!(publications("cargo publish --dry-run").is_empty());
        assert!(publications("npm publish --registry http://localhost:4873/").is_empty());
        assert!(publications("npm config set registry http://127.0.0.1:4873\nnpm publish").is_empty());
        assert_eq!(publications("cargo publish --token=$SECRET")[0].1.as_ref().unwrap().how, "with `--token`");
    }
}
