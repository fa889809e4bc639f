//! The diagnostics worker: analyses changed documents and publishes their diagnostics, one
//! at a time, so a newer report is never overtaken by an older one.

use std::collections::HashSet;
use std::sync::Arc;

use tower_lsp_server::ls_types::{Diagnostic, MessageType, Uri};

use super::convert;
use super::state::{Publish, ServerState, lock};
use crate::analysis::attack_path;

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
                    state.client.publish_diagnostics(uri, diagnostics, Some(version)).await;
                }
                Publish::Clear(uri) => {
                    logged_failures.retain(|(logged, _)| logged != &uri);
                    state.client.publish_diagnostics(uri, Vec::new(), None).await;
                }
            }
        }
    }
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

type Published = (i32, Vec<Diagnostic>, Vec<(&'static str, String)>);

/// The version and diagnostics of an open document, and log lines for rules that failed.
pub fn diagnostics_of(state: &ServerState, uri: &Uri) -> Option<Published> {
    let document = state.document(uri)?;
    let mut document = lock(&document);
    let encoding = state.encoding();
    let policy = state.policy();
    let Some(report) = document.report() else {
        return Some((document.version, Vec::new(), Vec::new()));
    };
    let rope = document.source.rope();
    let mut diagnostics: Vec<Diagnostic> =
        report.syntax_errors.iter().map(|error| convert::syntax_error(rope, error, encoding)).collect();
    let path = attack_path(&report.findings);
    for (index, finding) in report.findings.iter().enumerate() {
        if let Some(severity) = policy.apply(finding.rule.id, finding.severity) {
            let mut diagnostic = convert::finding(rope, finding, severity, encoding);
            diagnostic.related_information = convert::attack_path(uri, rope, &path, &report.findings, index, encoding);
            diagnostics.push(diagnostic);
        }
    }
    diagnostics.extend(report.failures.iter().map(convert::failure));
    let failures = report
        .failures
        .iter()
        .map(|failure| {
            (failure.rule, format!("rule `{}` panicked on {}: {}", failure.rule, uri.as_str(), failure.message))
        })
        .collect();
    Some((document.version, diagnostics, failures))
}
