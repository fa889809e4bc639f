//! Code actions: each finding's fixes and "Ignore this finding here", as workspace edits.

use std::collections::HashMap;

use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use super::documents::OpenDocument;
use crate::analysis::{FixKind, ResolvedFix};
use crate::config::Policy;
use crate::rules::Applicability;
use crate::text::Encoding;

/// The code actions for findings that overlap `range`.
pub fn code_actions(
    document: &mut OpenDocument,
    uri: &Uri,
    range: std::ops::Range<usize>,
    encoding: Encoding,
    policy: &Policy,
) -> Vec<CodeActionOrCommand> {
    let Some(report) = document.report() else {
        return Vec::new();
    };
    let rope = document.source.rope();
    let mut actions = Vec::new();
    for finding in &report.findings {
        let overlaps = finding.range.start <= range.end && range.start <= finding.range.end;
        let Some(severity) = policy.apply(finding.rule.id, finding.severity).filter(|_| overlaps) else {
            continue;
        };
        let diagnostic = convert::finding(rope, finding, severity, encoding);
        for fix in &finding.fixes {
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
            new_text: edit.replacement.clone(),
        })
        .collect();
    let title = match fix.applicability {
        Applicability::Safe => fix.title.clone(),
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
