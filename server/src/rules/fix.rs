//! Edits that quick fixes are made of, computed from the model's spans so that they keep the
//! file's indentation and comments: adding a key to a job or step, adding an entry to a
//! mapping such as `env:` or `with:`, removing an entry.

use std::ops::Range;

use super::Edit;
use crate::model::github::Step;
use crate::model::shell::{Command, Part, PartKind, Script, Word};
use crate::model::{Block, Text};
use crate::syntax::span::Span;
use crate::syntax::yaml::ScalarStyle;

/// Inserts `text` (one `key: value` or a key with a nested block, written at column 0 with
/// two-space nesting) as a new key before `first_key`, the first key of a block mapping whose
/// keys are at `column`. Returns `None` when the mapping is a flow mapping (no column).
pub fn insert_key(first_key: Span, column: Option<u32>, text: &str) -> Option<Edit> {
    let indent = " ".repeat(column? as usize);
    let mut inserted = String::new();
    for (index, line) in text.lines().enumerate() {
        if index > 0 {
            inserted.push_str(&indent);
        }
        inserted.push_str(line);
        inserted.push('\n');
    }
    inserted.push_str(&indent);
    Some(Edit::insert(first_key, inserted))
}

/// Appends `key: value` entries (one per line, written at column 0) to a block mapping such
/// as a step's `env:`, after its last entry and a comment on its line. Returns `None` for flow mappings and empty
/// blocks, whose indentation cannot be read.
pub fn append_entries(block: &Block, entries: &str) -> Option<Edit> {
    let indent = " ".repeat(block.entry_column? as usize);
    let appended: String = entries.lines().map(|line| format!("\n{indent}{line}")).collect();
    Some(Edit::insert_at_line_end(block.last_entry_end, appended))
}

/// Adds entries to the mapping `key` of a step or job: appended to it when it exists,
/// otherwise a new `key:` block inserted before the first key (`first_key`, at `column`).
pub fn add_to_mapping(
    existing: Option<&Block>,
    key: &str,
    first_key: Span,
    column: Option<u32>,
    entries: &str,
) -> Option<Edit> {
    match existing {
        Some(block) => append_entries(block, entries),
        None => {
            let nested: String = entries.lines().map(|line| format!("\n  {line}")).collect();
            insert_key(first_key, column, &format!("{key}:{nested}"))
        }
    }
}

/// Removes a `key: value` entry of a block mapping, given the entry's span (key to value).
pub fn remove_entry(entry: Span) -> Edit {
    Edit::delete_lines(entry)
}

/// Removes `entry` from `mapping`, and the mapping's key with it when the entry is its only
/// one, so that no empty `env:` or `variables:` is left behind. Returns `None` for flow
/// mappings, whose entries do not have lines of their own, and for entries merged in from
/// elsewhere.
pub fn remove_from_mapping(mapping: &Block, entry: Span) -> Option<Edit> {
    mapping.entry_column?;
    let (key, end) = (mapping.key, mapping.last_entry_end);
    let inside = entry.unit == key.unit && key.end <= entry.start && entry.end <= end.end;
    if !inside {
        return None;
    }
    Some(if mapping.entries == 1 { remove_entry(Span { end: end.end, ..key }) } else { remove_entry(entry) })
}

const FLOW_INDICATORS: [char; 5] = ['{', '}', '[', ']', ','];

/// Characters a plain scalar cannot start with.
const PLAIN_INDICATORS: &[char] =
    &['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`'];

/// Replaces the source at `span` of `text` with `replacement`, written as the scalar's style
/// needs it (`'` doubled in single quotes, `"` and `\\` escaped in double quotes). `None` when
/// `span` is not inside the text, or the replacement cannot be written there on one line: a
/// line break, or what would end, split or change a plain scalar (`: `, ` #`, flow
/// indicators, an indicator at its start).
pub fn replace_in_text(text: &Text, span: Span, replacement: &str) -> Option<Edit> {
    let inside = span.unit == text.span.unit && text.span.start <= span.start && span.end <= text.span.end;
    if !inside || replacement.contains(['\n', '\r']) {
        return None;
    }
    let written = match text.style {
        ScalarStyle::Plain => {
            let splits = replacement.contains(": ") || replacement.contains(" #");
            // A flow indicator would end a plain scalar inside a flow collection; one that
            // already holds an indicator is not inside one.
            let flow = replacement.contains(FLOW_INDICATORS) && !text.value.contains(FLOW_INDICATORS);
            let opens = span.start == text.span.start && replacement.starts_with(PLAIN_INDICATORS);
            (!splits && !flow && !opens).then(|| replacement.to_owned())?
        }
        ScalarStyle::SingleQuoted => replacement.replace('\'', "''"),
        ScalarStyle::DoubleQuoted => replacement.replace('\\', "\\\\").replace('"', "\\\""),
        ScalarStyle::Literal | ScalarStyle::Folded => replacement.to_owned(),
    };
    Some(Edit::replace(span, written))
}

