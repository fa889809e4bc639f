//! What shell commands do, for the rules that read scripts: which ones download and run what
//! they download, which install packages from URLs, which switch certificate or host key
//! checks off, what reaches the job log, which print the environment, which reach cloud
//! metadata endpoints and which change branch protection. A GitHub rule and its GitLab twin
//! both ask here, so that they know the same commands. What a command parses as code (a
//! shell reading standard input, `-c` strings, `eval`, a script file) is [`super::reparse`]'s
//! answer, asked here rather than repeated.
//!
//! POSIX scripts are read through their lexed commands ([`super::shell`]). PowerShell and
//! other shells are not lexed: the forms the rules name are searched in their text,
//! statement by statement.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

use super::is_commit_sha;
use super::reparse::{self, MAX_PIPE};
use super::search::{self, contains_ignoring_case, find_ignoring_case, occurrences};
use super::shell::{Command, Part, PartKind, Script, Word, basename};
use crate::{bundled, data};

// ---------------------------------------------------------------------------------------
// Downloads and the code they feed

/// A command that fetches a URL: `curl` or `wget`.
#[derive(Debug, Clone)]
pub struct Download<'a> {
    pub command: &'a Command,
    /// The first argument with a scheme, e.g. `https://get.docker.com`; `None` when the URL
    /// is only known at run time.
    pub url: Option<&'a Word>,
    /// Whether the body goes to standard output (`curl URL`, `wget -qO- URL`).
    pub to_stdout: bool,
    /// The file the body is saved to, when the command names it.
    pub file: Option<String>,
}

impl Download<'_> {
    /// Whether the URL is fetched over plain HTTP, which anyone on the network path can
    /// rewrite.
    pub fn is_plain_http(&self) -> bool {
        self.url.is_some_and(|url| is_plain_http(&url.text))
    }

    /// Whether the URL names content that cannot change: a path segment is a commit SHA, as
    /// in `https://raw.githubusercontent.com/owner/repo/<sha>/install.sh`.
    pub fn is_pinned(&self) -> bool {
        self.url.is_some_and(|url| has_commit_segment(&url.text))
    }
}

/// The download a command makes, if it is `curl` or `wget`.
fn download(command: &Command) -> Option<Download<'_>> {
    let program = command.name()?;
    let url = command.args().iter().find(|word| word.text.contains("://"));
    let named_after_url = || url.map(|url| url_file_name(&url.text).to_owned());
    let stdout = |path: &str| matches!(path, "-" | "/dev/stdout");
    let (to_stdout, file) = match program {
        "curl" => match command.option_argument(Some("output"), Some('o')) {
            Some(path) => (stdout(path), (!stdout(path)).then(|| path.to_owned())),
            None if command.option(Some("remote-name"), Some('O')).is_some()
                || command.has_arg("--remote-name-all") =>
            {
                (false, named_after_url())
            }
            None => (true, None),
        },
        "wget" => match command.option_argument(Some("output-document"), Some('O')) {
            Some(path) => (stdout(path), (!stdout(path)).then(|| path.to_owned())),
            None => (false, named_after_url()),
        },
        _ => return None,
    };
    let redirected = command.redirects.iter().find(|redirect| redirect.captures_stdout());
    let (to_stdout, file) = match redirected.and_then(|redirect| redirect.target.as_ref()) {
        Some(target) if to_stdout => (false, Some(target.text.clone())),
        _ => (to_stdout, file),
    };
    Some(Download { command, url, to_stdout, file })
}

/// How downloaded code reaches the program that runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// `curl URL | sh`
    Pipe,
    /// `bash <(curl URL)`, `sh -c "$(curl URL)"`, `eval "$(curl URL)"`
    Substitution,
    /// `curl -o install.sh URL`, then `sh install.sh` with no checksum check in between.
    Saved,
}

/// Code a script downloads and runs without checking it first.
#[derive(Debug)]
pub struct RemoteCode<'a> {
    /// The script of the command that runs it.
    pub script: &'a Script,
    pub download: Download<'a>,
    /// The command that runs it.
    pub runner: &'a Command,
    pub delivery: Delivery,
}

impl RemoteCode<'_> {
    /// Whether it runs as root, through `sudo`.
    pub fn as_root(&self) -> bool {
        let before_program = self.runner.name_index().unwrap_or_default();
        self.runner.words[..before_program].iter().any(|word| basename(&word.text) == "sudo")
    }

    /// What to report: from the download to the program that runs it, when both are on one
    /// command line, else the program.
    pub fn range(&self) -> Range<usize> {
        let (download, runner) = (&self.download.command.range, &self.runner.range);
        match self.delivery {
            Delivery::Saved => runner.clone(),
            Delivery::Pipe | Delivery::Substitution => download.start.min(runner.start)..download.end.max(runner.end),
        }
    }
}

/// The code that `scripts`, run one after the other in one shell (a `run:` script, or the
/// lines of a GitLab job's `before_script` and `script`), download and run unchecked.
pub fn remote_code<'a>(scripts: impl IntoIterator<Item = &'a Script>) -> Vec<RemoteCode<'a>> {
    let mut found = Vec::new();
    // Files downloaded and not verified since, by path.
    let mut saved: HashMap<String, Download<'a>> = HashMap::new();
    for script in scripts {
        for runner in &script.commands {
            if verifies(runner) {
                saved.clear();
            }
            let mut report = |download: Download<'a>, delivery| {
                found.push(RemoteCode { script, download, runner, delivery });
            };
            let piped = || {
                reparse::stdin_parser(runner)?;
                script.piped_from(runner).take(MAX_PIPE).find_map(|source| download(source).filter(|d| d.to_stdout))
            };
            // What it runs: words parsed as code (`eval`, `sh -c`), or a file (`bash <(curl …)`,
            // `sh install.sh`, `./install.sh`).
            let code = reparse::code_words(runner);
            let file = reparse::executed_file(runner);
            let substituted =
                code.iter().map(|code| code.word).chain(file).find_map(|word| substituted_download(script, word));
            if let Some(download) = piped() {
                report(download, Delivery::Pipe);
            } else if let Some(download) = substituted {
                report(download, Delivery::Substitution);
            } else if let Some(download) = file.and_then(|file| saved.get(normalise_path(&file.text))) {
                report(download.clone(), Delivery::Saved);
            }
            if let Some(download) = download(runner)
                && let Some(file) = &download.file
            {
                saved.insert(normalise_path(file).to_owned(), download);
            }
        }
    }
    found
}

/// The download whose output a word is made of: `"$(curl URL)"`, `<(curl URL)`.
fn substituted_download<'a>(script: &'a Script, word: &Word) -> Option<Download<'a>> {
    let [part] = &*word.parts else {
        return None;
    };
    if part.kind != PartKind::Substitution {
        return None;
    }
    script.commands_within(part.range.clone()).find_map(|command| download(command).filter(|d| d.to_stdout))
}

/// Whether a command checks a file's checksum or signature: `sha256sum -c`, a digest
/// computed to be compared (`[ "$(sha256sum f | cut -d' ' -f1)" = "$SHA" ]`), `gpg --verify`,
/// `cosign verify-blob`, `minisign -V`.
fn verifies(command: &Command) -> bool {
    let Some(program) = command.name() else {
        return false;
    };
    let digest = program == "shasum"
        || (program.ends_with("sum")
            && (program.starts_with("sha") || program.starts_with("md5") || program.starts_with("b2")));
    (digest && (command.has_arg("-c") || command.has_arg("--check") || command.depth > 0))
        || program == "gpgv"
        || (program == "gpg" && command.has_arg("--verify"))
        || (program == "cosign" && command.subcommand().is_some_and(|sub| sub.starts_with("verify")))
        || (program == "minisign" && command.has_arg("-V"))
}

fn normalise_path(path: &str) -> &str {
    path.trim_start_matches("./")
}

/// The last path segment of a URL, without its query: what `wget` and `curl -O` save to.
fn url_file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

fn is_plain_http(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("http://") || lower.contains("+http://")
}

/// Whether a segment of a URL or package spec is a commit SHA.
fn has_commit_segment(text: &str) -> bool {
    text.split(['/', '@', '#', '.', '=', '&', '?']).any(is_commit_sha)
}

