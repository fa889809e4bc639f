//! Edits that quick fixes are made of, computed from the model's spans so that they keep the
//! file's indentation and comments: adding a key to a job or step, adding an entry to a
//! mapping such as `env:` or `with:`, removing an entry.

use std::ops::Range;

use super::Edit;
use crate::model::Block;
use crate::model::shell::Script;
use crate::syntax::span::Span;

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
/// as a step's `env:`, after its last entry. Returns `None` for flow mappings and empty
/// blocks, whose indentation cannot be read.
pub fn append_entries(block: &Block, entries: &str) -> Option<Edit> {
    let indent = " ".repeat(block.entry_column? as usize);
    let appended: String = entries.lines().map(|line| format!("\n{indent}{line}")).collect();
    Some(Edit::insert(block.last_entry_end, appended))
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

/// Deletes a byte range of a script (words of a command line) with the blank before it, so
/// that `curl -k https://x` becomes `curl https://x`.
pub fn delete_from_script(script: &Script, range: Range<usize>) -> Edit {
    let before = script.text.value.get(..range.start).unwrap_or_default();
    let start = before.trim_end_matches([' ', '\t']).len();
    Edit::replace(script.span_of(start..range.end), "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserted_keys_follow_the_mapping_indentation() {
        let at = Span::document(10..14);
        let edit = insert_key(at, Some(4), "env:\n  A: 1").unwrap();
        assert_eq!(edit.replacement, "env:\n      A: 1\n    ");
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
        assert_eq!(append_entries(&block, "A: 1\nB: 2").unwrap().replacement, "\n        A: 1\n        B: 2");
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
    fn words_are_deleted_with_the_blank_before_them() {
        let script =
            Script::parse(crate::model::Text::for_tests("curl  -k https://x"), crate::model::shell::Dialect::Posix);
        let edit = delete_from_script(&script, 6..8);
        assert_eq!((edit.span, edit.replacement.as_str()), (Span::document(4..8), ""));
    }
}
