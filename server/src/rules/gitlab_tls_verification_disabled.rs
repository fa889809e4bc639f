//! `gitlab-tls-verification-disabled`: a GitLab job switches certificate or host key checks off.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, tls_verification_disabled};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, Pipeline, Variable};

pub struct GitlabTlsVerificationDisabled;

static META: RuleMeta = RuleMeta {
    id: "gitlab-tls-verification-disabled",
    technique: Technique::EX02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A GitLab job does not check a connection's certificate or host key",
        detects: "`GIT_SSL_NO_VERIFY` (any value: Git only checks that it is set), \
`NODE_TLS_REJECT_UNAUTHORIZED: \"0\"`, `NPM_CONFIG_STRICT_SSL: \"false\"`, `PIP_TRUSTED_HOST`, \
`GOINSECURE` in `variables:` (the pipeline's or a job's), and in script lines `curl -k`/\
`--insecure`, `wget --no-check-certificate`, `git -c http.sslVerify=false`, `npm config set \
strict-ssl false`, `pip --trusted-host`, `podman`/`buildah`/`skopeo --tls-verify=false`, Kaniko's \
`--skip-tls-verify`, `helm`/`kubectl --insecure-skip-tls-verify` and SSH's \
`StrictHostKeyChecking=no`. Medium; low for SSH host keys and for hosts without a dot or in \
private ranges (service containers such as `docker`, internal servers); loopback hosts are not \
reported. `DOCKER_TLS_CERTDIR: \"\"` is left to `gitlab-privileged-dind`, and \
`DOCKER_TLS_VERIFY` is not reported: the Docker CLI reads any non-empty value as on.",
        why: "Without the check, whoever can intercept the connection (a proxy, DNS, another \
tenant on a shared runner's network) can pose as the server: serve their own packages, images \
or Git objects to the job, and read what it sends, including `CI_JOB_TOKEN`, registry \
passwords and deploy keys.",
        attack: "Execution › Dependency tampering (EX02): from a network position, the attacker \
answers in the server's place and the job installs, builds or pushes what they send; \
credentials sent over the connection give them Credential Access (CA02).",
        example: r#"variables:
  GIT_SSL_NO_VERIFY: "1"
stages: [build]
build:
  stage: build
  script:
    - podman build -t registry.example.com/app .
    - podman push --tls-verify=false registry.example.com/app
"#,
        fixed_example: r#"stages: [build]
build:
  stage: build
  script:
    - podman build -t registry.example.com/app .
    - podman push registry.example.com/app
"#,
        fix: "Remove the setting, and give the tool the private authority that signs the \
server's certificate instead (`CI_SERVER_TLS_CA_FILE`, `curl --cacert`, `git -c \
http.sslCAInfo=`, `podman --cert-dir`, `NODE_EXTRA_CA_CERTS`); for SSH, put the server's key in \
`known_hosts` from a variable. The quick fix deletes the flag, the `-c` option, the \
`NAME=value` before a command, or the `variables:` entry (with `variables:` itself when it was \
the only entry). It is marked unsafe: a command that talks to a server with a self-signed \
certificate fails until that server's authority is configured.",
    },
    references: &[Reference::Owasp(OwaspCicd::Sec7), Reference::Cwe(295, "Improper Certificate Validation")],
};

impl Rule for GitlabTlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_pipeline(&self, pipeline: &Pipeline, out: &mut Findings) {
        report_variables(&pipeline.globals.variables, "the pipeline's `variables:`", out);
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        report_variables(&job.variables, "the job's `variables:`", out);
        for script in job.scripts() {
            tls_verification_disabled::report_script(script, out);
        }
    }
}

fn report_variables(variables: &[Variable], place: &str, out: &mut Findings) {
    for variable in variables {
        let value = variable.value.as_ref();
        let mapping = Some(&variable.mapping);
        tls_verification_disabled::report_variable(&variable.name, value, mapping, variable.entry, place, out);
    }
}
