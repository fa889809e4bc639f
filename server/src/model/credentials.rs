//! What credentials look like in a pipeline file: variable names that usually hold one, and
//! files that hold one on a runner (the bundled `data/credentials.toml`).

use std::sync::LazyLock;

use serde::Deserialize;

use crate::{bundled, data};

#[derive(Deserialize)]
struct Names {
    suffixes: Vec<String>,
    exact: Vec<String>,
    excluded: Vec<String>,
    gitlab: Vec<String>,
}

/// A kind of file that holds credentials.
#[derive(Debug, Deserialize)]
pub struct CredentialFile {
    /// A file name, `*.ext`, or a path of one or more components; a trailing `/` names a
    /// directory.
    pub pattern: String,
    pub what: String,
    pub holds: Holds,
}

/// How surely a credential file holds a usable secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Holds {
    /// One that expires when the job ends, such as the job token in `.git/config`.
    Briefly,
    /// Usually: a tool's configuration with a registry token.
    Often,
    /// By its nature: a private key, Terraform state, an environment file.
    Always,
}

#[derive(Deserialize)]
struct Facts {
    names: Names,
    file: Vec<CredentialFile>,
}

static FACTS: LazyLock<Facts> = LazyLock::new(|| data::parse(bundled!("credentials.toml")));

/// Whether `name` is, or ends with `_` and, one of `suffixes`.
fn has_suffix(name: &str, suffixes: &[String]) -> bool {
    suffixes
        .iter()
        .any(|suffix| name == suffix || name.strip_suffix(suffix.as_str()).is_some_and(|rest| rest.ends_with('_')))
}

/// Whether a CI/CD variable's name says it holds a credential (`DEPLOY_TOKEN`,
/// `AWS_SECRET_ACCESS_KEY`, `KUBECONFIG`...). The job-scoped credentials GitLab issues
/// itself (`CI_JOB_TOKEN`, `CI_REGISTRY_PASSWORD`...) are not counted.
pub fn is_credential_name(name: &str) -> bool {
    let names = &FACTS.names;
    let name = name.to_ascii_uppercase();
    if names.gitlab.contains(&name) {
        return false;
    }
    names.exact.contains(&name) || (has_suffix(&name, &names.suffixes) && !has_suffix(&name, &names.excluded))
}

/// The kind of credential file a path (an artifact or cache path, possibly a glob) names.
pub fn credential_file(path: &str) -> Option<&'static CredentialFile> {
    let path = path.trim_end_matches("/**").trim_end_matches("/*");
    let is_dir = path.ends_with('/');
    let components: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    FACTS.file.iter().find(|file| {
        let wants_dir = file.pattern.ends_with('/');
        let pattern: Vec<&str> = file.pattern.split('/').filter(|c| !c.is_empty()).collect();
        if components.len() < pattern.len() || (is_dir && !wants_dir) {
            return false;
        }
        let tail = &components[components.len() - pattern.len()..];
        tail.iter().zip(&pattern).all(|(component, expected)| match expected.strip_prefix('*') {
            Some(extension) => component.ends_with(extension) && component.len() > extension.len(),
            None => component == expected,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for name in ["DEPLOY_TOKEN", "AWS_SECRET_ACCESS_KEY", "KUBECONFIG", "npm_token", "DB_PASSWORD", "SSH_KEY"] {
            assert!(is_credential_name(name), "{name}");
        }
        for name in ["CI_JOB_TOKEN", "CACHE_KEY", "SSH_PUBLIC_KEY", "AWS_REGION", "BYPASS", "TOKENIZER", "GPG_KEY_ID"] {
            assert!(!is_credential_name(name), "{name}");
        }
    }

    #[test]
    fn credential_files() {
        let what = |path: &str| credential_file(path).map(|file| file.pattern.as_str());
        assert_eq!(what(".env"), Some(".env"));
        assert_eq!(what("./deploy/prod.tfstate"), Some("*.tfstate"));
        assert_eq!(what("infra/.terraform/"), Some(".terraform/"));
        assert_eq!(what("$HOME/.docker/config.json"), Some(".docker/config.json"));
        assert_eq!(what("certs/*.pem"), Some("*.pem"));
        assert_eq!(what(".git"), Some(".git/"));
        assert_eq!(what(".env.example"), None);
        assert_eq!(what("dist/"), None);
        assert_eq!(what("keys/"), None);
    }
}