/// PowerShell that downloads code and runs it in one statement.
#[derive(Debug)]
pub struct PowerShellRemoteCode<'a> {
    pub range: Range<usize>,
    pub url: Option<&'a str>,
}

/// `iex (iwr URL)`, `irm URL | iex`, `Invoke-Expression ((New-Object Net.WebClient).DownloadString(URL))`.
pub fn powershell_remote_code(text: &str) -> Vec<PowerShellRemoteCode<'_>> {
    statements(text)
        .filter(|range| {
            let statement = text[range.clone()].to_ascii_lowercase();
            let runs = ["iex", "invoke-expression"].iter().any(|name| has_word(&statement, name))
                || statement.contains("[scriptblock]::create(");
            let downloads = ["iwr", "irm", "curl", "wget", "invoke-webrequest", "invoke-restmethod"]
                .iter()
                .any(|name| has_word(&statement, name))
                || statement.contains(".downloadstring(");
            runs && downloads && !statement.contains("-outfile")
        })
        .map(|range| {
            let statement = &text[range.clone()];
            let url = statement.find("http://").or_else(|| statement.find("https://")).map(|at| {
                let rest = &statement[at..];
                &rest[..rest.find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ')')).unwrap_or(rest.len())]
            });
            PowerShellRemoteCode { range, url }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Packages installed from URLs

/// A package installed straight from a URL whose content can change: `pip install
/// git+https://github.com/o/r@main`, `npm install https://example.com/x.tgz`.
#[derive(Debug)]
pub struct UrlInstall<'a> {
    pub command: &'a Command,
    pub package: &'a Word,
    /// The installer, for messages: `pip install`, `npm install`.
    pub installer: String,
}

impl UrlInstall<'_> {
    pub fn is_plain_http(&self) -> bool {
        is_plain_http(&self.package.text)
    }
}

/// Options of installers whose value is a URL or a file rather than a package.
const NOT_PACKAGES: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index",
    "--default-index",
    "-f",
    "--find-links",
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "--registry",
];

/// Packages installed from URLs that pin neither a commit nor a hash.
pub fn url_installs(script: &Script) -> Vec<UrlInstall<'_>> {
    let mut found = Vec::new();
    for command in &script.commands {
        let Some((installer, packages)) = installation(command) else {
            continue;
        };
        if command.has_arg("--require-hashes") {
            continue;
        }
        let mut previous: Option<&str> = None;
        for word in packages {
            let spec = word.text.rsplit(" @ ").next().unwrap_or(&word.text);
            let is_url = ["http://", "https://", "git+", "git://", "github:"].iter().any(|p| spec.starts_with(p));
            let pinned =
                has_commit_segment(spec) || ["sha256=", "sha384=", "sha512="].iter().any(|hash| spec.contains(hash));
            if is_url && !pinned && !previous.is_some_and(|option| NOT_PACKAGES.contains(&option)) {
                found.push(UrlInstall { command, package: word, installer: installer.clone() });
            }
            previous = Some(&word.text);
        }
    }
    found
}

/// The installer a command runs and the words after its `install` verb.
fn installation(command: &Command) -> Option<(String, &[Word])> {
    let program = command.name()?;
    let args = command.args();
    let operands: Vec<&str> = command.operands().take(2).collect();
    let (installer, verbs): (&str, &[&str]) = match program {
        _ if program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.') == "pip" => ("pip", &["install"]),
        _ if program.starts_with("python")
            && args.first().is_some_and(|w| w.text == "-m")
            && operands.first() == Some(&"pip") =>
        {
            ("pip", &["install"])
        }
        "uv" if operands.first() == Some(&"pip") => ("uv pip", &["install"]),
        "npm" | "pnpm" => (program, &["install", "i", "add"]),
        "yarn" => ("yarn", &["add"]),
        _ => return None,
    };
    let verb = args.iter().position(|word| verbs.contains(&word.text.as_str()))?;
    Some((format!("{installer} {}", args[verb].text), &args[verb + 1..]))
}

// ---------------------------------------------------------------------------------------
// Certificate and host key checks switched off

/// What a setting stops checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The server's TLS certificate.
    Certificate,
    /// The SSH server's host key.
    HostKey,
}

/// What a setting of the list does, for messages.
#[derive(Deserialize)]
struct Effect {
    check: Check,
    what: String,
}

impl Effect {
    fn disabled(&'static self, written: String) -> Disabled {
        Disabled { written, what: &self.what, check: self.check }
    }
}

/// The values that switch a check off: those listed, or any non-empty one.
#[derive(Deserialize)]
struct Values {
    #[serde(default)]
    disabling: Vec<String>,
    #[serde(default)]
    any: bool,
}

impl Values {
    fn disable(&self, value: &str) -> bool {
        let value = value.trim().trim_matches(['"', '\'']);
        if self.any { !value.is_empty() } else { self.disabling.iter().any(|d| d.eq_ignore_ascii_case(value)) }
    }
}

#[derive(Deserialize)]
struct Flag {
    programs: Vec<String>,
    long: Option<String>,
    short: Option<char>,
    #[serde(flatten)]
    values: Values,
    #[serde(default)]
    value: bool,
    #[serde(flatten)]
    effect: Effect,
}

#[derive(Deserialize)]
struct Setting {
    programs: Vec<String>,
    keys: Vec<String>,
    #[serde(flatten)]
    values: Values,
    #[serde(flatten)]
    effect: Effect,
}

#[derive(Deserialize)]
struct Variable {
    name: String,
    #[serde(flatten)]
    values: Values,
    #[serde(flatten)]
    effect: Effect,
}

#[derive(Deserialize)]
struct TextOption {
    key: String,
    #[serde(flatten)]
    values: Values,
    #[serde(flatten)]
    effect: Effect,
}

#[derive(Deserialize)]
struct TlsFacts {
    flag: Vec<Flag>,
    setting: Vec<Setting>,
    variable: Vec<Variable>,
    text: Vec<TextOption>,
}

static TLS: LazyLock<TlsFacts> = LazyLock::new(|| data::parse(bundled!("insecure-tls.toml")));

/// Values that turn a boolean option off.
const FALSE: &[&str] = &["false", "0", "no", "off"];

/// A setting that switches an identity check off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disabled {
    /// What is written, for messages: `curl -k`, `git http.sslVerify=false`, `GIT_SSL_NO_VERIFY`.
    pub written: String,
    /// What the setting does, completing a sentence: "accepts any certificate".
    pub what: &'static str,
    pub check: Check,
}

/// Where a script switches an identity check off.
#[derive(Debug)]
pub struct InsecureSetting {
    pub disabled: Disabled,
    /// Where it is.
    pub range: Range<usize>,
    /// What to delete to remove it and keep a working command line: the flag, or the flag
    /// and its value, or the `NAME=value` before a command.
    pub removable: Option<Range<usize>>,
    /// Where the command connects, when it names a URL.
    pub host: Option<Host>,
}

/// Where a connection goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// This machine: `localhost`, `127.0.0.1`, `::1`.
    Loopback,
    /// A name without a dot (a service container, an internal host) or a private address.
    Internal,
    /// Anything else, or a name known only at run time.
    Other,
}

/// The settings in a script that switch an identity check off.
pub fn insecure_settings(script: &Script) -> Vec<InsecureSetting> {
    let mut found = Vec::new();
    if script.dialect != super::shell::Dialect::Posix {
        let text = &script.text.value;
        powershell_flags(text, &mut found);
        text_assignments(text, &mut found);
        text_options(text, 0, &mut found);
        return found;
    }
    for command in &script.commands {
        let before = found.len();
        if let Some(program) = command.name() {
            command_flags(command, program, &mut found);
            command_settings(command, program, &mut found);
        }
        for word in command.assignments.iter().chain(&command.words) {
            if let Some(disabled) = word.text.split_once('=').and_then(|(name, value)| insecure_variable(name, value)) {
                let prefix = command.assignments.contains(word) && !command.words.is_empty();
                let removable = prefix.then(|| word.range.clone());
                found.push(InsecureSetting { disabled, range: word.range.clone(), removable, host: None });
            } else if let Some((disabled, _)) = text_option(&word.text) {
                let removable = ssh_option(command, word);
                found.push(InsecureSetting { disabled, range: word.range.clone(), removable, host: None });
            }
        }
        if found.len() > before {
            let host = command.args().iter().find_map(|word| url_host(&word.text)).map(host_kind);
            for setting in &mut found[before..] {
                setting.host = host;
            }
        }
        if let Some(heredoc) = &command.heredoc {
            text_options(script.heredoc_text(heredoc), heredoc.body.start, &mut found);
        }
    }
    found
}

