//! `gitlab-privileged-dind`: jobs that get a privileged Docker daemon, or the runner host's.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, Image};
use crate::model::reach::Runs;

pub struct GitlabPrivilegedDind;

static META: RuleMeta = RuleMeta {
    id: "gitlab-privileged-dind",
    technique: Technique::PE01,
    severity: Severity::Low,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A job gets a privileged Docker daemon, or the runner host's",
        detects: "Docker-in-Docker services (`docker:dind`, `docker:27-dind`, with or without a \
registry prefix), which only run on runners configured as privileged; and `DOCKER_HOST` \
pointing at `/var/run/docker.sock`, which a job reaches only when the runner mounts the host's \
Docker socket into it (high). Docker-in-Docker is low, medium when the job runs in merge \
request pipelines (whose code the merge request's author writes), and one level higher when \
the daemon's TLS is off (`DOCKER_TLS_CERTDIR: \"\"` or `DOCKER_HOST` on port 2375). Rootless \
Docker-in-Docker (`docker:dind-rootless`) is not reported, nor are jobs tagged for \
GitLab-hosted runners (`saas-linux-*`), which give each job a virtual machine of its own.",
        why: "A privileged container is root on the runner's host in all but name: it can \
mount the host's disks and load kernel modules. Any code the job runs (its build scripts, \
its dependencies' install hooks, a merge request's changes) gets that. The host's Docker \
socket is the same without the container: `docker run -v /:/host` from the job is root on \
the host, with every other job's files, caches and tokens on it. Without TLS, the daemon also \
answers anything else on the job's network.",
        attack: "Persistence › Compromise CI/CD server (PE01): from code running in the job, \
the attacker escapes to the runner host and stays there, reading and changing the jobs of \
every project that later runs on it (CA02, IM04). Typically after Execution through a merge \
request (IA01, EX05).",
        example: r#"stages: [build]
image-build:
  stage: build
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  image: docker:27
  services:
    - docker:27-dind
  variables:
    DOCKER_TLS_CERTDIR: ""
  script:
    - docker build -t app .
"#,
        fixed_example: r#"stages: [build]
image-build:
  stage: build
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  image:
    name: gcr.io/kaniko-project/executor:v1.23.2-debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --no-push
"#,
        fix: "Build images without a Docker daemon (Kaniko, Buildah, BuildKit rootless), or \
with `docker:dind-rootless`; keep privileged runners for protected branches (runner \
\"Protected\" setting, `tags:`), never mount the host's Docker socket into jobs, and leave \
TLS on (`DOCKER_TLS_CERTDIR: \"/certs\"`). No quick fix is offered: the runner's \
configuration is not in the file.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(250, "Execution with Unnecessary Privileges"),
        Reference::Link(
            "GitLab: Use Docker to build Docker images",
            "https://docs.gitlab.com/ci/docker/using_docker_build/",
        ),
        Reference::Link("GitLab Runner: Security for self-managed runners", "https://docs.gitlab.com/runner/security/"),
    ],
};

impl Rule for GitlabPrivilegedDind {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let value = |name: &str| job.variable(globals, name).and_then(|variable| variable.value.as_ref());
        // GitLab-hosted runners give each job a virtual machine of its own, deleted after it:
        // root there reaches no other job.
        let hosted = job.tags.iter().any(|tag| {
            let name = tag.value.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
            let resolved = if tag.value.starts_with('$') { value(name).map(|v| v.value.as_str()) } else { Some(name) };
            resolved.is_some_and(|tag| tag.starts_with("saas-"))
        });
        if hosted {
            return;
        }
        let docker_host = value("DOCKER_HOST");
        if let Some(host) = docker_host.filter(|host| is_host_socket(&host.value)) {
            out.report(
                host.span,
                format!("`DOCKER_HOST` is `{}`: that socket is in the job only when the runner mounts the host's Docker daemon into it, and then any code the job runs is root on the runner host", host.value),
            )
            .with_severity(Severity::High)
            .with_confidence(Confidence::Medium);
        }
        let Some(service) = job.services.iter().find(|service| is_dind(service)) else { return };
        let tls_off = value("DOCKER_TLS_CERTDIR").is_some_and(|dir| dir.value.is_empty())
            || docker_host.is_some_and(|host| host.value.ends_with(":2375"));
        let runs = job.reach.merge_requests;
        let job_name = &job.name.value;
        let (mut severity, mut context) = match runs {
            Runs::No => (Severity::Low, String::new()),
            Runs::Maybe => (
                Severity::Medium,
                format!(", and `{job_name}` may run in merge request pipelines, whose code their author writes"),
            ),
            Runs::Yes => (
                Severity::Medium,
                format!(", and `{job_name}` runs in merge request pipelines, whose code their author writes"),
            ),
        };
        if tls_off {
            severity = severity.raised();
            context.push_str("; with TLS off, the daemon also answers anything else on the job's network");
        }
        out.report(
            service.name.span,
            format!(
                "`{}` runs Docker-in-Docker, which needs a privileged runner: any code in the job is root on the runner host in all but name{context}",
                service.name.value
            ),
        )
        .with_severity(severity);
    }
}

/// Whether an image is Docker-in-Docker with a root daemon: `docker:dind`,
/// `docker:27.1-dind`, `registry.example.com/mirror/docker:dind`.
fn is_dind(image: &Image) -> bool {
    let name = image.name.value.rsplit('/').next().unwrap_or_default();
    let (repository, tag) = name.split_once(':').unwrap_or((name, "latest"));
    let tag = tag.split('@').next().unwrap_or(tag);
    repository == "docker" && (tag == "dind" || tag.ends_with("-dind"))
}

/// Whether a `DOCKER_HOST` is the host's Docker socket.
fn is_host_socket(host: &str) -> bool {
    matches!(host.trim(), "unix:///var/run/docker.sock" | "unix:///run/docker.sock")
}
