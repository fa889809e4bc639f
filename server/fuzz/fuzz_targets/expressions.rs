//! The `${{ }}` lexer on any text at any offset in a unit: no panic, and every span lies in
//! the text's span on character boundaries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pipewarden::model::expr::find_expressions;
use pipewarden::syntax::span::{Span, UnitId};

fuzz_target!(|data: &[u8]| {
    let Some((&offset, rest)) = data.split_first() else {
        return;
    };
    let Ok(raw) = std::str::from_utf8(rest) else {
        return;
    };
    let base = usize::from(offset);
    let span = Span::new(UnitId(1), base, base + raw.len());
    let in_raw = |inner: Span, what: &str| {
        assert_eq!(inner.unit, span.unit);
        let (start, end) = (inner.start as usize, inner.end as usize);
        assert!(
            base <= start && start <= end && end <= base + raw.len(),
            "{what} {inner:?} outside {span:?}"
        );
        assert!(
            raw.is_char_boundary(start - base) && raw.is_char_boundary(end - base),
            "{what} {inner:?} splits a character"
        );
    };
    for expression in find_expressions(raw, span) {
        in_raw(expression.span, "expression");
        for context in &expression.contexts {
            in_raw(context.span, "context");
            assert!(!context.path.is_empty());
        }
    }
});
