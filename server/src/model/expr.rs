//! A lexer for GitHub Actions expressions (`${{ ... }}`).
//!
//! It finds the expressions in a string and the context paths they read, such as
//! `github.event.issue.title`, with their spans, and tells whether each path's value can end
//! up in the expression's result (`${{ github.head_ref }}`) or only decides a condition
//! (`${{ github.head_ref == 'main' }}`, `${{ contains(github.head_ref, 'x') }}`).

use crate::syntax::span::Span;

/// One `${{ ... }}` in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    /// From `${{` to `}}` inclusive (to the end of the string when unterminated).
    pub span: Span,
    /// The text between the braces, trimmed.
    pub source: String,
    pub contexts: Vec<ContextRef>,
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
    while let Some(found) = raw[from..].find("${{") {
        let open = from + found;
        let body_start = open + 3;
        let body_end = body_end(&raw[body_start..]).map_or(raw.len(), |end| body_start + end);
        let close = (body_end + 2).min(raw.len());
        let body = &raw[body_start..body_end];
        expressions.push(Expression {
            span: span.slice(open..close),
            source: body.trim().to_owned(),
            contexts: context_refs(body, body_start, span),
        });
        from = close.max(open + 3);
    }
    expressions
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

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Ident(&'a str),
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
    Comparison,
    Logical,
    Unknown,
}

fn tokenize(body: &str) -> Vec<(Token<'_>, usize, usize)> {
    let bytes = body.as_bytes();
    let mut tokens = Vec::new();
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
                if bytes.get(index) == Some(&b'=') {
                    index += 1;
                    Token::Comparison
                } else if byte == b'!' {
                    Token::Not
                } else {
                    Token::Comparison
                }
            }
            b'&' | b'|' => {
                index += if bytes.get(index + 1) == Some(&byte) { 2 } else { 1 };
                Token::Logical
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
    let tokens = tokenize(body);
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
                let (start, end) = (tokens[index].1, tokens[end_index - 1].2);
                let compared =
                    is_comparison(tokens.get(end_index)) || (index > 0 && is_comparison(tokens.get(index - 1)));
                let in_boolean_call = boolean_calls > 0;
                if !matches!(path.as_str(), "true" | "false" | "null") {
                    refs.push(ContextRef {
                        path,
                        span: span.slice(body_offset + start..body_offset + end),
                        reaches_result: !compared && !in_boolean_call,
                    });
                }
                index = end_index;
            }
            _ => index += 1,
        }
    }
    refs
}

fn follows_dot(tokens: &[(Token, usize, usize)], index: usize) -> bool {
    index > 0 && tokens[index - 1].0 == Token::Dot
}

fn is_comparison(token: Option<&(Token, usize, usize)>) -> bool {
    matches!(token, Some((Token::Comparison, ..)))
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
    let mut path = first.to_owned();
    let mut index = start + 1;
    loop {
        match (tokens.get(index).map(|t| &t.0), tokens.get(index + 1).map(|t| &t.0)) {
            (Some(Token::Dot), Some(Token::Ident(name))) => {
                path.push('.');
                path.push_str(name);
                index += 2;
            }
            (Some(Token::Dot), Some(Token::Star)) => {
                path.push_str(".*");
                index += 2;
            }
            (Some(Token::OpenBracket), Some(inner)) => {
                let Some(close) = closes[index] else { break };
                match inner {
                    Token::Str(key) if close == index + 2 => {
                        path.push('.');
                        path.push_str(key);
                    }
                    _ => path.push_str(".*"),
                }
                index = close + 1;
            }
            _ => break,
        }
    }
    (path, index)
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
    fn unterminated_expressions_and_strings_do_not_panic() {
        for text in ["${{", "${{ 'abc", "${{ github.", "${{ a[", "${{ a['b' }}", "${{ é.ü }}", "${{ }}${{"] {
            let _ = find_expressions(text, Span::document(0..text.len()));
        }
    }
}
