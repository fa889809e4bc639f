//! Writes to the files through which a step talks to the runner: `$GITHUB_ENV` (variables of
//! later steps), `$GITHUB_OUTPUT` (step outputs), `$GITHUB_PATH` (where later steps look for
//! programs), `$GITHUB_STEP_SUMMARY` and `$GITHUB_STATE`.
//!
//! The runner reads these files line by line: `NAME=value` sets one entry, `NAME<<DELIMITER`
//! opens a multi-line value that ends at a line holding just the delimiter. A value that
//! contains a line break therefore sets whatever entries its next lines name, unless it is
//! written in a block whose delimiter is random, which is why rules and the taint model need
//! to know exactly what a script writes there.

use std::ops::Range;

use super::Text;
use super::shell::{Command, Dialect, Script, Word, variable_names};

/// One of the runner's command files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileCommand {
    Env,
    Output,
    Path,
    StepSummary,
    State,
}

impl FileCommand {
    pub const ALL: [FileCommand; 5] =
        [FileCommand::Env, FileCommand::Output, FileCommand::Path, FileCommand::StepSummary, FileCommand::State];

    /// The environment variable that names the file.
    pub const fn variable(self) -> &'static str {
        match self {
            FileCommand::Env => "GITHUB_ENV",
            FileCommand::Output => "GITHUB_OUTPUT",
            FileCommand::Path => "GITHUB_PATH",
            FileCommand::StepSummary => "GITHUB_STEP_SUMMARY",
            FileCommand::State => "GITHUB_STATE",
        }
    }

    fn of_word(word: &Word) -> Option<Self> {
        let named = word.variables().map(|(name, _)| name).collect::<Vec<_>>();
        FileCommand::ALL.into_iter().find(|file| named.contains(&file.variable()))
    }
}

/// One line, or one command's worth of lines, written to a command file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileWrite {
    pub file: FileCommand,
    /// The variable or output the value sets, when it is known: the name of `NAME=...`, or of
    /// the `NAME<<DELIMITER` block the value is written in when its delimiter is random.
    pub name: Option<String>,
    /// Whether the line opens a multi-line value with a delimiter.
    pub multiline: bool,
    /// The `NAME<<DELIMITER` block the value is written in, if any (for a line that opens one,
    /// its own).
    pub delimiter: Option<Delimiter>,
    /// Where the written value is in the script: after `NAME=` when there is a name, after the
    /// delimiter's line for a line that opens a block (empty when the block's lines are
    /// written by the next writes), else the whole written text.
    pub value: Range<usize>,
    /// The command that writes it.
    pub command: Range<usize>,
}

/// The delimiter of a `NAME<<DELIMITER` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delimiter {
    /// As written, e.g. `EOF` or `$delimiter`.
    pub text: String,
    /// Whether it is chosen at random when the script runs, so that a value written in the
    /// block cannot end it.
    pub random: bool,
}

/// Every write of a value to a command file in a `run:` script; in shell scripts, the lines
/// that end `NAME<<DELIMITER` blocks are not values and are left out.
pub fn file_writes(script: &Script) -> &[FileWrite] {
    script.file_writes.get_or_derive(|| writes_of(script).into())
}

fn writes_of(script: &Script) -> Vec<FileWrite> {
    match script.dialect {
        Dialect::Posix => {
            in_blocks(script, script.commands.iter().flat_map(|command| command_writes(script, command)).collect())
        }
        // Lines of other languages are not split into the command and what it writes.
        Dialect::PowerShell | Dialect::Other => line_writes(&script.text.value, "env:"),
    }
}

