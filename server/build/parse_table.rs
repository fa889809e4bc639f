//! The grammar's parse table made dense, at build time.
//!
//! tree-sitter's generator writes the parse table in two forms: a full row per state for the
//! few "large" states, indexed by symbol, and for every other state a list of groups (an
//! action or next state, then the symbols that lead to it) that the runtime scans from the
//! start at each lookup. The YAML grammar has 96 large states out of 1,579, so most lookups
//! scan: about 4% of `check`'s instructions on the corpus went to `ts_language_table_entry`
//! and `ts_language_next_state`. Here every state gets a full row (950 KB of table instead of
//! 60 KB), so each lookup is one index. The rows hold exactly the values the lists held, by
//! the same symbol names; a lookup of a symbol a state does not list reads 0 in both forms.

/// The generator's C source `parser_c` with every state large. Panics when the source is
/// not laid out as tree-sitter's generator lays it out, so that a regenerated grammar in
/// another layout fails the build instead of being compiled half-converted.
pub fn densify(parser_c: &str) -> String {
    let state_count = define(parser_c, "STATE_COUNT");
    let small_table = Section::find(parser_c, "static const uint16_t ts_small_parse_table[] = {");
    let small_map = Section::find(parser_c, "static const uint32_t ts_small_parse_table_map[] = {");
    let large_table =
        Section::find(parser_c, "static const uint16_t ts_parse_table[LARGE_STATE_COUNT][SYMBOL_COUNT] = {");
    assert!(
        large_table.end <= small_table.start && small_table.end <= small_map.start,
        "the tables appear in the generator's order"
    );
    let lists = state_lists(small_table.body(parser_c));
    let large_state_count = define(parser_c, "LARGE_STATE_COUNT");
    let rows: String = list_offsets(small_map.body(parser_c))
        .zip(large_state_count..)
        .map(|((state, offset), expected)| {
            assert_eq!(state, expected, "the small states are listed in order");
            let groups = lists.get(&offset).unwrap_or_else(|| panic!("state {state}'s list starts at {offset}"));
            row(state, groups)
        })
        .collect();
    assert_eq!(rows.matches("[STATE(").count(), state_count - large_state_count, "every small state has a row");
    let large_state_define = format!("#define LARGE_STATE_COUNT {large_state_count}\n");
    let mut dense = String::with_capacity(parser_c.len() + rows.len());
    dense.push_str(&parser_c[..large_table.body_end]);
    dense.push_str(&rows);
    dense.push_str(&parser_c[large_table.body_end..small_table.start]);
    // No state is read from the lists any more; the language still points at both arrays.
    dense.push_str("static const uint16_t ts_small_parse_table[] = {0};\n");
    dense.push_str(&parser_c[small_table.end..small_map.start]);
    dense.push_str("static const uint32_t ts_small_parse_table_map[] = {0};\n");
    dense.push_str(&parser_c[small_map.end..]);
    assert!(dense.contains(&large_state_define), "LARGE_STATE_COUNT is defined on a line of its own");
    dense.replacen(&large_state_define, &format!("#define LARGE_STATE_COUNT {state_count}\n"), 1)
}

/// The value of `#define name value`.
fn define(source: &str, name: &str) -> usize {
    let prefix = format!("#define {name} ");
    source
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("the grammar defines {name} as a number"))
}

/// A C array definition: from its first line to the end of its closing `};` line.
struct Section {
    start: usize,
    /// Where the `};` line starts.
    body_end: usize,
    end: usize,
}

impl Section {
    fn find(source: &str, opening: &str) -> Self {
        let start = source.find(&format!("\n{opening}\n")).unwrap_or_else(|| panic!("the grammar has `{opening}`")) + 1;
        let body_end = start
            + source[start..].find("\n};\n").unwrap_or_else(|| panic!("`{opening}` is closed by a `}};` line"))
            + 1;
        Self { start, body_end, end: body_end + "};\n".len() }
    }

    /// The lines between the opening and the closing line.
    fn body<'a>(&self, source: &'a str) -> &'a str {
        let first_line_end = self.start + source[self.start..].find('\n').expect("the opening line ends");
        &source[first_line_end + 1..self.body_end]
    }
}

/// One group of a state's list: the value (`ACTIONS(n)` or `STATE(n)`, kept as written) and
/// the symbols it is the value for.
struct Group<'a> {
    value: &'a str,
    /// How many symbols the list says follow.
    count: usize,
    symbols: Vec<&'a str>,
}

/// The small table's lists, by the offset each starts at. Its lines are `[offset] = groups,`,
/// then for each group `VALUE(n), count,` and `count` lines of one symbol name each.
fn state_lists(body: &str) -> std::collections::HashMap<usize, Vec<Group<'_>>> {
    let mut lists = std::collections::HashMap::new();
    let mut current: Option<(usize, Vec<Group<'_>>)> = None;
    for line in body.lines().map(str::trim) {
        let line = line.strip_suffix(',').unwrap_or_else(|| panic!("a list line ends with a comma: {line}"));
        if let Some((offset, _)) = line.strip_prefix('[').and_then(|rest| rest.split_once("] = ")) {
            lists.extend(current.replace((number(offset), Vec::new())));
        } else if let Some((value, count)) = line.split_once(", ") {
            let (_, groups) = current.as_mut().expect("a group belongs to a list");
            let count = number(count);
            groups.push(Group { value, count, symbols: Vec::with_capacity(count) });
        } else {
            assert!(line.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "a symbol name: {line}");
            let (_, groups) = current.as_mut().expect("a symbol belongs to a list");
            groups.last_mut().expect("a symbol follows its group's value").symbols.push(line);
        }
    }
    lists.extend(current);
    lists
}

/// The small states and where their lists start: lines `[SMALL_STATE(state)] = offset,`.
fn list_offsets(body: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    body.lines().map(|line| {
        let entry = line.trim().strip_prefix("[SMALL_STATE(").and_then(|rest| rest.strip_suffix(','));
        let (state, offset) =
            entry.and_then(|entry| entry.split_once(")] = ")).unwrap_or_else(|| panic!("a list offset: {line}"));
        (number(state), number(offset))
    })
}

/// A full row of the large table, written as the generator writes one.
fn row(state: usize, groups: &[Group<'_>]) -> String {
    let mut row = format!("  [STATE({state})] = {{\n");
    for group in groups {
        assert_eq!(group.symbols.len(), group.count, "state {state}'s group {} lists its symbols", group.value);
        for symbol in &group.symbols {
            row.push_str(&format!("    [{symbol}] = {},\n", group.value));
        }
    }
    row.push_str("  },\n");
    row
}

fn number(text: &str) -> usize {
    text.parse().unwrap_or_else(|_| panic!("a number: {text}"))
}
