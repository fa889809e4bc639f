//! Patterns that recognise what a step does, read from bundled data files: command patterns
//! over lexed shell commands (`npm publish`, `aws * update-*`) and action patterns over `uses:`
//! steps (`docker/build-push-action` with `push: true`).
//!
//! A command's program is found through wrappers (`sudo`, `env`: [`Command::name_index`]) and
//! package runners (`npx`, `yarn dlx`, `python -m`, from `data/programs.toml`). Its operands are
//! its arguments that are neither options nor the values of options the program is known to
//! take (`aws --region eu-west-1 s3 sync` has the operands `s3 sync`).

use std::sync::LazyLock;

use serde::{Deserialize, Deserializer};
use smallvec::SmallVec;

use super::github::{Step, Uses, UsesTarget};
use super::search::contains_ignoring_case;
use super::shell::{Command, Word};
use crate::{bundled, data};

#[derive(Deserialize)]
struct Syntax {
    program: Vec<ProgramSyntax>,
    runner: Vec<Runner>,
}

#[derive(Deserialize)]
struct ProgramSyntax {
    name: String,
    value_options: Vec<String>,
}

/// A program that runs another one: `npx cdk deploy`, `python -m twine upload`.
#[derive(Deserialize)]
struct Runner {
    program: String,
    #[serde(default)]
    operands: Vec<String>,
    #[serde(default)]
    value_options: Vec<String>,
    #[serde(default)]
    module_option: Option<String>,
}

static SYNTAX: LazyLock<Syntax> = LazyLock::new(|| data::parse(bundled!("programs.toml")));

/// How many runners are looked through (`npx -y pnpm dlx x` is two).
const MAX_RUNNERS: usize = 3;

/// A command seen as a program and its arguments.
pub struct Invocation<'a> {
    /// The program's name without directory, `.exe` or `@version` (`python3` is `python`).
    pub program: &'a str,
    /// The words after the program.
    pub args: &'a [Word],
    value_options: &'static [String],
}

/// The value of an option: `--token x` (the next word) or `--token=x`.
pub struct OptionValue<'a> {
    /// The option as documented: `--token`.
    pub name: &'static str,
    /// The word the value is written in.
    pub word: &'a Word,
    pub value: &'a str,
}

impl<'a> Invocation<'a> {
    pub fn of(command: &'a Command) -> Option<Self> {
        let mut index = command.name_index()?;
        let mut program = normalize(&command.words[index].text);
        for _ in 0..MAX_RUNNERS {
            let args = &command.words[index + 1..];
            let Some(next) = SYNTAX.runner.iter().filter(|r| r.program == program).find_map(|r| r.program_in(args))
            else {
                break;
            };
            index += 1 + next;
            program = normalize(&command.words[index].text);
        }
        let value_options =
            SYNTAX.program.iter().find(|syntax| syntax.name == program).map_or(&[][..], |s| &s.value_options);
        Some(Self { program, args: &command.words[index + 1..], value_options })
    }

    /// The arguments that are not options or option values, in order; everything after `--`.
    pub fn operands(&self) -> impl Iterator<Item = &'a Word> + '_ {
        self.operands_with(&[])
    }

    /// [`Invocation::operands`], knowing that the options `extra` take a value too.
    pub fn operands_with<'s>(&'s self, extra: &'s [&'s String]) -> impl Iterator<Item = &'a Word> + 's {
        let mut skip_next = false;
        let mut options_ended = false;
        self.args.iter().filter(move |word| {
            let text = word.text.as_str();
            if skip_next {
                skip_next = false;
                return false;
            }
            if options_ended || !text.starts_with('-') || text == "-" {
                return true;
            }
            options_ended = text == "--";
            skip_next = self.value_options.iter().chain(extra.iter().copied()).any(|option| option == text);
            false
        })
    }

    /// Whether a flag is given: `--long` or `--long=...`, or `-x` alone or in a cluster
    /// such as `-xv`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.args.iter().any(|word| flag_matches(flag, &word.text))
    }

    /// The value of the first of `names` that is given.
    pub fn option(&self, names: &'static [String]) -> Option<OptionValue<'a>> {
        self.args.iter().enumerate().find_map(|(index, word)| {
            names.iter().find_map(|name| {
                if word.text == *name {
                    let next = self.args.get(index + 1)?;
                    return Some(OptionValue { name, word: next, value: next.text.as_str() });
                }
                let value = word.text.strip_prefix(name.as_str())?.strip_prefix('=')?;
                Some(OptionValue { name, word, value })
            })
        })
    }
}

