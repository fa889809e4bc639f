//! The command line: `check`, `paths`, `threat-model`, `matrix`, `pin`, `rules`, `explain`,
//! `init` and `lsp`.

mod check;
mod discover;
mod fix;
mod huge_pages;
mod init;
mod output;
mod parallel;
mod paths;
mod pin;
mod reached;
mod reports;

use std::io::Write;

use serde::Serialize;

use crate::matrix::{Tactic, Technique};
use crate::rules::{REGISTRY, docs};

/// Exit codes.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

const HELP: &str = "\
pipewarden: security linter and language server for CI/CD pipeline files

Finds risky configuration in GitHub Actions workflows (.github/workflows/*.yml), action
metadata (action.yml) and GitLab CI (.gitlab-ci.yml), and names the attack technique of the
CI/CD threat matrix that each one opens.

Usage:
  pipewarden check [OPTIONS] [PATH ...]   Analyse pipeline files under each PATH (default: .)
  pipewarden paths [OPTIONS] [PATH ...]   Show the attack paths through the findings: who can
                                          start each, the steps it takes, what it gains
                                          (--format text|json; check's filters apply)
  pipewarden threat-model [OPTIONS] [--output FILE] [PATH ...]
                                          Write a Markdown threat model: per pipeline file its
                                          inputs, risks, attack paths, log sources, detection
                                          and what to change first (to stdout, or FILE)
  pipewarden matrix [OPTIONS] --html FILE [PATH ...]
                                          Write the threat matrix as one self-contained HTML
                                          page: findings per technique, attack paths drawn over
                                          it (--html is required)
  pipewarden rules [--format text|json]   List every rule and its technique
  pipewarden explain RULE|TECHNIQUE|TACTIC
                                          Explain a rule (the attack, an example, the fix), a
                                          technique (EX06) or a tactic (\"Initial Access\", IA)
  pipewarden init [--baseline] [FOLDER]   Write a commented pipewarden.toml; with --baseline,
                                          accept today's findings so only new ones fail
  pipewarden pin [--git-base URL] [PATH]  Pin the actions PATH uses (default: .) to commits:
                                          ask each action's repository which commit its tag
                                          or branch names (git ls-remote), record it in
                                          .github/pipewarden.lock and rewrite the uses: lines
                                          as owner/repo@<sha> # <tag>. The only command that
                                          goes online; --git-base (or PIPEWARDEN_GIT_BASE)
                                          replaces https://github.com/
  pipewarden lsp [--stdio]                Serve the Language Server Protocol over stdio
  pipewarden --stdio                      Same as `pipewarden lsp`

Options for check:
  --format FORMAT          text (default), json, sarif (SARIF 2.1.0 for code scanning),
                           github (workflow annotations) or gitlab (Code Quality report)
  --min-severity LEVEL     Hide findings below LEVEL (info, low, medium, high, critical)
  --disable RULE           Do not run RULE (repeatable)
  --enable RULE            Run only the given rules (repeatable)
  --fix                    Apply the fixes that cannot break a working pipeline, then report
                           what is left (each applied fix is listed on stderr)
  --unsafe-fixes           Apply every rule fix, including those that may change behaviour
  --diff                   Print the fixes as a unified diff instead of writing them; exits 1
                           when there is something to fix
  --write-baseline FILE    Record today's findings in FILE (exit 0), to accept them
  --baseline FILE          Report only findings that FILE does not record: lines may move,
                           new findings still show
  --config FILE            Read settings from FILE instead of the pipewarden.toml (or
                           .github/pipewarden.toml) found above the first PATH
  --trusted-owner OWNER    Trust actions of this GitHub user or organisation like your own:
                           unpinned-action does not report them (repeatable)

Other options:
  -h, --help               Show this help
  -V, --version            Show the version

paths, threat-model and matrix take check's --min-severity, --disable, --enable,
--baseline, --config and --trusted-owner. threat-model and matrix exit 0 when the report is
written, whatever it finds, and 2 on usage or I/O errors.

Exit status of check: 0 when nothing is found, 1 when something is found, 2 on usage or
I/O errors. A file that is not valid UTF-8 is reported on stderr and skipped without
changing the exit status: GitHub and GitLab cannot run it either. Exit status of pin: 0
when every reference is pinned, 1 when some could not be resolved.
";

/// Runs the command line with `args` (without the program name) and returns the exit code.
pub fn run(args: Vec<String>) -> i32 {
    // Not locked for the whole run: the language server writes to stdout from another thread.
    let mut stdout = std::io::stdout();
    let first = args.first().map(String::as_str);
    match first {
        None | Some("-h" | "--help" | "help") => print(&mut stdout, HELP),
        Some("-V" | "--version") => print(&mut stdout, &format!("pipewarden {}\n", env!("CARGO_PKG_VERSION"))),
        Some("check") => match check::Options::parse(&args[1..]) {
            Ok(options) => check::run(&options, &mut stdout.lock()),
            Err(message) => usage_error(&message),
        },
        Some("paths") => paths::run(&args[1..], &mut stdout.lock()),
        Some("threat-model") => reports::run_threat_model(&args[1..], &mut stdout.lock()),
        Some("matrix") => reports::run_matrix(&args[1..]),
        Some("init") => init::run(&args[1..], &mut stdout.lock()),
        Some("pin") => pin::run(&args[1..], &mut stdout.lock()),
        Some("rules") => match args.get(1..).unwrap_or_default() {
            [] => print(&mut stdout, &rules_table()),
            [flag, format] if flag == "--format" && format == "text" => print(&mut stdout, &rules_table()),
            [flag, format] if flag == "--format" && format == "json" => print(&mut stdout, &rules_json()),
            _ => usage_error("rules takes only --format text|json"),
        },
        Some("explain") => match args.get(1..).map(|words| words.join(" ")).as_deref().and_then(explanation) {
            Some(text) => print(&mut stdout, &text),
            None => usage_error(&format!(
                "explain needs a rule id, a technique id (EX06) or a tactic (\"Initial Access\", IA); known rules: {}",
                REGISTRY.iter().map(|r| r.meta().id).collect::<Vec<_>>().join(", ")
            )),
        },
        Some("lsp" | "--stdio") => {
            if args.iter().skip(1).any(|arg| arg != "--stdio") {
                return usage_error("lsp only speaks over stdio; it takes no options but --stdio");
            }
            crate::lsp::serve_stdio();
            EXIT_CLEAN
        }
        Some(other) => usage_error(&format!("unknown command `{other}`")),
    }
}

/// The long explanation of a rule, a technique or a tactic.
fn explanation(subject: &str) -> Option<String> {
    if let Some(rule) = crate::rules::find(subject) {
        return Some(docs::plain(rule.meta()));
    }
    if let Some(technique) = Technique::from_id(subject) {
        return Some(docs::to_plain(&docs::technique_markdown(technique)));
    }
    Tactic::find(subject).map(|tactic| docs::to_plain(&docs::tactic_markdown(tactic)))
}

fn print(out: &mut impl Write, text: &str) -> i32 {
    match out.write_all(text.as_bytes()) {
        Ok(()) => EXIT_CLEAN,
        Err(_) => EXIT_ERROR,
    }
}

fn usage_error(message: &str) -> i32 {
    eprintln!("pipewarden: {message}\n\nRun `pipewarden --help` for usage.");
    EXIT_ERROR
}

/// One rule as `rules --format json` prints it.
#[derive(Serialize)]
struct JsonRule {
    id: &'static str,
    technique_id: &'static str,
    technique: &'static str,
    tactic: &'static str,
    severity: &'static str,
    confidence: &'static str,
    platforms: Vec<&'static str>,
    summary: &'static str,
}

#[derive(Serialize)]
struct JsonRules {
    rules: Vec<JsonRule>,
}

fn rules_json() -> String {
    let rules: Vec<JsonRule> = REGISTRY
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            JsonRule {
                id: meta.id,
                technique_id: meta.technique.id(),
                technique: meta.technique.name(),
                tactic: meta.technique.tactic().name(),
                severity: meta.severity.name(),
                confidence: meta.confidence.name(),
                platforms: meta.platforms.iter().map(|platform| platform.id()).collect(),
                summary: meta.docs.summary,
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&JsonRules { rules }).unwrap_or_default();
    text.push('\n');
    text
}

fn rules_table() -> String {
    let mut text = String::new();
    for rule in REGISTRY {
        let meta = rule.meta();
        text.push_str(&format!(
            "{:<24} {:<5} {:<9} {} › {}\n{:<24} {}\n",
            meta.id,
            meta.technique.id(),
            meta.severity.name(),
            meta.technique.tactic().name(),
            meta.technique.name(),
            "",
            meta.docs.summary,
        ));
    }
    text
}
