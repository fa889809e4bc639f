//! The diagnostics worker: analyses changed documents and publishes their diagnostics, one
//! at a time, so a newer report is never overtaken by an older one.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use tower_lsp_server::ls_types::{MessageType, Uri};

use super::convert;
use super::crossfile::{Caller, with_related};
use super::documents::OpenDocument;
use super::state::{Publish, ServerState, lock};
use super::tiled::{DiagnosticsJson, Sources, TileCache};
use crate::analysis::{Report, Reported};
use crate::config::{DEFAULT_MAX_DIAGNOSTICS, Policy};
use crate::model::kind::FileKind;
use crate::rules::Severity;
use crate::syntax::Source;
use crate::text::Encoding;

pub async fn run(state: Arc<ServerState>) {
    let Some(mut requests) = state.take_requests() else {
        return;
    };
    let mut logged_failures: HashSet<(Uri, &'static str)> = HashSet::new();
    while let Some(first) = requests.recv().await {
        // Coalesce a burst: each document is analysed once for all the changes queued so far.
        let mut batch = vec![first];
        while let Ok(next) = requests.try_recv() {
            batch.push(next);
        }
        // The project's configuration may have changed on disk: then every document is
        // published again under the new settings.
        if reload_project(&state, &batch).await {
            batch.extend(state.open_uris().into_iter().map(Publish::Analyze));
        }
        for request in coalesce(batch) {
            match request {
                Publish::Analyze(uri) => {
                    let Some((version, diagnostics, failures)) = diagnostics_of(&state, &uri) else {
                        continue;
                    };
                    for failure in failures {
                        if logged_failures.insert((uri.clone(), failure.0)) {
                            state.client.log_message(MessageType::ERROR, failure.1).await;
                        }
                    }
                    state.publish_json(diagnostics, Some(version));
                    follow_calls(&state, &uri).await;
                }
                Publish::Clear(uri) => {
                    logged_failures.retain(|(logged, _)| logged != &uri);
                    state.publish_diagnostics(uri.clone(), Vec::new(), None);
                    let callees = state.crossfile.forget(&uri);
                    publish_callees(&state, callees).await;
                }
            }
        }
    }
}

/// Reads again what the document at `uri` reaches in the files it calls, and what its open
/// callers reach in it (it may be a callee that changed), publishing the callees whose
/// findings changed.
async fn follow_calls(state: &ServerState, uri: &Uri) {
    let mut changed = update_caller(state, uri);
    for caller in state.crossfile.callers_of(uri).iter().filter(|caller| *caller != uri) {
        changed.extend(update_caller(state, caller));
    }
    publish_callees(state, changed).await;
}

/// Reads again what the open document `uri` reaches; returns the callees that changed.
fn update_caller(state: &ServerState, uri: &Uri) -> Vec<(Uri, FileKind)> {
    let Some(document) = state.document(uri) else { return Vec::new() };
    let (kind, file, report, text) = {
        let mut document = lock(&document);
        let (Some(kind), Some(file), Some(report)) =
            (document.kind(), document.file().map(Path::to_path_buf), document.report())
        else {
            return Vec::new();
        };
        // Documents that call nothing, and never did, cost no more than this look.
        if !report.references.iter().any(|reference| reference.kind.is_local()) && !state.crossfile.is_caller(uri) {
            return Vec::new();
        }
        (kind, file, report, document.source.rope().to_string())
    };
    let open_text = |other: &Uri| {
        let document = state.document(other).filter(|_| other != uri)?;
        Some(lock(&document).source.rope().to_string())
    };
    let caller = Caller { uri, file: &file, kind, text, report: &report };
    state.crossfile.update(&caller, &state.policy().rule_options(), &open_text)
}

/// Publishes callees whose findings changed: open ones are analysed again, the others read
/// from disk.
async fn publish_callees(state: &ServerState, callees: Vec<(Uri, FileKind)>) {
    for (callee, kind) in callees {
        if state.document(&callee).is_some() {
            state.publish(Publish::Analyze(callee));
            continue;
        }
        let policy = state.policy();
        let Some((rope, report)) = state.crossfile.unopened_report(&callee, kind, &policy.rule_options()) else {
            continue;
        };
        let file = callee.to_file_path().map(|path| path.into_owned());
        let diagnostics = report
            .findings
            .iter()
            .filter_map(|finding| {
                let severity = policy.apply(finding.rule.id, finding.severity)?;
                let diagnostic = convert::finding(&rope, finding, severity, state.encoding());
                Some(with_related(diagnostic, state.crossfile.related(file.as_deref(), finding)))
            })
            .collect();
        state.publish_diagnostics(callee, diagnostics, None);
    }
}

/// Reads the project's configuration again if it changed, telling the user of problems;
/// returns whether the settings changed.
async fn reload_project(state: &ServerState, batch: &[Publish]) -> bool {
    let file = batch.iter().find_map(|request| match request {
        Publish::Analyze(uri) => state.document(uri).and_then(|document| lock(&document).file().map(Path::to_path_buf)),
        Publish::Clear(_) => None,
    });
    let reloaded = state.reload_project(file.as_deref(), false);
    for problem in reloaded.problems {
        state.client.show_message(MessageType::WARNING, format!("pipewarden: {problem}")).await;
    }
    reloaded.changed
}

/// Keeps, for each document, only its last request, in the order of those last requests.
fn coalesce(batch: Vec<Publish>) -> Vec<Publish> {
    let mut seen = HashSet::new();
    let mut kept: Vec<Publish> = batch
        .into_iter()
        .rev()
        .filter(|request| match request {
            Publish::Analyze(uri) | Publish::Clear(uri) => seen.insert(uri.clone()),
        })
        .collect();
    kept.reverse();
    kept
}

type Published = (i32, DiagnosticsJson, Vec<(&'static str, String)>);

/// The findings of a report the user sees, with their severities: those the settings keep,
/// outside ignored paths, and not accepted by the project's baseline.
pub fn shown(state: &ServerState, policy: &Policy, document: &OpenDocument, report: &Report) -> Vec<(usize, Severity)> {
    let file = document.file();
    let accepted = match (state.baseline(), file) {
        (Some(baseline), Some(file)) => baseline.accepted(file, document.source.rope(), &report.findings),
        _ => vec![false; report.findings.len()],
    };
    report
        .findings
        .iter()
        .enumerate()
        .filter(|(index, finding)| {
            !accepted[*index] && !file.is_some_and(|file| policy.ignores_path(file, finding.rule.id))
        })
        .filter_map(|(index, finding)| Some((index, policy.apply(finding.rule.id, finding.severity)?)))
        .collect()
}

/// The `max` most severe of `shown` (ties by position), in text order, and how many are left
/// out. Publishing thousands of diagnostics costs the editor more than it helps anyone.
fn capped(shown: &[(usize, Severity)], max: usize) -> (Vec<(usize, Severity)>, usize) {
    if shown.len() <= max {
        return (shown.to_vec(), 0);
    }
    let mut by_severity = shown.to_vec();
    by_severity.sort_by_key(|(index, severity)| (std::cmp::Reverse(*severity), *index));
    let mut kept = by_severity[..max].to_vec();
    kept.sort_by_key(|(index, _)| *index);
    (kept, shown.len() - max)
}

/// The version and serialised diagnostics of an open document, and log lines for rules that
/// failed.
pub fn diagnostics_of(state: &ServerState, uri: &Uri) -> Option<Published> {
    let document = state.document(uri)?;
    let mut document = lock(&document);
    let encoding = state.encoding();
    let policy = state.policy();
    let Some(mut report) = document.report() else {
        return Some((document.version, DiagnosticsJson::for_notification(uri, 0), Vec::new()));
    };
    let reached = state.crossfile.reached_in(uri);
    if !reached.is_empty() {
        Arc::make_mut(&mut report).add_reached(reached);
    }
    let shown = shown(state, &policy, &document, &report);
    let file = document.file().map(Path::to_path_buf);
    let elsewhere = |finding: &Reported| state.crossfile.related(file.as_deref(), finding);
    let version = document.version;
    let (tiles, rope, cache) = document.tiled();
    let sources = Sources { uri, rope, tiles, report: &report, encoding, elsewhere: &elsewhere };
    let json = serialise(&sources, &shown, policy.max_diagnostics(), cache);
    let failures = report
        .failures
        .iter()
        .map(|failure| {
            (failure.rule, format!("rule `{}` panicked on {}: {}", failure.rule, uri.as_str(), failure.message))
        })
        .collect();
    Some((version, json, failures))
}

/// The JSON of one `publishDiagnostics` notification for `sources.report`: its syntax errors,
/// the findings `shown` (the `max` most severe, and a note on how many are left out) and the
/// rules that failed. `cache` reuses the JSON of tiles whose diagnostics did not change.
fn serialise(sources: &Sources<'_>, shown: &[(usize, Severity)], max: usize, cache: &mut TileCache) -> DiagnosticsJson {
    let mut json = DiagnosticsJson::for_notification(sources.uri, cache.last_size());
    for error in &sources.report.syntax_errors {
        json.push(&convert::syntax_error(sources.rope, error, sources.encoding));
    }
    let (kept, left_out) = capped(shown, max);
    cache.serialise(sources, &kept, &mut json);
    if left_out > 0 {
        json.push(&convert::left_out(left_out, max));
    }
    for failure in &sources.report.failures {
        json.push(&convert::failure(failure));
    }
    json
}

/// The `publishDiagnostics` notification the server sends first for a document whose text
/// `source` holds and `report` is of: every finding at its own severity, under the default
/// cap, converted and serialised as the server does with nothing cached. What the `stages`
/// benchmark measures of the conversion to LSP.
pub fn first_publish(uri: &Uri, source: &Source, report: &Report, encoding: Encoding) -> Vec<u8> {
    let shown: Vec<(usize, Severity)> =
        report.findings.iter().enumerate().map(|(index, finding)| (index, finding.severity)).collect();
    let elsewhere = |_: &Reported| Vec::new();
    let sources = Sources { uri, rope: source.rope(), tiles: source.layout(), report, encoding, elsewhere: &elsewhere };
    serialise(&sources, &shown, DEFAULT_MAX_DIAGNOSTICS, &mut TileCache::default()).into_notification(Some(1))
}
