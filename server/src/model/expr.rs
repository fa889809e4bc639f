//! A lexer for GitHub Actions expressions (`${{ ... }}`).
//!
//! It finds the expressions in a string and the context paths they read, such as
//! `github.event.issue.title`, with their spans, and tells whether each path's value can end
//! up in the expression's result (`${{ github.head_ref }}`) or only decides a condition
//! (`${{ github.head_ref == 'main' }}`, `${{ contains(github.head_ref, 'x') }}`).

use std::ops::Range;

use smallvec::SmallVec;

use super::{CollectExact, search};
use crate::syntax::span::Span;

/// One `${{ ... }}` in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    /// From `${{` to `}}` inclusive (to the end of the string when unterminated).
    pub span: Span,
    /// The text between the braces, trimmed.
    pub source: String,
    pub contexts: Vec<ContextRef>,
    /// Whether the expression turns objects into text whole (`toJSON(github.event)`), so
    /// that every field inside an object it reads reaches its result.
    pub dumps_objects: bool,
}

impl Expression {
    /// The secret whose value reaches the expression's result: `secrets.NAME`, or the job's
    /// token (`github.token`). A secret only compared or tested is not counted.
    pub fn secret(&self) -> Option<&ContextRef> {
        self.contexts
            .iter()
            .filter(|context| context.reaches_result)
            .find(|context| context.is_under("secrets") || context.path == "github.token")
    }
}

/// A context path read by an expression, e.g. `github.event.pull_request.head.ref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRef {
    /// Normalised: indexes with string literals become dots (`github['head_ref']` is
    /// `github.head_ref`), other indexes and filters become `*`.
    pub path: String,
    pub span: Span,
    /// Whether the value can reach the expression's result; false when it is only compared or
    /// tested by a boolean function.
    pub reaches_result: bool,
}

impl ContextRef {
    /// Whether the path is `prefix` or lies under it (`github.event` covers
    /// `github.event.issue.title`).
    pub fn is_under(&self, prefix: &str) -> bool {
        self.path == prefix || (self.path.starts_with(prefix) && self.path.as_bytes().get(prefix.len()) == Some(&b'.'))
    }

    /// The name of the secret read, `NPM_TOKEN` for `secrets.NPM_TOKEN`; `None` for other
    /// contexts and for `secrets` read whole or by a computed index.
    pub fn secret_name(&self) -> Option<&str> {
        let name = self.path.strip_prefix("secrets.")?;
        (!name.contains('.') && name != "*").then_some(name)
    }

    /// Whether this reads the workflow's own token: `secrets.GITHUB_TOKEN` or `github.token`.
    pub fn is_github_token(&self) -> bool {
        self.secret_name().is_some_and(|name| name.eq_ignore_ascii_case("GITHUB_TOKEN"))
            || self.path.eq_ignore_ascii_case("github.token")
    }
}

/// Finds every expression in `raw`, the source text of `span`.
pub fn find_expressions(raw: &str, span: Span) -> Vec<Expression> {
    let mut expressions = Vec::new();
    let mut from = 0;
    while let Some(found) = search::find(&raw[from..], "${{") {
        let open = from + found;
        let body_start = open + 3;
        let body_end = body_end(&raw[body_start..]).map_or(raw.len(), |end| body_start + end);
        let close = (body_end + 2).min(raw.len());
        let body = &raw[body_start..body_end];
        expressions.push(Expression {
            span: span.slice(open..close),
            source: body.trim().to_owned(),
            contexts: context_refs(body, body_start, span),
            dumps_objects: body.as_bytes().windows(7).any(|window| window.eq_ignore_ascii_case(b"tojson(")),
        });
        from = close.max(open + 3);
    }
    // Kept in the model with the text they were found in.
    expressions.shrink_to_fit();
    expressions
}

