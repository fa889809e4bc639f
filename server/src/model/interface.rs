//! What the repository's own reusable workflows ask of their callers: the secrets each
//! declares under `on.workflow_call.secrets`, and the ones it reads without declaring them.
//! A caller that passes `secrets: inherit` to such a workflow can pass exactly those instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::github::{Event, Secrets, Workflow};

/// Whether a workflow's text may make it reusable: only one that names the `workflow_call`
/// trigger can be, and the others need no parse to tell.
pub fn may_be_reusable(text: &str) -> bool {
    text.contains(Event::WorkflowCall.name())
}

/// The secrets a reusable workflow takes from its callers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkflowSecrets {
    /// The names under `on.workflow_call.secrets`, in the order they are declared.
    pub declared: Vec<String>,
    /// `secrets.NAME` read by its jobs without being declared (but `GITHUB_TOKEN`): only
    /// `secrets: inherit` gives it those, since GitHub refuses an explicit mapping of a
    /// secret the called workflow does not declare.
    pub undeclared: Vec<String>,
    /// Whether one of its jobs passes `secrets: inherit` on to another workflow, which then
    /// gets only what this one was given.
    pub passes_all_on: bool,
}

impl WorkflowSecrets {
    /// The secrets `workflow` takes, or `None` when it cannot be called (no `workflow_call`).
    pub fn of(workflow: &Workflow) -> Option<Self> {
        let call = workflow.header.triggers.find(&Event::WorkflowCall)?;
        let declared: Vec<String> = call.secrets.iter().map(|name| name.value.clone()).collect();
        let is_declared = |name: &str| declared.iter().any(|declared| declared.eq_ignore_ascii_case(name));
        let mut undeclared: Vec<String> = Vec::new();
        for job in &workflow.jobs {
            let names = job.secrets_read(&workflow.header).into_iter().filter_map(|path| path.strip_prefix("secrets."));
            for name in names {
                if name != "*" && !is_declared(name) && !undeclared.iter().any(|seen| seen.eq_ignore_ascii_case(name)) {
                    undeclared.push(name.to_owned());
                }
            }
        }
        let passes_all_on = workflow.jobs.iter().any(|job| matches!(job.secrets, Some(Secrets::Inherit(_))));
        Some(Self { declared, undeclared, passes_all_on })
    }

    /// Whether an explicit mapping of the declared secrets gives the workflow all it had
    /// with `inherit`.
    pub fn mapping_is_complete(&self) -> bool {
        self.undeclared.is_empty() && !self.passes_all_on
    }
}

/// The reusable workflows of one repository, by their path from its root
/// (`.github/workflows/deploy.yml`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LocalWorkflows {
    /// The repository's folder: its workflows are not another repository's.
    root: PathBuf,
    by_path: BTreeMap<String, WorkflowSecrets>,
}

impl LocalWorkflows {
    /// The reusable workflows of the repository in the folder `root`, none found yet.
    pub fn of_repository(root: PathBuf) -> Self {
        Self { root, by_path: BTreeMap::new() }
    }

    /// The repository's folder, empty when not known.
    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn insert(&mut self, path: String, secrets: WorkflowSecrets) {
        self.by_path.insert(path, secrets);
    }

    /// The workflow a local `uses:` names: `./.github/workflows/x.yml`, or `$/...` for this
    /// repository at the caller's commit.
    pub fn called(&self, uses_path: &str) -> Option<&WorkflowSecrets> {
        let path = uses_path.trim_start_matches("./").trim_start_matches("$/");
        self.by_path.get(path)
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}