/// What setting the variable `name` to `value` switches off: a variable of the list
/// (`GIT_SSL_NO_VERIFY`), or an option inside the value (`SSH_OPTS: -o StrictHostKeyChecking=no`).
pub fn insecure_variable(name: &str, value: &str) -> Option<Disabled> {
    let variable = TLS.variable.iter().find(|variable| variable.name.eq_ignore_ascii_case(name));
    match variable {
        Some(variable) => variable.values.disable(value).then(|| variable.effect.disabled(variable.name.clone())),
        None => text_option(value).map(|(disabled, _)| disabled),
    }
}

fn command_flags(command: &Command, program: &str, found: &mut Vec<InsecureSetting>) {
    let args = command.args();
    for flag in TLS.flag.iter().filter(|flag| flag.programs.iter().any(|p| p == program)) {
        for (index, word) in args.iter().enumerate() {
            let text = word.text.as_str();
            let long = flag.long.as_deref().and_then(|long| text.strip_prefix("--")?.strip_prefix(long));
            let whole = Some(word.range.clone());
            let (disabled, removable) = match long {
                Some("") if flag.value => {
                    let value = args.get(index + 1);
                    (value.is_some(), value.map(|value| word.range.start..value.range.end))
                }
                Some("") => (flag.values.disabling.is_empty(), whole),
                Some(rest) => match rest.strip_prefix('=') {
                    Some(value) if flag.value => (!value.is_empty(), whole),
                    Some(value) if !flag.values.disabling.is_empty() => (flag.values.disable(value), whole),
                    Some(value) => (!FALSE.contains(&value.to_ascii_lowercase().as_str()), whole),
                    None => continue,
                },
                None => match short_in_cluster(word, flag.short) {
                    Some(_) if text.len() == 2 => (true, whole),
                    // Only a cluster written as it reads maps a character to its place.
                    Some(at) if word.is_literal() && word.range.len() == text.len() => {
                        (true, Some(word.range.start + at..word.range.start + at + 1))
                    }
                    Some(_) => (true, None),
                    None => continue,
                },
            };
            if disabled {
                let shown =
                    if long.is_some() { text.to_owned() } else { format!("-{}", flag.short.unwrap_or_default()) };
                let disabled = flag.effect.disabled(format!("{program} {shown}"));
                found.push(InsecureSetting { disabled, range: word.range.clone(), removable, host: None });
            }
        }
    }
}

/// Where a short option sits in a cluster of flags such as `-fsSLk`: its offset in the word.
fn short_in_cluster(word: &Word, short: Option<char>) -> Option<usize> {
    let cluster = word.text.strip_prefix('-').filter(|flags| !flags.starts_with('-'))?;
    if !cluster.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    cluster.find(short?).map(|at| at + 1)
}

fn command_settings(command: &Command, program: &str, found: &mut Vec<InsecureSetting>) {
    let args = command.args();
    for setting in TLS.setting.iter().filter(|setting| setting.programs.iter().any(|p| p == program)) {
        for (index, word) in args.iter().enumerate() {
            let text = word.text.trim_start_matches('-');
            let (key, value, end) = match text.split_once('=') {
                Some((key, value)) => (key, value, word.range.end),
                None => match args.get(index + 1) {
                    Some(next) => (text, next.text.as_str(), next.range.end),
                    None => continue,
                },
            };
            let matches = setting.keys.iter().any(|pattern| glob_matches(pattern, key));
            if !matches || !setting.values.disable(value) {
                continue;
            }
            // A flag (`--strict-ssl=false`) or `-c key=value` can go; a `config set` command is
            // the setting itself.
            let removable = if word.text.starts_with("--") {
                Some(word.range.clone())
            } else if index > 0 && args[index - 1].text == "-c" {
                Some(args[index - 1].range.start..word.range.end)
            } else {
                None
            };
            let written = format!("{program} {key}={value}");
            let disabled = setting.effect.disabled(written);
            found.push(InsecureSetting { disabled, range: word.range.start..end, removable, host: None });
        }
    }
}

/// An `-o StrictHostKeyChecking=no` given to `ssh`, `scp` or `sftp`, which can go.
fn ssh_option(command: &Command, word: &Word) -> Option<Range<usize>> {
    if !matches!(command.name(), Some("ssh" | "scp" | "sftp")) {
        return None;
    }
    if word.text.starts_with("-o") {
        return Some(word.range.clone());
    }
    let args = command.args();
    let index = args.iter().position(|arg| arg == word)?;
    (index > 0 && args[index - 1].text == "-o").then(|| args[index - 1].range.start..word.range.end)
}

/// The first `[[text]]` option a text switches off, e.g. `StrictHostKeyChecking=no`, and
/// where its key is in the text.
fn text_option(text: &str) -> Option<(Disabled, Range<usize>)> {
    // Most texts (every word of every command) name no option: they are not lowered.
    if !TLS.text.iter().any(|option| contains_ignoring_case(text, &option.key)) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    TLS.text.iter().find_map(|option| {
        let key = option.key.to_ascii_lowercase();
        lower.match_indices(&key).find_map(|(at, _)| {
            let value = option_value_after(&lower[at + key.len()..])?;
            option
                .values
                .disable(value)
                .then(|| (option.effect.disabled(format!("{}={value}", option.key)), at..at + key.len()))
        })
    })
}

/// Every `[[text]]` option a text (a here-document, a script that is not lexed) switches off,
/// with ranges offset by `base`.
fn text_options(text: &str, base: usize, found: &mut Vec<InsecureSetting>) {
    let mut from = 0;
    while let Some((disabled, range)) = text.get(from..).and_then(text_option) {
        let range = base + from + range.start..base + from + range.end;
        from = range.end - base;
        found.push(InsecureSetting { disabled, range, removable: None, host: None });
    }
}

/// The value after a key in `key=value`, `key value` or `key "value"`.
fn option_value_after(rest: &str) -> Option<&str> {
    let rest = rest.trim_start_matches([' ', '\t', '=', '"', '\'']);
    let end = rest.find(|c: char| !c.is_ascii_alphanumeric() && c != '-').unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

/// `-SkipCertificateCheck` and the like in PowerShell: a flag's `-long` form in a statement
/// that runs one of its programs.
fn powershell_flags(text: &str, found: &mut Vec<InsecureSetting>) {
    // Every option starts with a dash: most statements have none, and are not lowered.
    for range in statements(text).filter(|range| text[range.clone()].contains('-')) {
        let statement = text[range.clone()].to_ascii_lowercase();
        for PowershellFlag { flag, option, programs } in POWERSHELL_FLAGS.iter() {
            // The option is rarer than its programs' names: it is looked for first.
            let Some(at) = search::find(&statement, option) else { continue };
            if programs.iter().any(|program| has_word(&statement, program)) {
                let range = range.start + at..range.start + at + option.len();
                let disabled = flag.effect.disabled(text[range.clone()].to_owned());
                found.push(InsecureSetting { disabled, range, removable: None, host: None });
            }
        }
    }
}

/// A flag with a `-long` form, as PowerShell statements (lowered) are searched for it.
struct PowershellFlag {
    flag: &'static Flag,
    /// `-long`, lowered.
    option: String,
    /// The programs it belongs to, lowered.
    programs: Vec<String>,
}

/// The flags of the list that have a long form, lowered once rather than for every statement.
static POWERSHELL_FLAGS: LazyLock<Vec<PowershellFlag>> = LazyLock::new(|| {
    let lowered = |flag: &'static Flag| {
        let option = format!("-{}", flag.long.as_ref()?.to_ascii_lowercase());
        let programs = flag.programs.iter().map(|program| program.to_ascii_lowercase()).collect();
        Some(PowershellFlag { flag, option, programs })
    };
    TLS.flag.iter().filter_map(lowered).collect()
});