/// Assigns the writes between `NAME<<DELIMITER` and `DELIMITER` to their block, file by file.
fn in_blocks(script: &Script, writes: Vec<FileWrite>) -> Vec<FileWrite> {
    let mut open: Vec<(FileCommand, Option<String>, Delimiter)> = Vec::new();
    let mut values = Vec::with_capacity(writes.len());
    for mut write in writes {
        let text = script.slice(write.value.clone());
        let block = open.iter().position(|(file, ..)| *file == write.file);
        if let Some(index) = block {
            if unquoted(text) == open[index].2.text {
                open.remove(index);
                continue;
            }
            if !write.multiline {
                let (_, name, delimiter) = &open[index];
                write.name = name.clone().filter(|_| delimiter.random);
                write.delimiter = Some(delimiter.clone());
            }
        }
        if write.multiline {
            // The value starts on the line after the delimiter, in this write or the next ones.
            let first_line = text.find('\n').unwrap_or(text.len());
            let delimiter_text = unquoted(&text[..first_line]).to_owned();
            let delimiter = Delimiter { random: is_random(script, &delimiter_text), text: delimiter_text };
            if let Some(index) = block {
                open.remove(index);
            }
            open.push((write.file, write.name.clone(), delimiter.clone()));
            if !delimiter.random {
                write.name = None;
            }
            write.delimiter = Some(delimiter);
            write.value = (write.value.start + first_line + 1).min(write.value.end)..write.value.end;
        }
        values.push(write);
    }
    values
}

/// A written text without the quotes around it or the spaces after it.
fn unquoted(text: &str) -> &str {
    text.trim().trim_matches(['"', '\''])
}

/// Whether a delimiter is chosen when the script runs: it holds a command substitution,
/// `$RANDOM` or a new GUID, or a variable the script assigns from one of them
/// (`d=$(openssl rand -hex 8)`, `$d = [guid]::NewGuid()`).
fn is_random(script: &Script, delimiter: &str) -> bool {
    let random = |text: &str| {
        let lower = text.to_ascii_lowercase();
        ["$(", "`", "$random", "${random}", "$srandom", "${srandom}", "newguid", "new-guid"]
            .iter()
            .any(|marker| lower.contains(marker))
    };
    random(delimiter)
        || variable_names(delimiter).any(|name| {
            script.text.value.lines().any(|line| {
                let line = line.trim_start().trim_start_matches("export ").trim_start_matches("local ");
                line.trim_start_matches('$')
                    .strip_prefix(name)
                    .and_then(|rest| rest.trim_start().strip_prefix('='))
                    .is_some_and(random)
            })
        })
}

/// Writes by `core.exportVariable`, `core.setOutput` and `core.addPath` in the JavaScript of
/// `actions/github-script`.
pub fn javascript_writes(code: &Text) -> Vec<FileWrite> {
    let calls = [
        ("core.exportVariable(", FileCommand::Env),
        ("core.setOutput(", FileCommand::Output),
        ("core.addPath(", FileCommand::Path),
    ];
    let text = &code.value;
    let mut writes = Vec::new();
    for (call, file) in calls {
        for (at, _) in text.match_indices(call) {
            let args_start = at + call.len();
            let args_end = text[args_start..]
                .find(");")
                .or_else(|| text[args_start..].find('\n'))
                .map_or(text.len(), |end| args_start + end);
            let args = &text[args_start..args_end];
            let (name, value) = match (file, args.split_once(',')) {
                (FileCommand::Path, _) | (_, None) => (None, args_start..args_end),
                (_, Some((name, _))) => {
                    let name = name.trim().trim_matches(['\'', '"', '`']).to_owned();
                    let value_start = args_start + args.find(',').map_or(0, |comma| comma + 1);
                    (Some(name), value_start..args_end)
                }
            };
            writes.push(FileWrite { file, name, multiline: false, delimiter: None, value, command: at..args_end });
        }
    }
    writes
}