impl Runner {
    /// The index in `args` of the program this runner runs, if `args` start with its operands.
    fn program_in(&self, args: &[Word]) -> Option<usize> {
        if let Some(option) = &self.module_option {
            let at = args.iter().position(|word| word.text == *option)?;
            return args.get(at + 1).map(|_| at + 1);
        }
        let mut index = 0;
        for operand in &self.operands {
            (args.get(index)?.text == *operand).then_some(())?;
            index += 1;
        }
        while let Some(word) = args.get(index) {
            let text = word.text.as_str();
            if text == "--" {
                index += 1;
            } else if text.starts_with('-') {
                index += if self.value_options.iter().any(|option| option == text) { 2 } else { 1 };
            } else {
                return Some(index);
            }
        }
        None
    }
}

/// `/usr/bin/python3.12` is `python`, `cdk@2.100.0` is `cdk`, `gh.exe` is `gh`.
///
/// Asked of every command by several rules: the separators are found by scanning bytes, as
/// `rfind` costs more than these short words.
fn normalize(word: &str) -> &str {
    let last = |name: &str, separator: &[u8]| name.bytes().rposition(|byte| separator.contains(&byte));
    let name = last(word, b"/\\").map_or(word, |at| &word[at + 1..]);
    let name = name.strip_suffix(".exe").unwrap_or(name);
    let name = match last(name, b"@") {
        Some(at) if at > 0 => &name[..at],
        _ => name,
    };
    let version = name.strip_prefix("python").filter(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    if version.is_some() { "python" } else { name }
}

fn flag_matches(flag: &str, text: &str) -> bool {
    if flag.starts_with("--") || flag.len() != 2 {
        return text == flag || text.strip_prefix(flag).is_some_and(|rest| rest.starts_with('='));
    }
    let short = flag.as_bytes()[1];
    text == flag
        || (text.len() > 2
            && text.starts_with('-')
            && !text.starts_with("--")
            && text[1..].bytes().all(|b| b.is_ascii_alphanumeric())
            && text.as_bytes()[1..].contains(&short))
}

/// A command a data file describes: a program, its first operands, and flags that must or
/// must not be given. Words are globs: `*` matches any text, `a|b` either word, and the
/// operand `**` any number of operands (`gcloud ** deploy` is `gcloud app deploy` and
/// `gcloud beta run deploy`).
#[derive(Debug, Deserialize)]
pub struct CommandPattern {
    pub program: String,
    #[serde(default)]
    pub operands: Vec<String>,
    /// Flags that make the command something else (`--dry-run`).
    #[serde(default)]
    pub unless: Vec<String>,
    /// Flags one of which must be given (`--prod`).
    #[serde(default)]
    pub requires: Vec<String>,
    /// What the last operand must start with: `s3://` for an upload to a bucket.
    #[serde(default)]
    pub target: Option<String>,
    /// Operands that make the command something else (`aws eks update-kubeconfig`).
    #[serde(default)]
    pub except: Vec<String>,
}

/// Something a data file lists that a command pattern names: the pattern itself, or a fact
/// about the commands it names (a registry's publish command, a scanner).
pub trait HasCommandPattern {
    fn pattern(&self) -> &CommandPattern;
}

impl HasCommandPattern for CommandPattern {
    fn pattern(&self) -> &CommandPattern {
        self
    }
}

/// A data file's list of command patterns, indexed by the first letter of the programs they
/// name: every command of every edited job is looked up in several lists of dozens, and only
/// patterns whose program could match are compared with it, in the list's order.
pub struct ByProgram<T> {
    items: Vec<T>,
    /// For each first byte of a program (lowercase), the items that can name it: those with
    /// an alternative starting with that letter, and those with one starting with `*`.
    candidates: Vec<Vec<u32>>,
    /// The items with an alternative starting with `*` (or empty): all a program can match
    /// when none starts with its letter.
    wildcards: Vec<u32>,
}

impl<T: HasCommandPattern> ByProgram<T> {
    fn new(items: Vec<T>) -> Self {
        let mut candidates = vec![Vec::new(); 256];
        let mut wildcards = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let index = u32::try_from(index).expect("a data file lists fewer than 2^32 patterns");
            for alternative in item.pattern().program.split('|') {
                match alternative.bytes().next() {
                    Some(first) if first != b'*' => candidates[usize::from(first.to_ascii_lowercase())].push(index),
                    _ => wildcards.push(index),
                }
            }
        }
        for list in &mut candidates {
            list.extend(&wildcards);
            list.sort_unstable();
            list.dedup();
        }
        wildcards.dedup();
        Self { items, candidates, wildcards }
    }

    /// The items whose pattern may name `program`, in the list's order.
    pub fn for_program<'a>(&'a self, program: &str) -> impl Iterator<Item = &'a T> + 'a {
        let indices = match program.bytes().next() {
            Some(first) => &self.candidates[usize::from(first.to_ascii_lowercase())],
            None => &self.wildcards,
        };
        indices.iter().map(|&index| &self.items[index as usize])
    }
}

