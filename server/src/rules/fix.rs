//! Edits that quick fixes are made of, computed from the model's spans so that they keep the
//! file's indentation and comments: adding a key to a job or step, adding an entry to a
//! mapping such as `env:` or `with:`, removing an entry.

use super::Edit;
use crate::model::Block;
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
        let block = Block { key: Span::document(0..3), last_entry_end: Span::document(20..20), entry_column: Some(8) };
        assert_eq!(append_entries(&block, "A: 1\nB: 2").unwrap().replacement, "\n        A: 1\n        B: 2");
        let flow = Block { entry_column: None, ..block };
        assert!(append_entries(&flow, "A: 1").is_none());
    }
}