/// `$env:NAME = "0"` (PowerShell) and `set NAME=0` (cmd) for the variables of the list.
fn text_assignments(text: &str, found: &mut Vec<InsecureSetting>) {
    let lower = text.to_ascii_lowercase();
    for variable in &TLS.variable {
        let name = variable.name.to_ascii_lowercase();
        for (at, _) in lower.match_indices(&name) {
            let rest = text[at + name.len()..].trim_start_matches([' ', '\t']);
            let Some(value) = rest.strip_prefix('=') else { continue };
            let value = value.trim_start().split(['\n', ';']).next().unwrap_or_default();
            if variable.values.disable(value) {
                let disabled = variable.effect.disabled(variable.name.clone());
                found.push(InsecureSetting { disabled, range: at..at + name.len(), removable: None, host: None });
            }
        }
    }
}

/// `*` matches any text; comparisons ignore case.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    match pattern.split_once('*') {
        None => text == pattern,
        Some((head, tail)) => text.len() >= head.len() + tail.len() && text.starts_with(head) && text.ends_with(tail),
    }
}

/// The host of the first URL in a text.
fn url_host(text: &str) -> Option<&str> {
    let rest = &text[search::find(text, "://")? + 3..];
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match host_port.strip_prefix('[') {
        Some(ipv6) => ipv6.split(']').next(),
        None => host_port.split(':').next(),
    }
}

fn host_kind(host: &str) -> Host {
    let host = host.to_ascii_lowercase();
    let octets: Vec<u8> = host.split('.').filter_map(|octet| octet.parse().ok()).collect();
    if host.contains(['$', '{']) || host.is_empty() {
        Host::Other
    } else if host == "localhost"
        || host.ends_with(".localhost")
        || host == "::1"
        || octets.first() == Some(&127)
        || host == "0.0.0.0"
    {
        Host::Loopback
    } else if octets.len() == 4 {
        let private = matches!(octets[..2], [10, _] | [192, 168] | [169, 254])
            || (octets[0] == 172 && (16..32).contains(&octets[1]));
        if private { Host::Internal } else { Host::Other }
    } else if !host.contains('.') && !host.contains(':') {
        Host::Internal
    } else {
        Host::Other
    }
}

// ---------------------------------------------------------------------------------------
// What reaches the job log

/// What a command does with what it reads on standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Prints it as it is, maybe reordered: `cat`, `tee`, `sort`, `uniq`.
    Copies,
    /// Prints some of it unchanged: `grep`, `head`, `tail`, `jq`.
    Filters,
    /// Prints something computed from it: `base64`, `xxd`, `rev`, `tr`, `sed`, `awk`, `cut`.
    Transforms,
    /// Keeps it: a login reading a password, `kubectl apply -f -`, anything else.
    Consumes,
}

/// How a command treats its standard input.
fn stage(command: &Command) -> Stage {
    let to_file = command.option_argument(Some("output"), Some('o')).is_some() || command.has_arg("-out");
    match command.name() {
        // Written to a file rather than printed: `base64 --decode --output=key.p12`.
        Some("base64" | "base32" | "basenc" | "openssl") if to_file => Stage::Consumes,
        Some("cat" | "tee" | "sort" | "uniq" | "column" | "nl" | "less" | "more") => Stage::Copies,
        Some("grep" | "egrep" | "fgrep" | "rg" | "head" | "tail" | "jq" | "yq") => Stage::Filters,
        Some(
            "base64" | "base32" | "basenc" | "xxd" | "od" | "hexdump" | "rev" | "tr" | "sed" | "awk" | "gawk" | "cut"
            | "fold" | "iconv" | "gzip",
        ) => Stage::Transforms,
        Some("openssl") if command.has_arg("base64") || command.has_arg("-base64") => Stage::Transforms,
        _ => Stage::Consumes,
    }
}

/// The commands that what `command` prints passes through before it reaches the job log,
/// nearest first; `None` when it never gets there: a substitution captures it, a file
/// takes it, or a command down the pipe keeps it.
fn path_to_log<'a>(script: &'a Script, command: &'a Command) -> Option<Vec<(&'a Command, Stage)>> {
    if command.depth > 0 {
        return None;
    }
    let mut stages = Vec::new();
    let mut current = command;
    loop {
        let captured = current.redirects.iter().chain(script.group_redirects(current)).any(|r| r.captures_stdout());
        if captured {
            return None;
        }
        let Some(next) = script.piped_into(current) else {
            return Some(stages);
        };
        if stages.len() == MAX_PIPE {
            return None;
        }
        let stage = stage(next);
        if stage == Stage::Consumes {
            return None;
        }
        stages.push((next, stage));
        current = next;
    }
}

/// Whether `command` switches shell tracing on (`set -x`, `set -eux`, `set -o xtrace`) or
/// off (`set +x`); tracing prints every command line with its variables expanded.
fn sets_trace(command: &Command) -> Option<bool> {
    if command.name()? != "set" {
        return None;
    }
    let args = command.args();
    let mut switched = None;
    for (index, word) in args.iter().enumerate() {
        let text = word.text.as_str();
        let (on, flags) = match text.split_at_checked(1) {
            Some(("-", flags)) => (true, flags),
            Some(("+", flags)) => (false, flags),
            _ => continue,
        };
        let xtrace = flags == "o" && args.get(index + 1).is_some_and(|option| option.text == "xtrace");
        if xtrace || (flags.contains('x') && flags.chars().all(|c| c.is_ascii_alphabetic())) {
            switched = Some(on);
        }
    }
    switched
}

/// The script a shell traces when started with `-x`: `bash -x deploy.sh`.
pub fn traced_script(command: &Command) -> Option<&Word> {
    let shell = reparse::SHELLS.contains(&command.name()?);
    let traced = command.args().iter().any(|word| short_in_cluster(word, Some('x')).is_some());
    reparse::executed_file(command).filter(|_| shell && traced)
}

/// Something a script expands whose value a rule may want kept out of the log.
#[derive(Debug, Clone)]
pub enum Expansion<'a> {
    /// `$NAME` or `${NAME}`.
    Variable(&'a str),
    /// The `${{ }}` expressions in a range of the script.
    Within(Range<usize>),
}

/// How a value reaches the job log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exposure {
    /// Printed as it is.
    Printed,
    /// Printed after a transformation that masking does not recognise: the command that
    /// transforms it, or the parameter expansion (`${TOKEN:0:8}`).
    Transformed(String),
    /// Printed by shell tracing, reported where tracing was switched on; `derived` is a
    /// transformation of the value whose result the trace shows.
    Traced { derived: Option<String> },
}

/// A value a script prints to the job log.
#[derive(Debug)]
pub struct Printed<'a, T> {
    pub script: &'a Script,
    pub range: Range<usize>,
    /// What the rule's `classify` made of the expansion.
    pub value: T,
    pub exposure: Exposure,
}

/// The values that `scripts`, run one after the other in one shell, print to the log: as
/// arguments of `echo`, `printf` or `cat` whose output reaches it, in a here-document `cat`
/// prints, or anywhere after `set -x`. `classify` picks the expansions that matter.
/// `::add-mask::` lines are not printed: the runner registers them instead.
pub fn printed_values<'a, T>(
    scripts: &[&'a Script],
    classify: &dyn Fn(Expansion<'_>) -> Option<T>,
) -> Vec<Printed<'a, T>> {
    let mut found = Vec::new();
    let mut trace: Option<Trace<'a, T>> = None;
    for &script in scripts {
        for command in &script.commands {
            if command.depth == 0
                && let Some(on) = sets_trace(command)
            {
                found.extend(trace.take().and_then(Trace::printed));
                if on {
                    trace = Some(Trace { script, command, worst: None });
                }
                continue;
            }
            found.extend(printed_by(script, command, classify));
            if let Some(trace) = &mut trace {
                for word in command.assignments.iter().chain(&command.words) {
                    for (expansion, range) in expansions(script, word) {
                        if let Some(value) = classify(expansion) {
                            trace.note(value, derivation(script, command, word, range));
                        }
                    }
                }
            }
        }
    }
    found.extend(trace.and_then(Trace::printed));
    found
}