impl<'de, T: Deserialize<'de> + HasCommandPattern> Deserialize<'de> for ByProgram<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Vec::deserialize(deserializer).map(Self::new)
    }
}

/// How many leading operands a pattern looks at.
const MAX_OPERANDS: usize = 8;

impl CommandPattern {
    pub fn matches(&self, invocation: &Invocation<'_>) -> bool {
        self.shown(invocation).is_some()
    }

    /// Whether the invocation is the program and operands the pattern names, whatever its
    /// flags (`cargo publish --dry-run` is named by the pattern of `cargo publish`).
    pub fn names(&self, invocation: &Invocation<'_>) -> bool {
        glob_matches(&self.program, invocation.program) && {
            // On the stack: asked of every pattern a command's program matches.
            let operands: SmallVec<[&str; MAX_OPERANDS]> =
                invocation.operands().take(MAX_OPERANDS).map(|word| word.text.as_str()).collect();
            operands_match(&self.operands, &operands).is_some()
        }
    }

    /// The command as written, if it matches: the program and the operands the pattern names
    /// (`aws ecs update-service`, without the trailing `*` of `gh release create * *`).
    pub fn shown(&self, invocation: &Invocation<'_>) -> Option<String> {
        if !self.names(invocation) {
            return None;
        }
        let operands: Vec<&str> = invocation.operands().map(|word| word.text.as_str()).collect();
        let leading = &operands[..operands.len().min(MAX_OPERANDS)];
        let named = operands_match(&self.operands, leading)?;
        let matches = !leading.iter().any(|operand| self.except.iter().any(|except| glob_matches(except, operand)))
            && !self.unless.iter().any(|flag| invocation.has_flag(flag))
            && (self.requires.is_empty() || self.requires.iter().any(|flag| invocation.has_flag(flag)))
            && self
                .target
                .as_ref()
                .is_none_or(|prefix| operands.last().is_some_and(|last| last.starts_with(prefix.as_str())));
        matches.then(|| {
            std::iter::once(invocation.program).chain(leading[..named].iter().copied()).collect::<Vec<_>>().join(" ")
        })
    }
}

/// How many operands it takes for the patterns to match a prefix of `operands`, up to the
/// last one a pattern other than `*` names; `None` if they do not match.
fn operands_match(patterns: &[String], operands: &[&str]) -> Option<usize> {
    match patterns.split_first() {
        None => Some(0),
        Some((first, rest)) if first == "**" => (0..=operands.len()).find_map(|skip| {
            operands_match(rest, &operands[skip..]).map(|named| if named > 0 { skip + named } else { 0 })
        }),
        Some((first, rest)) => {
            let (operand, others) = operands.split_first()?;
            if !glob_matches(first, operand) {
                return None;
            }
            let named = operands_match(rest, others)?;
            Some(if named > 0 || first != "*" { 1 + named } else { 0 })
        }
    }
}

