//! What `check` adds from the workspace model: findings in the files the checked ones call
//! (or in checked files, from their callers), each repository the checked files are in read
//! once, the repositories on every core.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ropey::Rope;

use super::output::Checked;
use super::parallel;
use crate::analysis::{CalleeAnalyses, ParsedCallee, Report, Reported, WorkflowRead};
use crate::model::kind::FileKind;
use crate::rules::RuleOptions;
use crate::workspace::graph::{Discovery, KnownLinks, KnownTexts, Workspace};
use crate::workspace::root::Root;

/// Adds to `checked` what callers reach in checked files, and in the files checked callers
/// call (which are then shown though not named on the command line). `fixes_written` says
/// whether fixed files were written (not only shown as a diff).
pub fn add_reached(checked: &mut Vec<Checked>, options: &RuleOptions, fixes_written: bool) {
    // Each checked file is in one repository: the worker reading it takes what the check
    // kept of it, and lets it go there rather than on this thread.
    let kept: Vec<Mutex<Kept>> = checked
        .iter_mut()
        .map(|file| Mutex::new(Kept { model: file.model.take(), parsed: file.parsed.take() }))
        .collect();
    let found = {
        let checked = &*checked;
        // A file named twice (or through a link) is found at the first place it was checked.
        let mut canonical: HashMap<&Path, usize> = HashMap::new();
        for (index, file) in checked.iter().enumerate() {
            if let Some(path) = &file.canonical {
                canonical.entry(path).or_insert(index);
            }
        }
        let roots = repositories(checked);
        let position = |path: &Path| canonical.get(path).copied();
        // A checked file, when the disk still holds the text it was analysed from (`--diff`
        // leaves fixed files unwritten): its links, its analysis and its model are taken
        // from there.
        let analysed = |path: &Path, text: &str| {
            let at = position(path)?;
            (checked[at].rope == text).then_some((at, &checked[at]))
        };
        let known = |path: &Path, text: &str| analysed(path, text).map(|(_, file)| file.report.links());
        // A checked file's text is on the disk, unless fixes to it were only shown: it is
        // not read again.
        let text = |path: &Path| {
            let file = &checked[position(path)?];
            (fixes_written || !file.fixed).then(|| file.rope.to_string())
        };
        let seen = Seen { text: &text, known: &known, analysed: &analysed, position: &position, kept: &kept };
        parallel::analyse_in_order(&roots, |(root, discovery)| {
            reached_in_repository(root.clone(), *discovery, &seen, options)
        })
    };
    for (callee, findings) in found.into_iter().flatten() {
        match callee {
            Callee::Checked(at) => checked[at].report.add_reached(findings),
            Callee::Unchecked { path, kind, text } => {
                let mut report = Report::default();
                report.add_reached(findings);
                let (rope, options) = (Rope::from_str(&text), Arc::new(options.clone()));
                checked.push(Checked {
                    path: shown(&path),
                    canonical: Some(path),
                    kind,
                    rope,
                    report,
                    fixed: false,
                    options,
                    model: None,
                    parsed: None,
                });
            }
        }
    }
}

/// A file of a repository in which callers reach findings.
enum Callee {
    /// A checked file, by its index.
    Checked(usize),
    /// A file a checked caller calls.
    Unchecked { path: PathBuf, kind: FileKind, text: String },
}

/// What the cross-file pass takes from the checked files, by canonical path and text.
struct Seen<'a> {
    text: &'a KnownTexts<'a>,
    known: &'a KnownLinks<'a>,
    analysed: &'a AnalysedFrom<'a>,
    /// The index of a checked file.
    position: &'a (dyn Fn(&Path) -> Option<usize> + Sync),
    /// What the check kept of each checked file, by index, until taken.
    kept: &'a [Mutex<Kept>],
}

/// The checked file at a canonical path analysed from the text given, with its index.
type AnalysedFrom<'a> = dyn Fn(&Path, &str) -> Option<(usize, &'a Checked)> + Sync + 'a;

/// What the check kept of a file for this pass: the workflow model other files' analyses
/// read, and the parsed text of a file other files may call.
#[derive(Default)]
struct Kept {
    model: Option<Arc<WorkflowRead>>,
    parsed: Option<ParsedCallee>,
}

