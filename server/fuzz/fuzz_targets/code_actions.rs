//! Every fix offered for any document: its edits are valid, non-overlapping byte ranges, and
//! the text they produce analyses soundly too.

#![no_main]

#[path = "support.rs"]
mod support;

use libfuzzer_sys::fuzz_target;
use pipewarden::analysis::analyze_text;

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let kind = support::kind_of(kind);
    let report = analyze_text(kind, text);
    support::assert_sound(text, &report);
    for finding in &report.findings {
        for fix in &finding.fixes {
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
            for pair in edits.windows(2) {
                assert!(
                    pair[0].range.end <= pair[1].range.start,
                    "{}: overlapping edits {:?} and {:?}",
                    fix.title,
                    pair[0].range,
                    pair[1].range
                );
            }
            let mut fixed = text.to_owned();
            for edit in edits.iter().rev() {
                fixed.replace_range(edit.range.clone(), &edit.replacement);
            }
            support::assert_sound(&fixed, &analyze_text(kind, &fixed));
        }
    }
});
