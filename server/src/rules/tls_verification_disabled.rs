//! `tls-verification-disabled`: certificate or host key checks switched off.

use super::{
    Applicability, Confidence, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity,
    StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::commands::{self, Check, Disabled, Host};
use crate::model::github::{Step, Workflow};
use crate::model::shell::Script;
use crate::model::{Block, Env, Spanned, Text};
use crate::syntax::span::Span;

pub struct TlsVerificationDisabled;

static META: RuleMeta = RuleMeta {
    id: "tls-verification-disabled",
    technique: Technique::EX02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A connection's certificate or host key is not checked",
        detects: "Settings that make a tool accept any server: `curl -k`/`--insecure`, `wget \
--no-check-certificate`, `git -c http.sslVerify=false` and `git config http.sslVerify false`, \
`npm`/`yarn`/`pnpm` `strict-ssl false`, `pip --trusted-host`, `helm`/`kubectl \
--insecure-skip-tls-verify`, `podman`/`buildah`/`skopeo --tls-verify=false`, `aws \
--no-verify-ssl`, PowerShell's `-SkipCertificateCheck`, and the environment variables \
`GIT_SSL_NO_VERIFY` (any value: Git only checks that it is set), \
`NODE_TLS_REJECT_UNAUTHORIZED=0`, `PYTHONHTTPSVERIFY=0`, `NPM_CONFIG_STRICT_SSL=false`, \
`PIP_TRUSTED_HOST` and `GOINSECURE`, in `env:` at any level or in a script. Medium; low for \
SSH's `StrictHostKeyChecking=no` (an attacker needs a position on the network path, and the \
key still authenticates the runner) and for hosts without a dot or in private ranges (service \
containers, internal servers). Loopback hosts (`https://localhost`) are not reported. \
`docker --tls=false` is not reported either: it is the Docker CLI's default for a local \
daemon, not a check switched off.",
        why: "Without the check, whoever can intercept the connection (a compromised router, a \
proxy, DNS, a neighbour on a self-hosted runner's network) can pose as the server: serve their \
own packages, scripts or Git objects to the job, and read what the job sends, including the \
tokens and passwords it authenticates with.",
        attack: "Execution › Dependency tampering (EX02): from a network position, the attacker \
answers in the server's place and the job installs, clones or runs what they send. Tokens sent \
over the connection also give them Credential Access (CA02).",
        example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      GIT_SSL_NO_VERIFY: "true"
    steps:
      - run: curl -fsSLk https://artifacts.example.com/tool.tar.gz | tar xz
"#,
        fixed_example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: curl -fsSL https://artifacts.example.com/tool.tar.gz | tar xz
"#,
        fix: "Remove the setting. If the server uses a certificate from a private authority, give \
the tool that authority instead (`curl --cacert`, `git -c http.sslCAInfo=`, `npm config set \
cafile`, `NODE_EXTRA_CA_CERTS`, `pip --cert`); for SSH, add the server's key to `known_hosts` \
(`ssh-keyscan` once, then commit or store the line). The quick fix deletes the flag, the \
`-c` option, the `NAME=value` before a command, or the `env:` entry (with `env:` itself when it \
was the only entry). It is marked unsafe: a command that talks to a server with a self-signed \
or expired certificate fails until that server's authority is configured.",
    },
    references: &[Reference::Owasp(OwaspCicd::Sec7), Reference::Cwe(295, "Improper Certificate Validation")],
};

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_workflow(&self, workflow: &Workflow, out: &mut Findings) {
        report_env(&workflow.header.env, "the workflow's `env:`", out);
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        report_env(&context.job.env, "the job's `env:`", out);
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        report_env(&step.env, "the step's `env:`", out);
        if let Some(script) = &step.run {
            report_script(script, out);
        }
    }
}

fn report_env(env: &Env, place: &str, out: &mut Findings) {
    for var in &env.vars {
        report_variable(&var.name, var.value.as_ref(), env.block.as_deref(), var.entry, place, out);
    }
}

/// Reports a variable (an `env:` or `variables:` entry) that switches a check off; shared
/// with `gitlab-tls-verification-disabled`.
pub(super) fn report_variable(
    name: &Spanned<String>,
    value: Option<&Text>,
    mapping: Option<&Block>,
    entry: Span,
    place: &str,
    out: &mut Findings,
) {
    let Some(disabled) = value.and_then(|value| commands::insecure_variable(&name.value, &value.value)) else {
        return;
    };
    // The variable itself, or an option written in its value (`SSH_OPTS: -o StrictHostKeyChecking=no`).
    let itself = disabled.written.eq_ignore_ascii_case(&name.value);
    let what = if itself {
        disabled.what.to_owned()
    } else {
        format!("holds `{}`, which {}", disabled.written, disabled.what)
    };
    let message = format!("`{}` in {place} {what}{}", name.value, consequence(&disabled));
    let finding = out.report(name.span, message);
    finding.with_severity(severity(&disabled, None));
    if value.is_some_and(|value| !value.expressions.is_empty()) {
        finding.with_confidence(Confidence::Medium);
    }
    let removal = mapping.filter(|_| itself).and_then(|mapping| fix::remove_from_mapping(mapping, entry));
    if let Some(edit) = removal {
        finding.with_fix(Fix {
            title: format!("Remove `{}`", name.value).into(),
            applicability: Applicability::Unsafe,
            edits: vec![edit],
        });
    }
}

/// Reports the settings of a script that switch a check off; shared with
/// `gitlab-tls-verification-disabled`.
pub(super) fn report_script(script: &Script, out: &mut Findings) {
    for setting in commands::insecure_settings(script) {
        if setting.host == Some(Host::Loopback) {
            continue;
        }
        let disabled = &setting.disabled;
        let message = format!("`{}` {}{}", disabled.written, disabled.what, consequence(disabled));
        let finding = out.report(script.span_of(setting.range.clone()), message);
        finding.with_severity(severity(disabled, setting.host));
        if let Some(removable) = setting.removable {
            let written = script.slice(removable.clone());
            let shown = if written.len() == 1 { format!("-{written}") } else { written.to_owned() };
            finding.with_fix(Fix {
                title: format!("Remove `{shown}`").into(),
                applicability: Applicability::Unsafe,
                edits: vec![fix::delete_from_script(script, removable)],
            });
        }
    }
}

fn consequence(disabled: &Disabled) -> &'static str {
    match disabled.check {
        Check::Certificate => {
            ": anyone who can intercept the connection can pose as the server, change what the job receives and \
             read what it sends"
        }
        Check::HostKey => {
            ": anyone who can intercept the connection can pose as the server and receive what the job sends"
        }
    }
}

fn severity(disabled: &Disabled, host: Option<Host>) -> Severity {
    match (disabled.check, host) {
        (Check::HostKey, _) | (_, Some(Host::Internal)) => Severity::Low,
        _ => Severity::Medium,
    }
}