/// The repositories of the checked files, each once, with what a load of each must look
/// for: a GitHub file reaches only files that GitHub workflows call, and GitLab files (some
/// of which only their content says are pipeline files) are looked for only where a GitLab
/// file is checked.
fn repositories(checked: &[Checked]) -> Vec<(Root, Discovery)> {
    // Files are many to a folder, and a folder's root is found by asking the file system
    // about every folder above it: each folder is looked up once, on every core.
    fn folder_of(file: &Checked) -> Option<&Path> {
        file.canonical.as_deref().and_then(Path::parent)
    }
    // Canonical paths are compared as bytes: comparing them component by component cost
    // milliseconds on the serial path between two parallel phases.
    let mut folders: Vec<&OsStr> = checked.iter().filter_map(folder_of).map(Path::as_os_str).collect();
    folders.sort_unstable();
    folders.dedup();
    let roots_of_folders = parallel::map_in_order(&folders, |folder| Root::around_folder(Path::new(folder)));
    let root_of = |folder: &Path| roots_of_folders[folders.binary_search(&folder.as_os_str()).ok()?].clone();
    let mut roots: BTreeMap<PathBuf, (Root, Discovery)> = BTreeMap::new();
    for file in checked {
        let Some(root) = folder_of(file).and_then(root_of) else { continue };
        let discovery = if file.kind == FileKind::GitlabCi { Discovery::ByContent } else { Discovery::GithubWorkflows };
        let (_, needed) = roots.entry(root.path().to_path_buf()).or_insert((root, discovery));
        *needed = (*needed).max(discovery);
    }
    roots.into_values().collect()
}

/// What callers reach in the repository at `root`, in callees that are checked or that a
/// checked file calls.
fn reached_in_repository(
    root: Root,
    discovery: Discovery,
    seen: &Seen<'_>,
    options: &RuleOptions,
) -> Vec<(Callee, Vec<Reported>)> {
    let position = seen.position;
    let workspace = Workspace::load_with(root, discovery, seen.text, seen.known);
    // Every callee's analysis as called is compared with its analysis alone, which a check
    // with the same options made; callers' calls and callees' interfaces are read from the
    // models the check kept, and callees analysed as called from the trees it kept.
    let mut analyses = CalleeAnalyses::default();
    let callees = workspace.callees();
    for (index, file) in workspace.files.iter().enumerate() {
        let Some((at, checked)) = (seen.analysed)(&file.path, &file.text) else { continue };
        // Taken by the first repository that reads the file (one nested in another reads
        // it again from its text).
        let taken = seen.kept[at].lock().map(|mut kept| std::mem::take(&mut *kept));
        let Ok(Kept { model, parsed }) = taken else { continue };
        if let Some(model) = model {
            analyses.seed_model(file.called(), model);
        }
        if callees.binary_search(&index).is_err() {
            continue;
        }
        if *checked.options == *options {
            analyses.seed_report(file.called(), options.clone(), Arc::new(checked.report.clone()));
        }
        if let Some(parsed) = parsed {
            analyses.seed_parsed(file.called(), parsed);
        }
    }
    let mut by_callee: HashMap<usize, Vec<Reported>> = HashMap::new();
    for (caller, callee, finding) in workspace.reached(options, &mut analyses) {
        let is_checked = |index: usize| position(&workspace.files[index].path).is_some();
        if is_checked(callee) || is_checked(caller) {
            by_callee.entry(callee).or_default().push(finding);
        }
    }
    let mut callees: Vec<(usize, Vec<Reported>)> = by_callee.into_iter().collect();
    callees.sort_by_key(|(callee, _)| *callee);
    callees
        .into_iter()
        .map(|(index, findings)| {
            let file = &workspace.files[index];
            let callee = match position(&file.path) {
                Some(at) => Callee::Checked(at),
                None => Callee::Unchecked { path: file.path.clone(), kind: file.kind, text: file.text.clone() },
            };
            (callee, findings)
        })
        .collect()
}

/// A path as `check` shows it: from the current folder when it is inside.
fn shown(path: &Path) -> PathBuf {
    let current = std::env::current_dir().and_then(std::fs::canonicalize);
    current
        .ok()
        .and_then(|current| path.strip_prefix(current).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}
