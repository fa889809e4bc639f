//! Where a shell script hands text to something that parses it again as code: `eval`, a
//! shell's `-c` command string (also inside `docker exec`, `find -exec`, `su -c`...), another
//! interpreter's program argument (`python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`,
//! `awk`, `pwsh -Command`), the remote command of `ssh`, an interpreter reading its program
//! from standard input, and script files a job writes and then runs.
//!
//! An expansion the shell makes once is data: `echo "$TITLE"` prints the title whatever it
//! holds, and so does `echo $TITLE` (split into words, never run). Only these places run it.

use std::ops::Range;

use super::search::strip_suffix_ignoring_case;
use super::shell::{Command, RedirectOp, Script, Word, basename, reference_at};

/// How an interpreter takes its program on the command line.
struct Interpreter {
    names: &'static [&'static str],
    /// Options whose next word is the program (`-c`); for shells, a short-option cluster
    /// holding one of these letters (`-ec`).
    code_options: &'static [&'static str],
    /// Options that take a value, which is skipped.
    valued: &'static [&'static str],
    /// Whether the program is the first operand (`awk '{print}'`).
    program_operand: bool,
    /// Whether every word after the code option is part of the program (`pwsh -Command a b`).
    takes_rest: bool,
    /// Whether it reads a program from standard input when given none.
    reads_stdin: bool,
}

/// POSIX shells, which take `-c`, `-s`, `-x`.
pub const SHELLS: &[&str] = &["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh"];

const INTERPRETERS: &[Interpreter] = &[
    Interpreter {
        names: SHELLS,
        code_options: &["c"],
        valued: &["-o", "+o", "-O", "+O", "--rcfile", "--init-file"],
        program_operand: false,
        takes_rest: false,
        reads_stdin: true,
    },
    Interpreter {
        names: &["python", "python2", "python3"],
        code_options: &["-c"],
        valued: &["-W", "-X"],
        program_operand: false,
        takes_rest: false,
        reads_stdin: true,
    },
    Interpreter {
        names: &["node", "nodejs"],
        code_options: &["-e", "--eval", "-p", "--print"],
        valued: &["-r", "--require"],
        program_operand: false,
        takes_rest: false,
        reads_stdin: true,
    },
    Interpreter {
        names: &["perl"],
        code_options: &["-e", "-E", "-ne", "-pe", "-le", "-lne", "-lpe", "-nle", "-ple"],
        valued: &[],
        program_operand: false,
        takes_rest: false,
        reads_stdin: true,
    },
    Interpreter {
        names: &["ruby"],
        code_options: &["-e"],
        valued: &["-I", "-r"],
        program_operand: false,
        takes_rest: false,
        reads_stdin: true,
    },
    Interpreter {
        names: &["php"],
        code_options: &["-r"],
        valued: &["-c", "-d"],
        program_operand: false,
        takes_rest: false,
        reads_stdin: false,
    },
    Interpreter {
        names: &["awk", "gawk", "mawk", "nawk"],
        code_options: &[],
        valued: &["-F", "-v", "-f"],
        program_operand: true,
        takes_rest: false,
        reads_stdin: false,
    },
    Interpreter {
        names: &["pwsh", "powershell"],
        code_options: &["-c", "-command"],
        valued: &["-executionpolicy", "-workingdirectory"],
        program_operand: false,
        takes_rest: true,
        reads_stdin: false,
    },
];

/// `ssh` options that take a value.
const SSH_VALUED: &[&str] = &[
    "-b", "-B", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p", "-Q", "-R", "-S",
    "-W", "-w",
];

/// How many commands of a pipeline are followed back from where its output goes: more than
/// real scripts chain, and a bound for hostile ones.
pub const MAX_PIPE: usize = 16;

/// Commands whose output carries the text of their arguments or input.
const PASS_THROUGH: &[&str] = &[
    "echo", "printf", "cat", "tr", "cut", "head", "tail", "sed", "grep", "sort", "uniq", "tee", "rev", "fold", "fmt",
    "jq", "awk",
];

/// A word that something parses as code.
#[derive(Debug, Clone, Copy)]
pub struct CodeWord<'a> {
    pub word: &'a Word,
    /// What parses it, for messages: "`eval`", "`bash -c`", "the remote shell of `ssh`".
    pub parser: &'static str,
}

/// Whether some interpreter's name starts with a byte, for each byte.
const INTERPRETER_INITIALS: [bool; 256] = interpreter_initials();

