//! Credentials written as literals: token-shaped strings (a bundled list of shapes), names
//! that say a value is a secret, and whether a literal value is a real secret or a stand-in.
//! Shared by the GitHub and GitLab credential rules; never returns a secret's text beyond the
//! public prefix of its shape.

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;
use smallvec::SmallVec;

use super::Text;
use crate::{bundled, data};

#[derive(Deserialize)]
struct Patterns {
    token: Vec<TokenShape>,
    placeholder_words: Vec<String>,
    weak_values: Vec<String>,
}

#[derive(Deserialize)]
struct TokenShape {
    kind: String,
    prefixes: Vec<String>,
    charset: Charset,
    length: [usize; 2],
    suffix: Option<String>,
    material: Option<usize>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum Charset {
    Alphanumeric,
    Word,
    WordDash,
    UpperBase32,
    Slack,
    Base64,
    PemLabel,
}

impl Charset {
    fn contains(self, b: u8) -> bool {
        match self {
            Charset::Alphanumeric => b.is_ascii_alphanumeric(),
            Charset::Word => b.is_ascii_alphanumeric() || b == b'_',
            Charset::WordDash => b.is_ascii_alphanumeric() || b == b'_' || b == b'-',
            Charset::UpperBase32 => b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b),
            Charset::Slack => b.is_ascii_alphanumeric() || b == b'-',
            Charset::Base64 => b.is_ascii_alphanumeric() || b == b'+' || b == b'/',
            Charset::PemLabel => b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b' ' | b'_' | b'-'),
        }
    }
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| data::parse(bundled!("token-patterns.toml")));

/// A token-shaped literal found in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is, e.g. "a GitHub personal access token".
    pub kind: &'static str,
    /// The public prefix of its shape (`ghp_`), the only part of it a message may show.
    pub prefix: &'static str,
    /// Where it is in the value.
    pub range: Range<usize>,
}

/// The token-shaped literals in `value`, without the obviously fake ones
/// (`ghp_xxxx...`, `AKIAIOSFODNN7EXAMPLE`).
pub fn tokens_in(value: &str) -> Vec<Token> {
    let bytes = value.as_bytes();
    let mut found = Vec::new();
    let prefixes = &*PREFIXES;
    // Where the next occurrence of each prefix may start: occurrences of one prefix do not
    // overlap. On the stack: this runs for every value of every file.
    let mut next: SmallVec<[usize; 64]> = smallvec::smallvec![0; prefixes.all.len()];
    // One pass over the value: each prefix is compared only where the two bytes it starts
    // with are.
    for (start, &byte) in bytes.iter().enumerate() {
        if !prefixes.may_start(byte, bytes.get(start + 1).copied()) {
            continue;
        }
        for &index in &prefixes.starting_with[usize::from(byte)] {
            let (shape, prefix) = prefixes.all[index];
            if start < next[index] || !bytes[start..].starts_with(prefix.as_bytes()) {
                continue;
            }
            next[index] = start + prefix.len();
            if start > 0 && is_word_byte(bytes[start - 1]) {
                continue;
            }
            let body_start = start + prefix.len();
            let Some(body_end) = shape.body_end(bytes, body_start) else { continue };
            if looks_fake(&bytes[body_start..body_end]) {
                continue;
            }
            let end = body_end + shape.suffix.as_ref().map_or(0, String::len);
            found.push(Token { kind: &shape.kind, prefix, range: start..end });
        }
    }
    found
}

/// Every prefix of every token shape, with its shape, in the order of the list (tokens found
/// at the same place are reported in that order), and for each byte, the indices of those
/// that start with it, in that order.
struct Prefixes {
    all: Vec<(&'static TokenShape, &'static String)>,
    starting_with: [Vec<usize>; 256],
    /// For each first byte, a bit for each byte some prefix goes on with: most bytes that
    /// start a prefix (every `g` of a script, for `ghp_`) are ruled out by the next one,
    /// without comparing any prefix.
    second_bytes: [[u64; 4]; 256],
}

