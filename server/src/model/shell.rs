//! Shell scripts read as commands and words: enough for rules to ask what a script runs,
//! what it pipes where, which arguments are quoted and which files it writes.
//!
//! This is not a shell parser. It follows POSIX shell and bash lexing (quotes, escapes,
//! `$VAR`, `${VAR}`, `$(...)`, backquotes, process substitution, redirections, here-documents,
//! `;`, `&&`, `||`, `|`, comments and line continuations) and GitHub's `${{ }}` expressions,
//! and skips the reserved words of compound commands, so that `if curl x | sh; then` is the
//! pipeline `curl x | sh`. Command substitutions are lexed too, as commands one level deeper.
//! It never fails and is linear in the script's length (nesting is cut off at
//! [`MAX_DEPTH`]). Ranges are byte offsets into the script's value.

use std::ops::Range;

use super::Text;
use super::derived::Derived;
use super::expr::Expression;
use super::workflow_commands::FileWrite;
use crate::syntax::span::Span;

/// How deep command substitutions are lexed.
pub const MAX_DEPTH: u8 = 8;

/// A script and its commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub text: Text,
    pub dialect: Dialect,
    /// Every command, nested ones included, in the order they start.
    pub commands: Vec<Command>,
    /// `{ ...; }` groups whose output is redirected as a whole.
    pub groups: Vec<Group>,
    /// What it writes to command files ([`super::workflow_commands::file_writes`]).
    pub file_writes: Derived<Box<[FileWrite]>>,
}

/// A brace group with redirections: `{ echo a; echo b; } >> file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// From `{` to `}`.
    pub range: Range<usize>,
    pub redirects: Vec<Redirect>,
}

/// What a script was lexed into.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexed {
    pub commands: Vec<Command>,
    pub groups: Vec<Group>,
}

/// The language a script is written in, from the step's `shell:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// sh, bash and other POSIX shells: the commands are lexed.
    Posix,
    /// pwsh and powershell: only searched as text.
    PowerShell,
    /// python, node, cmd or a custom command line: only searched as text.
    Other,
}

impl Dialect {
    /// The dialect of a GitHub `shell:` value; `None` means the runner's default (bash on
    /// Linux and macOS).
    pub fn of_shell(shell: Option<&str>) -> Self {
        let Some(shell) = shell else {
            return Dialect::Posix;
        };
        let program = shell.split_whitespace().next().unwrap_or_default();
        let program = program.rsplit(['/', '\\']).next().unwrap_or(program).to_ascii_lowercase();
        match program.trim_end_matches(".exe") {
            "bash" | "sh" | "zsh" | "dash" | "ksh" => Dialect::Posix,
            "pwsh" | "powershell" => Dialect::PowerShell,
            _ => Dialect::Other,
        }
    }
}

/// One simple command: `NAME=value cmd arg... >file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    // Every script of every job is held lexed for as long as its model, so a command is
    // kept small: slices rather than vectors, 32-bit indexes, the rare here-document boxed.
    /// Leading `NAME=value` words.
    pub assignments: Box<[Word]>,
    pub words: Box<[Word]>,
    pub redirects: Box<[Redirect]>,
    pub range: Range<usize>,
    /// Commands joined by `|` share a pipeline number.
    pub pipeline: u32,
    /// The index in [`Script::commands`] of the command this one pipes its output into.
    pub piped_to: Option<u32>,
    /// The index of the command whose output this one reads through a pipe.
    pub piped_from: Option<u32>,
    /// 0 at the top level, more inside `$(...)`, backquotes and `<(...)`.
    pub depth: u8,
    pub heredoc: Option<Box<Heredoc>>,
    /// Where in `words` the program is ([`Command::name_index`]), found once when lexed:
    /// rules ask for a command's name many times.
    program: Option<u32>,
}

/// The body of a here-document fed to a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub body: Range<usize>,
    /// Whether `$VAR` and `$(...)` in the body are expanded (the delimiter is unquoted).
    pub expands: bool,
}

/// A word, with quotes removed and expansions kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub range: Range<usize>,
    pub parts: Box<[Part]>,
}

/// A part of a word. Kept small (24 bytes): scripts hold one or more for every word, and a
/// variable's name is read from the word's text rather than stored again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub range: Range<usize>,
    /// Where the part's text starts in its word's text.
    at: u32,
    pub kind: PartKind,
    /// Inside double quotes (single-quoted text is a literal part).
    pub quoted: bool,
}

/// How text substituted into a script before the shell runs is opened and closed: GitHub's
/// expressions and GitLab's interpolation of `spec: inputs`.
const INTERPOLATIONS: [(&str, &str); 2] = [("${{", "}}"), ("$[[", "]]")];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Literal,
    /// `$NAME`, `${NAME...}`: [`Word::variable`] names it.
    Variable,
    /// A GitHub `${{ }}` expression or a GitLab `$[[ ]]` interpolation, substituted before
    /// the shell runs.
    Expression,
    /// `$(...)`, backquotes or `<(...)`: the commands inside are in [`Script::commands`].
    Substitution,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The file descriptor written before the operator, as in `2>`.
    pub fd: Option<u32>,
    pub op: RedirectOp,
    pub target: Option<Word>,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectOp {
    /// `>`, `>|`, `&>`
    Write,
    /// `>>`, `&>>`
    Append,
    /// `<`
    Read,
    /// `<<`, `<<-`
    HereDoc,
    /// `<<<`
    HereString,
    /// `>&2`, `2>&1`
    Duplicate,
}

/// Programs that run the rest of their command line as a command.
const WRAPPERS: &[&str] = &["sudo", "env", "time", "nohup", "exec", "command", "builtin", "nice", "stdbuf"];

/// Reserved words that open or continue a compound command; the command after them is lexed
/// as if they were not there.
const RESERVED: &[&str] = &["if", "then", "elif", "else", "fi", "do", "done", "while", "until", "!", "{", "}", "esac"];