const fn interpreter_initials() -> [bool; 256] {
    let mut initials = [false; 256];
    let mut interpreter = 0;
    while interpreter < INTERPRETERS.len() {
        let names = INTERPRETERS[interpreter].names;
        let mut name = 0;
        while name < names.len() {
            initials[names[name].as_bytes()[0] as usize] = true;
            name += 1;
        }
        interpreter += 1;
    }
    initials
}

/// The interpreter a program name is, in any case, with or without `.exe`. Asked of every
/// word that could be a program, so nothing is lowered or copied.
fn interpreter(name: &str) -> Option<&'static Interpreter> {
    // Most words (arguments, options) start with a letter no interpreter's name starts with.
    let first = *name.as_bytes().first()?;
    if !INTERPRETER_INITIALS[usize::from(first.to_ascii_lowercase())] {
        return None;
    }
    let mut name = name;
    while let Some(stem) = strip_suffix_ignoring_case(name, ".exe") {
        name = stem;
    }
    // `python3.12`, `perl5.36`.
    let family = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    let names =
        |interpreter: &Interpreter, name: &str| interpreter.names.iter().any(|known| known.eq_ignore_ascii_case(name));
    INTERPRETERS.iter().find(|i| names(i, name) || (!family.is_empty() && names(i, family)))
}

/// What an interpreter at `words[at]` does with the words after it.
enum Invocation<'a> {
    /// Runs these words as its program.
    Code(&'a [Word]),
    /// Runs this file.
    File(&'a Word),
    /// Reads its program from standard input.
    Stdin,
    /// Something else (`python -m module`, `php file` without `-r`).
    Other,
}

fn invocation<'a>(interpreter: &Interpreter, words: &'a [Word]) -> Invocation<'a> {
    let is_shell = interpreter.names == SHELLS;
    // A shell's `-c` makes its first operand the command string, after any other options.
    let mut command_string = false;
    let mut operands_only = false;
    let mut index = 0;
    while let Some(word) = words.get(index) {
        let text = word.text.as_str();
        let is_option =
            !operands_only && text.len() > 1 && (text.starts_with('-') || (is_shell && text.starts_with('+')));
        if !is_option {
            return if text == "-" && interpreter.reads_stdin {
                Invocation::Stdin
            } else if command_string || interpreter.program_operand {
                Invocation::Code(&words[index..=index])
            } else {
                Invocation::File(word)
            };
        }
        index += 1;
        if text == "--" {
            operands_only = true;
        } else if interpreter.valued.iter().any(|valued| valued.eq_ignore_ascii_case(text)) {
            if interpreter.program_operand && text == "-f" {
                return Invocation::Other;
            }
            index += 1;
        } else if is_shell && !text.starts_with("--") {
            command_string |= text[1..].contains('c');
            if !command_string && text[1..].contains('s') {
                return Invocation::Stdin;
            }
        } else if interpreter.code_options.iter().any(|option| option.eq_ignore_ascii_case(text)) {
            let end = if interpreter.takes_rest { words.len() } else { (index + 1).min(words.len()) };
            return if index < end { Invocation::Code(&words[index..end]) } else { Invocation::Other };
        } else if text == "-m" {
            return Invocation::Other;
        }
    }
    if interpreter.reads_stdin && !command_string { Invocation::Stdin } else { Invocation::Other }
}

/// The words `command` hands to a parser as code.
pub fn code_words(command: &Command) -> Vec<CodeWord<'_>> {
    let Some(name_index) = command.name_index() else { return Vec::new() };
    if command.name() == Some("eval") {
        return command.args().iter().map(|word| CodeWord { word, parser: "`eval`" }).collect();
    }
    let words = &command.words;
    // The first program named on the line decides: `docker exec app sh -c "..."`,
    // `find . -exec bash -c "..." \;`, `sshpass -p x ssh host "..."`.
    for (index, word) in words.iter().enumerate().skip(name_index) {
        if !word.is_literal() {
            continue;
        }
        let rest = &words[index + 1..];
        let (code, parser): (&[Word], &'static str) = match basename(&word.text) {
            "ssh" => (ssh_command(rest), "the remote shell of `ssh`"),
            "su" => {
                let at = rest.iter().position(|w| w.text == "-c" || w.text == "--command");
                (at.and_then(|at| rest.get(at + 1..at + 2)).unwrap_or(&[]), "`su -c`")
            }
            program => match interpreter(program) {
                Some(interpreter) => match invocation(interpreter, rest) {
                    Invocation::Code(code) => (code, parser_name(interpreter)),
                    _ => (&[], ""),
                },
                None => continue,
            },
        };
        return code.iter().map(|word| CodeWord { word, parser }).collect();
    }
    Vec::new()
}

