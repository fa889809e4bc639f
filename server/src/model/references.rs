//! References between pipeline files, read from the model: what a file names that is written
//! in another file (a local action, a reusable workflow, the workflow whose runs start this
//! one, a GitLab include). This is only what the text says; finding and reading the files
//! named is the workspace's job, and remote references are only ever recorded.

use super::action::Action;
use super::github::{Event, UsesTarget, Workflow};
use super::gitlab::{Globals, IncludeKind, Pipeline};
use crate::syntax::span::Span;

/// One reference to another file, at `At`: a span while the file is read, a byte range in
/// a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<At = Span> {
    pub kind: ReferenceKind,
    /// What is named: a path from the repository's root without a leading `./` or `/` (for
    /// GitLab includes possibly with `*` and `**`), a workflow's `name:`, or a remote
    /// reference as written.
    pub target: String,
    /// Where the reference is written.
    pub at: At,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceKind {
    /// `uses: ./path` in a step: the action whose `action.yml` is in that folder.
    LocalAction,
    /// `uses: ./.github/workflows/x.yml` in a job: a reusable workflow of this repository.
    LocalWorkflow,
    /// `uses: owner/repo/.github/workflows/x.yml@ref` in a job: a reusable workflow that is
    /// local when `repository` is this one.
    RepositoryWorkflow { repository: String },
    /// `workflow_run: workflows: [name]`: this workflow runs after the one with that name.
    WorkflowRun,
    /// GitLab `include: local:` (or a bare path).
    GitlabInclude,
    /// GitLab `trigger: include:` of a local file: a child pipeline.
    GitlabChildPipeline,
    /// Any reference outside this repository (actions from other repositories, remote,
    /// project, template and component includes): recorded, never fetched.
    Remote,
}

impl ReferenceKind {
    /// Whether the target may be a file of this repository.
    pub fn is_local(&self) -> bool {
        !matches!(self, ReferenceKind::Remote)
    }
}

impl Reference {
    /// The same reference at another place, e.g. a byte range once its span is resolved.
    pub fn placed<At>(&self, at: At) -> Reference<At> {
        Reference { kind: self.kind.clone(), target: self.target.clone(), at }
    }
}

/// The path of a local `uses:` or `include:` from the repository's root, or `None` when it
/// leaves the root (`../`) or is empty.
pub fn root_relative(path: &str) -> Option<String> {
    let trimmed = path.trim();
    let path = trimmed.strip_prefix("$/").or_else(|| trimmed.strip_prefix("./")).unwrap_or(trimmed);
    let path = path.trim_start_matches('/').trim_end_matches('/');
    let escapes = path.split('/').any(|segment| segment == "..");
    (!path.is_empty() && !escapes).then(|| path.to_owned())
}

