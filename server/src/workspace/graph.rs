//! The workspace model: the pipeline files of a repository and the references between them.
//!
//! Files are read through [`Root`], so only files inside the root are read; each file is read
//! once, however many references name it, so reference cycles end; remote references and
//! references to other repositories are recorded as edges and never fetched.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::root::{MAX_FILE_SIZE, Root};
use crate::analysis::{self, CalledFile, CalleeAnalyses, FileLinks, Reported};
use crate::model::kind::{self, FileKind};
use crate::model::references::{self, Reference, ReferenceKind};
use crate::rules::RuleOptions;

/// How many files a workspace holds at most, references followed included.
const MAX_FILES: usize = 2_000;

/// The pipeline files of one repository and the references between them.
pub struct Workspace {
    pub root: Root,
    /// `owner/repo` of the repository on GitHub, when `.git/config` says.
    pub repository: Option<String>,
    pub files: Vec<WorkspaceFile>,
    pub edges: Vec<Edge>,
}

pub struct WorkspaceFile {
    /// From the root, with `/` separators.
    pub relative: String,
    /// The canonical path.
    pub path: PathBuf,
    pub kind: FileKind,
    pub text: String,
    /// A workflow's `name:`, known once the file's links are, or read the first time a
    /// `workflow_run` trigger asks before then: one parse per file, not one per trigger.
    workflow_name: OnceLock<Option<String>>,
}

impl WorkspaceFile {
    pub fn called(&self) -> CalledFile<'_> {
        CalledFile { path: &self.relative, kind: self.kind, text: &self.text }
    }

    /// What the file names in others, from `known` or read now; its name is kept.
    fn links(&self, known: &KnownLinks<'_>) -> FileLinks {
        let links = known(&self.path, &self.text).unwrap_or_else(|| analysis::file_links(self.kind, &self.text));
        // Set only here or by `workflows_named` from the same text, so a name already set is this one.
        let _ = self.workflow_name.set(links.workflow_name.clone());
        links
    }
}

/// Which files of a repository a load reads before following references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Discovery {
    /// The workflows in `.github/workflows`: the only GitHub files whose calls are followed
    /// (an action's own calls are analysed with the workflow that calls it). The files they
    /// call are read as their references name them; no other folder is listed.
    GithubWorkflows,
    /// Every YAML file of the repository whose path or content says it is a pipeline file,
    /// as a GitLab file at a path of the project's choosing only says by its content: every
    /// folder is listed and every YAML file read.
    ByContent,
}

/// The links of a file already analysed, given its canonical path and its text.
pub type KnownLinks<'a> = dyn Fn(&Path, &str) -> Option<FileLinks> + Sync + 'a;

/// The text of a file already read, by canonical path, when the file still holds it.
pub type KnownTexts<'a> = dyn Fn(&Path) -> Option<String> + Sync + 'a;

/// A file a listing of the root found, with its path: its text from `texts` when it was
/// read already (and is not larger than the root lets a file be), else from the disk.
fn read_listed_or_known(root: &Root, relative: &str, texts: &KnownTexts<'_>) -> Option<(PathBuf, String)> {
    let path = root.path().join(relative);
    match texts(&path) {
        Some(text) if text.len() as u64 <= MAX_FILE_SIZE => Some((path, text)),
        _ => root.read_listed(relative),
    }
}

/// A reference from one file of the workspace, and what it leads to.
pub struct Edge {
    /// The index of the file it is written in.
    pub from: usize,
    pub reference: Reference<Range<usize>>,
    pub to: Target,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the workspace, by index.
    File(usize),
    /// Outside the repository: recorded, never fetched.
    Remote,
    /// Inside the repository but not found, or not readable within the bounds.
    Unresolved,
}

impl Workspace {
    /// Reads the repository at `root`: every pipeline file under it, then the files their
    /// references name, each once.
    pub fn load(root: Root) -> Self {
        Self::load_with(root, Discovery::ByContent, &|_| None, &|_, _| None)
    }