impl Script {
    /// Lexes `text` as a script of `dialect`; only POSIX shell scripts get commands.
    pub fn parse(text: Text, dialect: Dialect) -> Self {
        let Lexed { commands, groups } = match dialect {
            Dialect::Posix => lex(&text.value),
            Dialect::PowerShell | Dialect::Other => Lexed::default(),
        };
        Self { text, dialect, commands, groups, file_writes: Derived::default() }
    }

    /// The source span of a byte range of the script.
    pub fn span_of(&self, range: Range<usize>) -> Span {
        self.text.span_of(range)
    }

    /// The script text of a byte range.
    pub fn slice(&self, range: Range<usize>) -> &str {
        self.text.value.get(range).unwrap_or_default()
    }

    /// The command that `command` pipes its output into, if any.
    pub fn piped_into(&self, command: &Command) -> Option<&Command> {
        command.piped_to.and_then(|index| self.commands.get(index as usize))
    }

    /// The commands whose output reaches `command` through pipes, nearest first.
    pub fn piped_from<'a>(&'a self, command: &'a Command) -> impl Iterator<Item = &'a Command> + 'a {
        std::iter::successors(command.piped_from.and_then(|i| self.commands.get(i as usize)), |previous| {
            previous.piped_from.and_then(|i| self.commands.get(i as usize))
        })
    }

    /// The commands nested inside `range` (a substitution part's range).
    pub fn commands_within(&self, range: Range<usize>) -> impl Iterator<Item = &Command> {
        let first = self.commands.partition_point(|command| command.range.start < range.start);
        self.commands[first..]
            .iter()
            .take_while(move |command| command.range.start < range.end)
            .filter(move |command| command.range.end <= range.end)
    }

    /// The redirections that apply to `command` because it is inside a redirected group.
    pub fn group_redirects(&self, command: &Command) -> impl Iterator<Item = &Redirect> {
        self.groups
            .iter()
            .filter(move |group| group.range.start <= command.range.start && command.range.end <= group.range.end)
            .flat_map(|group| &group.redirects)
    }

    /// The files `command` writes to, through its own redirections, its group's, or `tee`.
    pub fn written_files<'a>(&'a self, command: &'a Command) -> impl Iterator<Item = &'a Word> + 'a {
        let tee_files = (command.name() == Some("tee"))
            .then(|| command.args().iter().filter(|word| !word.text.starts_with('-')))
            .into_iter()
            .flatten();
        command.written_files().chain(written(self.group_redirects(command))).chain(tee_files)
    }

    /// The text of a here-document body.
    pub fn heredoc_text(&self, heredoc: &Heredoc) -> &str {
        self.slice(heredoc.body.clone())
    }

    /// The `${{ }}` expressions written inside a byte range of the script (found by binary
    /// search: they are in source order).
    pub fn expressions_within(&self, range: Range<usize>) -> impl Iterator<Item = &Expression> {
        let span = self.span_of(range);
        let expressions = &self.text.expressions;
        let first = expressions.partition_point(|expression| expression.span.start < span.start);
        expressions[first..]
            .iter()
            .take_while(move |expression| expression.span.start < span.end)
            .filter(move |expression| expression.span.end <= span.end)
    }
}

impl Command {
    /// The index in `words` of the program that runs, after wrappers such as `sudo` and `env`
    /// and their options.
    pub fn name_index(&self) -> Option<usize> {
        self.program.map(|index| index as usize)
    }

    /// The program's name without its directory, e.g. `curl` for `/usr/bin/curl`.
    pub fn name(&self) -> Option<&str> {
        self.name_index().map(|index| basename(&self.words[index].text))
    }

    /// The words after the program's name.
    pub fn args(&self) -> &[Word] {
        self.name_index().map_or(&[], |index| &self.words[index + 1..])
    }

    /// The first argument that is not an option.
    pub fn subcommand(&self) -> Option<&str> {
        self.args().iter().map(|word| word.text.as_str()).find(|text| !text.starts_with('-'))
    }

    /// The first `n` arguments that are not options, e.g. `["run", "deploy"]`.
    pub fn operands(&self) -> impl Iterator<Item = &str> {
        self.args().iter().map(|word| word.text.as_str()).filter(|text| !text.starts_with('-'))
    }

    /// Whether an argument is exactly `text`.
    pub fn has_arg(&self, text: &str) -> bool {
        self.args().iter().any(|word| word.text == text)
    }

    /// The argument given as `--long`, `--long=...`, or as a short option `-x`, alone or in a
    /// cluster such as `-fsSLk`.
    pub fn option(&self, long: Option<&str>, short: Option<char>) -> Option<&Word> {
        self.args().iter().find(|word| {
            let text = word.text.as_str();
            let long_match = long.is_some_and(|long| {
                text.strip_prefix("--")
                    .is_some_and(|rest| rest == long || rest.strip_prefix(long).is_some_and(|r| r.starts_with('=')))
            });
            let short_match = short.is_some_and(|short| {
                text.len() > 1
                    && text.starts_with('-')
                    && !text.starts_with("--")
                    && text[1..].chars().all(|c| c.is_ascii_alphanumeric())
                    && text[1..].contains(short)
            });
            long_match || short_match
        })
    }

    /// The value of an option given as `--long value`, `--long=value` or `-x value`.
    pub fn option_value(&self, long: Option<&str>, short: Option<char>) -> Option<&Word> {
        let args = self.args();
        args.iter().enumerate().find_map(|(index, word)| {
            let text = word.text.as_str();
            let exact_long = long.is_some_and(|long| text.strip_prefix("--") == Some(long));
            let exact_short =
                short.is_some_and(|short| text.len() == 2 && text.strip_prefix('-') == Some(&short.to_string()));
            if exact_long || exact_short {
                return args.get(index + 1);
            }
            None
        })
    }

