//! Code actions: each finding's fixes and "Ignore this finding here", as workspace edits.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use super::diagnostics;
use super::documents::OpenDocument;
use super::state::ServerState;
use crate::analysis::{FixKind, ResolvedFix, ignore_fixes};
use crate::rules::Applicability;
use crate::text::Encoding;

/// The code actions for findings that overlap `range`.
pub fn code_actions(
    state: &ServerState,
    document: &mut OpenDocument,
    uri: &Uri,
    range: std::ops::Range<usize>,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let Some(report) = document.report() else {
        return Vec::new();
    };
    let shown = diagnostics::shown(state, &state.policy(), document, &report);
    let mut actions = Vec::new();
    for (index, severity) in shown {
        let finding = &report.findings[index];
        if !(finding.range.start <= range.end && range.start <= finding.range.end) {
            continue;
        }
        let ignore = ignore_fixes(&mut document.source, finding);
        let rope = document.source.rope();
        let diagnostic = convert::finding(rope, finding, severity, encoding);
        for fix in finding.fixes.iter().chain(&ignore) {
            actions.push(CodeActionOrCommand::CodeAction(action(rope, uri, fix, &diagnostic, encoding)));
        }
    }
    actions
}

fn action(rope: &ropey::Rope, uri: &Uri, fix: &ResolvedFix, diagnostic: &Diagnostic, encoding: Encoding) -> CodeAction {
    let edits = fix
        .edits
        .iter()
        .map(|edit| TextEdit {
            range: convert::range(rope, edit.range.clone(), encoding),
            new_text: edit.replacement.to_string(),
        })
        .collect();
    let title = match fix.applicability {
        Applicability::Safe => fix.title.to_string(),
        Applicability::Unsafe => format!("{} (review: may change behaviour)", fix.title),
    };
    // An editor may apply a preferred fix without asking: only safe repairs are.
    let preferred = fix.kind == FixKind::Repair && fix.applicability == Applicability::Safe;
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        is_preferred: preferred.then_some(true),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit { changes: Some(HashMap::from([(uri.clone(), edits)])), ..WorkspaceEdit::default() }),
        ..CodeAction::default()
    }
}
