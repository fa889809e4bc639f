//! Soak: 100,000 edits across 50 open documents, against the real binary over stdio, with
//! bounded memory growth. The edits type and delete characters, so the documents keep their
//! size: memory that grows anyway is a leak (old trees, reports, cached jobs, queued work).

mod support;

use std::time::Instant;

use serde_json::json;
use support::{Client, codes, fixture, workflow_uri};

const DOCUMENTS: usize = 50;
const EDITS: usize = 100_000;
const WARM_UP: usize = 10_000;
/// Notifications written at once: a client that types fast sends bursts like this.
const BATCH: usize = 500;
/// Allowed growth of the resident set between warm-up and the end. Measured growth was
/// a few MiB at most; a leak of even 200 bytes per edit would exceed this.
const MAX_GROWTH_KIB: u64 = 16 * 1024;

#[test]
fn a_long_session_keeps_memory_bounded_and_documents_right() {
    let started = Instant::now();
    let (mut client, _) = Client::initialized(&["utf-16"]);
    let text = fixture("lsp/triage.yml");
    let uris: Vec<String> = (0..DOCUMENTS).map(|i| workflow_uri(&format!("soak-{i}.yml"))).collect();
    for uri in &uris {
        client.open(uri, &text);
    }
    let mut versions = vec![1i64; DOCUMENTS];
    let mut sent = 0;
    let mut rss_after_warm_up = 0;
    while sent < EDITS {
        let mut batch = Vec::new();
        for _ in 0..BATCH {
            let document = sent % DOCUMENTS;
            let round = sent / DOCUMENTS;
            versions[document] += 1;
            // Type an `x` at the start of line 1 on even rounds, delete it on odd ones.
            let typing = round.is_multiple_of(2);
            let (end, inserted) = if typing { (0, "x") } else { (1, "") };
            batch.extend(Client::framed_notification(
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": uris[document], "version": versions[document] },
                    "contentChanges": [{ "range": {
                        "start": { "line": 1, "character": 0 },
                        "end": { "line": 1, "character": end }
                    }, "text": inserted }]
                }),
            ));
            sent += 1;
        }
        client.send_raw(&batch);
        if sent == WARM_UP {
            settle(&mut client, &uris, &versions);
            rss_after_warm_up = rss_kib(client.pid());
        }
    }
    settle(&mut client, &uris, &versions);
    let rss_at_end = rss_kib(client.pid());
    for (uri, version) in uris.iter().zip(&versions) {
        let result = client.request("pipewarden/documentText", json!({ "uri": uri })).unwrap();
        assert_eq!(result["version"], *version);
        assert_eq!(result["text"], text.as_str(), "every x typed was deleted again");
    }
    let growth = rss_at_end.saturating_sub(rss_after_warm_up);
    eprintln!(
        "soak: {EDITS} edits over {DOCUMENTS} documents in {:?}; RSS {rss_after_warm_up} KiB after warm-up, {rss_at_end} KiB at the end",
        started.elapsed()
    );
    assert!(growth <= MAX_GROWTH_KIB, "resident memory grew by {growth} KiB (from {rss_after_warm_up} KiB)");
    client.shutdown();
}

/// Waits until every document's diagnostics for its latest version are published.
fn settle(client: &mut Client, uris: &[String], versions: &[i64]) {
    for (uri, version) in uris.iter().zip(versions) {
        let diagnostics = client.diagnostics_for_version(uri, *version);
        assert!(codes(&diagnostics).contains(&"expression-injection".to_owned()));
    }
    client.clear_backlog();
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}
