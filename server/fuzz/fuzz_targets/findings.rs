//! Any text, analysed as every kind of pipeline file: no panic, no rule failure, and every
//! range of the report lies in the text on character boundaries.

#![no_main]

#[path = "support.rs"]
mod support;

use libfuzzer_sys::fuzz_target;
use pipewarden::analysis::analyze_text;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for kind in support::KINDS {
        support::assert_sound(text, &analyze_text(kind, text));
    }
});
