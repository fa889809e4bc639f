//! Substring search for the short needles of the bundled lists (token prefixes, API calls)
//! in the short texts of a pipeline (words, inputs, lines). `str::match_indices` builds a
//! two-way searcher per call, which costs more than the whole scan of a word; here a needle's
//! first byte is looked for and the rest compared.

/// Where `needle` occurs in `haystack`, left to right and not overlapping, as
/// `str::match_indices` finds them. An empty needle occurs nowhere.
pub fn occurrences<'a>(haystack: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (hay, pattern) = (haystack.as_bytes(), needle.as_bytes());
    let mut from = 0;
    std::iter::from_fn(move || {
        let (&first, rest) = pattern.split_first()?;
        while from + pattern.len() <= hay.len() {
            let last_start = hay.len() - pattern.len();
            let at = from + hay[from..=last_start].iter().position(|&byte| byte == first)?;
            if hay[at + 1..at + pattern.len()] == *rest {
                from = at + pattern.len();
                return Some(at);
            }
            from = at + 1;
        }
        None
    })
}

/// Where `needle` first occurs in `haystack`, as `str::find` says.
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    occurrences(haystack, needle).next()
}

/// `text` without `suffix` at its end, ignoring ASCII case.
pub fn strip_suffix_ignoring_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let at = text.len().checked_sub(suffix.len())?;
    text.get(at..).filter(|end| end.eq_ignore_ascii_case(suffix)).map(|_| &text[..at])
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case, without lowering either.
pub fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    find_ignoring_case(haystack, needle).is_some()
}

/// Where `needle` first occurs in `haystack`, ignoring ASCII case, as the lowered texts'
/// `find` says, without lowering either.
pub fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, pattern) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = pattern.split_first() else { return Some(0) };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = hay.len().checked_sub(pattern.len())?;
    // The first byte in either case, then the rest: comparing every window whole costs a
    // scan of the needle at each byte.
    (0..=last_start).find(|&at| {
        (hay[at] == lower || hay[at] == upper) && hay[at + 1..at + pattern.len()].eq_ignore_ascii_case(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_match_indices_finds() {
        let cases = [
            ("ghp_ and ghp_", "ghp_"),
            ("AKIAKIAKIA", "AKIA"),
            ("aaaa", "aa"),
            ("short", "longer than it"),
            ("", "x"),
            ("x", "x"),
            ("é then gh", "gh"),
            ("hooks.slack.com/services/ at the end hooks.slack.com/services/", "hooks.slack.com/services/"),
        ];
        for (haystack, needle) in cases {
            let expected: Vec<usize> = haystack.match_indices(needle).map(|(at, _)| at).collect();
            assert_eq!(occurrences(haystack, needle).collect::<Vec<_>>(), expected, "{needle:?} in {haystack:?}");
        }
        assert_eq!(occurrences("abc", "").count(), 0);
        assert_eq!(strip_suffix_ignoring_case("GH.EXE", ".exe"), Some("GH"));
        assert_eq!(strip_suffix_ignoring_case("exe", ".exe"), None);
        assert_eq!(strip_suffix_ignoring_case("é.exe", ".exe"), Some("é"));
        assert_eq!(strip_suffix_ignoring_case("aé", "x"), None);
        for (haystack, needle) in cases.iter().copied().chain([("abc", ""), ("", "")]) {
            assert_eq!(find(haystack, needle), haystack.find(needle), "{needle:?} in {haystack:?}");
        }
    }

    #[test]
    fn finds_ignoring_case_as_lowered_find() {
        let cases = [
            ("Deploy-Prod", "deploy"),
            ("x", "XY"),
            ("abc", ""),
            ("", ""),
            ("kubectl APPLY", "apply -"),
            ("curl http://169.254.169.254/LATEST/meta-data", "/latest/"),
            ("aaAB", "aab"),
            ("é METADATA.google.internal", "metadata.GOOGLE"),
            ("end", "END"),
            ("1x2X", "x"),
            ("ß", "s"),
        ];
        for (haystack, needle) in cases {
            let expected = haystack.to_ascii_lowercase().find(&needle.to_ascii_lowercase());
            assert_eq!(find_ignoring_case(haystack, needle), expected, "{needle:?} in {haystack:?}");
            assert_eq!(contains_ignoring_case(haystack, needle), expected.is_some());
        }
    }
}