    /// [`Workspace::load`], looking for the files `discovery` says, taking from `texts` the
    /// texts of files already read and from `known` the links of files already analysed (by
    /// canonical path and text) instead of reading them again.
    pub fn load_with(root: Root, discovery: Discovery, texts: &KnownTexts<'_>, known: &KnownLinks<'_>) -> Self {
        let yaml_files = match discovery {
            Discovery::GithubWorkflows => root.yaml_files_in(".github/workflows"),
            Discovery::ByContent => root.yaml_files(),
        };
        let repository = root.github_repository();
        let mut workspace = Self { root, repository, files: Vec::new(), edges: Vec::new() };
        for relative in &yaml_files {
            if let Some((path, text)) = read_listed_or_known(&workspace.root, relative, texts)
                && let Some(kind) = kind::detect(relative, &text)
            {
                workspace.files.push(WorkspaceFile {
                    relative: relative.clone(),
                    path,
                    kind,
                    text,
                    workflow_name: OnceLock::new(),
                });
            }
        }
        // Every name is known before a `workflow_run` reference looks for one.
        let mut links: Vec<Option<FileLinks>> = workspace.files.iter().map(|file| Some(file.links(known))).collect();
        let mut next = 0;
        while next < workspace.files.len() {
            let file = &workspace.files[next];
            let found = links.get_mut(next).and_then(Option::take).unwrap_or_else(|| file.links(known));
            for reference in found.references {
                for to in workspace.resolve(&reference, &yaml_files) {
                    workspace.edges.push(Edge { from: next, reference: reference.clone(), to });
                }
            }
            next += 1;
        }
        workspace
    }

    /// What each workflow reaches in the files it calls, and each GitLab file in the files it
    /// includes: (caller, callee, finding), by index.
    pub fn reached(&self, options: &RuleOptions, analyses: &mut CalleeAnalyses) -> Vec<(usize, usize, Reported)> {
        let mut reached = Vec::new();
        for (caller, file) in self.files.iter().enumerate() {
            let calls = self.edges.iter().any(|edge| edge.from == caller && matches!(edge.to, Target::File(_)));
            if !calls || file.kind == FileKind::GithubAction {
                continue;
            }
            let callee = |reference: &Reference<Range<usize>>| {
                self.targets_of(caller, &reference.at).map(WorkspaceFile::called).collect()
            };
            for (path, finding) in analysis::reached_from(file.called(), &callee, options, analyses) {
                reached.extend(self.index_of(&path).map(|callee| (caller, callee, finding)));
            }
        }
        reached
    }

    /// The indices of the files a reference of another file leads to, sorted, each once.
    pub fn callees(&self) -> Vec<usize> {
        let mut called: Vec<usize> = self
            .edges
            .iter()
            .filter_map(|edge| match edge.to {
                Target::File(index) => Some(index),
                Target::Remote | Target::Unresolved => None,
            })
            .collect();
        called.sort_unstable();
        called.dedup();
        called
    }

    /// The other files of the GitLab pipeline file `index` is part of: those joined to it
    /// by `include:`, in either direction and through other includes, nearest first.
    pub fn pipeline_of(&self, index: usize) -> Vec<usize> {
        let includes = |edge: &&Edge| edge.reference.kind == ReferenceKind::GitlabInclude;
        let mut found = vec![index];
        let mut next = 0;
        while next < found.len() {
            let file = found[next];
            for edge in self.edges.iter().filter(includes) {
                let joined = match edge.to {
                    Target::File(to) if edge.from == file => Some(to),
                    Target::File(to) if to == file => Some(edge.from),
                    _ => None,
                };
                if let Some(joined) = joined.filter(|joined| !found.contains(joined)) {
                    found.push(joined);
                }
            }
            next += 1;
        }
        found.split_off(1)
    }

    /// The index of the file at `relative`, if it is in the workspace.
    pub fn index_of(&self, relative: &str) -> Option<usize> {
        self.files.iter().position(|file| file.relative == relative)
    }

