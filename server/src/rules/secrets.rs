//! How literal credentials are reported, shared by the GitHub and GitLab credential rules so
//! that they calibrate and word findings alike. What is a credential is the model's answer
//! ([`crate::model::secrets`]); this is only the policy that turns it into findings.

use std::fmt::Arguments;

use super::{Confidence, Findings, Severity};
use crate::model::Text;
use crate::model::secrets::{Strength, is_secret_name, literal_secret, tokens_in};

/// What the entry holding a value says about it.
#[derive(Clone, Copy)]
pub enum Entry<'a> {
    /// A script or a value whose entry has no telling name: only token shapes are reported.
    Unnamed,
    /// An entry whose name may say it holds a secret (`DB_PASSWORD`).
    Named(&'a str),
    /// A password by its place (`credentials: password:`).
    Password,
}

/// Reports the literal credentials in one value: every token-shaped literal in it or, when
/// none is and the entry holds a secret, the value itself if it is a literal secret. `place`
/// names the entry in messages (``the `env:` entry `API_KEY` ``); `instead` says where the
/// secret belongs. `place` is formatted only into findings: most entries hold no secret.
pub fn report_literals(out: &mut Findings, text: &Text, entry: Entry<'_>, place: Arguments<'_>, instead: &str) {
    let tokens = tokens_in(&text.value);
    for token in &tokens {
        out.report(
            text.span_of(token.range.clone()),
            format!(
                "{place} holds {} (`{}…`): anyone who can read this file can use it. Revoke it, then {instead}",
                token.kind, token.prefix
            ),
        )
        .with_severity(Severity::High)
        .with_confidence(Confidence::High);
    }
    let holds_secret = match entry {
        Entry::Unnamed => false,
        Entry::Named(name) => is_secret_name(name),
        Entry::Password => true,
    };
    if !tokens.is_empty() || !holds_secret {
        return;
    }
    let Some(strength) = literal_secret(text) else { return };
    let (how, severity, confidence) = match (entry, strength) {
        (Entry::Password, _) => ("a literal password", Severity::Medium, Confidence::High),
        (_, Strength::Random) => ("a literal value that looks generated", Severity::Medium, Confidence::Medium),
        (_, Strength::Weak) => ("a literal value", Severity::Low, Confidence::Low),
    };
    out.report(
        text.span,
        format!(
            "{place} is set to {how}: if it is a real credential, anyone who can read this file can use it; {instead}"
        ),
    )
    .with_severity(severity)
    .with_confidence(confidence);
}
