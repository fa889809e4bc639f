//! The repository's reusable workflows as their callers see them: what each takes, read
//! from `.github/workflows` inside the workspace root, so that a caller's `secrets: inherit`
//! can be replaced by exactly what the called workflow declares.

use std::path::Path;

use super::root::Root;
use crate::analysis;
use crate::model::interface::{LocalWorkflows, WorkflowSecrets, may_be_reusable};

/// Where GitHub looks for reusable workflows: they cannot live anywhere else.
const WORKFLOWS_FOLDER: &str = ".github/workflows";

/// The reusable workflows of the repository at `root`, with the secrets each takes.
pub fn local_workflows(root: &Root) -> LocalWorkflows {
    local_workflows_with(root, &|_, _| None)
}

/// What a reusable workflow already analysed takes, given its canonical path and its text.
pub type KnownSecrets<'a> = dyn Fn(&Path, &str) -> Option<WorkflowSecrets> + Sync + 'a;

/// [`local_workflows`], taking from `known` what the workflows already analysed take instead
/// of parsing them again.
pub fn local_workflows_with(root: &Root, known: &KnownSecrets<'_>) -> LocalWorkflows {
    let mut found = LocalWorkflows::of_repository(root.path().to_path_buf());
    for path in root.yaml_files_in(WORKFLOWS_FOLDER) {
        let Some((canonical, text)) = root.read_listed(&path) else { continue };
        // Most workflows cannot be called; only those that name the trigger are parsed.
        if !may_be_reusable(&text) {
            continue;
        }
        if let Some(secrets) = known(&canonical, &text).or_else(|| analysis::workflow_secrets(&text)) {
            found.insert(path, secrets);
        }
    }
    found
}

/// Whether the file at `path` (saved or not yet: then its folder) lies in the repository
/// `workflows` were read from, so that its local `uses:` name them.
pub fn in_repository(workflows: &LocalWorkflows, path: &Path) -> bool {
    let canonical = std::fs::canonicalize(path).or_else(|_| {
        let folder = path.parent().ok_or(std::io::ErrorKind::NotFound)?;
        std::fs::canonicalize(folder)
    });
    let root = workflows.root();
    !root.as_os_str().is_empty() && canonical.is_ok_and(|canonical| canonical.starts_with(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reusable_workflows_list_what_they_declare_and_what_they_read_without_declaring() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules/secrets-inherit/finding-local-callee.workspace");
        let workflows = local_workflows(&Root::new(&fixtures).unwrap());
        let deploy = workflows.called("./.github/workflows/deploy.yml").expect("deploy.yml is reusable");
        assert_eq!(deploy.declared, ["DEPLOY_KEY", "aws_role"]);
        assert!(deploy.mapping_is_complete(), "secret names are case-insensitive: {deploy:?}");
        let release = workflows.called("$/.github/workflows/release.yml").expect("release.yml is reusable");
        assert_eq!(release.undeclared, ["SLACK_WEBHOOK"]);
        assert!(!release.mapping_is_complete());
        assert!(workflows.called("./.github/workflows/lint.yml").is_some_and(|lint| lint.declared.is_empty()));
        assert!(workflows.called("./.github/workflows/missing.yml").is_none());
    }

    #[test]
    fn workflows_already_analysed_are_taken_as_known_and_the_others_parsed() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/rules/secrets-inherit/finding-local-callee.workspace");
        let root = Root::new(&fixtures).unwrap();
        let parsed = local_workflows(&root);
        let known = WorkflowSecrets { declared: vec!["KNOWN".to_owned()], ..WorkflowSecrets::default() };
        let deploy = std::fs::canonicalize(fixtures.join(".github/workflows/deploy.yml")).unwrap();
        let workflows = local_workflows_with(&root, &|path, text| {
            assert!(text.contains("workflow_call"), "only reusable workflows are asked for");
            (path == deploy).then(|| known.clone())
        });
        assert_eq!(workflows.called("./.github/workflows/deploy.yml"), Some(&known));
        let release = "$/.github/workflows/release.yml";
        assert_eq!(workflows.called(release), parsed.called(release));
    }
}