/// The secrets other than `GITHUB_TOKEN` the expressions of `text` read, as `secrets.NAME`:
/// long-lived credentials stored in the repository's settings.
pub fn stored_secrets(text: &str) -> impl Iterator<Item = String> {
    find_expressions(text, Span::document(0..text.len())).into_iter().flat_map(|e| e.contexts).filter_map(|context| {
        let name = context.path.strip_prefix("secrets.")?;
        (!name.eq_ignore_ascii_case("github_token") && name != "*").then_some(context.path)
    })
}

/// The offset of the `}}` that closes an expression body, skipping string literals.
fn body_end(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut index = 0;
    let mut in_string = false;
    while index < bytes.len() {
        match bytes[index] {
            b'\'' => in_string = !in_string,
            b'}' if !in_string && bytes.get(index + 1) == Some(&b'}') => return Some(index),
            _ => {}
        }
        index += 1;
    }
    None
}

/// A token of an expression's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    Ident(&'a str),
    /// A string literal's content as written (`''` stands for `'`).
    Str(&'a str),
    Number,
    Dot,
    Star,
    OpenBracket,
    CloseBracket,
    OpenParen,
    CloseParen,
    Comma,
    Not,
    Compare(Comparison),
    And,
    Or,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Equal,
    NotEqual,
    /// `<`, `<=`, `>`, `>=`.
    Ordering,
}

/// The tokens of an expression's body, with their byte ranges.
pub fn tokenize(body: &str) -> Vec<(Token<'_>, usize, usize)> {
    let bytes = body.as_bytes();
    // Tokens are a few bytes long, and the list is read and dropped: made at a size that
    // seldom has to grow.
    let mut tokens = Vec::with_capacity(body.len() / 3 + 1);
    let mut index = 0;
    while index < bytes.len() {
        let start = index;
        let byte = bytes[index];
        let token = match byte {
            b' ' | b'\t' | b'\n' | b'\r' => {
                index += 1;
                continue;
            }
            b'\'' => {
                index += 1;
                while index < bytes.len() {
                    if bytes[index] == b'\'' {
                        if bytes.get(index + 1) == Some(&b'\'') {
                            index += 2;
                            continue;
                        }
                        break;
                    }
                    index += 1;
                }
                let content_end = index;
                index = (index + 1).min(bytes.len());
                Token::Str(&body[start + 1..content_end])
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                while index < bytes.len()
                    && (bytes[index].is_ascii_alphanumeric() || matches!(bytes[index], b'_' | b'-'))
                {
                    index += 1;
                }
                Token::Ident(&body[start..index])
            }
            b'0'..=b'9' => {
                while index < bytes.len() && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'.') {
                    index += 1;
                }
                Token::Number
            }
            b'=' | b'!' | b'<' | b'>' => {
                index += 1;
                let equals = bytes.get(index) == Some(&b'=');
                index += usize::from(equals);
                match (byte, equals) {
                    (b'!', false) => Token::Not,
                    (b'!', true) => Token::Compare(Comparison::NotEqual),
                    (b'=', true) => Token::Compare(Comparison::Equal),
                    (b'=', false) => Token::Unknown,
                    _ => Token::Compare(Comparison::Ordering),
                }
            }
            b'&' | b'|' => {
                let doubled = bytes.get(index + 1) == Some(&byte);
                index += if doubled { 2 } else { 1 };
                match (byte, doubled) {
                    (b'&', true) => Token::And,
                    (b'|', true) => Token::Or,
                    _ => Token::Unknown,
                }
            }
            _ => {
                index += body[index..].chars().next().map_or(1, char::len_utf8);
                match byte {
                    b'.' => Token::Dot,
                    b'*' => Token::Star,
                    b'[' => Token::OpenBracket,
                    b']' => Token::CloseBracket,
                    b'(' => Token::OpenParen,
                    b')' => Token::CloseParen,
                    b',' => Token::Comma,
                    _ => Token::Unknown,
                }
            }
        };
        tokens.push((token, start, index));
    }
    tokens
}