    /// The value given to an option in any of the forms `--long value`, `--long=value`,
    /// `-x value`, `-xvalue`, or `-abx value` at the end of a cluster of flags.
    pub fn option_argument(&self, long: Option<&str>, short: Option<char>) -> Option<&str> {
        let args = self.args();
        args.iter().enumerate().find_map(|(index, word)| {
            let next = || args.get(index + 1).map(|next| next.text.as_str());
            let text = word.text.as_str();
            if let Some(rest) = text.strip_prefix("--") {
                let value = rest.strip_prefix(long?)?;
                return if value.is_empty() { next() } else { value.strip_prefix('=') };
            }
            let cluster = text.strip_prefix('-')?;
            let at = cluster.find(short?)?;
            if !cluster[..at].chars().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            let value = &cluster[at + short?.len_utf8()..];
            if value.is_empty() { next() } else { Some(value) }
        })
    }

    /// The redirect targets this command writes or appends to.
    pub fn written_files(&self) -> impl Iterator<Item = &Word> {
        written(self.redirects.iter())
    }
}

impl Redirect {
    /// Whether it sends standard output to a file (`>`, `>>`, `1>`, `&>`) other than the
    /// terminal's: `/dev/stdout` and `/dev/stderr` still reach the log.
    pub fn captures_stdout(&self) -> bool {
        let to_log = |target: &Word| matches!(target.text.as_str(), "/dev/stdout" | "/dev/stderr" | "/dev/tty");
        matches!(self.op, RedirectOp::Write | RedirectOp::Append)
            && matches!(self.fd, None | Some(1))
            && !self.target.as_ref().is_some_and(to_log)
    }
}

impl Word {
    /// Whether the whole word is one variable, e.g. `$GITHUB_ENV`, `"${GITHUB_ENV}"`.
    pub fn is_variable(&self, name: &str) -> bool {
        matches!(&*self.parts, [part] if self.variable(part) == Some(name))
    }

    /// The name of the variable `part`, one of the word's parts, expands; `None` for a part
    /// that is no variable.
    pub fn variable(&self, part: &Part) -> Option<&str> {
        if part.kind != PartKind::Variable {
            return None;
        }
        // The word's text holds the expansion as written: `$NAME` or `${NAME...}`.
        let at = part.at as usize;
        let written = self.text.get(at..at + part.range.len())?;
        Some(variable_name(written))
    }

    /// The variables the word expands, with whether each is inside double quotes.
    pub fn variables(&self) -> impl Iterator<Item = (&str, &Part)> {
        self.parts.iter().filter_map(|part| Some((self.variable(part)?, part)))
    }

    /// Whether any part of the word is a `${{ }}` expression.
    pub fn has_expression(&self) -> bool {
        self.parts.iter().any(|part| part.kind == PartKind::Expression)
    }

    /// Whether the word's value is fixed text, with no expansion in it.
    pub fn is_literal(&self) -> bool {
        self.parts.iter().all(|part| part.kind == PartKind::Literal)
    }
}

fn written<'a>(redirects: impl Iterator<Item = &'a Redirect>) -> impl Iterator<Item = &'a Word> {
    redirects
        .filter(|redirect| matches!(redirect.op, RedirectOp::Write | RedirectOp::Append))
        .filter_map(|redirect| redirect.target.as_ref())
}

/// The index in `words` of the program that runs, after wrappers such as `sudo` and `env`
/// and their options.
fn program_index(words: &[Word]) -> Option<usize> {
    let mut index = 0;
    while let Some(word) = words.get(index) {
        let name = basename(&word.text);
        if !WRAPPERS.contains(&name) {
            return Some(index);
        }
        index += 1;
        // Skip the wrapper's options and, for `env`, its assignments.
        while let Some(next) = words.get(index) {
            let takes_value = matches!(next.text.as_str(), "-u" | "-g" | "-n" | "-C" | "-D");
            if next.text.starts_with('-') {
                index += if takes_value { 2 } else { 1 };
            } else if name == "env" && is_assignment(&next.text) {
                index += 1;
            } else {
                break;
            }
        }
    }
    None
}

/// The name a variable expansion reads: `NAME` of `$NAME`, `${NAME}`, `${NAME:-default}`,
/// `${#NAME}` or `${!NAME}`; `1` of `$1`, `@` of `$@`.
fn variable_name(written: &str) -> &str {
    match written.strip_prefix("${") {
        Some(inner) => name_prefix(inner.trim_start_matches(['#', '!'])),
        None => written.get(1..).unwrap_or_default(),
    }
}

/// The characters a shell name is made of (ASCII letters, digits, `_`) that `text` starts
/// with; empty when it starts with none.
pub fn name_prefix(text: &str) -> &str {
    let len = text.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    &text[..len]
}

/// Whether a byte ends an unquoted run of ordinary characters in a word: a blank, an
/// operator, a quote, an escape or an expansion (the cases of [`Lexer::word`]).
fn is_word_syntax(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b';'
            | b'&'
            | b'|'
            | b')'
            | b'('
            | b'<'
            | b'>'
            | b'\\'
            | b'\''
            | b'"'
            | b'$'
            | b'`'
    )
}

/// The last path component of a program name.
pub fn basename(program: &str) -> &str {
    // A byte scan: `rfind` sets up a reverse `memchr` that costs more than these short names.
    program.bytes().rposition(|byte| byte == b'/').map_or(program, |slash| &program[slash + 1..])
}

/// The `$NAME` and `${NAME}` references in a text.
pub fn variable_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('$').filter_map(move |(at, _)| reference_at(text, at).map(|(name, _)| name))
}