fn parser_name(interpreter: &Interpreter) -> &'static str {
    match interpreter.names[0] {
        "sh" => "a shell's `-c` command string",
        "python" => "`python -c`",
        "node" => "`node -e`",
        "perl" => "`perl -e`",
        "ruby" => "`ruby -e`",
        "php" => "`php -r`",
        "awk" => "the `awk` program",
        _ => "`pwsh -Command`",
    }
}

/// The remote command of `ssh [options] destination command...`.
fn ssh_command(words: &[Word]) -> &[Word] {
    let mut index = 0;
    while let Some(word) = words.get(index) {
        if SSH_VALUED.contains(&word.text.as_str()) {
            index += 2;
        } else if word.text.starts_with('-') {
            index += 1;
        } else {
            return &words[index + 1..];
        }
    }
    &[]
}

/// The program that reads `command`'s standard input as code, for messages: a shell or
/// interpreter given no program (`sh`, `bash -s`, `python3 -`), `ssh host` without a
/// command, `source /dev/stdin`.
pub fn stdin_parser(command: &Command) -> Option<String> {
    let name = command.name()?;
    let args = command.args();
    let reads = match name {
        "ssh" => ssh_command(args).is_empty() && args.iter().any(|a| !a.text.starts_with('-')),
        "source" | "." => args.first().is_some_and(|a| a.text == "/dev/stdin"),
        _ => interpreter(name)
            .filter(|interpreter| interpreter.reads_stdin)
            .is_some_and(|interpreter| matches!(invocation(interpreter, args), Invocation::Stdin)),
    };
    reads.then(|| if name == "ssh" { "the remote shell of `ssh`".to_owned() } else { format!("`{name}`") })
}

/// The file `command` runs as a program: `sh x.sh`, `python3 gen.py`, `source x`, `. x`,
/// `./x.sh`.
pub fn executed_file(command: &Command) -> Option<&Word> {
    let program = &command.words[command.name_index()?];
    let args = command.args();
    match command.name()? {
        "source" | "." => args.first(),
        name => match interpreter(name) {
            Some(interpreter) => match invocation(interpreter, args) {
                Invocation::File(file) => Some(file),
                _ => None,
            },
            None => (program.text.contains('/') && program.is_literal()).then_some(program),
        },
    }
}

/// Whether a command's output carries the text of its arguments or input (`echo`, `printf`,
/// `sed`, `tr`...), so that what it reads is what it prints.
pub fn passes_input_through(command: &Command) -> bool {
    command.name().is_some_and(|name| PASS_THROUGH.contains(&name))
}

/// The variables whose values `command` prints: the arguments of `echo` and `printf`, an
/// expanding here-document or here-string fed to it, and the variables `envsubst` is told to
/// substitute. Ranges are offsets in the script.
pub fn emitted_variables<'s>(script: &'s Script, command: &'s Command) -> Vec<(&'s str, Range<usize>)> {
    let mut found = Vec::new();
    let word_variables = |word: &'s Word| word.variables().map(|(name, part)| (name, part.range.clone()));
    match command.name() {
        Some("echo" | "printf") => found.extend(command.args().iter().flat_map(word_variables)),
        Some("envsubst") => {
            for word in command.args().iter().filter(|word| !word.text.starts_with('-')) {
                let start = word.parts.first().map_or(word.range.start, |part| part.range.start);
                found.extend(dollar_references(&word.text).map(|(name, range)| (name, start..start + range.len())));
            }
        }
        _ => {}
    }
    if let Some(heredoc) = command.heredoc.as_ref().filter(|heredoc| heredoc.expands) {
        let body = heredoc.body.start;
        found.extend(
            dollar_references(script.heredoc_text(heredoc))
                .map(|(name, range)| (name, body + range.start..body + range.end)),
        );
    }
    for redirect in command.redirects.iter().filter(|redirect| redirect.op == RedirectOp::HereString) {
        found.extend(redirect.target.iter().flat_map(word_variables));
    }
    found
}

/// The variables whose values `command` writes out: those it prints
/// ([`emitted_variables`]), and those printed by the commands piped into it, through any
/// filter (`echo "$KEY" | base64 -d > key`, `echo "$X" | tee run.sh`).
pub fn written_variables<'s>(script: &'s Script, command: &'s Command) -> Vec<(&'s str, Range<usize>)> {
    let mut found = emitted_variables(script, command);
    for source in script.piped_from(command).take(MAX_PIPE) {
        found.extend(emitted_variables(script, source));
    }
    found
}

