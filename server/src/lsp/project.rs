//! The project's configuration and lock files as the server sees them: found from the
//! workspace root (or the first document opened), read again when they change on disk, and
//! layered under the editor's settings, which win.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::config::Settings;
use crate::workspace::baseline::Baseline;
use crate::workspace::interfaces::local_workflows;
use crate::workspace::root::Root;
use crate::workspace::{find_config, find_lock, load_config, load_lock, modified};

/// How often the configuration file is looked at again while the user types.
const RECHECK: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct Project {
    /// The workspace root the client gave, which the search for a configuration stops at.
    root: Option<PathBuf>,
    /// Where the search starts: the root, or the first document opened.
    start: Option<PathBuf>,
    file: Option<PathBuf>,
    modified: Option<SystemTime>,
    /// The lock file (`.github/pipewarden.lock`) and when it was last modified.
    lock: Option<PathBuf>,
    lock_modified: Option<SystemTime>,
    checked: Option<Instant>,
    pub settings: Settings,
    pub baseline: Option<Arc<Baseline>>,
}

/// What a reload found that the user must hear about.
pub struct Reloaded {
    pub changed: bool,
    pub problems: Vec<String>,
}

impl Project {
    pub fn with_root(root: Option<PathBuf>) -> Self {
        Self { start: root.clone(), root, ..Self::default() }
    }

    /// Starts the search from `document` when no workspace root was given.
    pub fn start_from(&mut self, document: &Path) -> bool {
        if self.start.is_some() {
            return false;
        }
        self.start = Some(document.to_path_buf());
        true
    }

    /// Reads the configuration again if the file appeared, changed or went away; at most
    /// once per [`RECHECK`] unless `force`d (a file watcher saw a change).
    pub fn reload(&mut self, force: bool) -> Reloaded {
        let unchanged = Reloaded { changed: false, problems: Vec::new() };
        if !force && self.checked.is_some_and(|checked| checked.elapsed() < RECHECK) {
            return unchanged;
        }
        self.checked = Some(Instant::now());
        let Some(start) = &self.start else { return unchanged };
        let file = find_config(start, self.root.as_deref());
        let stamp = file.as_deref().and_then(modified);
        let lock = find_lock(start, self.root.as_deref());
        let lock_stamp = lock.as_deref().and_then(modified);
        if !force
            && file == self.file
            && stamp == self.modified
            && lock == self.lock
            && lock_stamp == self.lock_modified
        {
            return unchanged;
        }
        self.file = file;
        self.modified = stamp;
        self.lock = lock;
        self.lock_modified = lock_stamp;
        let mut problems = Vec::new();
        self.settings = match &self.file {
            None => Settings::default(),
            Some(path) => match load_config(path) {
                Ok(settings) => settings,
                Err(error) => {
                    problems.push(format!(
                        "{}:{}: {}; the defaults are used",
                        path.display(),
                        error.line,
                        error.message
                    ));
                    Settings::default()
                }
            },
        };
        if let Some(path) = &self.lock {
            match load_lock(path) {
                Ok(pins) => self.settings.pins = Arc::new(pins),
                Err(error) => problems.push(format!(
                    "{}:{}: {}; no pin is offered from it",
                    path.display(),
                    error.line,
                    error.message
                )),
            }
        }
        self.settings.local_workflows =
            Arc::new(self.repository().map(|root| local_workflows(&root)).unwrap_or_default());
        self.baseline = match self.settings.baseline.as_deref().map(Baseline::read) {
            Some(Ok(baseline)) => Some(Arc::new(baseline)),
            Some(Err(message)) => {
                problems.push(message);
                None
            }
            None => None,
        };
        Reloaded { changed: true, problems }
    }

    /// The repository the project is: the client's workspace root, or the one around the
    /// first document opened.
    fn repository(&self) -> Option<Root> {
        match &self.root {
            Some(root) => Root::new(root),
            None => self.start.as_deref().and_then(Root::around),
        }
    }
}
