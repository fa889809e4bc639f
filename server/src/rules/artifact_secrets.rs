//! `artifact-secrets`: an artifact upload that takes credentials along.

use super::{Confidence, Findings, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::action::Action;
use crate::model::artifact::{self, Exposure, Hidden, Upload};
use crate::model::github::Step;

pub struct ArtifactSecrets;

static META: RuleMeta = RuleMeta {
    id: "artifact-secrets",
    technique: Technique::CA04,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "An artifact upload includes credential files",
        detects: "`actions/upload-artifact` whose `path:` names a credential file or directory \
(`.git`, `.env`, `*.pem`, `*.key`, `*.tfstate`, `~/.aws`, `.npmrc`, `.pypirc`, `.docker`, \
`kubeconfig`: the list `gitlab-artifact-secrets` shares), or the whole workspace \
(`.`, `./`, `*`, `${{ github.workspace }}`). Since v4.4.0 the action leaves hidden files out \
(even named ones) unless `include-hidden-files: true`: hidden credential files are reported \
only when they go along (that option, a version before v4.4.0, or a commit pin the rule \
cannot date, the latter with low confidence). A workspace upload without hidden files is \
medium when an earlier step wrote Google Cloud credentials into it (the `gha-creds-*.json` of \
google-github-actions/auth), low \
otherwise. High on triggers outsiders can cause, medium otherwise.",
        why: "Artifacts can be downloaded by anyone who can read the repository, which for a \
public repository is everyone, from the moment they are uploaded, while the job that made \
them is still running. A token in `.git/config` (written by `actions/checkout`), a key file or \
cloud credentials inside the artifact are published with it.",
        attack: "Credential Access › Read credentials file (CA04): the attacker downloads the \
artifact, on triggers they can cause as soon as they open a pull request, and reads the \
credentials out of it. A still-valid job token lets them push code (PE05) or poison a release \
(IM04); cloud credentials open Lateral Movement (LM03).",
        example: r#"on: pull_request
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make
      - uses: actions/upload-artifact@v4
        with:
          name: workspace
          path: .
          include-hidden-files: true
"#,
        fixed_example: r#"on: pull_request
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: make
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist/
"#,
        fix: "Upload only the build outputs (`dist/`, `target/release/tool`), never the \
workspace root, `.git` or credential files; leave `include-hidden-files` off; check out with \
`persist-credentials: false`; and with google-github-actions/auth, set \
`create_credentials_file: false` or upload from a clean directory. No quick fix is offered: \
which files the artifact is for is the owner's to say.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(538, "Insertion of Sensitive Information into Externally-Accessible File or Directory"),
        Reference::Zizmor("artipacked"),
        Reference::CodeQl("actions/secrets-in-artifacts"),
        Reference::Link(
            "Unit 42: ArtiPACKED, hacking giants through a race condition in GitHub Actions artifacts",
            "https://unit42.paloaltonetworks.com/github-repo-artifacts-leak-tokens/",
        ),
    ],
};

impl Rule for ArtifactSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        // Outsiders can start the run and fetch the artifact while the job still runs.
        let public = context.header.triggers.events.iter().any(|trigger| trigger.event.is_outsider_triggered());
        check_steps(&context.job.steps, public, out);
    }

    fn check_action(&self, action: &Action, out: &mut Findings) {
        if let Some(runs) = &action.runs {
            check_steps(&runs.steps, false, out);
        }
    }
}

/// Checks each upload among `steps`, in one pass that remembers the first step that wrote
/// cloud credentials into the workspace.
fn check_steps(steps: &[Step], public: bool, out: &mut Findings) {
    let exposed_severity = if public { Severity::High } else { Severity::Medium };
    let mut writer: Option<&Step> = None;
    for step in steps {
        if let Some(upload) = artifact::upload(step) {
            check_upload(&upload, writer, exposed_severity, out);
        }
        if writer.is_none() && writes_cloud_credentials(step) {
            writer = Some(step);
        }
    }
}

fn check_upload(upload: &Upload<'_>, writer: Option<&Step>, exposed_severity: Severity, out: &mut Findings) {
    let hidden_note = match upload.hidden {
        Hidden::Included => "hidden files included",
        Hidden::Unknown => "and this pinned version may include hidden files",
        Hidden::Excluded => "",
    };
    for (range, path) in upload.paths() {
        let span = upload.path.span_of(range);
        match artifact::exposure(path) {
            Some(Exposure::Workspace) if upload.hidden != Hidden::Excluded => {
                out.report(
                    span,
                    format!(
                        "`{path}` uploads the whole workspace, {hidden_note}: `.git/config` (where \
                         `actions/checkout` writes the job's token), `.env` files and any key a step wrote \
                         there are published with the artifact"
                    ),
                )
                .with_severity(exposed_severity)
                .with_confidence(confidence(upload.hidden));
            }
            Some(Exposure::Workspace) => {
                let (severity, what) = match writer {
                    Some(writer) => (
                        exposed_severity,
                        format!(
                            "the credentials file `{}` wrote there",
                            writer.uses.as_ref().map_or("an earlier step", |uses| uses.raw.as_str())
                        ),
                    ),
                    None => (Severity::Low, "any key or credential file a step wrote there".to_owned()),
                };
                out.report(
                    span,
                    format!("`{path}` uploads the whole workspace: {what} is published with the artifact"),
                )
                .with_severity(severity);
            }
            Some(Exposure::File { file, hidden }) if !hidden || upload.hidden != Hidden::Excluded => {
                let note = if hidden { format!(" ({hidden_note})") } else { String::new() };
                out.report(
                    span,
                    format!("`{path}` uploads {}{note}: anyone who can download the artifact gets it", file.what),
                )
                .with_severity(exposed_severity)
                .with_confidence(if hidden { confidence(upload.hidden) } else { Confidence::High });
            }
            _ => {}
        }
    }
}

fn confidence(hidden: Hidden) -> Confidence {
    if hidden == Hidden::Unknown { Confidence::Low } else { Confidence::High }
}

/// google-github-actions/auth writes `gha-creds-*.json` into the workspace unless told not to.
fn writes_cloud_credentials(step: &Step) -> bool {
    step.uses_action("google-github-actions/auth")
        && step.input_text("create_credentials_file").is_none_or(|value| value.value.trim() != "false")
}