/// Whether a GitLab `include: local:` pattern names `path` (both from the root): `*` stands
/// for any text within one folder, `**` for any text across folders.
pub fn include_matches(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (pattern.as_bytes(), path.as_bytes());
    // Matching without recursion: on a mismatch, the latest `*` takes one more character
    // (never a `/`), else the latest `**` does; each is (pattern after it, text it took to).
    let (mut p, mut s) = (0, 0);
    let mut single: Option<(usize, usize)> = None;
    let mut double: Option<(usize, usize)> = None;
    while s < path.len() {
        if pattern.get(p) == Some(&b'*') {
            if pattern.get(p + 1) == Some(&b'*') {
                p += 2;
                double = Some((p, s));
                single = None;
            } else {
                p += 1;
                single = Some((p, s));
            }
        } else if pattern.get(p) == Some(&path[s]) {
            p += 1;
            s += 1;
        } else if let Some((after, taken)) = single.filter(|&(_, taken)| path[taken] != b'/') {
            single = Some((after, taken + 1));
            (p, s) = (after, taken + 1);
        } else if let Some((after, taken)) = double {
            double = Some((after, taken + 1));
            single = None;
            (p, s) = (after, taken + 1);
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Whether an include names several files.
pub fn is_pattern(target: &str) -> bool {
    target.contains('*')
}

/// The references of a workflow: its jobs' reusable workflows, its steps' actions, and the
/// workflows `workflow_run` follows.
pub fn of_workflow(workflow: &Workflow) -> Vec<Reference> {
    let mut references = Vec::new();
    let following = workflow.header.triggers.find(&Event::WorkflowRun).map(|trigger| &trigger.workflows);
    for name in following.into_iter().flatten() {
        references.push(Reference { kind: ReferenceKind::WorkflowRun, target: name.value.clone(), at: name.span });
    }
    for job in &workflow.jobs {
        if let Some(uses) = &job.uses {
            references.extend(of_uses(uses, ReferenceKind::LocalWorkflow));
        }
        for step in &job.steps {
            references.extend(step.uses.as_ref().and_then(|uses| of_uses(uses, ReferenceKind::LocalAction)));
        }
    }
    references
}

/// The references of a composite action's steps.
pub fn of_action(action: &Action) -> Vec<Reference> {
    let steps = action.runs.iter().flat_map(|runs| &runs.steps);
    steps.filter_map(|step| of_uses(step.uses.as_ref()?, ReferenceKind::LocalAction)).collect()
}

/// The references of a GitLab pipeline: its includes and its jobs' child pipelines.
pub fn of_pipeline(pipeline: &Pipeline) -> Vec<Reference> {
    let mut references = includes(&pipeline.globals, ReferenceKind::GitlabInclude);
    for job in &pipeline.jobs {
        for include in job.trigger.iter().flat_map(|trigger| &trigger.include) {
            references.extend(include_reference(&include.kind, include.span, ReferenceKind::GitlabChildPipeline));
        }
    }
    references
}

fn includes(globals: &Globals, local: ReferenceKind) -> Vec<Reference> {
    globals
        .includes
        .iter()
        .filter_map(|include| include_reference(&include.kind, include.span, local.clone()))
        .collect()
}

fn include_reference(kind: &IncludeKind, at: Span, local: ReferenceKind) -> Option<Reference> {
    let (kind, target) = match kind {
        IncludeKind::Local(path) => (local, root_relative(path)?),
        IncludeKind::Remote { url, .. } => (ReferenceKind::Remote, url.clone()),
        IncludeKind::Template(name) | IncludeKind::Component(name) => (ReferenceKind::Remote, name.clone()),
        IncludeKind::Project { project, .. } => (ReferenceKind::Remote, project.clone()),
    };
    Some(Reference { kind, target, at })
}

/// The reference of a `uses:`, where a local path names a `local` kind of file.
pub fn of_uses(uses: &super::github::Uses, local: ReferenceKind) -> Option<Reference> {
    let (kind, target) = match &uses.target {
        UsesTarget::Local { path } => (local, root_relative(path)?),
        UsesTarget::Repository { owner, repo, path: Some(path), .. } if local == ReferenceKind::LocalWorkflow => {
            (ReferenceKind::RepositoryWorkflow { repository: format!("{owner}/{repo}") }, path.clone())
        }
        UsesTarget::Repository { .. } => (ReferenceKind::Remote, uses.raw.clone()),
        UsesTarget::Docker { .. } => return None,
    };
    Some(Reference { kind, target, at: uses.span })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_paths_are_read_from_the_root_and_never_leave_it() {
        assert_eq!(root_relative("./.github/actions/greet").as_deref(), Some(".github/actions/greet"));
        assert_eq!(root_relative("/ci/deploy.yml").as_deref(), Some("ci/deploy.yml"));
        assert_eq!(root_relative("ci/*.yml").as_deref(), Some("ci/*.yml"));
        assert_eq!(root_relative("./a/../../etc"), None);
        assert_eq!(root_relative("./"), None);
    }

    #[test]
    fn include_wildcards_stay_in_their_folder_unless_doubled() {
        assert!(include_matches("ci/*.yml", "ci/deploy.yml"));
        assert!(!include_matches("ci/*.yml", "ci/sub/deploy.yml"));
        assert!(include_matches("ci/**.yml", "ci/sub/deploy.yml"));
        assert!(include_matches("**/*.yml", "a/b/c.yml"));
        assert!(!include_matches("ci/*.yml", "ci/deploy.yaml"));
        assert!(include_matches("ci/deploy.yml", "ci/deploy.yml"));
    }

    #[test]
    fn workflows_name_their_actions_reusable_workflows_and_followed_workflows() {
        let workflow = crate::model::github::parse_for_tests(
            "on:\n  workflow_run:\n    workflows: [CI]\njobs:\n  call:\n    uses: ./.github/workflows/build.yml\n  other:\n    uses: acme/app/.github/workflows/x.yml@v1\n  steps:\n    runs-on: x\n    steps:\n      - uses: ./actions/greet\n      - uses: actions/checkout@v4\n      - uses: docker://alpine\n",
        );
        let found: Vec<(ReferenceKind, String)> =
            of_workflow(&workflow).into_iter().map(|r| (r.kind, r.target)).collect();
        let found: Vec<(ReferenceKind, &str)> =
            found.iter().map(|(kind, target)| (kind.clone(), target.as_str())).collect();
        assert_eq!(
            found,
            [
                (ReferenceKind::WorkflowRun, "CI"),
                (ReferenceKind::LocalWorkflow, ".github/workflows/build.yml"),
                (ReferenceKind::RepositoryWorkflow { repository: "acme/app".to_owned() }, ".github/workflows/x.yml"),
                (ReferenceKind::LocalAction, "actions/greet"),
                (ReferenceKind::Remote, "actions/checkout@v4"),
            ]
        );
    }

    #[test]
    fn pipelines_name_their_local_includes_child_pipelines_and_remote_includes() {
        let pipeline = crate::model::gitlab::parse_for_tests(
            "include:\n  - local: /ci/*.yml\n  - remote: https://example.com/x.yml\n  - ci/other.yml\nchild:\n  trigger:\n    include: ci/child.yml\n",
        );
        let found: Vec<(ReferenceKind, String)> =
            of_pipeline(&pipeline).into_iter().map(|r| (r.kind, r.target)).collect();
        assert_eq!(
            found,
            [
                (ReferenceKind::GitlabInclude, "ci/*.yml".to_owned()),
                (ReferenceKind::Remote, "https://example.com/x.yml".to_owned()),
                (ReferenceKind::GitlabInclude, "ci/other.yml".to_owned()),
                (ReferenceKind::GitlabChildPipeline, "ci/child.yml".to_owned()),
            ]
        );
    }
}
