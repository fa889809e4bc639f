//! Across files in the editor: what an open workflow reaches in the actions and reusable
//! workflows it calls, published for those files too, open or not (unopened ones are read
//! from disk through the workspace, inside its root only).
//!
//! Documents without local references cost one look at their report's references per
//! analysis; the callee analyses run only for documents that call local files.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use ropey::Rope;
use tower_lsp_server::ls_types::{Diagnostic, DiagnosticRelatedInformation, Location, Position, Range, Uri};

use super::state::lock;
use crate::analysis::{CalledFile, CalleeAnalyses, Report, Reported, analyze_text_with, reached_from};
use crate::model::kind::FileKind;
use crate::model::references::{ReferenceKind, is_pattern};
use crate::rules::RuleOptions;
use crate::workspace::graph::{candidates, is_own};
use crate::workspace::root::Root;

/// What open callers reach in other files.
#[derive(Default)]
pub struct OpenCalls {
    /// The client's workspace folder, which bounds what is read.
    root: Mutex<Option<Root>>,
    /// By caller: each callee it calls, with what the caller reaches there (maybe nothing).
    calls: Mutex<HashMap<Uri, HashMap<Uri, Callee>>>,
    /// The callees' analyses as called, kept across keystrokes in their callers.
    analyses: Mutex<CalleeAnalyses>,
}

/// A file a caller calls, and what the caller reaches in it.
#[derive(Clone, PartialEq)]
pub struct Callee {
    pub kind: FileKind,
    pub reached: Vec<Reported>,
}

/// A document as the cross-file analysis reads it.
pub struct Caller<'a> {
    pub uri: &'a Uri,
    pub file: &'a Path,
    pub kind: FileKind,
    pub text: String,
    pub report: &'a Report,
}

impl OpenCalls {
    pub fn set_root(&self, root: Option<&Path>) {
        *lock(&self.root) = root.and_then(Root::new);
    }

    /// The workspace `file` is in: the client's folder when it holds the file, else the
    /// repository around the file.
    pub fn root_for(&self, file: &Path) -> Option<Root> {
        let client = lock(&self.root).clone();
        client.filter(|root| root.relative(file).is_some()).or_else(|| Root::around(file))
    }

    /// What open callers reach in `uri`.
    pub fn reached_in(&self, uri: &Uri) -> Vec<Reported> {
        let calls = lock(&self.calls);
        calls.values().filter_map(|callees| callees.get(uri)).flat_map(|callee| callee.reached.clone()).collect()
    }

    /// Whether `uri` calls files, as last analysed.
    pub fn is_caller(&self, uri: &Uri) -> bool {
        lock(&self.calls).contains_key(uri)
    }

    /// The open documents that call `uri`.
    pub fn callers_of(&self, uri: &Uri) -> Vec<Uri> {
        lock(&self.calls)
            .iter()
            .filter(|(_, callees)| callees.contains_key(uri))
            .map(|(caller, _)| caller.clone())
            .collect()
    }

    /// What a callee that is not open shows: its own findings, read from disk, and what
    /// callers reach in it.
    pub fn unopened_report(&self, uri: &Uri, kind: FileKind, options: &RuleOptions) -> Option<(Rope, Report)> {
        let file = uri.to_file_path()?;
        let root = self.root_for(&file)?;
        let (_, text) = root.read(&root.relative(&file)?)?;
        let mut report = analyze_text_with(kind, &text, std::sync::Arc::new(options.clone()));
        report.add_reached(self.reached_in(uri));
        Some((Rope::from_str(&text), report))
    }

    /// Reads again what `caller` reaches; returns the callees whose findings changed, with
    /// their kind. `open_text` gives the text of open documents, which wins over the disk.
    pub fn update(
        &self,
        caller: &Caller<'_>,
        options: &RuleOptions,
        open_text: &dyn Fn(&Uri) -> Option<String>,
    ) -> Vec<(Uri, FileKind)> {
        let calls_local = caller.report.references.iter().any(|reference| reference.kind.is_local());
        let callees = if calls_local { self.callees(caller, options, open_text) } else { HashMap::new() };
        let mut calls = lock(&self.calls);
        let before = calls.remove(caller.uri).unwrap_or_default();
        let mut changed: Vec<(Uri, FileKind)> = before
            .iter()
            .filter(|(uri, callee)| callees.get(*uri).is_none_or(|now| now.reached != callee.reached))
            .map(|(uri, callee)| (uri.clone(), callee.kind))
            .collect();
        changed.extend(
            callees
                .iter()
                .filter(|(uri, callee)| !before.contains_key(*uri) && !callee.reached.is_empty())
                .map(|(uri, callee)| (uri.clone(), callee.kind)),
        );
        if !callees.is_empty() {
            calls.insert(caller.uri.clone(), callees);
        }
        changed
    }