/// Functions whose result is a boolean whatever their arguments are.
const BOOLEAN_FUNCTIONS: &[&str] = &["contains", "startsWith", "endsWith", "success", "failure", "always", "cancelled"];

fn context_refs(body: &str, body_offset: usize, span: Span) -> Vec<ContextRef> {
    let (mut refs, one_path) = lexed_refs(body, body_offset, span);
    // A body that is one path (most are) is its result: there are no operators to weigh.
    if !one_path && refs.iter().any(|(_, context)| context.reaches_result) {
        // The operators decide what can be the result: `a && 'x' || ''` never yields `a`.
        let mut reaching = Vec::new();
        parse(body).result_paths(&mut reaching);
        for (start, context) in &mut refs {
            context.reaches_result &= reaching.contains(start);
        }
    }
    refs.into_iter().map(|(_, context)| context).collect_exact()
}

/// The context paths of a body with their offsets in it; `reaches_result` is false for
/// paths compared or passed to a boolean function. Also whether the body is one path.
fn lexed_refs(body: &str, body_offset: usize, span: Span) -> (Vec<(usize, ContextRef)>, bool) {
    let tokens = tokenize(body);
    let mut one_path = false;
    let closes = next_closes(&tokens);
    let mut refs = Vec::new();
    // For each open parenthesis, whether it belongs to a boolean function; and how many of
    // the open ones do, so that `f(x f(x f(x ...` is not a scan of the stack per path.
    let mut calls: Vec<bool> = Vec::new();
    let mut boolean_calls = 0usize;
    let mut index = 0;
    while index < tokens.len() {
        match &tokens[index].0 {
            Token::Ident(name) if tokens.get(index + 1).is_some_and(|(t, ..)| *t == Token::OpenParen) => {
                let boolean = BOOLEAN_FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(name));
                boolean_calls += usize::from(boolean);
                calls.push(boolean);
                index += 2;
            }
            Token::OpenParen => {
                calls.push(false);
                index += 1;
            }
            Token::CloseParen => {
                if calls.pop() == Some(true) {
                    boolean_calls -= 1;
                }
                index += 1;
            }
            Token::Ident(_) if !follows_dot(&tokens, index) => {
                let (path, end_index) = read_path(&tokens, &closes, index);
                one_path = index == 0 && end_index == tokens.len();
                let (start, end) = (tokens[index].1, tokens[end_index - 1].2);
                let compared =
                    is_comparison(tokens.get(end_index)) || (index > 0 && is_comparison(tokens.get(index - 1)));
                let in_boolean_call = boolean_calls > 0;
                if !matches!(path.as_str(), "true" | "false" | "null") {
                    refs.push((
                        start,
                        ContextRef {
                            path,
                            span: span.slice(body_offset + start..body_offset + end),
                            reaches_result: !compared && !in_boolean_call,
                        },
                    ));
                }
                index = end_index;
            }
            _ => index += 1,
        }
    }
    (refs, one_path)
}

fn follows_dot(tokens: &[(Token, usize, usize)], index: usize) -> bool {
    index > 0 && tokens[index - 1].0 == Token::Dot
}

fn is_comparison(token: Option<&(Token, usize, usize)>) -> bool {
    matches!(token, Some((Token::Compare(_), ..)))
}

/// For each token, the index of the first `]` at or after it: looked up, not searched for,
/// so `a[a[a[...` without closers stays linear.
fn next_closes(tokens: &[(Token, usize, usize)]) -> Vec<Option<usize>> {
    let mut closes = vec![None; tokens.len()];
    let mut next = None;
    for (index, token) in tokens.iter().enumerate().rev() {
        if token.0 == Token::CloseBracket {
            next = Some(index);
        }
        closes[index] = next;
    }
    closes
}

