//! Where a piece of a processed string value was written in the source.
//!
//! A scalar's value is its source with quotes, escapes, block indentation and line folding
//! processed away. Rules search the value (a script, a command line) and must point at the
//! source; an [`OffsetMap`] translates. It aligns the value with its raw source once, when the
//! value is read, and keeps only the points where the two drift apart (one per line of a
//! block scalar), so a lookup is a binary search.

use std::ops::Range;

/// How many raw bytes the alignment skips looking for a value byte before it assumes the
/// value byte was produced by an escape and moves on. Bounds the work on odd escapes.
const MAX_SKIP: usize = 16;

/// Value offsets to raw offsets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OffsetMap {
    /// `(value offset, raw offset)` pairs, sorted; between two anchors the map is a shift.
    anchors: Vec<(u32, u32)>,
    raw_len: u32,
}

impl OffsetMap {
    /// Aligns `value` with `raw`, the source it was processed from.
    pub fn align(value: &str, raw: &str) -> Self {
        Self::align_by(value, raw, true)
    }

    /// [`OffsetMap::align`], matching lines written as they are read at once when
    /// `whole_lines` says so (the same map, sooner), else byte by byte.
    fn align_by(value: &str, raw: &str, whole_lines: bool) -> Self {
        // Most values are plain scalars, written as they are.
        if value == raw {
            return Self { anchors: vec![(0, 0)], raw_len: raw.len() as u32 };
        }
        let (value, raw) = (value.as_bytes(), raw.as_bytes());
        let mut anchors = vec![(0u32, 0u32)];
        let (mut v, mut r) = (0usize, 0usize);
        let mut shift = 0isize;
        while v < value.len() && r < raw.len() {
            r += block_indentation(value, v, raw, r);
            // A line written as it is read (a block scalar's, past its indentation) is one
            // shift: matched at once rather than byte by byte, as each byte would match in
            // place. Tried once per line, so that a line that differs costs no more.
            if whole_lines && (v == 0 || value[v - 1] == b'\n') {
                let line = memchr::memchr(b'\n', &value[v..]).map_or(value.len() - v, |newline| newline + 1);
                if raw[r..].starts_with(&value[v..v + line]) {
                    let new_shift = r as isize - v as isize;
                    if new_shift != shift {
                        anchors.push((v as u32, r as u32));
                        shift = new_shift;
                    }
                    v += line;
                    r += line;
                    continue;
                }
            }
            let wanted = value[v];
            let found = if raw[r] == wanted {
                Some(r)
            } else if wanted == b' ' && raw[r] == b'\n' {
                // A folded line break.
                Some(r)
            } else {
                (r + 1..raw.len().min(r + 1 + MAX_SKIP)).find(|&candidate| raw[candidate] == wanted)
            };
            let matched = found.unwrap_or(r);
            let new_shift = matched as isize - v as isize;
            if new_shift != shift {
                anchors.push((v as u32, matched as u32));
                shift = new_shift;
            }
            v += 1;
            r = matched + 1;
            // Folding turns a line break and the next line's indentation into one space.
            if wanted == b' ' && raw[matched] == b'\n' {
                while r < raw.len() && matches!(raw[r], b' ' | b'\t') {
                    r += 1;
                }
            }
        }
        Self { anchors, raw_len: raw.len() as u32 }
    }

    /// The raw offset of a value offset.
    pub fn raw_offset(&self, value_offset: usize) -> usize {
        let value_offset = value_offset.min(u32::MAX as usize) as u32;
        let index = self.anchors.partition_point(|(value, _)| *value <= value_offset).saturating_sub(1);
        let (value, raw) = self.anchors.get(index).copied().unwrap_or((0, 0));
        ((raw + (value_offset - value)).min(self.raw_len)) as usize
    }

    /// The value offset of a raw offset: where the text written at `raw_offset` ended up.
    pub fn value_offset(&self, raw_offset: usize) -> usize {
        let raw_offset = raw_offset.min(u32::MAX as usize) as u32;
        let index = self.anchors.partition_point(|(_, raw)| *raw <= raw_offset).saturating_sub(1);
        let (value, raw) = self.anchors.get(index).copied().unwrap_or((0, 0));
        (value + raw_offset.saturating_sub(raw)) as usize
    }

    /// The raw range of a value range.
    pub fn raw_range(&self, range: Range<usize>) -> Range<usize> {
        let start = self.raw_offset(range.start);
        // The end is mapped from the last byte so that a range ending at a line break does
        // not reach across the next line's indentation.
        let end = if range.end > range.start { self.raw_offset(range.end - 1) + 1 } else { start };
        start..end.clamp(start, (self.raw_len as usize).max(start))
    }
}