    /// Forgets a closed caller; returns the callees whose findings change.
    pub fn forget(&self, caller: &Uri) -> Vec<(Uri, FileKind)> {
        let before = lock(&self.calls).remove(caller).unwrap_or_default();
        before
            .into_iter()
            .filter(|(_, callee)| !callee.reached.is_empty())
            .map(|(uri, callee)| (uri, callee.kind))
            .collect()
    }

    fn callees(
        &self,
        caller: &Caller<'_>,
        options: &RuleOptions,
        open_text: &dyn Fn(&Uri) -> Option<String>,
    ) -> HashMap<Uri, Callee> {
        let Some(root) = self.root_for(caller.file) else { return HashMap::new() };
        let Some(relative) = root.relative(caller.file) else { return HashMap::new() };
        let own = root.github_repository();
        // The repository's YAML files, listed only when a wildcard include needs them.
        let wildcard = caller.report.references.iter().any(|reference| is_pattern(&reference.target));
        let yaml_files = if wildcard { root.yaml_files() } else { Vec::new() };
        // Each callee's text, read once, by the reference's place in the caller.
        let mut files: Vec<(std::ops::Range<usize>, String, Uri, FileKind, String)> = Vec::new();
        for reference in &caller.report.references {
            if let ReferenceKind::RepositoryWorkflow { repository } = &reference.kind
                && !is_own(own.as_deref(), repository)
            {
                continue;
            }
            let mut found = candidates(reference, &yaml_files).into_iter().filter_map(|(path, kind)| {
                let uri = Uri::from_file_path(root.path().join(&path))?;
                let text = open_text(&uri).or_else(|| root.read(&path).map(|(_, text)| text))?;
                Some((reference.at.clone(), path, uri, kind, text))
            });
            // A wildcard names every file it matches; a path, the first candidate found.
            if is_pattern(&reference.target) {
                files.extend(found);
            } else {
                files.extend(found.next());
            }
        }
        let mut callees: HashMap<Uri, Callee> = files
            .iter()
            .map(|(_, _, uri, kind, _)| (uri.clone(), Callee { kind: *kind, reached: Vec::new() }))
            .collect();
        let lookup = |reference: &crate::model::references::Reference<std::ops::Range<usize>>| {
            files
                .iter()
                .filter(|(at, ..)| *at == reference.at)
                .map(|(_, path, _, kind, text)| CalledFile { path, kind: *kind, text })
                .collect()
        };
        let calling = CalledFile { path: &relative, kind: caller.kind, text: &caller.text };
        for (path, finding) in reached_from(calling, &lookup, options, &mut lock(&self.analyses)) {
            // A GitLab file's own jobs may extend the templates of the files it includes.
            if path == relative {
                let own = Callee { kind: caller.kind, reached: Vec::new() };
                callees.entry(caller.uri.clone()).or_insert(own).reached.push(finding);
                continue;
            }
            let uri = files.iter().find(|(_, callee, ..)| *callee == path).map(|(_, _, uri, ..)| uri);
            if let Some(callee) = uri.and_then(|uri| callees.get_mut(uri)) {
                callee.reached.push(finding);
            }
        }
        callees
    }

    /// A finding's places in other files, as related information.
    pub fn related(&self, file: Option<&Path>, finding: &Reported) -> Vec<DiagnosticRelatedInformation> {
        // Most findings name no other file; finding the root would stat directories for each.
        if finding.related.is_empty() {
            return Vec::new();
        }
        let Some(root) = file.and_then(|file| self.root_for(file)) else { return Vec::new() };
        finding
            .related
            .iter()
            .filter_map(|related| {
                let uri = Uri::from_file_path(root.path().join(&related.path))?;
                let line = u32::try_from(related.line).unwrap_or(u32::MAX);
                let range = Range::new(Position::new(line, 0), Position::new(line.saturating_add(1), 0));
                Some(DiagnosticRelatedInformation {
                    location: Location { uri, range },
                    message: related.message.clone(),
                })
            })
            .collect()
    }
}

/// Adds `related` to a diagnostic's related information.
pub fn with_related(mut diagnostic: Diagnostic, related: Vec<DiagnosticRelatedInformation>) -> Diagnostic {
    if !related.is_empty() {
        diagnostic.related_information.get_or_insert_with(Vec::new).extend(related);
    }
    diagnostic
}