/// The `$NAME` or `${NAME}` reference that the `$` at `at` in `text` starts, with its range
/// (to the end of the name, or past the brace after `${NAME`); `None` when no name follows or
/// it starts with a digit.
pub fn reference_at(text: &str, at: usize) -> Option<(&str, Range<usize>)> {
    let braced = text[at + 1..].starts_with('{');
    let name_start = at + 1 + usize::from(braced);
    let name = name_prefix(&text[name_start..]);
    let end = name_start + name.len() + usize::from(braced);
    (!name.is_empty() && !name.as_bytes()[0].is_ascii_digit()).then_some((name, at..end))
}

/// Whether a word is `NAME=value`.
pub fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

/// Lexes a POSIX shell script into its commands, nested ones included, in source order.
pub fn lex(script: &str) -> Lexed {
    let mut lexer =
        Lexer { src: script, bytes: script.as_bytes(), pos: 0, commands: Vec::new(), groups: Vec::new(), pipelines: 0 };
    lexer.list(script.len(), 0);
    let mut commands = lexer.commands;
    commands.sort_by_key(|command| (command.range.start, command.depth));
    link_pipelines(&mut commands);
    // Scripts are kept for as long as their job's model: room left by growing goes back.
    commands.shrink_to_fit();
    let mut groups = lexer.groups;
    groups.shrink_to_fit();
    Lexed { commands, groups }
}

