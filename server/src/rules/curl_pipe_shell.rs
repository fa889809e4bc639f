//! `curl-pipe-shell`: code downloaded and run in one go, with nothing checking it first.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::commands::{self, Delivery, RemoteCode};
use crate::model::github::Step;
use crate::model::shell::{Dialect, Script};

pub struct CurlPipeShell;

static META: RuleMeta = RuleMeta {
    id: "curl-pipe-shell",
    technique: Technique::EX02,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A script downloads code and runs it without checking it",
        detects: "A `run:` script that runs what it downloads in one go: `curl … | sh` (or \
`bash`, `sudo bash`, `python3`, `node`...), `wget -qO- … | sh -s -- args`, `bash <(curl …)`, \
`sh -c \"$(curl …)\"`, `eval \"$(curl …)\"`, `source <(curl …)`; a file downloaded and run later \
in the same script with no checksum or signature check in between (`sha256sum -c`, `gpg \
--verify`, `cosign verify-blob`); `pip install` or `npm install` of an archive or Git URL that \
pins no commit or hash; and in PowerShell, `iex (iwr …)`, `irm … | iex`, \
`Invoke-Expression (…DownloadString(…))`. Medium for HTTPS; high over plain HTTP, or when the \
downloaded script runs as root through `sudo`. A URL whose path is a commit SHA \
(`raw.githubusercontent.com/owner/repo/<sha>/install.sh`) cannot change and is not reported.",
        why: "The job runs whatever the server returns at that moment, with everything the job can \
reach: its secrets, its token, the checked-out code and what it builds. Installers such as \
`get.docker.com`, rustup or nvm are trustworthy only as long as their host, their CDN and the \
account that publishes them are; a compromised installer (the Codecov bash uploader in 2021 is \
the best-known case) runs in every pipeline that pipes it into a shell, and nothing in the \
pipeline notices. Over plain HTTP, anyone on the network path can substitute it.",
        attack: "Execution › Dependency tampering (EX02): the attacker changes the script at its \
source (a compromised vendor account, domain or CDN, or a network position for HTTP) instead \
of attacking this repository, and every run executes it. From there: Credential Access (CA02, \
the job's secrets and token) and Impact › Downstream poisoning (IM04) through what the job \
builds and publishes.",
        example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: curl -fsSL https://get.docker.com | sh
"#,
        fixed_example: r#"on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          curl -fsSLo get-docker.sh https://get.docker.com
          echo "${GET_DOCKER_SHA256}  get-docker.sh" | sha256sum -c -
          sh get-docker.sh
        env:
          # The checksum recorded when the installer was reviewed.
          GET_DOCKER_SHA256: 4ed9f2dee0a0bd3b0ec1b4f52de9ff9e1e1e1f5e8d1a6c4f0e3b2a1c9d8e7f6
"#,
        fix: "Prefer a package from the runner's package manager, a pinned setup action, or a \
release asset checked against a published checksum. If you must run an installer, download it \
to a file, check it against a checksum you recorded (`echo \"<sha256>  install.sh\" | sha256sum \
-c -`) and only then run it; or fetch it from a URL that names a commit. Install Python and npm \
packages from a registry at a version, or from a Git URL at a commit SHA \
(`git+https://github.com/owner/repo@<sha>`). No quick fix is offered: the checksum must come \
from the publisher.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(494, "Download of Code Without Integrity Check"),
        Reference::Poutine("unverified_script_exec"),
    ],
};

impl Rule for CurlPipeShell {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_step(&self, _context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let Some(script) = step.run.as_deref() else {
            return;
        };
        report_scripts([script], out);
        report_installs(script, out);
    }
}

/// Reports the code that `scripts`, run in one shell, download and run unchecked; shared
/// with `gitlab-curl-pipe-shell`. PowerShell scripts are searched as text.
pub(super) fn report_scripts<'a>(scripts: impl IntoIterator<Item = &'a Script> + Clone, out: &mut Findings) {
    for code in commands::remote_code(scripts.clone()) {
        if code.download.is_pinned() {
            continue;
        }
        let (message, severity, confidence) = describe(&code);
        out.report(code.script.span_of(code.range()), message).with_severity(severity).with_confidence(confidence);
    }
    for script in scripts.into_iter().filter(|script| script.dialect == Dialect::PowerShell) {
        for found in commands::powershell_remote_code(&script.text.value) {
            let url = found.url.map_or("a URL known only at run time".to_owned(), |url| format!("`{url}`"));
            let plain_http = found.url.is_some_and(|url| url.starts_with("http://"));
            let message = format!(
                "this PowerShell downloads {url} and runs it with `Invoke-Expression`: whatever the server returns \
                 runs in this job with everything the job can reach, and nothing checks it first{}",
                if plain_http { "; over plain HTTP, anyone on the network path can rewrite it" } else { "" },
            );
            let finding = out.report(script.span_of(found.range), message);
            if plain_http {
                finding.with_severity(Severity::High);
            }
        }
    }
}

/// Reports packages a script installs from URLs that pin neither a commit nor a hash.
pub(super) fn report_installs(script: &Script, out: &mut Findings) {
    for install in commands::url_installs(script) {
        let message = format!(
            "`{}` installs `{}` from a URL that pins no commit or hash: its build and install code runs in this job, \
             whatever the source holds when the job runs{}",
            install.installer,
            install.package.text,
            if install.is_plain_http() {
                ", and over plain HTTP anyone on the network path can replace it"
            } else {
                ""
            },
        );
        let finding = out.report(script.span_of(install.package.range.clone()), message);
        if install.is_plain_http() {
            finding.with_severity(Severity::High);
        }
    }
}

fn describe(code: &RemoteCode<'_>) -> (String, Severity, Confidence) {
    let downloader = code.download.command.name().unwrap_or("the download");
    let runner = code.runner.name().unwrap_or("a program");
    let url = code.download.url.map_or("a URL known only at run time".to_owned(), |url| format!("`{}`", url.text));
    let what = match code.delivery {
        Delivery::Pipe => format!("`{downloader}` downloads {url} and pipes it straight into `{runner}`"),
        Delivery::Substitution => format!("`{runner}` runs what `{downloader}` downloads from {url}"),
        Delivery::Saved => {
            let file = code.download.file.as_deref().unwrap_or_default();
            let by =
                if runner == crate::model::shell::basename(file) { String::new() } else { format!(" by `{runner}`") };
            format!("`{file}`, downloaded from {url} by `{downloader}`, is run{by} with no checksum check in between")
        }
    };
    let http = code.download.is_plain_http();
    let runs = if code.as_root() { "runs as root (`sudo`)" } else { "runs" };
    let message = format!(
        "{what}: whatever the server returns {runs} in this job with everything the job can reach (secrets, token, \
         the code it builds), and nothing checks it first{}",
        if http { "; over plain HTTP, anyone on the network path can rewrite it" } else { "" }
    );
    let severity = if http || code.as_root() { Severity::High } else { Severity::Medium };
    let certain = code.download.url.is_some() && code.delivery != Delivery::Saved;
    (message, severity, if certain { Confidence::High } else { Confidence::Medium })
}