/// Reads `ident(.ident | .* | ['str'] | [*] | [expr])*` from `start`; returns the normalised
/// path and the index after it.
fn read_path(tokens: &[(Token, usize, usize)], closes: &[Option<usize>], start: usize) -> (String, usize) {
    let Token::Ident(first) = tokens[start].0 else {
        return (String::new(), start + 1);
    };
    // The pieces first, then the path made at its length: pushed piece by piece, it was
    // reallocated as it grew.
    let mut pieces: SmallVec<[&str; 16]> = SmallVec::new();
    pieces.push(first);
    let mut index = start + 1;
    loop {
        match (tokens.get(index).map(|t| &t.0), tokens.get(index + 1).map(|t| &t.0)) {
            (Some(Token::Dot), Some(Token::Ident(name))) => {
                pieces.extend([".", *name]);
                index += 2;
            }
            (Some(Token::Dot), Some(Token::Star)) => {
                pieces.push(".*");
                index += 2;
            }
            (Some(Token::OpenBracket), Some(inner)) => {
                let Some(close) = closes[index] else { break };
                match inner {
                    Token::Str(key) if close == index + 2 => pieces.extend([".", *key]),
                    _ => pieces.push(".*"),
                }
                index = close + 1;
            }
            _ => break,
        }
    }
    (pieces.concat(), index)
}

/// An expression parsed into a tree, for rules that read what a condition tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Or(Vec<Node>),
    And(Vec<Node>),
    Not(Box<Node>),
    /// `left op right`, `op` being `==`, `!=`, `<`, `<=`, `>` or `>=`.
    Compare {
        op: String,
        left: Box<Node>,
        right: Box<Node>,
    },
    /// A function call; `range` covers the name to the closing parenthesis.
    Call {
        name: String,
        args: Vec<Node>,
        range: Range<usize>,
    },
    /// A context path, normalised as in [`ContextRef::path`].
    Path {
        path: String,
        range: Range<usize>,
    },
    /// A string literal, unescaped; `range` covers its quotes.
    Str {
        value: String,
        range: Range<usize>,
    },
    /// Numbers, booleans, `null`, and anything not understood.
    Other,
}

/// How deep parentheses, calls and negations are followed before the rest is [`Node::Other`].
const MAX_NESTING: usize = 64;

/// Parses an expression body (the text between `${{` and `}}`, or a bare `if:` condition).
/// Never fails: what it does not understand becomes [`Node::Other`]. Ranges are byte offsets
/// into `source`.
pub fn parse(source: &str) -> Node {
    let tokens = tokenize(source);
    let closes = next_closes(&tokens);
    let mut parser = Parser { source, tokens: &tokens, closes: &closes, pos: 0, depth: 0 };
    parser.or()
}

/// Functions whose result holds none of their arguments' text.
const OPAQUE_FUNCTIONS: &[&str] = &["hashFiles"];

impl Node {
    /// The offsets of the paths whose value can be the expression's result, or part of it:
    /// any operand of `||`, the last operand of `&&` (the others are returned only when they
    /// are falsy: empty, zero, false or null, which carry no text), the arguments of
    /// functions that pass text on. Comparisons, `!` and boolean functions yield booleans.
    pub fn result_paths(&self, out: &mut Vec<usize>) {
        match self {
            Node::Path { range, .. } => out.push(range.start),
            Node::Or(items) => items.iter().for_each(|item| item.result_paths(out)),
            Node::And(items) => {
                if let Some(last) = items.last() {
                    last.result_paths(out);
                }
            }
            // `format`, `join`, `toJSON`, `fromJSON` and any function GitHub adds pass text on.
            Node::Call { name, args, .. }
                if !BOOLEAN_FUNCTIONS.iter().chain(OPAQUE_FUNCTIONS).any(|f| f.eq_ignore_ascii_case(name)) =>
            {
                args.iter().for_each(|arg| arg.result_paths(out));
            }
            Node::Call { .. } | Node::Not(_) | Node::Compare { .. } | Node::Str { .. } | Node::Other => {}
        }
    }

    /// Calls `visit` on this node and every node inside it, with whether an odd number of
    /// `!` applies to it.
    pub fn walk(&self, visit: &mut impl FnMut(&Node, bool)) {
        self.walk_negated(false, visit);
    }