/// Shell tracing switched on by `command`, and the worst value it has printed since.
struct Trace<'a, T> {
    script: &'a Script,
    command: &'a Command,
    /// The value, and the transformation of it the trace shows, if any.
    worst: Option<(T, Option<String>)>,
}

impl<'a, T> Trace<'a, T> {
    fn note(&mut self, value: T, derived: Option<String>) {
        if self.worst.as_ref().is_none_or(|(_, seen)| seen.is_none() && derived.is_some()) {
            self.worst = Some((value, derived));
        }
    }

    fn printed(self) -> Option<Printed<'a, T>> {
        let (value, derived) = self.worst?;
        let range = self.command.range.clone();
        Some(Printed { script: self.script, range, value, exposure: Exposure::Traced { derived } })
    }
}

/// The values `command` prints, when its output reaches the log: the variables of the
/// arguments of `echo` and `printf`, of here-documents and here-strings (the model's
/// [`reparse::emitted_variables`]) and of the files `cat` prints (`cat "$KEY_FILE"`), and the
/// `${{ }}` expressions GitHub writes into them.
fn printed_by<'a, T>(
    script: &'a Script,
    command: &Command,
    classify: &dyn Fn(Expansion<'_>) -> Option<T>,
) -> Vec<Printed<'a, T>> {
    let program = command.name();
    if !matches!(program, Some("echo" | "printf" | "cat" | "envsubst")) {
        return Vec::new();
    }
    let args = command.args();
    if args.first().is_some_and(|first| first.text.starts_with("::add-mask::")) {
        return Vec::new();
    }
    let Some(stages) = path_to_log(script, command) else {
        return Vec::new();
    };
    let transformed = stages.iter().find(|(_, stage)| *stage == Stage::Transforms).map(|(by, _)| short(script, by));
    let mut found = Vec::new();
    let mut print = |expansion: Expansion<'_>, range: Range<usize>| {
        let written = script.slice(range.clone());
        let shown = shown(written);
        let Some(value) = classify(expansion).filter(|_| shown != Shown::Nothing) else { return };
        let changed = (shown == Shown::Changed).then(|| written.to_owned());
        let exposure = match changed.or_else(|| transformed.clone()) {
            Some(by) => Exposure::Transformed(by),
            None => Exposure::Printed,
        };
        found.push(Printed { script, range, value, exposure });
    };
    let files = args.iter().filter(|_| program == Some("cat")).flat_map(|word| word.variables());
    let variables = reparse::emitted_variables(script, command)
        .into_iter()
        .chain(files.map(|(name, part)| (name, part.range.clone())));
    for (name, range) in variables {
        print(Expansion::Variable(name), range);
    }
    let expressions = args.iter().flat_map(|word| &word.parts).filter(|part| is_expression(script, part));
    for part in expressions {
        print(Expansion::Within(part.range.clone()), part.range.clone());
    }
    if let Some(heredoc) = command.heredoc.as_ref().filter(|heredoc| heredoc.expands) {
        print(Expansion::Within(heredoc.body.clone()), command.range.clone());
    }
    found
}

/// Whether a part of a word is a `${{ }}` expression: GitHub substitutes them before the
/// shell runs, inside single quotes too.
fn is_expression(script: &Script, part: &Part) -> bool {
    match part.kind {
        PartKind::Expression => true,
        PartKind::Literal => script.slice(part.range.clone()).contains("${{"),
        PartKind::Variable | PartKind::Substitution => false,
    }
}

/// The expansions of a word that print something of a value, with their ranges.
fn expansions<'w>(script: &Script, word: &'w Word) -> impl Iterator<Item = (Expansion<'w>, Range<usize>)> {
    word.parts.iter().filter_map(move |part| match word.variable(part) {
        Some(name) if shown(script.slice(part.range.clone())) != Shown::Nothing => {
            Some((Expansion::Variable(name), part.range.clone()))
        }
        _ if is_expression(script, part) => Some((Expansion::Within(part.range.clone()), part.range.clone())),
        _ => None,
    })
}

/// How a traced command changes a value before the trace shows the result: a
/// transformation inside `$(...)` (`TOKEN=$(echo "$B64" | base64 -d)`), or a parameter
/// expansion that slices it.
fn derivation(script: &Script, command: &Command, word: &Word, range: Range<usize>) -> Option<String> {
    let written = script.slice(range);
    if shown(written) == Shown::Changed {
        return Some(written.to_owned());
    }
    if command.depth == 0 || !command.args().contains(word) {
        return None;
    }
    std::iter::successors(script.piped_into(command), |next| script.piped_into(next))
        .take(MAX_PIPE)
        .find(|next| stage(next) == Stage::Transforms)
        .map(|by| short(script, by))
}

/// What a parameter expansion prints of the variable's value.
#[derive(Debug, PartialEq, Eq)]
enum Shown {
    /// The value: `$TOKEN`, `${TOKEN}`, `${TOKEN:-default}`, and `${{ }}` expressions.
    Whole,
    /// Part or a changed form of it: `${TOKEN:0:8}`, `${TOKEN/x/y}`, `${TOKEN#*:}`, `${TOKEN^^}`.
    Changed,
    /// Nothing of it: a length (`${#TOKEN}`), an alternative (`${TOKEN:+set}`), an indirection
    /// (`${!TOKEN}`).
    Nothing,
}

fn shown(written: &str) -> Shown {
    let braced = written.strip_prefix("${").filter(|inner| !inner.starts_with('{'));
    let Some(inner) = braced.and_then(|inner| inner.strip_suffix('}')) else {
        return Shown::Whole;
    };
    if inner.starts_with(['#', '!']) {
        return Shown::Nothing;
    }
    let operator = inner.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    match operator.as_bytes() {
        [] | [b':', b'-' | b'=' | b'?', ..] | [b'-' | b'=' | b'?', ..] => Shown::Whole,
        [b':', b'+', ..] | [b'+', ..] => Shown::Nothing,
        _ => Shown::Changed,
    }
}