static PREFIXES: LazyLock<Prefixes> = LazyLock::new(|| {
    let shapes = PATTERNS.token.iter();
    let all: Vec<_> = shapes
        .flat_map(|shape| shape.prefixes.iter().filter(|prefix| !prefix.is_empty()).map(move |p| (shape, p)))
        .collect();
    let mut starting_with = std::array::from_fn(|_| Vec::new());
    let mut second_bytes = [[0; 4]; 256];
    for (index, (_, prefix)) in all.iter().enumerate() {
        let first = usize::from(prefix.as_bytes()[0]);
        starting_with[first].push(index);
        match prefix.as_bytes().get(1) {
            Some(&second) => second_bytes[first][usize::from(second / 64)] |= 1 << (second % 64),
            // A prefix of one byte goes on with anything.
            None => second_bytes[first] = [u64::MAX; 4],
        }
    }
    Prefixes { all, starting_with, second_bytes }
});

impl Prefixes {
    /// Whether a prefix may start at a byte followed by `next` (`None` at the end of the
    /// value, where the comparison decides).
    fn may_start(&self, byte: u8, next: Option<u8>) -> bool {
        let seconds = &self.second_bytes[usize::from(byte)];
        match next {
            Some(next) => seconds[usize::from(next / 64)] & (1 << (next % 64)) != 0,
            None => seconds.iter().any(|bits| *bits != 0),
        }
    }
}

impl TokenShape {
    /// Where the token's body ends, if the bytes from `start` have this shape.
    fn body_end(&self, bytes: &[u8], start: usize) -> Option<usize> {
        let [min, max] = self.length;
        let rest = bytes.get(start..)?;
        let run = rest.iter().take(max + 1).take_while(|b| self.charset.contains(**b)).count();
        let Some(suffix) = &self.suffix else {
            // A longer run is some other identifier, unless the shape's length is a range.
            if run < min || (run > max && min == max) {
                return None;
            }
            return Some(start + run.min(max));
        };
        let window = &rest[..rest.len().min(max + suffix.len())];
        let at = window.windows(suffix.len()).position(|w| w == suffix.as_bytes())?;
        let label_ok = at >= min && window[..at].iter().all(|b| self.charset.contains(*b));
        let material = base64_after(&rest[at + suffix.len()..]);
        (label_ok && material >= self.material.unwrap_or(0)).then_some(start + at)
    }
}

/// How many base64 characters follow, across line breaks (real or written as `\n`), up to
/// the next `-`.
fn base64_after(bytes: &[u8]) -> usize {
    let mut count = 0;
    let mut escaped = false;
    for &b in bytes {
        match b {
            b'-' => break,
            b'\\' => escaped = true,
            b'n' if escaped => escaped = false,
            _ if b.is_ascii_whitespace() => {}
            _ if b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=') => {
                escaped = false;
                count += 1;
            }
            _ => break,
        }
    }
    count
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A token body made for documentation or tests: `EXAMPLE`, `xxxx`, one character repeated,
/// or a run of consecutive characters (`123456`, `abcdef`).
fn looks_fake(body: &[u8]) -> bool {
    let lower = body.to_ascii_lowercase();
    let text = String::from_utf8_lossy(&lower);
    if ["example", "xxxx", "fake", "test", "dummy", "sample", "0000"].iter().any(|word| text.contains(word)) {
        return true;
    }
    let mut distinct = [false; 256];
    for b in body {
        distinct[usize::from(*b)] = true;
    }
    let distinct = distinct.iter().filter(|seen| **seen).count();
    let consecutive = lower.windows(6).any(|w| w.windows(2).all(|pair| pair[1] == pair[0].wrapping_add(1)));
    let repeated = lower.windows(6).any(|w| w.iter().all(|b| *b == w[0]));
    (body.len() >= 8 && distinct < 6) || consecutive || repeated
}

