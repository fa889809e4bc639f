//! What pipeline keys mean for security, for hovers on keys that no finding covers.

use super::Platform;
use crate::matrix::Technique;

/// The security meaning of one key.
pub struct KeyDoc {
    pub key: &'static str,
    pub platform: Platform,
    /// The technique the key most often opens, if any.
    pub technique: Option<Technique>,
    pub text: &'static str,
}

/// Looks up the documentation of a key.
pub fn key_doc(platform: Platform, key: &str) -> Option<&'static KeyDoc> {
    KEYS.iter().find(|doc| doc.platform == platform && doc.key == key)
}

/// The Markdown of a key's hover.
pub fn markdown(doc: &KeyDoc) -> String {
    let heading = match doc.technique {
        Some(technique) => format!("**`{}`** · {} ({})", doc.key, technique.label(), technique.id()),
        None => format!("**`{}`**", doc.key),
    };
    format!("{heading}\n\n{}", doc.text)
}

use Platform::{GithubActions as GH, GitlabCi as GL};

static KEYS: &[KeyDoc] = &[
    KeyDoc {
        key: "on",
        platform: GH,
        technique: Some(Technique::IA01),
        text: "The events that start this workflow. Events an outsider can cause (`pull_request_target`, `issue_comment`, `issues`, `workflow_run`) are how an attacker gets a foothold: treat everything those events carry as untrusted.",
    },
    KeyDoc {
        key: "pull_request_target",
        platform: GH,
        technique: Some(Technique::IA01),
        text: "Runs for pull requests from forks **with the base repository's secrets and a write token**. Safe only if it never checks out or runs the pull request's code: otherwise a \"pwn request\" runs the attacker's code with those privileges (EX05).",
    },
    KeyDoc {
        key: "workflow_run",
        platform: GH,
        technique: Some(Technique::IA01),
        text: "Runs after another workflow, in the base repository's privileged context, even when the first run came from a fork. Its artifacts and `head_branch` are attacker-controlled.",
    },
    KeyDoc {
        key: "issue_comment",
        platform: GH,
        technique: Some(Technique::IA07),
        text: "Anyone who can comment starts this workflow, with the repository's secrets. The comment body is attacker-controlled text.",
    },
    KeyDoc {
        key: "issues",
        platform: GH,
        technique: Some(Technique::IA07),
        text: "Anyone who can open an issue starts this workflow. Issue titles and bodies are attacker-controlled text.",
    },
    KeyDoc {
        key: "pull_request",
        platform: GH,
        technique: None,
        text: "Runs for pull requests; for forks, without secrets and with a read-only token, which is the safe way to build untrusted code.",
    },
    KeyDoc {
        key: "permissions",
        platform: GH,
        technique: Some(Technique::PR01),
        text: "The scopes of the job's `GITHUB_TOKEN`. Without it the token gets the repository's default, often write access to everything; grant the least each job needs (`contents: read`).",
    },
    KeyDoc {
        key: "secrets",
        platform: GH,
        technique: Some(Technique::CA02),
        text: "Secrets passed to a reusable workflow. `secrets: inherit` hands over every secret the caller has, whatever the callee needs.",
    },
    KeyDoc {
        key: "runs-on",
        platform: GH,
        technique: Some(Technique::PE03),
        text: "Where the job runs. Self-hosted runners keep state between jobs: a job that runs untrusted code there can implant the runner for later jobs.",
    },
    KeyDoc {
        key: "uses",
        platform: GH,
        technique: Some(Technique::IA03),
        text: "Runs a third-party action or reusable workflow with the job's token and secrets. Pin it to a full commit SHA: tags and branches can be moved by whoever controls that repository.",
    },
    KeyDoc {
        key: "run",
        platform: GH,
        technique: Some(Technique::EX06),
        text: "A script run by the job's shell. `${{ }}` expressions are pasted into it before it runs: never expand attacker-controlled contexts here, pass them through `env:`.",
    },
    KeyDoc {
        key: "env",
        platform: GH,
        technique: Some(Technique::CA02),
        text: "Environment variables. Any step of the scope can read them, so secrets set here are exposed to every action in it; prefer the narrowest scope.",
    },
    KeyDoc {
        key: "container",
        platform: GH,
        technique: Some(Technique::IA03),
        text: "The image the job's steps run in. Pin it by digest: a mutable tag lets whoever controls the image change what runs.",
    },
    KeyDoc {
        key: "environment",
        platform: GH,
        technique: None,
        text: "A deployment environment: its protection rules (reviewers, branches) gate its secrets. Use it for jobs that deploy.",
    },
    KeyDoc {
        key: "include",
        platform: GL,
        technique: Some(Technique::IA03),
        text: "Configuration pulled from other files, projects or URLs. Remote and unpinned project includes let whoever controls them change this pipeline; pin `ref:` to a commit.",
    },
    KeyDoc {
        key: "image",
        platform: GL,
        technique: Some(Technique::IA03),
        text: "The image the job runs in. Pin it by digest: a mutable tag lets whoever controls the image change what runs.",
    },
    KeyDoc {
        key: "variables",
        platform: GL,
        technique: Some(Technique::CA02),
        text: "CI/CD variables. Every job that sees them can read them; keep secrets in protected, masked project variables, not in this file.",
    },
    KeyDoc {
        key: "script",
        platform: GL,
        technique: Some(Technique::EX06),
        text: "The job's shell commands. The shell expands variables someone else chooses, such as `$CI_MERGE_REQUEST_TITLE` or `$CI_COMMIT_REF_NAME`, as data when the line runs; handed to `eval`, `sh -c` or a script the job writes, they run as code.",
    },
    KeyDoc {
        key: "cache",
        platform: GL,
        technique: Some(Technique::DE03),
        text: "Files restored into later jobs. A cache written by untrusted merge request pipelines can poison protected branches' jobs: GitLab keeps protected and unprotected refs' caches apart unless `unprotect: true`.",
    },
    KeyDoc {
        key: "artifacts",
        platform: GL,
        technique: Some(Technique::LM02),
        text: "Files passed to later jobs, and downloadable by everyone who can see the pipeline unless `access:` says otherwise: never upload credentials (`.env`, `*.tfstate`, keys, `.npmrc`). Artifacts produced from untrusted code must not be executed by privileged jobs.",
    },
    KeyDoc {
        key: "rules",
        platform: GL,
        technique: None,
        text: "When the job runs. Jobs with secrets or deployments should not run for merge requests from forks.",
    },
    KeyDoc {
        key: "trigger",
        platform: GL,
        technique: Some(Technique::LM04),
        text: "Starts a downstream pipeline, which runs with its own project's permissions.",
    },
    KeyDoc {
        key: "id_tokens",
        platform: GL,
        technique: Some(Technique::CA03),
        text: "OIDC tokens minted for the job, which cloud and Vault roles exchange for credentials. Give each one audience, and have the role require `ref_protected: true`: otherwise a merge request pipeline can mint the same token.",
    },
    KeyDoc {
        key: "secrets",
        platform: GL,
        technique: Some(Technique::CA03),
        text: "Secrets fetched from an external manager (Vault, cloud secret stores) for the job. Bind the role to protected refs so merge request pipelines cannot fetch them.",
    },
    KeyDoc {
        key: "services",
        platform: GL,
        technique: Some(Technique::PE01),
        text: "Containers started next to the job. `docker:dind` needs a privileged runner, where code in the job is root on the runner host; prefer rootless or daemonless builds.",
    },
    KeyDoc {
        key: "environment",
        platform: GL,
        technique: Some(Technique::EX07),
        text: "The environment the job deploys to. Its scoped variables reach every job that names it: keep production deployments out of merge request pipelines, and protect the environment.",
    },
    KeyDoc {
        key: "extends",
        platform: GL,
        technique: None,
        text: "Inherits configuration from other jobs; findings in a template apply to every job that extends it.",
    },
];