/// A command's text for messages, cut at 40 characters.
fn short(script: &Script, command: &Command) -> String {
    let text = script.slice(command.range.clone());
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Environment dumps

/// Whether `command` prints the whole environment to the job log: `env`, `printenv`,
/// `export -p`, `declare -p`, `set` alone, not filtered and not written to a file.
pub fn dumps_environment(script: &Script, command: &Command) -> bool {
    let args = command.args();
    let dumps = match command.name() {
        // `env` with nothing to run: only options and assignments.
        None => command.words.iter().any(|word| basename(&word.text) == "env"),
        Some("printenv") => command.operands().next().is_none(),
        Some("export") => args.iter().all(|word| word.text == "-p"),
        Some("declare" | "typeset") => args.iter().all(|word| matches!(word.text.as_str(), "-p" | "-x")),
        Some("set") => args.is_empty(),
        _ => false,
    };
    dumps && path_to_log(script, command).is_some_and(|stages| stages.iter().all(|(_, stage)| *stage == Stage::Copies))
}

/// PowerShell statements that list every environment variable: `Get-ChildItem env:`,
/// `gci Env:\`, `[Environment]::GetEnvironmentVariables()`.
pub fn powershell_environment_dumps(text: &str) -> Vec<Range<usize>> {
    statements(text)
        .filter(|range| {
            let statement = text[range.clone()].to_ascii_lowercase();
            let lists = ["get-childitem", "gci", "dir", "ls", "get-item"].iter().any(|name| has_word(&statement, name));
            // The whole drive (`env:`, `Env:\`, `env:*`), not `Env:\OTEL_*` or `$env:PATH`.
            let drive = statement.match_indices("env:").any(|(at, _)| {
                let before = statement[..at].chars().next_back();
                let rest = statement[at + 4..].trim_start_matches(['\\', '/']).trim_start_matches('*');
                before.is_some_and(char::is_whitespace)
                    && rest.chars().next().is_none_or(|c| c.is_whitespace() || matches!(c, '|' | ')'))
            });
            ((lists && drive) || statement.contains("[environment]::getenvironmentvariables("))
                && !statement.contains("out-file")
        })
        .collect()
}

/// Whether `command` prints the event payload file (`cat "$GITHUB_EVENT_PATH"`,
/// `jq . "$GITHUB_EVENT_PATH"`) to the job log.
pub fn dumps_event_payload(script: &Script, command: &Command) -> bool {
    let reads_event = command.args().iter().any(|word| word.is_variable("GITHUB_EVENT_PATH"));
    let whole = match command.name() {
        Some("cat") => true,
        Some("jq") => command.operands().next() == Some("."),
        _ => false,
    };
    reads_event
        && whole
        && path_to_log(script, command).is_some_and(|stages| stages.iter().all(|(_, s)| *s != Stage::Transforms))
}

// ---------------------------------------------------------------------------------------
// Cloud metadata endpoints

/// A cloud metadata endpoint.
#[derive(Debug, Deserialize)]
pub struct Endpoint {
    pub address: String,
    /// What answers there, for messages.
    pub service: String,
    #[serde(default)]
    credentials: Vec<String>,
    #[serde(default)]
    always: bool,
}

#[derive(Deserialize)]
struct Endpoints {
    endpoint: Vec<Endpoint>,
    /// The length of the shortest address: every argument of every command is looked
    /// through for addresses, and most are shorter.
    #[serde(skip)]
    shortest_address: usize,
}

static METADATA: LazyLock<Endpoints> = LazyLock::new(|| {
    let mut endpoints: Endpoints = data::parse(bundled!("cloud-metadata.toml"));
    endpoints.shortest_address = endpoints.endpoint.iter().map(|endpoint| endpoint.address.len()).min().unwrap_or(0);
    endpoints
});

/// A request a script makes to a cloud metadata endpoint.
#[derive(Debug)]
pub struct MetadataAccess {
    pub range: Range<usize>,
    pub endpoint: &'static Endpoint,
    /// Whether the path asks for credentials (a role's or service account's keys or token).
    pub credentials: bool,
}

/// The metadata endpoints a script reaches: in a URL, in the arguments of `curl` or `wget`,
/// or (for scripts that are not lexed, and in here-documents) in a URL in the text.
pub fn metadata_accesses(script: &Script) -> Vec<MetadataAccess> {
    if script.dialect != super::shell::Dialect::Posix {
        return metadata_in_text(&script.text.value, 0);
    }
    let mut found = Vec::new();
    for command in &script.commands {
        let client = matches!(command.name(), Some("curl" | "wget"));
        // A `$(curl ...)` inside a word is a command of its own.
        let words = command.args().iter().filter(|word| word.parts.iter().all(|p| p.kind != PartKind::Substitution));
        for word in words.filter(|word| word.text.len() >= METADATA.shortest_address) {
            let text = &word.text;
            let endpoint = METADATA.endpoint.iter().find(|endpoint| {
                find_ignoring_case(text, &endpoint.address).is_some_and(|at| client || text[..at].contains("://"))
            });
            if let Some(endpoint) = endpoint {
                found.push(MetadataAccess {
                    range: word.range.clone(),
                    endpoint,
                    credentials: asks_credentials(endpoint, text),
                });
            }
        }
        if let Some(heredoc) = &command.heredoc {
            found.extend(metadata_in_text(script.heredoc_text(heredoc), heredoc.body.start));
        }
    }
    found
}

/// Metadata URLs (`://address`) in a text, line by line, with ranges offset by `base`.
fn metadata_in_text(text: &str, base: usize) -> Vec<MetadataAccess> {
    let mut found = Vec::new();
    let mut next_line = 0;
    for line in text.split_inclusive('\n') {
        let start = next_line;
        next_line += line.len();
        if line.len() < METADATA.shortest_address {
            continue;
        }
        for endpoint in &METADATA.endpoint {
            let address = &endpoint.address;
            let at = if endpoint.always {
                find_ignoring_case(line, address)
            } else {
                occurrences(line, "://")
                    .map(|at| at + 3)
                    .find(|&at| line.get(at..at + address.len()).is_some_and(|url| url.eq_ignore_ascii_case(address)))
            };
            if let Some(at) = at {
                let range = base + start + at..base + start + at + address.len();
                found.push(MetadataAccess { range, endpoint, credentials: asks_credentials(endpoint, line) });
                break;
            }
        }
    }
    found
}

fn asks_credentials(endpoint: &Endpoint, text: &str) -> bool {
    endpoint.always || endpoint.credentials.iter().any(|path| contains_ignoring_case(text, path))
}

// ---------------------------------------------------------------------------------------
// Branch protection

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct ProtectionApis {
    rest_paths: Vec<String>,
    calls: Vec<String>,
    /// The length of the shortest call: every word of every script is looked through for
    /// calls, and most words are shorter.
    #[serde(skip)]
    shortest_call: usize,
}

impl ProtectionApis {
    /// The first call (in the list's order) named as a word in `text`.
    fn call_in(&self, text: &str) -> Option<&String> {
        if text.len() < self.shortest_call {
            return None;
        }
        // Calls are identifiers: one is named as a word where a whole identifier of the text
        // equals it, so the text is split once rather than searched for each call.
        let identifiers: Vec<&str> =
            text.split(|c: char| !is_word_char(c)).filter(|run| run.len() >= self.shortest_call).collect();
        self.calls.iter().find(|call| identifiers.contains(&call.as_str()))
    }
}

static PROTECTION: LazyLock<ProtectionApis> = LazyLock::new(|| {
    let mut apis: ProtectionApis = data::parse(bundled!("branch-protection.toml"));
    apis.shortest_call = apis.calls.iter().map(String::len).min().unwrap_or_default();
    apis
});

/// A call that changes branch protection or a ruleset.
#[derive(Debug)]
pub struct ProtectionChange {
    pub range: Range<usize>,
    /// The HTTP method (`DELETE`, `PUT`...), or the name of the Octokit method or GraphQL
    /// mutation called.
    pub call: String,
    /// The REST path, when the call names one.
    pub path: Option<String>,
}

impl ProtectionChange {
    /// Whether it removes protection rather than changing it.
    pub fn removes(&self) -> bool {
        self.call == "DELETE" || self.call.starts_with("delete") || self.call.starts_with("remove")
    }
}

/// Calls of `gh api` and `curl` with a writing method on the branch protection or rulesets
/// endpoints, and Octokit methods or GraphQL mutations that change them, in any word.
pub fn protection_changes(script: &Script) -> Vec<ProtectionChange> {
    if script.dialect != super::shell::Dialect::Posix {
        return protection_changes_in_text(&script.text.value);
    }
    let mut found = Vec::new();
    for command in &script.commands {
        let args = command.args();
        // Only `gh api` and `curl` call a REST path: other commands' words are not searched.
        let method_of: Option<fn(&Command) -> String> = match (command.name(), command.subcommand()) {
            (Some("gh"), Some("api")) => Some(gh_api_method),
            (Some("curl"), _) => Some(curl_method),
            _ => None,
        };
        let is_rest_path = |word: &&Word| PROTECTION.rest_paths.iter().any(|p| glob_contains(p, &word.text));
        let path = method_of.and_then(|_| args.iter().find(is_rest_path));
        let method = method_of.zip(path).map(|(method_of, _)| method_of(command));
        if let Some(method) = method.filter(|method| method != "GET" && method != "HEAD") {
            found.push(ProtectionChange {
                range: command.range.clone(),
                call: method,
                path: path.map(|w| w.text.clone()),
            });
            continue;
        }
        let called = args.iter().find_map(|word| PROTECTION.call_in(&word.text));
        if let Some(call) = called {
            found.push(ProtectionChange { range: command.range.clone(), call: call.clone(), path: None });
        }
    }
    found
}

/// The same in code that is not lexed (github-script's JavaScript, PowerShell), line by
/// line: a call by name, or a REST path on a line with a writing method.
pub fn protection_changes_in_text(text: &str) -> Vec<ProtectionChange> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let range = start..start + line.trim_end().len();
        start += line.len();
        if let Some(call) = PROTECTION.call_in(line) {
            found.push(ProtectionChange { range, call: call.clone(), path: None });
            continue;
        }
        let Some(path) = PROTECTION.rest_paths.iter().find(|p| glob_contains(p, line)) else { continue };
        let upper = line.to_ascii_uppercase();
        if let Some(method) = ["DELETE", "PUT", "PATCH", "POST"].iter().find(|method| has_word(&upper, method)) {
            found.push(ProtectionChange { range, call: (*method).to_owned(), path: Some(path.clone()) });
        }
    }
    found
}