/// An action a data file describes: `owner/repo` (any of its actions) or `owner/repo/path`,
/// with alternatives `a|b`; with `input`, only when that input is set (to a value containing
/// one of `values`, or starting with one written `^value`, and none of `unless`), or not set
/// at all with `when_absent`; never when the input `unless_input[0]` contains `unless_input[1]`.
#[derive(Debug, Deserialize)]
pub struct ActionPattern {
    uses: ActionNames,
    #[serde(default)]
    pub input: Option<String>,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub when_absent: bool,
    #[serde(default)]
    pub unless_input: Option<(String, String)>,
}

/// The `|`-separated actions a pattern names, split when the data file is read: a step is
/// compared with every pattern of several lists.
#[derive(Debug)]
struct ActionNames {
    written: String,
    names: Vec<ActionName>,
}

/// `owner/repo`, any of its actions (`path: None`), or `owner/repo/path`.
#[derive(Debug)]
struct ActionName {
    owner: String,
    repo: String,
    path: Option<String>,
}

impl<'de> Deserialize<'de> for ActionNames {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let written = String::deserialize(deserializer)?;
        let names = written
            .split('|')
            .map(|name| match name.splitn(3, '/').collect::<Vec<_>>()[..] {
                [owner, repo] => Ok(ActionName { owner: owner.to_owned(), repo: repo.to_owned(), path: None }),
                [owner, repo, path] => {
                    Ok(ActionName { owner: owner.to_owned(), repo: repo.to_owned(), path: Some(path.to_owned()) })
                }
                _ => Err(serde::de::Error::custom(format!("`{name}` is not `owner/repo` or `owner/repo/path`"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { written, names })
    }
}

impl ActionName {
    /// Whether `uses` names this action (any ref), ignoring case.
    fn named_by(&self, uses: &Uses) -> bool {
        let UsesTarget::Repository { owner, repo, path, .. } = &uses.target else { return false };
        let same_path = match (&self.path, path) {
            (None, _) => true,
            (Some(wanted), Some(path)) => wanted.eq_ignore_ascii_case(path),
            (Some(_), None) => false,
        };
        self.owner.eq_ignore_ascii_case(owner) && self.repo.eq_ignore_ascii_case(repo) && same_path
    }
}

impl ActionPattern {
    pub fn matches(&self, step: &Step) -> bool {
        let Some(uses) = &step.uses else {
            return false;
        };
        if !self.uses.names.iter().any(|name| name.named_by(uses)) {
            return false;
        }
        if let Some((name, value)) = &self.unless_input
            && step.input_text(name).is_some_and(|text| contains_ignoring_case(&text.value, value))
        {
            return false;
        }
        let Some(input) = &self.input else {
            return true;
        };
        match step.input_text(input) {
            None => self.when_absent,
            Some(text) => {
                let value = text.value.trim();
                let found = |needle: &String| match needle.strip_prefix('^') {
                    Some(prefix) => value.to_ascii_lowercase().starts_with(&prefix.to_ascii_lowercase()),
                    None => contains_ignoring_case(value, needle),
                };
                (self.values.is_empty() || self.values.iter().any(found)) && !self.unless.iter().any(found)
            }
        }
    }

    /// The action as documentation shows it: `docker/build-push-action`.
    pub fn describe(&self) -> &str {
        self.uses.written.split('|').next().unwrap_or_default()
    }
}

/// Whether `text` matches one of the `|`-separated alternatives of `pattern`, where `*`
/// matches any run of characters. Letters are compared without case.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    // Split as bytes: splitting a `str` by `|` sets up a `memchr` search, which costs more
    // than these short patterns (a quarter of a million per corpus batch).
    pattern.as_bytes().split(|byte| *byte == b'|').any(|alternative| wildcard(alternative, text.as_bytes()))
}

fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    // Greedy matching with one backtrack point: linear in practice, quadratic at worst.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] != b'*' && pattern[p].eq_ignore_ascii_case(&text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shell::lex;

    #[test]
    fn a_list_by_program_offers_every_pattern_that_can_match_in_order() {
        let list = ByProgram::new(vec![
            pattern("terraform|tofu", &[]),
            pattern("*-sast", &[]),
            pattern("Twine", &[]),
            pattern("tofu", &["apply"]),
            pattern("npm", &[]),
        ]);
        let programs =
            |program: &str| -> Vec<String> { list.for_program(program).map(|item| item.program.clone()).collect() };
        assert_eq!(programs("tofu"), ["terraform|tofu", "*-sast", "Twine", "tofu"]);
        assert_eq!(programs("twine"), programs("tofu"), "first letters compare without case");
        assert_eq!(programs("semgrep-sast"), ["*-sast"]);
        assert_eq!(programs(""), ["*-sast"]);
        // Whatever the index leaves out, the pattern itself would not match.
        for program in ["tofu", "twine", "semgrep-sast", "npm", "make", "TOFU"] {
            let offered = programs(program);
            for item in &list.items {
                if glob_matches(&item.program, program) {
                    assert!(offered.contains(&item.program), "{program}: {}", item.program);
                }
            }
        }
    }

    fn pattern(program: &str, operands: &[&str]) -> CommandPattern {
        CommandPattern {
            program: program.to_owned(),
            operands: operands.iter().map(|o| o.to_string()).collect(),
            unless: vec!["--dry-run".to_owned()],
            requires: Vec::new(),
            target: None,
            except: Vec::new(),
        }
    }

    fn matches(pattern: &CommandPattern, script: &str) -> bool {
        let lexed = lex(script);
        lexed.commands.iter().filter_map(Invocation::of).any(|invocation| pattern.matches(&invocation))
    }

    #[test]
    fn programs_are_found_through_wrappers_and_runners() {
        let twine = pattern("twine", &["upload"]);
        assert!(matches(&twine, "python3 -m twine upload dist/*"));
        assert!(matches(&twine, "sudo /usr/local/bin/twine upload -u __token__ dist/*"));
        let cdk = pattern("cdk", &["deploy"]);
        assert!(matches(&cdk, "npx -y cdk@2.100.0 deploy --all"));
        assert!(matches(&cdk, "yarn dlx cdk deploy"));
        assert!(!matches(&cdk, "npx cdk synth"));
    }

    #[test]
    fn operands_skip_option_values_and_honour_flags() {
        let update = pattern("aws", &["*", "update-*"]);
        assert!(matches(&update, "aws --region eu-west-1 ecs update-service --cluster x"));
        assert!(!matches(&update, "aws s3 cp update-notes.txt s3://bucket/"));
        let publish = pattern("npm", &["publish"]);
        assert!(matches(&publish, "npm --prefix pkg publish --access public"));
        assert!(!matches(&publish, "npm publish --dry-run"));
        let deploy = pattern("gcloud", &["**", "deploy"]);
        assert!(matches(&deploy, "gcloud beta run deploy api --image x"));
        assert!(!matches(&deploy, "gcloud auth configure-docker"));
    }

    #[test]
    fn globs() {
        assert!(glob_matches("terraform|tofu", "tofu"));
        assert!(glob_matches("update-*", "update-function-code"));
        assert!(glob_matches("*-sast", "semgrep-sast"));
        assert!(!glob_matches("*-sast", "sast"));
        assert!(glob_matches("gemnasium-*dependency_scanning", "gemnasium-python-dependency_scanning"));
        assert!(!glob_matches("a*b*c", &"ab".repeat(1000)));
    }

    #[test]
    fn option_values() {
        static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| vec!["--token".to_owned(), "-p".to_owned()]);
        let lexed = lex("cargo publish --token=abc && twine upload -p \"$PYPI\" dist/*");
        let values: Vec<(&str, String)> = lexed
            .commands
            .iter()
            .filter_map(Invocation::of)
            .filter_map(|i| i.option(&NAMES).map(|v| (v.name, v.value.to_owned())))
            .collect();
        assert_eq!(values, [("--token", "abc".to_owned()), ("-p", "$PYPI".to_owned())]);
    }
}