/// At the start of a line of both, the indentation of a block scalar's line that its value
/// drops: how far the raw line is indented beyond the value's line. Skipped at once, since
/// it can be longer than the alignment looks ahead.
fn block_indentation(value: &[u8], v: usize, raw: &[u8], r: usize) -> usize {
    let line_start = |bytes: &[u8], at: usize| at == 0 || bytes[at - 1] == b'\n';
    if !line_start(value, v) || !line_start(raw, r) {
        return 0;
    }
    let spaces = |bytes: &[u8], at: usize| bytes[at..].iter().take_while(|&&b| b == b' ').count();
    spaces(raw, r).saturating_sub(spaces(value, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_of<'a>(value: &str, raw: &'a str, needle: &str) -> &'a str {
        let map = OffsetMap::align(value, raw);
        let start = value.find(needle).unwrap();
        &raw[map.raw_range(start..start + needle.len())]
    }

    #[test]
    fn literal_blocks_map_past_indentation() {
        let raw = "echo a\n    curl x | sh\n    done\n";
        let value = "echo a\ncurl x | sh\ndone\n";
        assert_eq!(raw_of(value, raw, "curl x | sh"), "curl x | sh");
        assert_eq!(raw_of(value, raw, "done"), "done");
    }

    #[test]
    fn deep_block_indentation_is_skipped_whatever_its_width() {
        let indent = " ".repeat(40);
        let raw = format!("{indent}echo a\n{indent}  curl x | sh\n{indent}done\n");
        let value = "echo a\n  curl x | sh\ndone\n";
        assert_eq!(raw_of(value, &raw, "echo a"), "echo a");
        assert_eq!(raw_of(value, &raw, "  curl x | sh"), "  curl x | sh");
        assert_eq!(raw_of(value, &raw, "done"), "done");
    }

    #[test]
    fn deeply_indented_blocks_map_past_indentation() {
        let indent = " ".repeat(20);
        let raw = format!("curl -k a\n{indent}curl --insecure b\n{indent}  done\n");
        let value = "curl -k a\ncurl --insecure b\n  done\n";
        assert_eq!(raw_of(value, &raw, "--insecure"), "--insecure");
        assert_eq!(raw_of(value, &raw, "done"), "done");
    }

    #[test]
    fn folded_and_plain_multi_line_values_map_each_line() {
        let raw = "first line\n  second line";
        let value = "first line second line";
        assert_eq!(raw_of(value, raw, "second"), "second");
        assert_eq!(raw_of(value, raw, "line second"), "line\n  second");
    }

    #[test]
    fn escapes_in_double_quoted_values() {
        let raw = r#"echo \"hi\" && curl -k x"#;
        let value = r#"echo "hi" && curl -k x"#;
        assert_eq!(raw_of(value, raw, "curl -k"), "curl -k");
    }

    #[test]
    fn raw_offsets_map_back_to_the_value() {
        let raw = "echo a\n    curl x | sh\n";
        let value = "echo a\ncurl x | sh\n";
        let map = OffsetMap::align(value, raw);
        assert_eq!(map.value_offset(raw.find("curl").unwrap()), value.find("curl").unwrap());
        assert_eq!(map.value_offset(2), 2);
    }

    #[test]
    fn lines_matched_at_once_map_as_byte_by_byte() {
        let indent = " ".repeat(12);
        let samples = [
            ("echo a\ncurl x | sh\n  done\n".to_owned(), format!("echo a\n{indent}curl x | sh\n{indent}  done\n")),
            ("a b\nc\n".to_owned(), "a\n  b\n\n  c\n".to_owned()),
            ("first line second line".to_owned(), "first line\n  second line".to_owned()),
            (r#"echo "hi" && curl -k x"#.to_owned(), r#"echo \"hi\" && curl -k x"#.to_owned()),
            ("x\n\ny\nz".to_owned(), format!("{indent}x\n\n{indent}y\n{indent}z\n")),
            ("tab\there\n".to_owned(), "tab\\there\n".to_owned()),
            (String::new(), "  \n".to_owned()),
        ];
        for (value, raw) in samples {
            assert_eq!(
                OffsetMap::align(&value, &raw),
                OffsetMap::align_by(&value, &raw, false),
                "{value:?} in {raw:?}"
            );
        }
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let map = OffsetMap::align("ab", "ab");
        assert_eq!(map.raw_range(1..10), 1..2);
        assert_eq!(OffsetMap::align("", "").raw_range(0..3), 0..0);
    }
}
