//! `gitlab-curl-pipe-shell`: a GitLab job downloads code and runs it without checking it.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, curl_pipe_shell};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};

pub struct GitlabCurlPipeShell;

static META: RuleMeta = RuleMeta {
    id: "gitlab-curl-pipe-shell",
    technique: Technique::EX02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A GitLab job downloads code and runs it without checking it",
        detects: "Script lines that run what they download in one go: `curl … | sh` (or `bash`, \
`sudo bash`, `python3`...), `wget -qO- … | sh -s -- args`, `bash <(curl …)`, \
`sh -c \"$(curl …)\"`, `eval \"$(curl …)\"`; a file downloaded and run by a later line of the \
same `before_script` and `script` (one shell) with no checksum or signature check in between; \
and `pip install` or `npm install` of an archive or Git URL that pins no commit or hash. \
Medium for HTTPS; high over plain HTTP, or when the script runs as root through `sudo`. A URL \
whose path is a commit SHA is not reported.",
        why: "The job runs whatever the server returns at that moment, with its CI/CD variables, \
its `CI_JOB_TOKEN`, the runner it is on and what it builds. An installer is trustworthy only \
as long as its host, its CDN and its publisher's account are; a compromised one runs in every \
pipeline that pipes it into a shell. Over plain HTTP, anyone on the network path can \
substitute it.",
        attack: "Execution › Dependency tampering (EX02): the attacker changes the script at its \
source instead of attacking this project, and every pipeline runs it. From there: Credential \
Access (CA02, the job's variables and token) and Impact › Downstream poisoning (IM04) \
through the artifacts and images the job publishes.",
        example: r#"stages: [build]
build:
  stage: build
  script:
    - curl -sSfL https://install.example.com/tool.sh | sh -s -- -b /usr/local/bin
    - tool build
"#,
        fixed_example: r#"stages: [build]
build:
  stage: build
  variables:
    TOOL_SHA256: 8f14e45fceea167a5a36dedd4bea2543b2f1a7e1c4d5e6f708192a3b4c5d6e7f
  script:
    - curl -sSfLo tool.sh https://install.example.com/tool.sh
    - echo "${TOOL_SHA256}  tool.sh" | sha256sum -c -
    - sh tool.sh -b /usr/local/bin
    - tool build
"#,
        fix: "Use an image that already has the tool, a package from the image's package manager, \
or a release asset checked against a published checksum. If you must run an installer, \
download it to a file, check it (`echo \"<sha256>  tool.sh\" | sha256sum -c -`) and only then \
run it, or fetch it from a URL that names a commit. Install Python and npm packages from a \
registry at a version, or from a Git URL at a commit SHA. No quick fix is offered: the \
checksum must come from the publisher.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(494, "Download of Code Without Integrity Check"),
        Reference::Poutine("unverified_script_exec"),
    ],
};

impl Rule for GitlabCurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        // `before_script` and `script` run in one shell, `after_script` in another.
        curl_pipe_shell::report_scripts(job.before_script.iter().chain(&job.script), out);
        curl_pipe_shell::report_scripts(&job.after_script, out);
        for script in job.scripts() {
            curl_pipe_shell::report_installs(script, out);
        }
    }
}
