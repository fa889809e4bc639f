//! Code lenses: over the trigger or job that starts an attack path, how far the path goes
//! ("attack path through `release`: 4 steps → publishes to npm").

use std::collections::HashSet;

use tower_lsp_server::ls_types::{CodeLens, Command};

use super::convert;
use super::diagnostics;
use super::documents::OpenDocument;
use super::state::ServerState;
use crate::analysis::AttackPath;
use crate::text::{Encoding, plural};

/// A lens per attack path that still has a finding the user sees (the settings, ignored
/// paths or the baseline may hide them all).
pub fn code_lenses(state: &ServerState, document: &mut OpenDocument, encoding: Encoding) -> Vec<CodeLens> {
    let Some(report) = document.report() else {
        return Vec::new();
    };
    let shown: HashSet<usize> =
        diagnostics::shown(state, &state.policy(), document, &report).into_iter().map(|(index, _)| index).collect();
    let rope = document.source.rope();
    report
        .paths
        .iter()
        .filter(|path| path.findings().any(|index| shown.contains(&index)))
        .map(|path| CodeLens {
            range: convert::range(rope, path.entry.range.clone(), encoding),
            // A lens shows its command's title; an empty command makes it a label that runs
            // nothing when clicked, as the path itself is in the diagnostics' related
            // information.
            command: Some(Command { title: title(path), command: String::new(), arguments: None }),
            data: None,
        })
        .collect()
}

fn title(path: &AttackPath) -> String {
    let steps = path.steps.len();
    let end = if path.complete { format!("→ {}", path.outcome) } else { "stops at execution".to_owned() };
    format!("attack path through `{}`: {steps} step{} {end}", path.job, plural(steps))
}