/// The method of a `gh api` call: its `--method`, else POST when it sends fields or a body.
fn gh_api_method(command: &Command) -> String {
    command.option_argument(Some("method"), Some('X')).map(str::to_ascii_uppercase).unwrap_or_else(|| {
        let sends = ["-f", "-F", "--field", "--raw-field", "--input"].iter().any(|o| command.has_arg(o));
        if sends { "POST" } else { "GET" }.to_owned()
    })
}

fn curl_method(command: &Command) -> String {
    if let Some(method) = command.option_argument(Some("request"), Some('X')) {
        return method.to_ascii_uppercase();
    }
    let data = ["-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form"];
    let sends = command
        .args()
        .iter()
        .any(|word| data.iter().any(|option| word.text == *option || word.text.starts_with(&format!("{option}="))));
    if command.has_arg("-T") {
        "PUT"
    } else if sends {
        "POST"
    } else {
        "GET"
    }
    .to_owned()
}

/// Whether `text` contains the parts of `pattern` around `*`, in order.
fn glob_contains(pattern: &str, text: &str) -> bool {
    // Most words are shorter than the parts the pattern names.
    if text.len() + pattern.bytes().filter(|&byte| byte == b'*').count() < pattern.len() {
        return false;
    }
    let mut rest = text;
    pattern.split('*').all(|part| match search::find(rest, part) {
        Some(at) => {
            rest = &rest[at + part.len()..];
            true
        }
        None => false,
    })
}

// ---------------------------------------------------------------------------------------
// Text helpers for scripts that are not lexed

/// The statements of a PowerShell or cmd script: split at line breaks and `;`, without
/// comments.
fn statements(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut start = 0;
    text.split_inclusive(['\n', ';']).filter_map(move |piece| {
        let range = start..start + piece.len();
        start = range.end;
        let code = piece.find('#').map_or(piece, |at| &piece[..at]);
        let code = code.trim_end_matches(['\n', ';', '\r']);
        (!code.trim().is_empty()).then(|| range.start..range.start + code.len())
    })
}

/// Whether `word` occurs in `text` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    occurrences(text, word).any(|at| {
        text[..at].chars().next_back().is_none_or(|c| !is_word_char(c))
            && text[at + word.len()..].chars().next().is_none_or(|c| !is_word_char(c))
    })
}

