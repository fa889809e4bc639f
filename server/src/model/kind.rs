//! Which kind of pipeline file a document is: by its path first, by its content otherwise.

/// The kinds of file pipewarden analyses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// `.github/workflows/*.yml`
    GithubWorkflow,
    /// `action.yml`: a composite, JavaScript or Docker action's metadata.
    GithubAction,
    /// `.gitlab-ci.yml` and files included from it.
    GitlabCi,
}

impl FileKind {
    pub const fn name(self) -> &'static str {
        match self {
            FileKind::GithubWorkflow => "GitHub Actions workflow",
            FileKind::GithubAction => "GitHub Action metadata",
            FileKind::GitlabCi => "GitLab CI configuration",
        }
    }
}

/// Whether a path names a YAML file.
pub fn is_yaml_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml")
}

/// The kind a path alone implies, if any. Paths use `/` or `\` separators.
pub fn kind_from_path(path: &str) -> Option<FileKind> {
    let normalised = path.replace('\\', "/");
    let file_name = normalised.rsplit('/').next().unwrap_or(&normalised).to_ascii_lowercase();
    if !is_yaml_path(&file_name) {
        return None;
    }
    let parent_is_workflows =
        normalised.rsplit('/').nth(1) == Some("workflows") && normalised.rsplit('/').nth(2) == Some(".github");
    if parent_is_workflows {
        Some(FileKind::GithubWorkflow)
    } else if file_name == "action.yml" || file_name == "action.yaml" {
        Some(FileKind::GithubAction)
    } else if file_name == ".gitlab-ci.yml"
        || file_name.ends_with(".gitlab-ci.yml")
        || file_name.ends_with(".gitlab-ci.yaml")
    {
        Some(FileKind::GitlabCi)
    } else {
        None
    }
}

/// The kind of a YAML file, from its path and, when the path does not decide, from its
/// top-level keys. Returns `None` for YAML that is not a pipeline file.
pub fn detect(path: &str, text: &str) -> Option<FileKind> {
    kind_from_path(path).or_else(|| is_yaml_path(path).then(|| sniff(text)).flatten())
}

/// Guesses the kind from the top-level keys of a text.
pub fn sniff(text: &str) -> Option<FileKind> {
    let keys = top_level_keys(text);
    let has = |key: &str| keys.contains(&key);
    if has("jobs") && (has("on") || has("\"on\"") || has("'on'")) {
        return Some(FileKind::GithubWorkflow);
    }
    if has("runs") && (has("name") || has("description")) && !has("jobs") {
        return Some(FileKind::GithubAction);
    }
    let gitlab_keys = ["stages", "include", "variables", "workflow", "default", "before_script", "image"];
    let gitlab_job = text.lines().any(|line| {
        let trimmed = line.trim_start();
        line.len() != trimmed.len() && (trimmed.starts_with("script:") || trimmed.starts_with("stage:"))
    });
    if gitlab_job && (keys.iter().any(|k| gitlab_keys.contains(k)) || !has("jobs")) {
        return Some(FileKind::GitlabCi);
    }
    None
}

fn top_level_keys(text: &str) -> Vec<&str> {
    text.lines()
        .take(10_000)
        .filter(|line| !line.starts_with([' ', '\t', '#', '-']))
        .filter_map(|line| line.split_once(':').map(|(key, _)| key.trim()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_decide_first() {
        assert_eq!(kind_from_path("repo/.github/workflows/ci.yml"), Some(FileKind::GithubWorkflow));
        assert_eq!(kind_from_path(".github\\workflows\\ci.yaml"), Some(FileKind::GithubWorkflow));
        assert_eq!(kind_from_path("sub/action.yaml"), Some(FileKind::GithubAction));
        assert_eq!(kind_from_path(".gitlab-ci.yml"), Some(FileKind::GitlabCi));
        assert_eq!(kind_from_path("ci/build.gitlab-ci.yml"), Some(FileKind::GitlabCi));
        assert_eq!(kind_from_path("docker-compose.yml"), None);
    }

    #[test]
    fn content_decides_otherwise() {
        assert_eq!(detect("x.yml", "on: push\njobs:\n  a:\n    runs-on: x\n"), Some(FileKind::GithubWorkflow));
        assert_eq!(detect("x.yml", "stages: [test]\ntest:\n  script: make\n"), Some(FileKind::GitlabCi));
        assert_eq!(detect("x.yml", "name: a\nruns:\n  using: node20\n"), Some(FileKind::GithubAction));
        assert_eq!(detect("x.yml", "version: '3'\nservices:\n  db:\n    image: x\n"), None);
        assert_eq!(detect("notes.txt", "on: push\njobs: {}\n"), None);
    }
}
