//! State shared by the handlers, the ordered sync layer and the diagnostics worker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::{Diagnostic, Uri};

use super::crossfile::OpenCalls;
use super::documents::OpenDocument;
use super::framing::Frames;
use super::project::{Project, Reloaded};
use super::tiled::DiagnosticsJson;
use crate::config::{Policy, Settings};
use crate::rules::Rule;
use crate::text::Encoding;
use crate::workspace::baseline::Baseline;

/// What the diagnostics worker is asked to do.
#[derive(Debug)]
pub enum Publish {
    /// Analyse the document and publish its diagnostics.
    Analyze(Uri),
    /// Publish an empty list: the document was closed.
    Clear(Uri),
}

pub struct ServerState {
    pub client: Client,
    /// What open callers reach in the files they call.
    pub crossfile: OpenCalls,
    /// The rules every document is analysed with.
    pub rules: &'static [&'static dyn Rule],
    documents: Mutex<HashMap<Uri, Arc<Mutex<OpenDocument>>>>,
    encoding: RwLock<Encoding>,
    policy: RwLock<Policy>,
    /// The settings the editor sent, which win over the project's configuration file.
    editor_settings: Mutex<Settings>,
    project: Mutex<Project>,
    initialized: AtomicBool,
    /// Whether the client watches files for the server (dynamic registration).
    watches_files: AtomicBool,
    shut_down: AtomicBool,
    publisher: mpsc::UnboundedSender<Publish>,
    requests: Mutex<Option<mpsc::UnboundedReceiver<Publish>>>,
    /// Where diagnostics go, serialised here rather than by tower-lsp-server, which would
    /// build a `serde_json::Value` of thousands of diagnostics on every keystroke first.
    frames: Frames,
}

impl ServerState {
    pub fn new(client: Client, rules: &'static [&'static dyn Rule], frames: Frames) -> Arc<Self> {
        let (publisher, requests) = mpsc::unbounded_channel();
        Arc::new(Self {
            client,
            crossfile: OpenCalls::default(),
            rules,
            documents: Mutex::new(HashMap::new()),
            encoding: RwLock::new(Encoding::Utf16),
            policy: RwLock::new(Policy::default()),
            editor_settings: Mutex::new(Settings::default()),
            project: Mutex::new(Project::default()),
            initialized: AtomicBool::new(false),
            watches_files: AtomicBool::new(false),
            shut_down: AtomicBool::new(false),
            publisher,
            requests: Mutex::new(Some(requests)),
            frames,
        })
    }

    /// Sends `textDocument/publishDiagnostics`.
    pub fn publish_diagnostics(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let mut json = DiagnosticsJson::for_notification(&uri, 0);
        for diagnostic in &diagnostics {
            json.push(diagnostic);
        }
        self.publish_json(json, version);
    }

    /// Sends the `textDocument/publishDiagnostics` notification of diagnostics serialised
    /// for it.
    pub fn publish_json(&self, diagnostics: DiagnosticsJson, version: Option<i32>) {
        let _ = self.frames.send(Some(diagnostics.into_notification(version)));
    }

    /// The worker's end of the publish queue; it can be taken once.
    pub fn take_requests(&self) -> Option<mpsc::UnboundedReceiver<Publish>> {
        lock(&self.requests).take()
    }

    pub fn publish(&self, request: Publish) {
        // The worker only stops when the server does; nothing is lost that anyone awaits.
        let _ = self.publisher.send(request);
    }

    pub fn document(&self, uri: &Uri) -> Option<Arc<Mutex<OpenDocument>>> {
        lock(&self.documents).get(uri).cloned()
    }

    pub fn insert_document(&self, uri: Uri, document: OpenDocument) {
        let document = Arc::new(Mutex::new(document));
        lock(&self.documents).insert(uri, Arc::clone(&document));
        // The settings may have changed since the document was built. `set_policy` stores the
        // policy before it updates the open documents, so reading it after the insertion
        // misses no change.
        lock(&document).set_options(self.policy().rule_options());
    }

    pub fn remove_document(&self, uri: &Uri) -> bool {
        lock(&self.documents).remove(uri).is_some()
    }

    pub fn open_uris(&self) -> Vec<Uri> {
        lock(&self.documents).keys().cloned().collect()
    }

    pub fn encoding(&self) -> Encoding {
        *self.encoding.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn set_encoding(&self, encoding: Encoding) {
        *self.encoding.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = encoding;
    }

    pub fn policy(&self) -> Policy {
        self.policy.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Applies new settings; open documents are analysed with the new rule options from
    /// their next report on.
    pub fn set_policy(&self, policy: Policy) {
        let options = policy.rule_options();
        *self.policy.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = policy;
        let documents: Vec<_> = lock(&self.documents).values().cloned().collect();
        for document in documents {
            lock(&document).set_options(Arc::clone(&options));
        }
    }

    /// Takes the editor's settings; returns the problems to tell the user.
    pub fn set_editor_settings(&self, settings: Settings) -> Vec<String> {
        *lock(&self.editor_settings) = settings;
        self.recompute_policy()
    }

    /// Looks for the project's configuration from `root`.
    pub fn set_workspace_root(&self, root: Option<std::path::PathBuf>) {
        *lock(&self.project) = Project::with_root(root);
    }

    /// Reads the project's configuration file again if it changed (always when `force`d);
    /// `document` starts the search when the client gave no workspace root. Returns whether
    /// the settings changed, and the problems to tell the user.
    pub fn reload_project(&self, document: Option<&std::path::Path>, force: bool) -> Reloaded {
        let reloaded = {
            let mut project = lock(&self.project);
            let started = document.is_some_and(|path| project.start_from(path));
            project.reload(force || started)
        };
        if !reloaded.changed {
            return reloaded;
        }
        let mut problems = reloaded.problems;
        problems.extend(self.recompute_policy());
        Reloaded { changed: true, problems }
    }

    /// The baseline of accepted findings the project's configuration names.
    pub fn baseline(&self) -> Option<Arc<Baseline>> {
        lock(&self.project).baseline.clone()
    }

    /// The policy of the project's settings under the editor's.
    fn recompute_policy(&self) -> Vec<String> {
        let settings = lock(&self.project).settings.overridden_by(&lock(&self.editor_settings));
        let (policy, warnings) = Policy::from_settings(&settings);
        self.set_policy(policy);
        warnings
    }

    /// Whether document notifications are accepted: after `initialize`, before `shutdown`.
    pub fn is_serving(&self) -> bool {
        self.initialized.load(Ordering::Acquire) && !self.shut_down.load(Ordering::Acquire)
    }

    pub fn watches_files(&self) -> bool {
        self.watches_files.load(Ordering::Acquire)
    }

    pub fn set_watches_files(&self, watches: bool) {
        self.watches_files.store(watches, Ordering::Release);
    }

    pub fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::Release);
    }

    pub fn mark_shut_down(&self) {
        self.shut_down.store(true, Ordering::Release);
    }
}

/// Locks a mutex, recovering it if a panicking thread poisoned it: the data under our locks
/// is always left consistent between statements.
pub fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