/// Words in a variable or input name that say its value is a secret.
const SECRET_WORDS: &[&str] =
    &["password", "passwd", "passphrase", "secret", "token", "apikey", "pat", "credential", "credentials"];

/// The word before `key` that makes a key a secret (`API_KEY`, `PRIVATE_KEY`), unlike a key
/// id or a public key.
const SECRET_KEY_KINDS: &[&str] = &["api", "access", "private", "secret", "auth", "master", "encryption", "signing"];

/// A last word that says the value is about a secret, not the secret: `TOKEN_FILE`,
/// `PASSWORD_PATH`, `SECRET_NAME`.
const ABOUT_WORDS: &[&str] = &[
    "file",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "name",
    "names",
    "id",
    "ids",
    "type",
    "header",
    "env",
    "var",
    "length",
    "ttl",
    "expiry",
    "expiration",
    "expires",
    "enabled",
    "disabled",
    "required",
    "scope",
    "scopes",
    "audience",
    "prefix",
    "field",
    "location",
    "source",
    "kind",
    "mode",
    "version",
    "format",
    "count",
    "timeout",
    "policy",
    "permissions",
    "host",
    "user",
    "username",
    "arn",
    "role",
    "region",
    "ref",
];

/// Whether a name (`DB_PASSWORD`, `apiKey`, `github-token`) says its value is a secret.
pub fn is_secret_name(name: &str) -> bool {
    let listed = |list: &[&str], word: &str| list.iter().any(|listed| listed.eq_ignore_ascii_case(word));
    let words = words(name);
    let Some(last) = words.last() else { return false };
    if listed(ABOUT_WORDS, last) {
        return false;
    }
    words.iter().any(|word| listed(SECRET_WORDS, word))
        || words.windows(2).any(|pair| pair[1].eq_ignore_ascii_case("key") && listed(SECRET_KEY_KINDS, pair[0]))
}

/// The words of a name, split at `_`, `-`, `.` (at any character other than an ASCII letter
/// or digit) and at camelCase boundaries. They keep their case: the lists, which are
/// lowercase, are compared ignoring it.
fn words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut previous_lower = false;
    for (at, c) in name.char_indices() {
        if !c.is_ascii_alphanumeric() {
            words.push(&name[start..at]);
            start = at + c.len_utf8();
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            words.push(&name[start..at]);
            start = at;
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    words.push(&name[start..]);
    words.retain(|word| !word.is_empty());
    words
}

/// How much a literal value looks like a real secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// Short or made of few kinds of characters: a word-like password.
    Weak,
    /// Long and mixed, as generated secrets are.
    Random,
}