    /// The files the edges from `from` at `at` lead to: a wildcard include names several.
    pub fn targets_of(&self, from: usize, at: &Range<usize>) -> impl Iterator<Item = &WorkspaceFile> {
        self.edges.iter().filter(move |edge| edge.from == from && &edge.reference.at == at).filter_map(
            |edge| match edge.to {
                Target::File(index) => self.files.get(index),
                Target::Remote | Target::Unresolved => None,
            },
        )
    }

    /// What a reference leads to: a wildcard include may name several files.
    fn resolve(&mut self, reference: &Reference<Range<usize>>, yaml_files: &[String]) -> Vec<Target> {
        let found: Vec<usize> = match &reference.kind {
            ReferenceKind::Remote => return vec![Target::Remote],
            ReferenceKind::RepositoryWorkflow { repository } if !is_own(self.repository.as_deref(), repository) => {
                return vec![Target::Remote];
            }
            ReferenceKind::WorkflowRun => self.workflows_named(&reference.target),
            _ => {
                let mut files =
                    candidates(reference, yaml_files).into_iter().filter_map(|(path, kind)| self.file(&path, kind));
                // A wildcard names every file it matches; a path, the first candidate found.
                if references::is_pattern(&reference.target) {
                    files.collect()
                } else {
                    files.next().into_iter().collect()
                }
            }
        };
        if found.is_empty() { vec![Target::Unresolved] } else { found.into_iter().map(Target::File).collect() }
    }

    /// The index of the file at `relative`, read as `kind` if it is not in the workspace yet.
    fn file(&mut self, relative: &str, kind: FileKind) -> Option<usize> {
        if let Some(index) = self.index_of(relative) {
            return Some(index);
        }
        let (path, text) = self.root.read(relative)?;
        // A link inside the root may name a file already read under its own path.
        let canonical = self.root.relative_canonical(&path)?;
        if let Some(index) = self.index_of(&canonical) {
            return Some(index);
        }
        if self.files.len() >= MAX_FILES {
            return None;
        }
        self.files.push(WorkspaceFile { relative: canonical, path, kind, text, workflow_name: OnceLock::new() });
        Some(self.files.len() - 1)
    }

    fn workflows_named(&self, name: &str) -> Vec<usize> {
        let workflows = self.files.iter().enumerate().filter(|(_, file)| file.kind == FileKind::GithubWorkflow);
        workflows
            .filter(|(_, file)| {
                file.workflow_name.get_or_init(|| analysis::workflow_name(&file.text)).as_deref() == Some(name)
            })
            .map(|(index, _)| index)
            .collect()
    }
}

/// Whether `repository` (`owner/repo`) is the workspace's own.
pub fn is_own(own: Option<&str>, repository: &str) -> bool {
    own.is_some_and(|own| own.eq_ignore_ascii_case(repository))
}