/// The span of a scalar's text inside its quotes, given its value and its whole span, for
/// values that hold no escape (references such as `uses:` and images): the span itself
/// when plain, without the quotes when quoted, `None` when escapes make the two differ.
pub fn scalar_content(value: &str, span: Span) -> Option<Span> {
    match span.len().checked_sub(value.len())? {
        0 => Some(span),
        2 => Some(Span { start: span.start + 1, end: span.end - 1, ..span }),
        _ => None,
    }
}

/// Deletes a byte range of a script (words of a command line) with the blank before it, so
/// that `curl -k https://x` becomes `curl https://x`.
pub fn delete_from_script(script: &Script, range: Range<usize>) -> Edit {
    let before = script.text.value.get(..range.start).unwrap_or_default();
    let start = before.trim_end_matches([' ', '\t']).len();
    Edit::replace(script.span_of(start..range.end), "")
}

/// An environment variable name for a path, e.g. `ISSUE_TITLE` for
/// `github.event.issue.title` and `BRANCH` for `steps.meta.outputs.branch`, that the step
/// does not already use.
pub fn env_name(path: &str, step: &Step) -> Option<String> {
    let segments: Vec<&str> = path.split('.').filter(|s| *s != "*" && *s != "github" && *s != "event").collect();
    let kept = if matches!(segments.first(), Some(&("steps" | "needs" | "inputs" | "matrix"))) { 1 } else { 2 };
    let tail = &segments[segments.len().saturating_sub(kept)..];
    let base: String = tail.join("_").to_ascii_uppercase().replace('-', "_");
    if base.is_empty() {
        return None;
    }
    (0..100)
        .map(|n| if n == 0 { base.clone() } else { format!("{base}_{n}") })
        .find(|candidate| step.env.get(candidate).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::Text;
    use crate::model::shell::Dialect;

    fn shell(script: &str, name: &str) -> Option<String> {
        let parsed = Script::parse(Text::for_tests(script), Dialect::Posix);
        shell_env_reference(&parsed, script.find("${{").unwrap(), name)
    }

    fn javascript(code: &str) -> Option<String> {
        javascript_env_reference(code, code.find("${{").unwrap(), "T")
    }

    #[test]
    fn shell_references_keep_the_quoting() {
        assert_eq!(shell("echo ${{ x }}", "T").as_deref(), Some("\"${T}\""));
        assert_eq!(shell("echo \"a ${{ x }}\"", "T").as_deref(), Some("${T}"));
        assert_eq!(shell("echo 'a ${{ x }}'", "T").as_deref(), Some("'\"${T}\"'"));
        assert_eq!(shell("cat <<EOF\n${{ x }}\nEOF\n", "T").as_deref(), Some("${T}"));
        assert_eq!(shell("cat <<'EOF'\n${{ x }}\nEOF\n", "T"), None);
        assert_eq!(shell("# ${{ x }}\necho", "T"), None);
    }

    #[test]
    fn javascript_references_keep_the_quoting() {
        assert_eq!(javascript("const t = ${{ x }};").as_deref(), Some("process.env.T"));
        assert_eq!(javascript("const t = \"a ${{ x }}\";").as_deref(), Some("\" + process.env.T + \""));
        assert_eq!(javascript("const t = `a ${{ x }}`;").as_deref(), Some("${process.env.T}"));
        assert_eq!(javascript("const t = `a ${ f('`') } ${{ x }}`;").as_deref(), Some("${process.env.T}"));
        assert_eq!(javascript("// ${{ x }}"), None);
        assert_eq!(powershell_env_reference("echo '${{ x }}'", 6, "T").as_deref(), Some("' + $env:T + '"));
    }

    #[test]
    fn inserted_keys_follow_the_mapping_indentation() {
        let at = Span::document(10..14);
        let edit = insert_key(at, Some(4), "env:\n  A: 1").unwrap();
        assert_eq!(&*edit.replacement, "env:\n      A: 1\n    ");
        assert!(insert_key(at, None, "a: 1").is_none());
    }

    #[test]
    fn entries_are_appended_at_the_block_column() {
        let block = Block {
            key: Span::document(0..3),
            last_entry_end: Span::document(20..20),
            entry_column: Some(8),
            entries: 2,
        };
        assert_eq!(&*append_entries(&block, "A: 1\nB: 2").unwrap().replacement, "\n        A: 1\n        B: 2");
        let flow = Block { entry_column: None, ..block };
        assert!(append_entries(&flow, "A: 1").is_none());
    }

    #[test]
    fn a_removed_entry_takes_its_key_along_when_it_is_the_only_one() {
        let block = Block {
            key: Span::document(0..3),
            last_entry_end: Span::document(20..20),
            entry_column: Some(2),
            entries: 2,
        };
        let entry = Span::document(12..20);
        assert_eq!(remove_from_mapping(&block, entry).unwrap().span, entry);
        let sole = Block { entries: 1, ..block.clone() };
        assert_eq!(remove_from_mapping(&sole, entry).unwrap().span, Span::document(0..20));
        assert!(remove_from_mapping(&block, Span::document(30..40)).is_none(), "merged from elsewhere");
        assert!(remove_from_mapping(&Block { entry_column: None, ..block }, entry).is_none());
    }

    #[test]
    fn replacements_are_written_as_the_scalar_style_needs() {
        let text = |style| Text { style, ..Text::for_tests("echo $A done") };
        let at = Span::document(5..7);
        let replaced = |style, with| replace_in_text(&text(style), at, with).map(|edit| edit.replacement);
        assert_eq!(replaced(ScalarStyle::SingleQuoted, "'\"$A\"'").as_deref(), Some("''\"$A\"''"));
        assert_eq!(replaced(ScalarStyle::DoubleQuoted, "\"\\$A\"").as_deref(), Some("\\\"\\\\$A\\\""));
        assert_eq!(replaced(ScalarStyle::Plain, "\"$A\"").as_deref(), Some("\"$A\""));
        assert_eq!(replaced(ScalarStyle::Plain, "a: b"), None);
        assert_eq!(replaced(ScalarStyle::Plain, "${A}"), None, "maybe inside a flow collection");
        let block = Text { style: ScalarStyle::Plain, ..Text::for_tests("echo $A [x]") };
        assert_eq!(&*replace_in_text(&block, at, "${A}").unwrap().replacement, "${A}");
        assert_eq!(replaced(ScalarStyle::Literal, "a\nb"), None);
        assert!(replace_in_text(&text(ScalarStyle::Plain), Span::document(0..2), "'x").is_none());
        assert!(replace_in_text(&text(ScalarStyle::Plain), Span::document(8..20), "x").is_none());
    }

    #[test]
    fn words_are_deleted_with_the_blank_before_them() {
        let script =
            Script::parse(crate::model::Text::for_tests("curl  -k https://x"), crate::model::shell::Dialect::Posix);
        let edit = delete_from_script(&script, 6..8);
        assert_eq!((edit.span, &*edit.replacement), (Span::document(4..8), ""));
    }
}

/// How the code around an expression quotes it, which decides how a variable that replaces
/// it must be written to mean the same text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quoting {
    Bare,
    Double,
    Single,
    /// A JavaScript template literal.
    Template,
}

