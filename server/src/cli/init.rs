//! `pipewarden init`: writes a commented `pipewarden.toml` and, with `--baseline`, a baseline
//! that accepts today's findings, so that a team adopts pipewarden on an existing repository
//! and fails only on new findings.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::check::{self, Options};
use super::output::Format;
use super::{EXIT_CLEAN, EXIT_ERROR};

const BASELINE_NAME: &str = "pipewarden-baseline.json";

/// The commented configuration `init` writes; every setting is shown at its default.
const TEMPLATE: &str = r#"# pipewarden configuration, read by `pipewarden check` and the language server.
# Editor settings win over this file. `pipewarden rules` lists the rule ids.

# Findings below this severity are not shown: info, low, medium, high or critical.
# min-severity = "low"

# GitHub users or organisations whose actions are trusted like your own:
# `unpinned-action` does not report them.
# trusted-owners = ["my-org"]

# Context paths an attacker can set that pipewarden does not know of (`*` is one segment),
# e.g. the payload of a repository_dispatch your bot sends on behalf of outsiders.
# untrusted-contexts = ["github.event.client_payload.*"]

# How many diagnostics an editor shows per file, the most severe first.
# max-diagnostics = 1000

[rules]
# Rules that do not run.
# disable = ["missing-timeout"]
# Severity overrides by rule id.
# severity = { unpinned-action = "high" }

# Findings that are not shown in some files (globs relative to this file; `**` is any
# number of folders). Leave `rules` out to ignore every rule there.
# [[ignore]]
# paths = ["tests/fixtures/**"]
# rules = ["hardcoded-credentials"]
"#;

/// Runs `init [--baseline] [PATH]`.
pub fn run(args: &[String], out: &mut impl Write) -> i32 {
    let baseline = args.iter().any(|arg| arg == "--baseline");
    let folders: Vec<&String> = args.iter().filter(|arg| !arg.starts_with('-')).collect();
    if let Some(unknown) = args.iter().find(|arg| arg.starts_with('-') && *arg != "--baseline") {
        eprintln!("pipewarden: init takes only --baseline and a folder, not `{unknown}`");
        return EXIT_ERROR;
    }
    let folder = folders.first().map_or_else(|| PathBuf::from("."), PathBuf::from);
    match write_files(&folder, baseline) {
        Ok(written) => {
            for line in written {
                let _ = writeln!(out, "{line}");
            }
            EXIT_CLEAN
        }
        Err(message) => {
            eprintln!("pipewarden: {message}");
            EXIT_ERROR
        }
    }
}

fn write_files(folder: &Path, baseline: bool) -> Result<Vec<String>, String> {
    let config = folder.join("pipewarden.toml");
    if config.exists() {
        return Err(format!("{} exists already; not overwritten", config.display()));
    }
    let mut text = TEMPLATE.to_owned();
    let mut written = Vec::new();
    if baseline {
        let file = folder.join(BASELINE_NAME);
        let options = Options {
            paths: vec![folder.to_path_buf()],
            format: Format::Json,
            write_baseline: Some(file.clone()),
            ..Options::default()
        };
        if check::run(&options, &mut std::io::sink()) != EXIT_CLEAN {
            return Err(format!("could not write the baseline {}", file.display()));
        }
        text = text.replacen(
            "[rules]",
            &format!("# Findings accepted when pipewarden was adopted; new ones still show.\nbaseline = \"{BASELINE_NAME}\"\n\n[rules]"),
            1,
        );
        written.push(format!("wrote {}", file.display()));
    }
    std::fs::write(&config, text).map_err(|error| format!("{}: {error}", config.display()))?;
    written.insert(0, format!("wrote {}", config.display()));
    Ok(written)
}