/// Whether `text`, the value of an entry whose name says it is a secret, is a literal secret:
/// not an expression, a variable reference, a path or URL, a flag, a number, a placeholder or
/// a test service's throwaway password.
pub fn literal_secret(text: &Text) -> Option<Strength> {
    if !text.expressions.is_empty() {
        return None;
    }
    let value = text.value.trim();
    let lower = value.to_ascii_lowercase();
    let not_a_secret = value.len() < 6
        || value.contains('$')
        || value.contains(char::is_whitespace)
        || value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        || ["true", "false", "yes", "no", "on", "off"].contains(&lower.as_str())
        || value.starts_with(['/', '.', '~'])
        || value.contains("://")
        || PATTERNS.placeholder_words.iter().any(|word| lower.contains(word.as_str()))
        || PATTERNS.weak_values.contains(&lower);
    if not_a_secret {
        return None;
    }
    let classes = [
        value.bytes().any(|b| b.is_ascii_lowercase()),
        value.bytes().any(|b| b.is_ascii_uppercase()),
        value.bytes().any(|b| b.is_ascii_digit()),
        value.bytes().any(|b| !b.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    let random = (value.len() >= 16 && classes >= 3) || (value.len() >= 24 && classes >= 2);
    Some(if random { Strength::Random } else { Strength::Weak })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(value: &str) -> Vec<&'static str> {
        tokens_in(value).iter().map(|token| token.kind).collect()
    }

    #[test]
    fn every_shape_finds_its_token_and_no_fakes() {
        // Built at run time, so the source holds no token-shaped literal.
        let body = "Zq8rT2mWv5Ln7Kp3Xc9Bd4Fh6Jg1Ys0Ue2Ri8Oa";
        assert_eq!(kinds(&format!("curl -H 'token ghp_{}'", &body[..36])), ["a GitHub personal access token"]);
        assert_eq!(kinds(&format!("ghs_{}", &body[..36])), ["a GitHub App token"]);
        assert_eq!(kinds(&format!("x=AKIA{}", "QZ3RT7MWV5LN2KPX")), ["an AWS access key ID"]);
        assert_eq!(kinds(&format!("npm_{}", &body[..36])), ["an npm access token"]);
        assert_eq!(kinds(&format!("glpat-{}", &body[..20])), ["a GitLab personal access token"]);
        let webhook = format!("https://hooks.slack.com/services/{}", &body.repeat(2)[..44]);
        assert_eq!(kinds(&webhook), ["a Slack incoming webhook URL"]);
        let key = format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END", body.repeat(2));
        assert_eq!(kinds(&key), ["a private key"]);
        assert_eq!(tokens_in(&key)[0].prefix, "-----BEGIN");
        // Only the header: a script checking for a key, not a key.
        assert!(kinds("grep -q '-----BEGIN RSA PRIVATE KEY-----' key.pem").is_empty());
        assert!(kinds(&format!("ghp_{}", "x".repeat(36))).is_empty());
        assert!(kinds("AKIAIOSFODNN7EXAMPLE").is_empty());
        assert!(kinds(&format!("ghp_{}", "1234567890abcdefghijklmnopqrstuvwxyz")).is_empty());
        // A longer run is another identifier; a word before the prefix is another word.
        assert!(kinds(&format!("ghp_{}", &body[..38])).is_empty());
        assert!(kinds(&format!("xAKIA{}", "QZ3RT7MWV5LN2KPX")).is_empty());
    }

    #[test]
    fn every_prefix_passes_the_filter_of_its_first_two_bytes() {
        let prefixes = &*PREFIXES;
        for (_, prefix) in &prefixes.all {
            let bytes = prefix.as_bytes();
            assert!(prefixes.may_start(bytes[0], bytes.get(1).copied()), "{prefix}");
            assert!(prefixes.may_start(bytes[0], None), "{prefix} at the end of a value");
        }
        // `g` starts GitHub's and GitLab's prefixes, none of which goes on with `x`.
        assert!(!prefixes.may_start(b'g', Some(b'x')));
        assert!(!prefixes.may_start(b'q', None));
    }

    #[test]
    fn names_say_whether_a_value_is_secret() {
        for secret in ["DB_PASSWORD", "apiKey", "github-token", "NPM_TOKEN", "CLIENT_SECRET", "GH_PAT", "private_key"] {
            assert!(is_secret_name(secret), "{secret}");
        }
        for not_secret in
            ["TOKEN_FILE", "PASSWORD_PATH", "SECRET_NAME", "PWD", "GPG_KEY", "KEY_ID", "PATH", "tokenizer"]
        {
            assert!(!is_secret_name(not_secret), "{not_secret}");
        }
    }

    #[test]
    fn placeholders_flags_and_references_are_not_literal_secrets() {
        let strength = |value: &str| literal_secret(&Text::for_tests(value));
        for stand_in in [
            "${{ secrets.TOKEN }}",
            "$CI_JOB_TOKEN",
            "changeme",
            "postgres",
            "true",
            "xxxxxxxx",
            "***",
            "<your-token>",
            "/run/secrets/db",
            "12345",
            "abc",
        ] {
            assert_eq!(strength(stand_in), None, "{stand_in}");
        }
        assert_eq!(strength("hunter22"), Some(Strength::Weak));
        assert_eq!(strength("q7V!pR2xL9#mZ4tW"), Some(Strength::Random));
    }
}