/// `$NAME` and `${NAME}` in shell text that is expanded (a here-document body); `\$` is a
/// literal dollar.
fn dollar_references(text: &str) -> impl Iterator<Item = (&str, Range<usize>)> {
    text.match_indices('$').filter_map(move |(at, _)| {
        if at > 0 && text.as_bytes()[at - 1] == b'\\' {
            return None;
        }
        reference_at(text, at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Text;
    use crate::model::shell::Dialect;

    #[test]
    fn interpreters_are_found_in_any_case_and_only_by_their_names() {
        // The initials are read lowered: the names must be written in lower case.
        assert!(INTERPRETERS.iter().flat_map(|i| i.names).all(|name| *name == name.to_ascii_lowercase()));
        for (word, parser) in [("BASH", Some("sh")), ("Python3.12", Some("python")), ("PWSH.EXE", Some("pwsh"))] {
            assert_eq!(interpreter(word).map(|i| i.names[0]), parser, "{word}");
        }
        for word in ["install", "-c", "", "bashful", "python-x", "$SHELL"] {
            assert!(interpreter(word).is_none(), "{word}");
        }
    }

    fn script(text: &str) -> Script {
        Script::parse(Text::for_tests(text), Dialect::Posix)
    }

    fn code(text: &str) -> Vec<(String, &'static str)> {
        let script = script(text);
        script
            .commands
            .iter()
            .flat_map(|command| code_words(command).into_iter().map(|code| (code.word.text.clone(), code.parser)))
            .collect()
    }

    #[test]
    fn words_parsed_as_code() {
        assert_eq!(code("eval \"echo $X\""), [("echo $X".to_owned(), "`eval`")]);
        assert_eq!(code("bash -ec \"run $X\" arg0"), [("run $X".to_owned(), "a shell's `-c` command string")]);
        assert_eq!(code("docker exec app sh -c \"cd $X\"")[0].0, "cd $X");
        assert_eq!(code("sudo -u app bash -o pipefail -c \"$X\"")[0].0, "$X");
        assert_eq!(code("python3 -c \"print('$X')\"")[0].1, "`python -c`");
        assert_eq!(code("perl -ne \"print if /$X/\" f")[0].0, "print if /$X/");
        assert_eq!(code("awk -F: \"{print \\\"$X\\\"}\" f")[0].1, "the `awk` program");
        assert_eq!(code("ssh -i key -p 22 deploy@host \"cd /app && ./deploy $X\"")[0].0, "cd /app && ./deploy $X");
        assert_eq!(code("pwsh -Command Write-Host $X").len(), 2);
        assert!(code("sh CI/build.sh -c $X").is_empty(), "`-c` after the script belongs to the script");
        assert!(code("bash script.sh \"$X\"").is_empty());
        assert!(code("echo \"$X\"; git checkout $X; python3 -m pip install $X").is_empty());
    }

    #[test]
    fn programs_read_from_stdin_and_files() {
        let script = script(
            "echo x | sh\nbash -s -- a\nssh host\nssh host ls\nsh run.sh\nsource ./env.sh\n./gen.sh\npython3 gen.py\nbash -c x",
        );
        let stdin: Vec<bool> = script.commands.iter().map(|c| stdin_parser(c).is_some()).collect();
        assert_eq!(stdin, [false, true, true, true, false, false, false, false, false, false]);
        let files: Vec<Option<&str>> =
            script.commands.iter().map(|c| executed_file(c).map(|w| w.text.as_str())).collect();
        assert_eq!(
            files,
            [None, None, None, None, None, Some("run.sh"), Some("./env.sh"), Some("./gen.sh"), Some("gen.py"), None]
        );
    }

    #[test]
    fn emitted_text() {
        let script = script(
            "cat > run.sh <<EOF\ngit tag $TAG \\$NOT\nEOF\necho \"x $A\" ${B} > f\nenvsubst '$C' < t\ncat <<'EOF'\n$D\nEOF",
        );
        let names: Vec<&str> =
            script.commands.iter().flat_map(|c| emitted_variables(&script, c)).map(|(name, _)| name).collect();
        assert_eq!(names, ["TAG", "A", "B", "C"]);
        let (_, range) = &emitted_variables(&script, &script.commands[0])[0];
        assert_eq!(script.slice(range.clone()), "$TAG");
    }
}