/// A character of an identifier, for [`has_word`].
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;
    use crate::model::shell::Dialect;

    fn posix(script: &str) -> Script {
        Script::parse(Text::for_tests(script), Dialect::Posix)
    }

    fn remote(script: &str) -> Vec<(Delivery, Option<String>, bool)> {
        let script = posix(script);
        remote_code([&script])
            .iter()
            .map(|code| (code.delivery, code.download.url.map(|url| url.text.clone()), code.as_root()))
            .collect()
    }

    #[test]
    fn downloads_run_in_one_go() {
        let url = |u: &str| Some(u.to_owned());
        assert_eq!(
            remote("curl -fsSL https://get.docker.com | sh"),
            [(Delivery::Pipe, url("https://get.docker.com"), false)]
        );
        assert_eq!(
            remote("wget -qO- http://x.io/i.sh | sudo -E bash -s -- -y"),
            [(Delivery::Pipe, url("http://x.io/i.sh"), true)]
        );
        assert_eq!(remote("bash <(curl -s https://x.io/i)"), [(Delivery::Substitution, url("https://x.io/i"), false)]);
        assert_eq!(
            remote("sh -c \"$(curl -fsSL https://x.io/i)\""),
            [(Delivery::Substitution, url("https://x.io/i"), false)]
        );
        assert_eq!(
            remote("eval \"$(wget -O - https://x.io/e)\""),
            [(Delivery::Substitution, url("https://x.io/e"), false)]
        );
        assert_eq!(remote("source <(curl -sL https://x.io/s)").len(), 1);
        assert_eq!(remote("curl -sL https://x.io/p | python3 -").len(), 1);
    }

    #[test]
    fn look_alikes_that_do_not_run_what_they_download() {
        for script in [
            "curl -fsSL https://x.io/key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/x.gpg",
            "curl -sSL https://x.io/a.tar.gz | tar xz",
            "curl -o /dev/null -w '%{http_code}' https://x.io",
            "bash -c 'echo $(curl -s https://x.io/version)'",
            "curl -sL https://x.io/i.sh | bash install.sh",
            "eval \"$(ssh-agent -s)\"",
            "python -m pip install x | sh",
        ] {
            assert!(remote(script).is_empty(), "{script}");
        }
    }

    #[test]
    fn saved_files_run_before_a_checksum_check() {
        let unchecked = "curl -fsSLo install.sh https://x.io/i.sh\nchmod +x install.sh\n./install.sh --yes";
        assert_eq!(remote(unchecked).iter().map(|r| r.0).collect::<Vec<_>>(), [Delivery::Saved]);
        assert_eq!(remote("wget https://x.io/setup.sh && sudo bash setup.sh").len(), 1);
        let checked =
            "curl -fsSLo install.sh https://x.io/i.sh\necho \"$SHA  install.sh\" | sha256sum -c -\nsh install.sh";
        assert!(remote(checked).is_empty());
        let compared = "curl -o i.sh https://x.io/i.sh\n[ \"$(sha256sum i.sh | cut -d' ' -f1)\" = \"$SHA\" ]\nsh i.sh";
        assert!(remote(compared).is_empty());
    }

    #[test]
    fn lines_of_one_shell_share_saved_files() {
        let (download, run) = (posix("curl -o i.sh https://x.io/i.sh"), posix("bash i.sh"));
        assert_eq!(remote_code([&download, &run]).len(), 1);
    }

    #[test]
    fn powershell_download_and_run() {
        let found =
            powershell_remote_code("iex (iwr https://x.io/i.ps1 -UseBasicParsing).Content\nirm http://x.io/a | iex");
        let urls: Vec<_> = found.iter().map(|f| f.url).collect();
        assert_eq!(urls, [Some("https://x.io/i.ps1"), Some("http://x.io/a")]);
        assert!(
            powershell_remote_code("(& ./uv generate-shell-completion powershell) | Out-String | Invoke-Expression")
                .is_empty()
        );
        assert!(powershell_remote_code("Invoke-WebRequest -Uri https://x.io/a.zip -OutFile a.zip").is_empty());
    }

    #[test]
    fn packages_from_urls_unless_pinned() {
        let specs = |script: &str| {
            let script = posix(script);
            url_installs(&script).iter().map(|found| found.package.text.clone()).collect::<Vec<_>>()
        };
        assert_eq!(specs("pip install git+https://github.com/o/r@main"), ["git+https://github.com/o/r@main"]);
        assert_eq!(specs("python -m pip install -U https://x.io/p-1.0.tar.gz"), ["https://x.io/p-1.0.tar.gz"]);
        assert_eq!(specs("npm install https://x.io/p.tgz lodash"), ["https://x.io/p.tgz"]);
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert!(specs(&format!("pip install git+https://github.com/o/r@{sha}")).is_empty());
        assert!(specs("pip install https://x.io/p.tar.gz#sha256=abc").is_empty());
        assert!(specs("pip install -i https://x.io/simple p --extra-index-url https://y.io/simple").is_empty());
        assert!(specs("pip install --require-hashes -r requirements.txt https://x.io/p.whl").is_empty());
    }

    fn settings(script: &str) -> Vec<(String, Option<String>)> {
        let script = posix(script);
        insecure_settings(&script)
            .into_iter()
            .map(|setting| (setting.disabled.written, setting.removable.map(|r| script.slice(r).to_owned())))
            .collect()
    }

    #[test]
    fn certificate_checks_switched_off() {
        let s = |written: &str, removable: Option<&str>| (written.to_owned(), removable.map(str::to_owned));
        assert_eq!(settings("curl -fsSLk https://x.io"), [s("curl -k", Some("k"))]);
        assert_eq!(settings("curl --insecure https://x.io"), [s("curl --insecure", Some("--insecure"))]);
        assert_eq!(
            settings("git -c http.sslVerify=false clone https://x.io/r"),
            [s("git http.sslVerify=false", Some("-c http.sslVerify=false"))]
        );
        assert_eq!(settings("git config --global http.sslverify false"), [s("git http.sslverify=false", None)]);
        assert_eq!(settings("npm config set strict-ssl false"), [s("npm strict-ssl=false", None)]);
        assert_eq!(
            settings("podman push --tls-verify=false x"),
            [s("podman --tls-verify=false", Some("--tls-verify=false"))]
        );
        assert_eq!(
            settings("pip install --trusted-host pypi.corp x"),
            [s("pip --trusted-host", Some("--trusted-host pypi.corp"))]
        );
        assert_eq!(settings("GIT_SSL_NO_VERIFY=1 git clone x"), [s("GIT_SSL_NO_VERIFY", Some("GIT_SSL_NO_VERIFY=1"))]);
        assert_eq!(settings("export NODE_TLS_REJECT_UNAUTHORIZED=0"), [s("NODE_TLS_REJECT_UNAUTHORIZED", None)]);
        assert_eq!(
            settings("ssh -o StrictHostKeyChecking=no host"),
            [s("StrictHostKeyChecking=no", Some("-o StrictHostKeyChecking=no"))]
        );
        assert_eq!(settings("rsync -e \"ssh -o StrictHostKeyChecking=no\" a b"), [s("StrictHostKeyChecking=no", None)]);
        assert_eq!(settings("cat >> ~/.ssh/config <<EOF\nHost *\n  StrictHostKeyChecking no\nEOF").len(), 1);
    }

    #[test]
    fn look_alikes_that_keep_checks_on() {
        for script in [
            "podman push --tls-verify=true x",
            "kubectl apply --insecure-skip-tls-verify=false -f x",
            "curl -fsSL https://x.io",
            "git config http.sslVerify true",
            "export NODE_TLS_REJECT_UNAUTHORIZED=1",
            "ssh -o StrictHostKeyChecking=accept-new host",
            "wget -k https://x.io",
        ] {
            assert!(settings(script).is_empty(), "{script}");
        }
        let script = posix("curl -k https://localhost:8443/health");
        assert_eq!(insecure_settings(&script)[0].host, Some(Host::Loopback));
    }

    #[test]
    fn what_reaches_the_log() {
        let script =
            posix("env | sort\nenv > env.txt\nenv | grep PATH\nprintenv HOME\nx=$(env)\nset\nset -e\nexport -p");
        let dumps: Vec<&str> = script
            .commands
            .iter()
            .filter(|command| dumps_environment(&script, command))
            .map(|command| script.slice(command.range.clone()))
            .collect();
        assert_eq!(dumps, ["env", "set", "export -p"]);
        let script = posix("echo $S | base64 -d\necho $S | docker login --password-stdin\necho $S >&2");
        let stages: Vec<Option<Vec<Stage>>> = script
            .commands
            .iter()
            .filter(|command| command.name() == Some("echo"))
            .map(|command| path_to_log(&script, command).map(|path| path.iter().map(|(_, stage)| *stage).collect()))
            .collect();
        assert_eq!(stages, [Some(vec![Stage::Transforms]), None, Some(vec![])]);
    }

    #[test]
    fn tracing_switches() {
        let script = posix("set -euxo pipefail\nset +x\nset -o xtrace\nset -e\nbash -x deploy.sh");
        let switches: Vec<Option<bool>> = script.commands.iter().map(sets_trace).collect();
        assert_eq!(switches, [Some(true), Some(false), Some(true), None, None]);
        assert_eq!(traced_script(&script.commands[4]).map(|w| w.text.as_str()), Some("deploy.sh"));
    }

    #[test]
    fn what_parameter_expansions_show() {
        for (written, expected) in [
            ("$TOKEN", Shown::Whole),
            ("${TOKEN}", Shown::Whole),
            ("${TOKEN:-none}", Shown::Whole),
            ("${{ secrets.TOKEN }}", Shown::Whole),
            ("${TOKEN:0:8}", Shown::Changed),
            ("${TOKEN//-/}", Shown::Changed),
            ("${TOKEN#*:}", Shown::Changed),
            ("${TOKEN,,}", Shown::Changed),
            ("${#TOKEN}", Shown::Nothing),
            ("${TOKEN:+set}", Shown::Nothing),
            ("${!TOKEN}", Shown::Nothing),
        ] {
            assert_eq!(shown(written), expected, "{written}");
        }
    }

    #[test]
    fn values_printed_transformed_or_traced() {
        let script = posix(
            "echo \"$A\"\necho $A | docker login --password-stdin\necho $A | base64 -d\necho ${#A} > f\nset -x\nB=$(echo $A | rev)\nset +x\necho ::add-mask::$A",
        );
        let classify = |expansion: Expansion<'_>| matches!(expansion, Expansion::Variable("A")).then_some(());
        let exposures: Vec<Exposure> = printed_values(&[&script], &classify).into_iter().map(|p| p.exposure).collect();
        assert_eq!(
            exposures,
            [
                Exposure::Printed,
                Exposure::Transformed("base64 -d".to_owned()),
                Exposure::Traced { derived: Some("rev".to_owned()) }
            ]
        );
    }

    #[test]
    fn metadata_endpoints_and_credentials() {
        let script = posix(
            "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/role\ncurl 169.254.169.254/latest/meta-data/instance-type\ncurl \"169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI\"\necho NO_PROXY=169.254.169.254",
        );
        let found: Vec<bool> = metadata_accesses(&script).iter().map(|access| access.credentials).collect();
        assert_eq!(found, [true, false, true]);
        let powershell = Script::parse(
            Text::for_tests("Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token'"),
            Dialect::PowerShell,
        );
        assert!(metadata_accesses(&powershell)[0].credentials);
    }

    #[test]
    fn branch_protection_writes() {
        let script = posix(
            "gh api -X DELETE repos/o/r/branches/main/protection\ngh api repos/o/r/branches/main/protection\ncurl -X PUT -H x https://api.github.com/repos/o/r/branches/main/protection/enforce_admins\ngh api repos/o/r/rulesets -f name=x\ngh api graphql -f query='mutation { deleteBranchProtectionRule(input: {}) { clientMutationId } }'",
        );
        let calls: Vec<String> = protection_changes(&script).into_iter().map(|change| change.call).collect();
        assert_eq!(calls, ["DELETE", "PUT", "POST", "deleteBranchProtectionRule"]);
        let code = "await github.rest.repos.updateBranchProtection({\n  owner, repo })\nawait github.request('GET /repos/{owner}/{repo}/branches/{branch}/protection')";
        assert_eq!(protection_changes_in_text(code).len(), 1);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(url_host("https://user:pw@example.com:8443/x"), Some("example.com"));
        assert_eq!(url_host("http://[::1]:80/"), Some("::1"));
        assert_eq!(host_kind("127.0.0.1"), Host::Loopback);
        assert_eq!(host_kind("docker"), Host::Internal);
        assert_eq!(host_kind("10.0.0.8"), Host::Internal);
        assert_eq!(host_kind("get.docker.com"), Host::Other);
        assert_eq!(host_kind("$HOST"), Host::Other);
    }

    #[test]
    fn a_call_is_found_as_the_word_search_finds_it() {
        assert!(PROTECTION.calls.iter().all(|call| call.chars().all(is_word_char)), "calls are identifiers");
        let texts = [
            "github.rest.repos.updateBranchProtection({owner})",
            "deleteRepoRuleset; updateBranchProtection",
            "x-updateBranchProtection",
            "updateBranchProtections",
            "mutation { createBranchProtectionRule(input: $i) }",
            "short",
            "",
        ];
        for text in texts {
            let searched = PROTECTION.calls.iter().find(|call| has_word(text, call));
            assert_eq!(PROTECTION.call_in(text), searched, "{text:?}");
        }
    }
}