fn command_writes(script: &Script, command: &Command) -> Vec<FileWrite> {
    let Some(file) = script.written_files(command).find_map(FileCommand::of_word) else {
        return Vec::new();
    };
    if let Some(heredoc) = &command.heredoc {
        return lines(script, heredoc.body.clone())
            .map(|line| entry(script, file, line, command.range.clone()))
            .collect();
    }
    // `echo ... | tee -a "$GITHUB_ENV"` writes what the command before it prints.
    let producer = if command.name() == Some("tee") { script.piped_from(command).next() } else { Some(command) };
    let Some(producer) = producer else {
        return Vec::new();
    };
    let printed = printed_words(producer);
    let value = match (printed.first(), printed.last()) {
        (Some(first), Some(last)) => first.range.start..last.range.end,
        // Not a printing command (`jq ... >> $GITHUB_OUTPUT`): all it reads may end up there.
        _ => match (producer.words.first(), producer.words.last()) {
            (Some(first), Some(last)) => first.range.start..last.range.end,
            _ => producer.range.clone(),
        },
    };
    if printed.is_empty() {
        return vec![FileWrite {
            file,
            name: None,
            multiline: false,
            delimiter: None,
            value,
            command: command.range.clone(),
        }];
    }
    vec![entry(script, file, value, command.range.clone())]
}

/// The words `echo` or `printf` prints.
fn printed_words(command: &Command) -> &[Word] {
    let args = command.args();
    match command.name() {
        Some("echo") => {
            let flags =
                args.iter().take_while(|word| matches!(word.text.as_str(), "-n" | "-e" | "-E" | "-ne" | "-en")).count();
            &args[flags..]
        }
        Some("printf") => {
            let flags = args.iter().take_while(|word| word.text == "-v" || word.text == "--").count();
            &args[flags..]
        }
        _ => &[],
    }
}

/// Reads `NAME=value` or `NAME<<DELIMITER` at the start of `range`.
fn entry(script: &Script, file: FileCommand, range: Range<usize>, command: Range<usize>) -> FileWrite {
    let text = script.slice(range.clone());
    let text_start = text.len() - text.trim_start_matches(['"', '\'']).len();
    let body = &text[text_start..];
    let name_len = body.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')).count();
    let rest = &body[name_len..];
    let (name, multiline, skip) = match (name_len, file) {
        (0, _) | (_, FileCommand::Path | FileCommand::StepSummary) => (None, false, 0),
        _ if rest.starts_with("<<") => (Some(body[..name_len].to_owned()), true, name_len + 2),
        _ if rest.starts_with('=') => (Some(body[..name_len].to_owned()), false, name_len + 1),
        _ => (None, false, 0),
    };
    let value_start = if name.is_some() { range.start + text_start + skip } else { range.start };
    FileWrite { file, name, multiline, delimiter: None, value: value_start..range.end.max(value_start), command }
}

/// The non-empty lines of a range of the script, as ranges.
fn lines(script: &Script, range: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
    let text = script.slice(range.clone());
    let mut offset = range.start;
    text.split_inclusive('\n').filter_map(move |line| {
        let start = offset;
        offset += line.len();
        let trimmed = line.trim_end_matches(['\n', '\r']);
        (!trimmed.trim().is_empty()).then(|| start..start + trimmed.len())
    })
}