/// A reference to the environment variable `name` that can replace the `${{ }}` expression
/// at `offset` of a shell script, keeping its quoting: `"${NAME}"` bare, `${NAME}` inside
/// double quotes and expanding here-documents, `'"${NAME}"'` inside single quotes. `None`
/// where a variable would not be expanded (a comment, a quoted here-document).
pub fn shell_env_reference(script: &Script, offset: usize, name: &str) -> Option<String> {
    let quoting = shell_quoting(script, offset)?;
    Some(match quoting {
        Quoting::Bare => format!("\"${{{name}}}\""),
        Quoting::Double | Quoting::Template => format!("${{{name}}}"),
        Quoting::Single => format!("'\"${{{name}}}\"'"),
    })
}

/// Looks at the commands around `offset` only (they are sorted by where they start), so a
/// script with 100,000 expressions costs 100,000 short look-ups, not 100,000 scans.
fn shell_quoting(script: &Script, offset: usize) -> Option<Quoting> {
    let inside = |range: &std::ops::Range<usize>| range.start <= offset && offset < range.end;
    let before = script.commands.partition_point(|command| command.range.start <= offset);
    for command in script.commands[..before].iter().rev() {
        if let Some(heredoc) = command.heredoc.as_ref().filter(|heredoc| inside(&heredoc.body)) {
            return heredoc.expands.then_some(Quoting::Double);
        }
        if inside(&command.range) {
            return part_at(command, offset).and_then(|part| match (&part.kind, part.quoted) {
                (PartKind::Expression, false) => Some(Quoting::Bare),
                (PartKind::Expression, true) => Some(Quoting::Double),
                // Text inside double quotes holding `${{` would be an expression part.
                (PartKind::Literal, true) => Some(Quoting::Single),
                _ => None,
            });
        }
        // Top-level commands do not overlap: one that ended before `offset` is the last
        // that could hold it.
        if command.depth == 0 {
            return None;
        }
    }
    None
}