    fn walk_negated(&self, negated: bool, visit: &mut impl FnMut(&Node, bool)) {
        visit(self, negated);
        match self {
            Node::Or(items) | Node::And(items) | Node::Call { args: items, .. } => {
                items.iter().for_each(|item| item.walk_negated(negated, visit));
            }
            Node::Not(inner) => inner.walk_negated(!negated, visit),
            Node::Compare { left, right, .. } => {
                left.walk_negated(negated, visit);
                right.walk_negated(negated, visit);
            }
            Node::Path { .. } | Node::Str { .. } | Node::Other => {}
        }
    }

    /// Whether this is a call of `name` (case-insensitive, as GitHub's functions are).
    pub fn is_call(&self, name: &str) -> bool {
        matches!(self, Node::Call { name: own, .. } if own.eq_ignore_ascii_case(name))
    }
}

/// The expressions an `if:` condition evaluates, with their offsets in the condition's value:
/// the whole value when it holds no `${{ }}`, else the body of each `${{ }}`.
pub fn condition_sources(value: &str) -> Vec<(usize, &str)> {
    if !value.contains("${{") {
        return vec![(0, value)];
    }
    let mut sources = Vec::new();
    let mut from = 0;
    while let Some(found) = value[from..].find("${{") {
        let body_start = from + found + 3;
        let body_end = body_end(&value[body_start..]).map_or(value.len(), |end| body_start + end);
        sources.push((body_start, &value[body_start..body_end]));
        from = (body_end + 2).min(value.len()).max(body_start);
    }
    sources
}

/// The context paths an `if:` condition reads, bare or inside `${{ }}`, where they are
/// written: `raw` is the source text of `span`.
pub fn condition_contexts(raw: &str, span: Span) -> Vec<ContextRef> {
    if raw.contains("${{") {
        return find_expressions(raw, span).into_iter().flat_map(|expression| expression.contexts).collect();
    }
    context_refs(raw, 0, span)
}

/// The context paths an `if:` condition reads, bare or inside `${{ }}`.
pub fn condition_paths(value: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (_, source) in condition_sources(value) {
        parse(source).walk(&mut |node, _| {
            if let Node::Path { path, .. } = node {
                paths.push(path.clone());
            }
        });
    }
    paths
}