/// Writes found line by line in scripts that are not lexed: a line that mentions
/// `$env:GITHUB_ENV` (PowerShell) writes the line's text there.
fn line_writes(text: &str, prefix: &str) -> Vec<FileWrite> {
    let mut writes = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let mentions =
            |variable: &str| line.match_indices(prefix).any(|(at, _)| line[at + prefix.len()..].starts_with(variable));
        let Some(file) = FileCommand::ALL.into_iter().find(|file| mentions(file.variable())) else {
            continue;
        };
        let trimmed = line.trim_end_matches(['\n', '\r']);
        let name = trimmed
            .split(['"', '\'', ' '])
            .find_map(|token| token.split_once('=').map(|(name, _)| name))
            .filter(|name| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .map(str::to_owned);
        writes.push(FileWrite {
            file,
            name,
            multiline: trimmed.contains("<<"),
            delimiter: None,
            value: start..start + trimmed.len(),
            command: start..start + trimmed.len(),
        });
    }
    writes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writes(source: &str) -> Vec<(FileCommand, Option<String>, bool, String)> {
        let script = Script::parse(Text::for_tests(source), Dialect::Posix);
        file_writes(&script)
            .iter()
            .map(|write| (write.file, write.name.clone(), write.multiline, source[write.value.clone()].to_owned()))
            .collect()
    }

    #[test]
    fn echo_printf_and_tee() {
        assert_eq!(
            writes("echo \"TITLE=${{ github.event.issue.title }}\" >> $GITHUB_ENV"),
            [(FileCommand::Env, Some("TITLE".into()), false, "${{ github.event.issue.title }}\"".into())]
        );
        assert_eq!(
            writes("echo \"dir=$HOME/bin\" | tee -a \"${GITHUB_OUTPUT}\""),
            [(FileCommand::Output, Some("dir".into()), false, "$HOME/bin\"".into())]
        );
        assert_eq!(writes("echo \"$PWD/bin\" >> $GITHUB_PATH")[0].0, FileCommand::Path);
        assert!(writes("echo x >> out.txt").is_empty());
    }

    #[test]
    fn heredocs_and_groups() {
        let heredoc = writes("cat <<EOF >> \"$GITHUB_ENV\"\nA=1\nB<<END\nmulti\nEND\nC=2\nEOF\n");
        let names: Vec<_> = heredoc.iter().map(|w| (w.1.clone(), w.2, w.3.as_str())).collect();
        assert_eq!(
            names,
            [(Some("A".into()), false, "1"), (None, true, ""), (None, false, "multi"), (Some("C".into()), false, "2")]
        );
        // A fixed delimiter: the value can end the block and set any name.
        let group = writes("{ echo \"body<<EOF\"; echo \"$BODY\"; echo EOF; } >> \"$GITHUB_OUTPUT\"");
        assert_eq!(group.len(), 2);
        assert!(group[0].2);
        assert_eq!((group[1].1.as_deref(), group[1].3.as_str()), (None, "\"$BODY\""));
    }

    #[test]
    fn random_delimiters_keep_the_block_name() {
        let script = Script::parse(
            Text::for_tests(
                "d=\"$(openssl rand -hex 8)\"\n{ echo \"body<<$d\"; echo \"$BODY\"; echo \"$d\"; } >> \"$GITHUB_OUTPUT\"\necho \"x<<EOF_$RANDOM\" >> $GITHUB_ENV",
            ),
            Dialect::Posix,
        );
        let written = file_writes(&script);
        let body = written.iter().find(|write| script.slice(write.value.clone()) == "\"$BODY\"").unwrap();
        assert_eq!(body.name.as_deref(), Some("body"));
        assert!(body.delimiter.as_ref().unwrap().random);
        assert!(written.iter().all(|write| write.delimiter.as_ref().is_some_and(|d| d.random)));
    }

    #[test]
    fn other_commands_write_their_whole_output() {
        let written = writes("jq -r '.x' \"$GITHUB_EVENT_PATH\" >> \"$GITHUB_OUTPUT\"");
        assert_eq!(written[0].1, None);
        assert_eq!(written[0].3, "jq -r '.x' \"$GITHUB_EVENT_PATH\"");
    }

    #[test]
    fn powershell_and_javascript() {
        let script = Script::parse(
            Text::for_tests("\"TITLE=$env:T\" | Out-File -FilePath $env:GITHUB_ENV -Append\n"),
            Dialect::PowerShell,
        );
        let written = file_writes(&script);
        assert_eq!((written[0].file, written[0].name.as_deref()), (FileCommand::Env, Some("TITLE")));
        let code = Text::for_tests("core.exportVariable('TITLE', context.payload.issue.title);");
        let written = javascript_writes(&code);
        assert_eq!((written[0].file, written[0].name.as_deref()), (FileCommand::Env, Some("TITLE")));
        assert_eq!(&code.value[written[0].value.clone()], " context.payload.issue.title");
    }
}