/// The word part of `command` at `offset`.
fn part_at(command: &Command, offset: usize) -> Option<&Part> {
    fn word_at(words: &[Word], offset: usize) -> Option<&Word> {
        let index = words.partition_point(|word| word.range.start <= offset).checked_sub(1)?;
        words.get(index).filter(|word| offset < word.range.end)
    }
    let targets = command.redirects.iter().filter_map(|redirect| redirect.target.as_ref());
    let word = word_at(&command.words, offset)
        .or_else(|| word_at(&command.assignments, offset))
        .or_else(|| targets.into_iter().find(|word| word.range.start <= offset && offset < word.range.end))?;
    word.parts.iter().find(|part| part.range.start <= offset && offset < part.range.end)
}

/// A reference to the environment variable `name` that can replace the expression at
/// `offset` of JavaScript code: `process.env.NAME`, `${process.env.NAME}` inside a template
/// literal, or string concatenation inside a quoted string. `None` inside a comment.
pub fn javascript_env_reference(code: &str, offset: usize, name: &str) -> Option<String> {
    let variable = format!("process.env.{name}");
    Some(match javascript_quoting(code, offset)? {
        (Quoting::Bare, _) => variable,
        (Quoting::Template, _) => format!("${{{variable}}}"),
        (_, quote) => format!("{quote} + {variable} + {quote}"),
    })
}

/// The quoting at `offset` of JavaScript code, and the quote character. Template literals
/// nest code in `${...}`, which is followed with a stack.
fn javascript_quoting(code: &str, offset: usize) -> Option<(Quoting, char)> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Code,
        Quoted(char),
        Template,
        LineComment,
        BlockComment,
    }
    let mut stack = vec![State::Code];
    let mut chars = code.get(..offset)?.chars().peekable();
    while let Some(c) = chars.next() {
        let state = *stack.last()?;
        match (state, c) {
            (State::Quoted(_) | State::Template, '\\') => {
                chars.next();
            }
            (State::Code, '\'' | '"') => stack.push(State::Quoted(c)),
            (State::Code, '`') => stack.push(State::Template),
            (State::Code, '/') if chars.peek() == Some(&'/') => stack.push(State::LineComment),
            (State::Code, '/') if chars.peek() == Some(&'*') => stack.push(State::BlockComment),
            (State::Code, '{') => stack.push(State::Code),
            (State::Code, '}') if stack.len() > 1 => {
                stack.pop();
            }
            (State::Quoted(quote), _) if c == quote => {
                stack.pop();
            }
            (State::Template, '`') => {
                stack.pop();
            }
            (State::Template, '$') if chars.peek() == Some(&'{') => {
                chars.next();
                stack.push(State::Code);
            }
            (State::LineComment, '\n') => {
                stack.pop();
            }
            (State::BlockComment, '*') if chars.peek() == Some(&'/') => {
                chars.next();
                stack.pop();
            }
            _ => {}
        }
    }
    match stack.last()? {
        State::Code => Some((Quoting::Bare, ' ')),
        State::Quoted(quote) => Some((Quoting::Double, *quote)),
        State::Template => Some((Quoting::Template, '`')),
        State::LineComment | State::BlockComment => None,
    }
}

/// A reference to the environment variable `name` that can replace the expression at
/// `offset` of a PowerShell script: `$env:NAME`, which PowerShell also expands inside
/// double quotes; inside single quotes, string concatenation.
pub fn powershell_env_reference(code: &str, offset: usize, name: &str) -> Option<String> {
    let mut quote = None;
    for c in code.get(..offset)?.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            _ => {}
        }
    }
    Some(match quote {
        Some('\'') => format!("' + $env:{name} + '"),
        _ => format!("$env:{name}"),
    })
}