/// Links each command to its neighbours in its pipeline (pipelines never span depths).
fn link_pipelines(commands: &mut [Command]) {
    let mut last_of_pipeline: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
    // A script of at most `MAX_ANALYSED_BYTES` has far fewer than 2^32 commands.
    for (index, at) in (0..commands.len()).zip(0u32..) {
        if let Some(previous) = last_of_pipeline.insert(commands[index].pipeline, at) {
            commands[previous as usize].piped_to = Some(at);
            commands[index].piped_from = Some(previous);
        }
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    commands: Vec<Command>,
    groups: Vec<Group>,
    pipelines: u32,
}

/// A command being read.
struct Building {
    start: usize,
    assignments: Vec<Word>,
    words: Vec<Word>,
    redirects: Vec<Redirect>,
    heredoc: Option<PendingHeredoc>,
    /// The brace group that closed just before this command started, whose redirections
    /// these are if the command has no words.
    closed_group: Option<Range<usize>>,
}

/// A word being read: its text and parts grow as its characters are.
#[derive(Default)]
struct WordBeingRead {
    text: String,
    parts: Vec<Part>,
}

impl WordBeingRead {
    /// Where text pushed next starts. A script of at most `MAX_ANALYSED_BYTES` has words
    /// far shorter than 4 GiB.
    fn text_len(&self) -> u32 {
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    // Most words are one piece, and a word keeps its text and parts at their size: the first
    // piece is given room for itself alone, so that most words are allocated once.

    fn push_text(&mut self, text: &str) {
        if self.text.is_empty() {
            self.text.reserve_exact(text.len());
        }
        self.text.push_str(text);
    }

    fn push_part(&mut self, part: Part) {
        if self.parts.is_empty() {
            self.parts.reserve_exact(1);
        }
        self.parts.push(part);
    }
}

struct PendingHeredoc {
    delimiter: String,
    strip_tabs: bool,
    expands: bool,
}

impl Building {
    fn new(start: usize) -> Self {
        Self {
            start,
            assignments: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            heredoc: None,
            closed_group: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.assignments.is_empty() && self.words.is_empty() && self.redirects.is_empty()
    }
}

impl Lexer<'_> {
    /// Reads commands until `end`.
    fn list(&mut self, end: usize, depth: u8) {
        let mut pipeline = self.next_pipeline();
        let mut current = Building::new(self.pos);
        // Here-documents whose bodies start after the current line: (command index, pending).
        let mut heredocs: Vec<(usize, PendingHeredoc)> = Vec::new();
        // Where the open brace groups start.
        let mut open_groups: Vec<usize> = Vec::new();
        while self.pos < end {
            let byte = self.bytes[self.pos];
            // Inside `[[ ... ]]`, `&&`, `||`, `<`, `>` and parentheses are operators of the
            // test, not of the command line.
            if matches!(byte, b'&' | b'|' | b'<' | b'>' | b'(' | b')') && in_test(&current) {
                let doubled = matches!(byte, b'&' | b'|') && self.bytes.get(self.pos + 1) == Some(&byte);
                let len = if doubled { 2 } else { 1 };
                let range = self.pos..self.pos + len;
                let text = self.src[range.clone()].to_owned();
                let part = Part { range: range.clone(), at: 0, kind: PartKind::Literal, quoted: false };
                current.words.push(Word { text, parts: Box::new([part]), range });
                self.pos += len;
                continue;
            }
            match byte {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.bytes.get(self.pos + 1) == Some(&b'\n') => self.pos += 2,
                b'#' => self.skip_comment(end),
                b'\n' => {
                    self.finish(&mut current, pipeline, depth, &mut heredocs);
                    self.pos += 1;
                    self.read_heredocs(&mut heredocs, end);
                    pipeline = self.next_pipeline();
                    current.start = self.pos;
                }
                b';' | b'&' | b'|' | b'(' | b')' => {
                    if byte == b'&' && self.bytes.get(self.pos + 1) == Some(&b'>') {
                        self.redirect(&mut current, end, depth);
                        continue;
                    }
                    self.finish(&mut current, pipeline, depth, &mut heredocs);
                    let doubled = self.bytes.get(self.pos + 1) == Some(&byte);
                    let is_pipe = byte == b'|' && !doubled;
                    self.pos += if doubled { 2 } else { 1 };
                    if is_pipe && self.bytes.get(self.pos) == Some(&b'&') {
                        self.pos += 1;
                    }
                    if !is_pipe {
                        pipeline = self.next_pipeline();
                    }
                    current.start = self.pos;
                }
                b'<' | b'>' if self.bytes.get(self.pos + 1) != Some(&b'(') => self.redirect(&mut current, end, depth),
                b'0'..=b'9' if self.is_fd_redirect(end) => self.redirect(&mut current, end, depth),
                _ => {
                    let word = self.word(end, depth);
                    if word.range.is_empty() {
                        // Nothing a word can start with: step over it.
                        self.pos += 1;
                        continue;
                    }
                    if current.words.is_empty() && is_assignment(&word.text) {
                        current.assignments.push(word);
                    } else if current.words.is_empty() && current.assignments.is_empty() && is_reserved(&word) {
                        match word.text.as_str() {
                            "{" => open_groups.push(word.range.start),
                            "}" => current.closed_group = open_groups.pop().map(|start| start..word.range.end),
                            _ => {}
                        }
                        current.start = self.pos;
                    } else {
                        current.words.push(word);
                    }
                }
            }
        }
        self.finish(&mut current, pipeline, depth, &mut heredocs);
    }

    fn next_pipeline(&mut self) -> u32 {
        self.pipelines += 1;
        self.pipelines
    }

    fn skip_comment(&mut self, end: usize) {
        while self.pos < end && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
    }

    fn finish(
        &mut self,
        current: &mut Building,
        pipeline: u32,
        depth: u8,
        heredocs: &mut Vec<(usize, PendingHeredoc)>,
    ) {
        let done = std::mem::replace(current, Building::new(self.pos));
        if done.is_empty() {
            return;
        }
        if let Some(range) = done.closed_group.clone()
            && done.words.is_empty()
            && done.assignments.is_empty()
        {
            self.groups.push(Group { range, redirects: done.redirects });
            return;
        }
        let end = [
            done.words.last().map(|w| w.range.end),
            done.assignments.last().map(|w| w.range.end),
            done.redirects.iter().map(|r| r.range.end).max(),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(self.pos);
        // From the first token, not from the blanks after the previous operator.
        let start = [
            done.words.first().map(|w| w.range.start),
            done.assignments.first().map(|w| w.range.start),
            done.redirects.iter().map(|r| r.range.start).min(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(done.start);
        if let Some(pending) = done.heredoc {
            heredocs.push((self.commands.len(), pending));
        }
        let (assignments, words, redirects) =
            (done.assignments.into_boxed_slice(), done.words.into_boxed_slice(), done.redirects.into_boxed_slice());
        let program = program_index(&words).and_then(|index| u32::try_from(index).ok());
        self.commands.push(Command {
            assignments,
            words,
            redirects,
            range: start..end,
            pipeline,
            piped_to: None,
            piped_from: None,
            depth,
            heredoc: None,
            program,
        });
    }

    /// Reads the bodies of the here-documents opened on the line just ended.
    fn read_heredocs(&mut self, heredocs: &mut Vec<(usize, PendingHeredoc)>, end: usize) {
        for (index, pending) in heredocs.drain(..) {
            let body_start = self.pos;
            let mut body_end = end;
            let mut after = end;
            while self.pos < end {
                let line_end = self.src[self.pos..end].find('\n').map_or(end, |found| self.pos + found);
                let line = &self.src[self.pos..line_end];
                let line = if pending.strip_tabs { line.trim_start_matches('\t') } else { line };
                if line.trim_end_matches('\r') == pending.delimiter {
                    body_end = self.pos;
                    after = (line_end + 1).min(end);
                    break;
                }
                self.pos = (line_end + 1).min(end);
                if line_end == end {
                    break;
                }
            }
            self.pos = after.max(self.pos);
            if let Some(command) = self.commands.get_mut(index) {
                command.heredoc =
                    Some(Box::new(Heredoc { body: body_start..body_end.max(body_start), expands: pending.expands }));
            }
        }
    }

    /// Whether the digits at the cursor are a file descriptor before `>` or `<`.
    fn is_fd_redirect(&self, end: usize) -> bool {
        let digits = self.bytes[self.pos..end].iter().take_while(|b| b.is_ascii_digit()).count();
        matches!(self.bytes.get(self.pos + digits), Some(b'>' | b'<'))
            && self.bytes.get(self.pos + digits + 1) != Some(&b'(')
    }

    fn redirect(&mut self, current: &mut Building, end: usize, depth: u8) {
        let start = self.pos;
        while self.pos < end && self.bytes[self.pos].is_ascii_digit() {
            self.pos += 1;
        }
        let fd = self.src[start..self.pos].parse().ok();
        let rest = &self.src[self.pos..end];
        let (op, len) = if rest.starts_with("<<<") {
            (RedirectOp::HereString, 3)
        } else if rest.starts_with("<<-") {
            (RedirectOp::HereDoc, 3)
        } else if rest.starts_with("<<") {
            (RedirectOp::HereDoc, 2)
        } else if rest.starts_with("&>>") {
            (RedirectOp::Append, 3)
        } else if rest.starts_with("&>") || rest.starts_with(">|") {
            (RedirectOp::Write, 2)
        } else if rest.starts_with(">>") {
            (RedirectOp::Append, 2)
        } else if rest.starts_with(">&") || rest.starts_with("<&") {
            (RedirectOp::Duplicate, 2)
        } else if rest.starts_with('>') {
            (RedirectOp::Write, 1)
        } else {
            (RedirectOp::Read, 1)
        };
        let strip_tabs = rest.starts_with("<<-");
        self.pos += len;
        while self.pos < end && matches!(self.bytes[self.pos], b' ' | b'\t') {
            self.pos += 1;
        }
        let target = self.word(end, depth);
        let target = (!target.range.is_empty()).then_some(target);
        if op == RedirectOp::HereDoc
            && let Some(delimiter) = &target
        {
            let expands = !self.src[delimiter.range.clone()].contains(['\'', '"', '\\']);
            current.heredoc = Some(PendingHeredoc { delimiter: delimiter.text.clone(), strip_tabs, expands });
        }
        let range = start..target.as_ref().map_or(self.pos, |t| t.range.end);
        current.redirects.push(Redirect { fd, op, target, range });
    }

    /// Reads one word from the cursor.
    fn word(&mut self, end: usize, depth: u8) -> Word {
        let start = self.pos;
        let mut word = WordBeingRead::default();
        while self.pos < end {
            let byte = self.bytes[self.pos];
            match byte {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')' | b'(' => break,
                b'<' | b'>' if self.bytes.get(self.pos + 1) == Some(&b'(') && self.pos == start => {
                    let open = self.pos + 1;
                    self.substitution(&mut word, open, end, depth, false);
                }
                b'<' | b'>' => break,
                b'\\' => {
                    let next = self.pos + 1;
                    if self.bytes.get(next) == Some(&b'\n') {
                        self.pos += 2;
                        continue;
                    }
                    let char_end = self.char_end(next.min(end), end);
                    self.literal(&mut word, next.min(end)..char_end, false);
                    self.pos = char_end.max(self.pos + 1);
                }
                b'\'' => {
                    let close = self.src[self.pos + 1..end].find('\'').map_or(end, |found| self.pos + 1 + found);
                    self.literal(&mut word, self.pos + 1..close, true);
                    self.pos = (close + 1).min(end);
                }
                b'"' => self.double_quoted(&mut word, end, depth),
                b'$' => self.dollar(&mut word, end, depth, false),
                b'`' => self.backquoted(&mut word, end, depth, false),
                _ => {
                    // A run of ordinary characters is one piece of literal text. Every byte
                    // that ends it is ASCII, so the run ends on a character boundary.
                    let run = self.bytes[self.pos..end].iter().position(|&byte| is_word_syntax(byte));
                    let run_end = run.map_or(end, |length| self.pos + length);
                    self.literal(&mut word, self.pos..run_end, false);
                    self.pos = run_end;
                }
            }
        }
        // Built a piece at a time, the text has room to spare.
        word.text.shrink_to_fit();
        Word { text: word.text, range: start..self.pos, parts: word.parts.into_boxed_slice() }
    }

    fn char_end(&self, at: usize, end: usize) -> usize {
        self.src[at..end].chars().next().map_or(at, |c| at + c.len_utf8())
    }

    /// Adds literal text, merging it with a preceding literal part of the same quoting.
    fn literal(&self, word: &mut WordBeingRead, range: Range<usize>, quoted: bool) {
        if range.is_empty() {
            return;
        }
        let at = word.text_len();
        word.push_text(&self.src[range.clone()]);
        match word.parts.last_mut() {
            Some(last) if last.kind == PartKind::Literal && last.quoted == quoted && last.range.end <= range.start => {
                last.range.end = range.end;
            }
            _ => word.push_part(Part { range, at, kind: PartKind::Literal, quoted }),
        }
    }

    fn double_quoted(&mut self, word: &mut WordBeingRead, end: usize, depth: u8) {
        self.pos += 1;
        while self.pos < end {
            match self.bytes[self.pos] {
                b'"' => {
                    self.pos += 1;
                    return;
                }
                b'\\' => {
                    let next = (self.pos + 1).min(end);
                    let char_end = self.char_end(next, end);
                    let escapes = matches!(self.bytes.get(next), Some(b'"' | b'\\' | b'$' | b'`'));
                    let range = if escapes { next..char_end } else { self.pos..char_end };
                    self.literal(word, range, true);
                    self.pos = char_end.max(self.pos + 1);
                }
                b'$' => self.dollar(word, end, depth, true),
                b'`' => self.backquoted(word, end, depth, true),
                _ => {
                    let char_end = self.char_end(self.pos, end);
                    self.literal(word, self.pos..char_end, true);
                    self.pos = char_end;
                }
            }
        }
    }

    fn dollar(&mut self, word: &mut WordBeingRead, end: usize, depth: u8, quoted: bool) {
        let start = self.pos;
        let rest = &self.src[start..end];
        if let Some((open, closing)) = INTERPOLATIONS.iter().find(|(open, _)| rest.starts_with(open)) {
            let close =
                rest[open.len()..].find(closing).map_or(end, |found| start + open.len() + found + closing.len());
            self.expansion(word, PartKind::Expression, start..close, quoted);
        } else if rest.starts_with("$((") {
            // The `)` closing the inner parenthesis, and the outer one when it follows.
            let close = matching_close(self.bytes, start + 2, end).map_or(end, |close| {
                if close + 1 < end && self.bytes[close + 1] == b')' { close + 2 } else { close + 1 }
            });
            self.expansion(word, PartKind::Literal, start..close, quoted);
        } else if rest.starts_with("$(") {
            self.substitution(word, start + 1, end, depth, quoted);
        } else if rest.starts_with("${") {
            // Unclosed, the expansion runs to the end, whose last byte may be inside a character.
            let close = matching_brace(self.bytes, start + 1, end).map_or(end, |close| close + 1);
            self.expansion(word, PartKind::Variable, start..close, quoted);
        } else {
            let name_len = match rest.as_bytes().get(1) {
                Some(b) if b.is_ascii_alphabetic() || *b == b'_' => name_prefix(&rest[1..]).len(),
                Some(b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-' | b'0'..=b'9') => 1,
                _ => 0,
            };
            if name_len == 0 {
                self.literal(word, start..start + 1, quoted);
                self.pos = start + 1;
                return;
            }
            self.expansion(word, PartKind::Variable, start..start + 1 + name_len, quoted);
        }
    }

    fn expansion(&mut self, word: &mut WordBeingRead, kind: PartKind, range: Range<usize>, quoted: bool) {
        let at = word.text_len();
        word.push_text(&self.src[range.clone()]);
        self.pos = range.end.max(self.pos + 1);
        word.push_part(Part { range, at, kind, quoted });
    }

    /// `$(...)` or `<(...)`: `open` is the parenthesis.
    fn substitution(&mut self, word: &mut WordBeingRead, open: usize, end: usize, depth: u8, quoted: bool) {
        let start = open - 1;
        let close = matching_close(self.bytes, open, end).unwrap_or(end);
        self.nested(open + 1, close, depth);
        self.expansion(word, PartKind::Substitution, start..(close + 1).min(end), quoted);
    }

    fn backquoted(&mut self, word: &mut WordBeingRead, end: usize, depth: u8, quoted: bool) {
        let start = self.pos;
        let close = self.src[start + 1..end].find('`').map_or(end, |found| start + 1 + found);
        self.nested(start + 1, close, depth);
        self.expansion(word, PartKind::Substitution, start..(close + 1).min(end), quoted);
    }

    /// Lexes the commands of a substitution, one level deeper.
    fn nested(&mut self, start: usize, end: usize, depth: u8) {
        if depth >= MAX_DEPTH || start >= end {
            return;
        }
        let resume = self.pos;
        self.pos = start;
        self.list(end, depth + 1);
        self.pos = resume;
    }
}

/// Whether the command being read is an unfinished `[[ ... ]]` test.
fn in_test(current: &Building) -> bool {
    current.words.first().is_some_and(|word| word.text == "[[" && word.is_literal())
        && (current.words.len() == 1 || current.words.last().is_none_or(|word| word.text != "]]"))
}

fn is_reserved(word: &Word) -> bool {
    word.is_literal() && word.parts.iter().all(|part| !part.quoted) && RESERVED.contains(&word.text.as_str())
}

/// The `)` closing the `(` at `open`, skipping quotes, escapes and nested parentheses.
fn matching_close(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
    matching(bytes, open, end, b'(', b')')
}

/// The `}` closing the `{` at `open`.
fn matching_brace(bytes: &[u8], open: usize, end: usize) -> Option<usize> {
    matching(bytes, open, end, b'{', b'}')
}

fn matching(bytes: &[u8], open: usize, end: usize, opener: u8, closer: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = open;
    let mut quote: Option<u8> = None;
    while index < end {
        let byte = bytes[index];
        match (quote, byte) {
            (_, b'\\') if quote != Some(b'\'') => index += 1,
            (None, b'\'' | b'"') => quote = Some(byte),
            (Some(q), _) if byte == q => quote = None,
            (None, _) if byte == opener => depth += 1,
            (None, _) if byte == closer => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
        index += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(script: &str) -> Vec<Command> {
        super::lex(script).commands
    }

    fn names(script: &str) -> Vec<String> {
        lex(script).iter().map(|c| c.name().unwrap_or("-").to_owned()).collect()
    }

    fn words(command: &Command) -> Vec<&str> {
        command.words.iter().map(|w| w.text.as_str()).collect()
    }

    /// A script's commands are held with its job's model: a bound that keeps a new field from
    /// growing every command of every script.
    #[test]
    fn commands_stay_small() {
        assert!(std::mem::size_of::<Command>() <= 104, "a command is {} bytes", std::mem::size_of::<Command>());
        assert!(std::mem::size_of::<Word>() <= 56, "a word is {} bytes", std::mem::size_of::<Word>());
        assert!(std::mem::size_of::<Part>() <= 24, "a part is {} bytes", std::mem::size_of::<Part>());
    }

    /// A variable's name is read from the word's text: each form of expansion names it.
    #[test]
    fn variables_are_named_in_every_form_of_expansion() {
        let script = "echo $A \"${B}\" ${C:-x} ${#D} ${!E} $1 $@ pre${F}post \"$G$H\" ${I";
        let commands = lex(script);
        let names: Vec<&str> =
            commands[0].words.iter().flat_map(|word| word.variables().map(|(name, _)| name)).collect();
        assert_eq!(names, ["A", "B", "C", "D", "E", "1", "@", "F", "G", "H", "I"]);
        let lexed = lex("x=\"$TITLE\" && cat \"$GITHUB_ENV\"");
        assert!(lexed[1].words[1].is_variable("GITHUB_ENV"));
        assert!(!lexed[1].words[1].is_variable("GITHUB"));
    }

    /// Every construct, unclosed or closed, with a multi-byte character where its closing
    /// bytes are looked for: the lexer slices the script by byte and must stop on characters.
    #[test]
    fn constructs_cut_off_before_a_wide_character_lex() {
        let constructs =
            ["${", "${x", "$((", "$((1)", "$(", "$[[", "${{", "`", "\"", "'", "\\", "<<", "<<E", "[[", "$", "a="];
        for construct in constructs {
            for wide in ["é", "😀"] {
                for script in [
                    format!("m{construct}{wide}"),
                    format!("{construct}{wide}{wide}"),
                    format!("x \"{construct}{wide}"),
                ] {
                    lex(&script);
                }
            }
        }
    }

    #[test]
    fn commands_are_split_at_separators_and_reserved_words() {
        assert_eq!(names("a; b && c || d\ne & f"), ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(names("if curl -s x | sh; then echo ok; fi"), ["curl", "sh", "echo"]);
        assert_eq!(names("for f in *; do rm \"$f\"; done"), ["for", "rm"]);
    }

    #[test]
    fn tests_in_double_brackets_are_one_command() {
        let commands = lex("if [[ $A == x || $B < y && ( -n $C ) ]]; then echo ok || exit 1; fi");
        assert_eq!(commands.iter().map(|c| c.name().unwrap_or("-")).collect::<Vec<_>>(), ["[[", "echo", "exit"]);
        assert_eq!(words(&commands[0]).len(), 14);
    }

    #[test]
    fn pipes_join_a_pipeline() {
        let commands = lex("curl -fsSL https://x.sh | sudo -E bash -s -- --yes\necho done");
        assert_eq!(commands[0].pipeline, commands[1].pipeline);
        assert_ne!(commands[1].pipeline, commands[2].pipeline);
        assert_eq!(commands[1].name(), Some("bash"));
        assert_eq!(words(&commands[1]), ["sudo", "-E", "bash", "-s", "--", "--yes"]);
    }

    #[test]
    fn quotes_escapes_and_expansions() {
        let commands = lex(r#"echo "title: $TITLE" '$x' ${{ github.head_ref }} \$y"#);
        let command = &commands[0];
        assert_eq!(words(command), ["echo", "title: $TITLE", "$x", "${{ github.head_ref }}", "$y"]);
        let title = &command.words[1];
        assert_eq!(title.variables().map(|(name, part)| (name, part.quoted)).collect::<Vec<_>>(), [("TITLE", true)]);
        assert!(command.words[2].is_literal());
        assert!(command.words[3].has_expression());
        assert!(command.words[4].is_literal());
        let interpolated = lex("deploy --to $[[ inputs.environment ]] now");
        assert_eq!(words(&interpolated[0]), ["deploy", "--to", "$[[ inputs.environment ]]", "now"]);
        assert!(interpolated[0].words[2].has_expression());
    }

    #[test]
    fn redirections_and_here_documents() {
        let script = "echo \"a=$B\" >> \"$GITHUB_ENV\"\ncat <<EOF >> $GITHUB_OUTPUT\nx=${{ y }}\nEOF\necho after 2>&1";
        let commands = lex(script);
        assert_eq!(names(script), ["echo", "cat", "echo"]);
        assert!(commands[0].written_files().any(|w| w.is_variable("GITHUB_ENV")));
        let heredoc = commands[1].heredoc.as_ref().unwrap();
        assert_eq!(&script[heredoc.body.clone()], "x=${{ y }}\n");
        assert!(heredoc.expands);
        assert!(commands[1].written_files().any(|w| w.is_variable("GITHUB_OUTPUT")));
        assert_eq!(commands[2].redirects[0].op, RedirectOp::Duplicate);
        assert_eq!(commands[2].redirects[0].fd, Some(2));
    }

    #[test]
    fn standard_output_captured_by_a_file() {
        let captures = |script: &str| lex(script)[0].redirects.iter().any(Redirect::captures_stdout);
        assert!(captures("env > env.txt") && captures("env 1>>log") && captures("env &> all"));
        assert!(!captures("env 2> errors") && !captures("env >&2") && !captures("env > /dev/stderr"));
    }

    #[test]
    fn option_arguments_in_every_form() {
        let value = |script: &str, long, short| lex(script)[0].option_argument(long, short).map(str::to_owned);
        assert_eq!(value("curl -fsSLo out.sh https://x", Some("output"), Some('o')).as_deref(), Some("out.sh"));
        assert_eq!(value("wget -qO- https://x", None, Some('O')).as_deref(), Some("-"));
        assert_eq!(value("curl --output=f https://x", Some("output"), Some('o')).as_deref(), Some("f"));
        assert_eq!(value("gh api -X DELETE x", Some("method"), Some('X')).as_deref(), Some("DELETE"));
        assert_eq!(value("curl --output-dir d https://x", Some("output"), Some('o')), None);
        assert_eq!(value("curl -fsSL https://x", Some("output"), Some('o')), None);
    }

    #[test]
    fn substitutions_are_lexed_as_nested_commands() {
        let commands = lex("bash <(curl -sL https://x) && eval \"$(wget -qO- https://y)\" && v=`date`");
        let nested: Vec<(&str, u8)> = commands.iter().map(|c| (c.name().unwrap_or("-"), c.depth)).collect();
        assert_eq!(nested, [("bash", 0), ("curl", 1), ("eval", 0), ("wget", 1), ("-", 0), ("date", 1)]);
    }

    #[test]
    fn options_in_clusters_and_with_values() {
        let command = &lex("curl -fsSLk --retry 3 --output=x.tar https://x")[0];
        assert!(command.option(Some("insecure"), Some('k')).is_some());
        assert!(command.option(Some("output"), Some('o')).is_some());
        assert_eq!(command.option_value(Some("retry"), None).map(|w| w.text.as_str()), Some("3"));
        assert!(command.option(None, Some('z')).is_none());
    }

    #[test]
    fn comments_continuations_and_assignments() {
        let commands = lex("# curl x | sh\nFOO=1 BAR=\"$x\" make \\\n  install # trailing | sh");
        assert_eq!(commands.len(), 1);
        assert_eq!(commands[0].assignments.len(), 2);
        assert_eq!(words(&commands[0]), ["make", "install"]);
    }

    #[test]
    fn redirected_brace_groups() {
        let script = "{ echo \"a=1\"; echo \"b<<EOF\"; cat f; echo EOF; } >> \"$GITHUB_OUTPUT\"\necho c";
        let lexed = super::lex(script);
        assert_eq!(lexed.groups.len(), 1);
        assert!(lexed.groups[0].redirects[0].target.as_ref().unwrap().is_variable("GITHUB_OUTPUT"));
        let text = Text::for_tests(script);
        let script = Script::parse(text, Dialect::Posix);
        let writers: Vec<&str> = script
            .commands
            .iter()
            .filter(|command| script.written_files(command).any(|file| file.is_variable("GITHUB_OUTPUT")))
            .filter_map(|command| command.name())
            .collect();
        assert_eq!(writers, ["echo", "echo", "cat", "echo"]);
    }

    #[test]
    fn broken_scripts_do_not_panic() {
        for script in ["\"unterminated", "'x", "$(", "${", "`", "<<EOF", "a |", "$((1", "é$(é", "cat <<'E'\nx\n", "\\"]
        {
            let _ = lex(script);
        }
    }
}