/// The files of the repository a local reference may name, from the root, with the kind
/// the reference gives them, best first: an action's `action.yml` before its `action.yaml`,
/// every YAML file (of `yaml_files`) a wildcard include matches.
pub fn candidates(reference: &Reference<Range<usize>>, yaml_files: &[String]) -> Vec<(String, FileKind)> {
    let target = &reference.target;
    match &reference.kind {
        ReferenceKind::LocalAction => ["action.yml", "action.yaml"]
            .iter()
            .map(|name| (format!("{target}/{name}"), FileKind::GithubAction))
            .collect(),
        ReferenceKind::LocalWorkflow | ReferenceKind::RepositoryWorkflow { .. } => {
            vec![(target.clone(), FileKind::GithubWorkflow)]
        }
        ReferenceKind::GitlabInclude | ReferenceKind::GitlabChildPipeline if references::is_pattern(target) => {
            yaml_files
                .iter()
                .filter(|path| references::include_matches(target, path))
                .map(|path| (path.clone(), FileKind::GitlabCi))
                .collect()
        }
        ReferenceKind::GitlabInclude | ReferenceKind::GitlabChildPipeline => vec![(target.clone(), FileKind::GitlabCi)],
        ReferenceKind::WorkflowRun | ReferenceKind::Remote => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(fixture: &str) -> Workspace {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crossfile").join(fixture);
        Workspace::load(Root::new(&path).expect("the fixture exists"))
    }

    /// (from, reference target, to) for every edge.
    fn edges(workspace: &Workspace) -> Vec<(String, String, String)> {
        let name = |index: usize| workspace.files[index].relative.clone();
        let to = |target: &Target| match target {
            Target::File(index) => name(*index),
            Target::Remote => "remote".to_owned(),
            Target::Unresolved => "unresolved".to_owned(),
        };
        workspace.edges.iter().map(|edge| (name(edge.from), edge.reference.target.clone(), to(&edge.to))).collect()
    }

    fn has(edges: &[(String, String, String)], from: &str, target: &str, to: &str) -> bool {
        edges.iter().any(|edge| edge == &(from.to_owned(), target.to_owned(), to.to_owned()))
    }

    #[test]
    fn github_edges_lead_to_local_actions_and_reusable_workflows() {
        let edges = edges(&load("github"));
        let triage = ".github/workflows/triage.yml";
        assert!(has(&edges, triage, ".github/actions/label", ".github/actions/label/action.yml"), "{edges:?}");
        assert!(has(&edges, ".github/workflows/pr.yml", ".github/workflows/build.yml", ".github/workflows/build.yml"));
        assert!(has(
            &edges,
            ".github/workflows/build.yml",
            "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",
            "remote"
        ));
    }

    #[test]
    fn a_load_of_github_workflows_reads_them_and_what_they_call_and_no_other_file() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/crossfile/discovery");
        let by_content = load("discovery");
        let workflows =
            Workspace::load_with(Root::new(&path).unwrap(), Discovery::GithubWorkflows, &|_| None, &|_, _| None);
        let names =
            |workspace: &Workspace| workspace.files.iter().map(|file| file.relative.clone()).collect::<Vec<_>>();
        let (action, workflow, uncalled) =
            (".github/actions/setup/action.yml", ".github/workflows/ci.yml", "tools/lint/action.yml");
        assert_eq!(names(&by_content), [action, workflow, "ci/pipeline.yml", uncalled]);
        assert_eq!(names(&workflows), [workflow, action], "the action is read when the workflow's call is");
        assert!(has(&edges(&workflows), workflow, ".github/actions/setup", action), "references are followed alike");
        assert_eq!(edges(&workflows), edges(&by_content));
    }

    #[test]
    fn gitlab_includes_follow_wildcards_and_child_pipelines_and_record_remote_ones() {
        let workspace = load("gitlab");
        let edges = edges(&workspace);
        assert!(has(&edges, ".gitlab-ci.yml", "ci/*.yml", "ci/deploy.yml"), "{edges:?}");
        assert!(has(&edges, ".gitlab-ci.yml", "https://example.com/shared.yml", "remote"));
        assert!(has(&edges, ".gitlab-ci.yml", "child/pipeline.yml", "child/pipeline.yml"));
        assert!(has(&edges, ".gitlab-ci.yml", "ci/*.yml", "ci/notify.yml"), "a wildcard names every match");
        let index = |relative: &str| workspace.index_of(relative).unwrap();
        let (root, deploy, notify) = (index(".gitlab-ci.yml"), index("ci/deploy.yml"), index("ci/notify.yml"));
        assert_eq!(workspace.pipeline_of(deploy), [root, notify], "an included file's pipeline is its includer's");
        assert_eq!(workspace.pipeline_of(root), [deploy, notify], "a child pipeline is another pipeline");
        let child = workspace.index_of("child/pipeline.yml").unwrap();
        assert_eq!(workspace.files[child].kind, FileKind::GitlabCi, "read as what the reference says it is");
    }
}