struct Parser<'a> {
    source: &'a str,
    tokens: &'a [(Token<'a>, usize, usize)],
    closes: &'a [Option<usize>],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token<'_>> {
        self.tokens.get(self.pos).map(|(token, ..)| token)
    }

    fn text(&self, index: usize) -> &str {
        self.tokens.get(index).map_or("", |(_, start, end)| &self.source[*start..*end])
    }

    fn or(&mut self) -> Node {
        self.logical(&Token::Or, Self::and, Node::Or)
    }

    fn and(&mut self) -> Node {
        self.logical(&Token::And, Self::unary, Node::And)
    }

    fn logical(&mut self, op: &Token<'_>, operand: fn(&mut Self) -> Node, build: fn(Vec<Node>) -> Node) -> Node {
        let mut items = vec![operand(self)];
        while self.peek() == Some(op) {
            self.pos += 1;
            items.push(operand(self));
        }
        if items.len() == 1 { items.pop().unwrap_or(Node::Other) } else { build(items) }
    }

    fn unary(&mut self) -> Node {
        if self.peek() == Some(&Token::Not) {
            self.pos += 1;
            return self.nested(Node::Other, |parser| Node::Not(Box::new(parser.unary())));
        }
        let left = self.primary();
        if !matches!(self.peek(), Some(Token::Compare(_))) {
            return left;
        }
        let op = self.text(self.pos).to_owned();
        self.pos += 1;
        let right = self.primary();
        Node::Compare { op, left: Box::new(left), right: Box::new(right) }
    }

    /// Runs `parse` one level deeper, or gives up with `fallback` past [`MAX_NESTING`].
    fn nested<T>(&mut self, fallback: T, parse: impl FnOnce(&mut Self) -> T) -> T {
        if self.depth >= MAX_NESTING {
            self.pos = self.tokens.len();
            return fallback;
        }
        self.depth += 1;
        let node = parse(self);
        self.depth -= 1;
        node
    }

    fn primary(&mut self) -> Node {
        let Some((token, start, end)) = self.tokens.get(self.pos).cloned() else {
            return Node::Other;
        };
        match token {
            Token::OpenParen => {
                self.pos += 1;
                let inner = self.nested(Node::Other, Self::or);
                if self.peek() == Some(&Token::CloseParen) {
                    self.pos += 1;
                }
                inner
            }
            Token::Str(value) => {
                self.pos += 1;
                Node::Str { value: value.replace("''", "'"), range: start..end }
            }
            Token::Ident(name) if self.tokens.get(self.pos + 1).is_some_and(|(t, ..)| *t == Token::OpenParen) => {
                self.pos += 2;
                let args = self.nested(Vec::new(), Self::args);
                let end = self.pos.checked_sub(1).and_then(|last| self.tokens.get(last)).map_or(end, |t| t.2);
                Node::Call { name: name.to_owned(), args, range: start..end }
            }
            Token::Ident("true" | "false" | "null") | Token::Number => {
                self.pos += 1;
                Node::Other
            }
            Token::Ident(_) => {
                let (path, after) = read_path(self.tokens, self.closes, self.pos);
                let end = self.tokens.get(after.saturating_sub(1)).map_or(end, |t| t.2);
                self.pos = after.max(self.pos + 1);
                Node::Path { path, range: start..end }
            }
            _ => {
                self.pos += 1;
                Node::Other
            }
        }
    }

    /// The arguments of a call, after its `(`, up to and including its `)`.
    fn args(&mut self) -> Vec<Node> {
        let mut args = Vec::new();
        loop {
            match self.peek() {
                None => return args,
                Some(Token::CloseParen) => {
                    self.pos += 1;
                    return args;
                }
                Some(Token::Comma) => self.pos += 1,
                Some(_) => {
                    let before = self.pos;
                    args.push(self.or());
                    if self.pos == before {
                        self.pos += 1;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<(String, bool)> {
        find_expressions(text, Span::document(0..text.len()))
            .into_iter()
            .flat_map(|e| e.contexts)
            .map(|c| (c.path, c.reaches_result))
            .collect()
    }

    #[test]
    fn finds_paths_and_normalises_indexes() {
        assert_eq!(
            paths("echo ${{ github.event.issue.title }} ${{ github['head_ref'] }} ${{ steps.x.outputs[matrix.k] }}"),
            vec![
                ("github.event.issue.title".into(), true),
                ("github.head_ref".into(), true),
                ("steps.x.outputs.*".into(), true),
            ]
        );
    }

    #[test]
    fn a_body_that_is_one_path_reaches_the_result_as_its_parse_says() {
        let bodies = [
            "github.event.issue.title",
            " github.head_ref ",
            "github.event['pull_request'].title",
            "steps.x.outputs[matrix.key]",
            "github.event.commits[0].message",
            "github.event.*.body",
            "inputs.pr-title",
            "env.A",
        ];
        for body in bodies {
            let (refs, one_path) = lexed_refs(body, 0, Span::document(0..body.len()));
            assert!(one_path, "{body}");
            let mut reaching = Vec::new();
            parse(body).result_paths(&mut reaching);
            for (start, context) in &refs {
                assert_eq!(context.reaches_result, reaching.contains(start), "{body}: {}", context.path);
            }
        }
        for body in ["a || b", "!a", "a == 'x'", "format('{0}', a)", "a.b && c", "'x'", "a b"] {
            assert!(!lexed_refs(body, 0, Span::document(0..body.len())).1, "{body}");
        }
    }

    #[test]
    fn operators_decide_what_reaches_the_result() {
        assert_eq!(
            paths("${{ fromJSON(inputs.alsa) && 'libasound2-dev' || '' }}"),
            vec![("inputs.alsa".into(), false)]
        );
        assert_eq!(
            paths("${{ github.head_ref || github.ref_name }}"),
            vec![("github.head_ref".into(), true), ("github.ref_name".into(), true)]
        );
        assert_eq!(
            paths("${{ inputs.flag && github.event.issue.title }}"),
            vec![("inputs.flag".into(), false), ("github.event.issue.title".into(), true)]
        );
        assert_eq!(
            paths("${{ hashFiles(github.event.issue.title) }}"),
            vec![("github.event.issue.title".into(), false)]
        );
    }

    #[test]
    fn comparisons_and_boolean_functions_do_not_reach_the_result() {
        assert_eq!(
            paths("${{ github.head_ref == 'main' && contains(github.event.pull_request.body, 'x') }}"),
            vec![("github.head_ref".into(), false), ("github.event.pull_request.body".into(), false)]
        );
        assert_eq!(
            paths("${{ format('{0}', github.event.comment.body) }}"),
            vec![("github.event.comment.body".into(), true)]
        );
    }

    #[test]
    fn spans_point_at_the_path() {
        let text = "a ${{ github.head_ref }}";
        let expressions = find_expressions(text, Span::document(0..text.len()));
        let context = &expressions[0].contexts[0];
        assert_eq!(&text[context.span.start as usize..context.span.end as usize], "github.head_ref");
        assert_eq!(&text[expressions[0].span.start as usize..], "${{ github.head_ref }}");
    }

    #[test]
    fn stored_secrets_skip_the_job_token() {
        let secrets: Vec<String> =
            stored_secrets("${{ secrets.GITHUB_TOKEN }} ${{ secrets.NPM_TOKEN }} ${{ secrets['PYPI'] }}").collect();
        assert_eq!(secrets, ["secrets.NPM_TOKEN", "secrets.PYPI"]);
        assert_eq!(stored_secrets("${{ github.token }} $NPM_TOKEN secrets.X").count(), 0);
    }

    #[test]
    fn unterminated_expressions_and_strings_do_not_panic() {
        for text in ["${{", "${{ 'abc", "${{ github.", "${{ a[", "${{ a['b' }}", "${{ é.ü }}", "${{ }}${{"] {
            let _ = find_expressions(text, Span::document(0..text.len()));
        }
    }

    #[test]
    fn parses_conditions_into_trees() {
        let node = parse("github.actor == 'dependabot[bot]' && !contains('a b', github.ref) || always()");
        let Node::Or(items) = &node else { panic!("{node:?}") };
        let Node::And(parts) = &items[0] else { panic!("{node:?}") };
        assert!(matches!(&parts[0], Node::Compare { op, .. } if op == "=="));
        let Node::Not(call) = &parts[1] else { panic!("{node:?}") };
        assert!(call.is_call("CONTAINS"));
        let mut negated_paths = Vec::new();
        node.walk(&mut |node, negated| {
            if let Node::Path { path, .. } = node {
                negated_paths.push((path.clone(), negated));
            }
        });
        assert_eq!(negated_paths, [("github.actor".into(), false), ("github.ref".into(), true)]);
        assert!(items[1].is_call("always"));
    }

    #[test]
    fn condition_sources_are_the_bodies_or_the_whole_value() {
        assert_eq!(condition_sources("a == 'b'"), [(0, "a == 'b'")]);
        assert_eq!(condition_sources("${{ a }} && ${{ b }}"), [(3, " a "), (15, " b ")]);
    }

    #[test]
    fn hostile_expressions_parse_without_panicking() {
        for text in ["((((((((", &"(!".repeat(10_000), "f(,,)", "a ==", ")))", "contains(", "'x", "a[", "!"] {
            let _ = parse(text);
        }
    }
}
