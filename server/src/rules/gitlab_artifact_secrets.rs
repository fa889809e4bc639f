//! `gitlab-artifact-secrets`: credentials uploaded as job artifacts.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::credentials::{Holds, credential_file};
use crate::model::gitlab::{Artifacts, GitlabJob, Globals, is_project_root};
use crate::model::gitlab_variables::Scope;
use crate::model::reparse;
use crate::syntax::span::Span;

pub struct GitlabArtifactSecrets;

static META: RuleMeta = RuleMeta {
    id: "gitlab-artifact-secrets",
    technique: Technique::CA04,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "Credentials are uploaded as job artifacts",
        detects: "`artifacts: paths:` that name files holding credentials: environment files \
(`.env`), Terraform state (`*.tfstate`, `.terraform/`), private keys and key stores (`*.pem`, \
`*.key`, `*.p12`, `*.jks`, `id_rsa`, `.ssh/`), cloud and tool credentials (`.aws/`, \
`.docker/config.json`, `kubeconfig`, `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`); the \
whole project directory (`.`, `./`, `$CI_PROJECT_DIR`, `*`); `untracked: true`; `.git`; and \
files the job's scripts write a credential variable into (`echo \"$NPM_TOKEN\" > .npmrc`) \
when the artifacts upload them. High for files that hold a secret by their nature and for \
credentials the job writes, medium for tool configuration and the whole directory, low for \
`untracked: true` and `.git`; one level lower when `artifacts: access:` (or `public: false`) \
keeps them from non-members.",
        why: "Artifacts can be downloaded by everyone who can see the pipeline: in a public \
project, anyone, for as long as they are kept. Terraform state holds every secret the \
configuration reads or creates in plain text; an environment file or a `.npmrc` holds the \
tokens the job used; uploading the project directory uploads whatever the job wrote there, \
`.git` included.",
        attack: "Credential Access › Read credentials file (CA04): the attacker downloads the \
artifact from the pipeline page or the API and reads the file. With the keys, Lateral \
Movement › Exploit other internal resources unrelated to CI/CD (LM03) or Impact on the \
systems they open.",
        example: r#"stages: [plan]
plan:
  stage: plan
  script:
    - terraform init && terraform apply -auto-approve
  artifacts:
    paths:
      - terraform.tfstate
"#,
        fixed_example: r#"stages: [plan]
plan:
  stage: plan
  script:
    - terraform init && terraform plan -out=plan.cache
    - terraform show -no-color plan.cache > plan.txt
  artifacts:
    paths:
      - plan.txt
"#,
        fix: "List only the files later jobs or people need (`dist/`, a plan summary), keep \
state in a remote backend (GitLab-managed Terraform state), write credentials configuration \
outside the project directory (`$HOME/.npmrc`), and set `artifacts: access: developer` for \
artifacts that must stay private. No quick fix is offered: which files a later job needs is \
not in the file.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec6),
        Reference::Cwe(538, "Insertion of Sensitive Information into Externally-Accessible File or Directory"),
        Reference::Link("GitLab: artifacts", "https://docs.gitlab.com/ci/yaml/#artifacts"),
        Reference::Link(
            "Terraform: Sensitive data in state",
            "https://developer.hashicorp.com/terraform/language/state/sensitive-data",
        ),
    ],
};

impl Rule for GitlabArtifactSecrets {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let Some(artifacts) = &job.artifacts else { return };
        for path in &artifacts.paths {
            if is_project_root(&path.value) {
                let message = format!(
                    "`{}` uploads the whole project directory: `.git` and every file the job wrote there, such as tool configuration with tokens",
                    path.value
                );
                report(out, artifacts, path.span, (Severity::Medium, Confidence::Medium), message);
            } else if let Some(file) = credential_file(&path.value) {
                let rating = match file.holds {
                    Holds::Always => (Severity::High, Confidence::High),
                    Holds::Often => (Severity::Medium, Confidence::Medium),
                    Holds::Briefly => (Severity::Low, Confidence::Medium),
                };
                report(out, artifacts, path.span, rating, format!("`{}` uploads {}", path.value, file.what));
            }
        }
        if let Some(untracked) = artifacts.untracked {
            let message = "`untracked: true` uploads every file git does not track: `.env` files, `.npmrc` and other configuration the job or its tools write";
            report(out, artifacts, untracked, (Severity::Low, Confidence::Medium), message.to_owned());
        }
        // Credential variables the scripts write into files the artifacts upload.
        let scope = Scope::new(globals, job);
        for (index, script) in job.scripts().enumerate() {
            for command in &script.commands {
                let mut files = script.written_files(command).filter(|word| word.is_literal());
                let Some(file) = files.find(|file| artifacts.covering(&file.text).is_some()) else { continue };
                let at = scope.in_script(index, command.range.start);
                for (name, range) in reparse::written_variables(script, command) {
                    if let Some(secret) = at.secret_behind(name) {
                        let message = format!(
                            "`${secret}` is written into `{}`, which this job uploads as an artifact",
                            file.text
                        );
                        report(out, artifacts, script.span_of(range), (Severity::High, Confidence::High), message);
                    }
                }
            }
        }
    }
}

/// Reports `message`, completed with who can download the artifacts: one level lower when
/// `access:` keeps them from non-members.
fn report(
    out: &mut Findings,
    artifacts: &Artifacts,
    span: Span,
    (severity, confidence): (Severity, Confidence),
    message: String,
) {
    let (severity, audience) = if artifacts.public() {
        (severity, "everyone who can see the pipeline")
    } else {
        (severity.lowered(), "the project members `artifacts: access:` allows")
    };
    out.report(span, format!("{message}; {audience} can download the artifacts"))
        .with_severity(severity)
        .with_confidence(confidence);
}
