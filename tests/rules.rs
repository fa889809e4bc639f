//! Snapshot tests: every rule has a folder under `tests/fixtures/rules/<rule-id>/` holding
//! files named `finding-*` (at least one finding of the rule) and `ok-*` (none). Each file's
//! findings of that rule are compared with `<file>.snap`; run with `PIPEWARDEN_BLESS=1` to
//! write the snapshots after reviewing a change. A fixture may have a lock file beside it
//! (`<name>.lock`), which the analysis is given as the repository's, and a repository folder
//! (`<name>.workspace/`) whose reusable workflows it is given. Every fix offered is
//! applied, and must leave valid YAML without that finding and without a new one.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pipewarden::analysis::{Report, Reported, ResolvedFix, analyze_text_with, ignore_fixes, tiling};
use pipewarden::model::kind::{self, FileKind};
use pipewarden::pins::Pins;
use pipewarden::rules::{Applicability, REGISTRY, RuleOptions, docs};
use pipewarden::syntax::Source;
use pipewarden::text::{Encoding, position_of};
use pipewarden::workspace::interfaces::local_workflows;
use pipewarden::workspace::root::Root;
use ropey::Rope;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

#[test]
fn every_rule_has_findings_and_non_findings() {
    for rule in REGISTRY {
        let id = rule.meta().id;
        let files = fixture_files(&fixtures_dir().join(id));
        let names: Vec<String> = files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert!(names.iter().any(|n| n.starts_with("finding-")), "{id} has no finding-* fixture");
        assert!(names.iter().any(|n| n.starts_with("ok-")), "{id} has no ok-* fixture");
    }
}

#[test]
fn rule_fixtures_match_their_snapshots() {
    let bless = std::env::var_os("PIPEWARDEN_BLESS").is_some();
    let mut failures = Vec::new();
    for rule in REGISTRY {
        let id = rule.meta().id;
        for path in fixture_files(&fixtures_dir().join(id)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let kind = file_kind(&path, &text);
            let options = options_for(&path);
            let report = analyze_text_with(kind, &text, Arc::clone(&options));
            assert!(
                report.syntax_errors.is_empty(),
                "{}: fixtures must be valid YAML: {:?}",
                path.display(),
                report.syntax_errors
            );
            let findings: Vec<&Reported> = report.findings.iter().filter(|f| f.rule.id == id).collect();
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with("finding-") {
                assert!(!findings.is_empty(), "{}: expected findings of {id}", path.display());
            } else {
                assert!(findings.is_empty(), "{}: expected no findings of {id}, got {findings:#?}", path.display());
            }
            let snapshot = render(kind, &text, &findings);
            let snap_path = path.with_extension("yml.snap");
            if bless {
                std::fs::write(&snap_path, &snapshot).unwrap();
            } else {
                match std::fs::read_to_string(&snap_path) {
                    Ok(expected) if expected == snapshot => {}
                    Ok(expected) => failures
                        .push(format!("{}:\n--- expected\n{expected}--- actual\n{snapshot}", snap_path.display())),
                    Err(_) => failures.push(format!(
                        "{}: missing snapshot; review and run with PIPEWARDEN_BLESS=1",
                        snap_path.display()
                    )),
                }
            }
            check_fixes(&path, (kind, &options), &text, id, &report);
        }
    }
    assert!(failures.is_empty(), "snapshots differ:\n{}", failures.join("\n"));
}

#[test]
fn every_rule_documents_an_example_it_reports_and_a_fixed_one_it_does_not() {
    for rule in REGISTRY {
        let meta = rule.meta();
        for (example, expect_finding) in [(meta.docs.example, true), (meta.docs.fixed_example, false)] {
            let kind = kind::sniff(example).expect("a documented example is a pipeline file");
            let report = analyze_text_with(kind, example, Arc::default());
            let found = report.findings.iter().any(|f| f.rule.id == meta.id);
            assert_eq!(found, expect_finding, "{}: example\n{example}", meta.id);
            assert!(report.syntax_errors.is_empty(), "{}: example is not valid YAML", meta.id);
        }
    }
}

/// `docs/gitlab-variables.md` shows the GitLab taint model's data; run with
/// `PIPEWARDEN_BLESS=1` to rewrite its table after changing the data.
#[test]
fn the_gitlab_variables_doc_is_the_data() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/gitlab-variables.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let table = pipewarden::model::gitlab_variables::markdown_table();
    if doc.contains(&table) {
        return;
    }
    assert!(
        std::env::var_os("PIPEWARDEN_BLESS").is_some(),
        "{} is out of date: run with PIPEWARDEN_BLESS=1",
        path.display()
    );
    let start = doc.find("| variable |").expect("the table's header");
    let end = doc[start..].find("\n\n").map_or(doc.len(), |found| start + found + 1);
    std::fs::write(&path, format!("{}{table}{}", &doc[..start], &doc[end..])).unwrap();
}

/// The README's tables of rules and of attacker-controlled contexts are generated from the
/// registry and the taint model's data; run with `PIPEWARDEN_BLESS=1` to rewrite them.
#[test]
fn the_readme_tables_are_the_registry_and_the_taint_data() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let mut readme = std::fs::read_to_string(&path).unwrap();
    let mut stale = Vec::new();
    for (name, table) in [("rules", docs::rules_table()), ("contexts", docs::contexts_table())] {
        let (open, close) = (format!("<!-- generated: {name} -->\n"), format!("<!-- end: {name} -->"));
        let start =
            readme.find(&open).unwrap_or_else(|| panic!("README.md has no `{}` marker", open.trim())) + open.len();
        let end = start + readme[start..].find(&close).expect("an end marker");
        if readme[start..end] != table {
            stale.push(name);
            readme.replace_range(start..end, &table);
        }
    }
    if stale.is_empty() {
        return;
    }
    assert!(
        std::env::var_os("PIPEWARDEN_BLESS").is_some(),
        "README.md tables {stale:?} are out of date: run with PIPEWARDEN_BLESS=1"
    );
    std::fs::write(&path, readme).unwrap();
}

/// The options a fixture is analysed with: the lock file beside it, if it has one, and the
/// reusable workflows of the repository folder beside it (`<name>.workspace/`), if any.
fn options_for(path: &Path) -> Arc<RuleOptions> {
    let lock = path.with_extension("lock");
    let pins = match std::fs::read_to_string(&lock) {
        Ok(text) => Pins::parse(&text).unwrap_or_else(|error| panic!("{}: {error:?}", lock.display())),
        Err(_) => Pins::default(),
    };
    let workflows = Root::new(&path.with_extension("workspace")).map(|root| local_workflows(&root)).unwrap_or_default();
    Arc::new(RuleOptions::default().with_pins(Arc::new(pins)).with_local_workflows(Arc::new(workflows)))
}

fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yml" || ext == "yaml"))
        .collect();
    files.sort();
    files
}

fn file_kind(path: &Path, text: &str) -> FileKind {
    kind::detect(&path.to_string_lossy(), text).unwrap_or_else(|| panic!("{}: not a pipeline file", path.display()))
}

/// A finding's fixes as a code action offers them: the rule's, then the suppression comments.
fn offered(kind: FileKind, text: &str, finding: &Reported) -> Vec<ResolvedFix> {
    let mut fixes = finding.fixes.to_vec();
    fixes.extend(ignore_fixes(&mut Source::new(text, tiling(kind)), finding));
    fixes
}

fn render(kind: FileKind, text: &str, findings: &[&Reported]) -> String {
    let rope = Rope::from_str(text);
    let at = |offset| {
        let position = position_of(&rope, offset, Encoding::Utf32);
        format!("{}:{}", position.line + 1, position.column + 1)
    };
    let mut out = String::new();
    for finding in findings {
        let _ = writeln!(
            out,
            "{}-{} {} {}: {}",
            at(finding.range.start),
            at(finding.range.end),
            finding.severity.name(),
            finding.rule.id,
            finding.message
        );
        let _ = writeln!(out, "    {}", &text[finding.range.clone()]);
        for fix in &offered(kind, text, finding) {
            let safety = match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe",
            };
            let _ = writeln!(out, "    fix ({safety}): {}", fix.title);
        }
    }
    if out.is_empty() {
        out.push_str("no findings\n");
    }
    out
}

/// Fixes are computed from the tree, not from how the fixtures happen to be written: every
/// fix of every fixture, written with CRLF line breaks or with its indentation doubled, still
/// leaves valid YAML without its finding and without a new one.
#[test]
fn fixes_hold_across_line_breaks_and_indentation() {
    for rule in REGISTRY {
        let id = rule.meta().id;
        for path in fixture_files(&fixtures_dir().join(id)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let kind = file_kind(&path, &text);
            let options = options_for(&path);
            for variant in [text.replace('\n', "\r\n"), doubled_indentation(&text)] {
                let report = analyze_text_with(kind, &variant, Arc::clone(&options));
                assert!(report.syntax_errors.is_empty(), "{}: a variant is not YAML:\n{variant}", path.display());
                check_fixes(&path, (kind, &options), &variant, id, &report);
            }
        }
    }
}

/// `text` with its indentation doubled: two-space files become four-space ones. A sequence
/// entry's `- ` becomes `-   `, so that the keys of a mapping it starts stay in line with the
/// keys below them.
fn doubled_indentation(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let content = line.trim_start_matches(' ');
            let indent = " ".repeat(2 * (line.len() - content.len()));
            let mut rest = content;
            let mut dashes = String::new();
            // A `-` and its N blanks become a `-` and 2N + 1 blanks: what follows moves to
            // twice its column.
            while let Some(after) = rest.strip_prefix('-') {
                let blanks = after.len() - after.trim_start_matches(' ').len();
                if blanks == 0 {
                    break;
                }
                dashes.push('-');
                dashes.push_str(&" ".repeat(2 * blanks + 1));
                rest = &after[blanks..];
            }
            format!("{indent}{dashes}{rest}")
        })
        .collect()
}

/// Applies each fix of each finding of `rule` and checks the result.
fn check_fixes(path: &Path, (kind, options): (FileKind, &Arc<RuleOptions>), text: &str, rule: &str, report: &Report) {
    let before = report.findings.iter().filter(|f| f.rule.id == rule).count();
    for finding in report.findings.iter().filter(|f| f.rule.id == rule) {
        for fix in &offered(kind, text, finding) {
            let fixed = apply(text, fix);
            let after = analyze_text_with(kind, &fixed, Arc::clone(options));
            let context = format!("{}: fix `{}`:\n{fixed}", path.display(), fix.title);
            assert!(after.syntax_errors.is_empty(), "{context}\nleaves a syntax error: {:?}", after.syntax_errors);
            let remaining = after.findings.iter().filter(|f| f.rule.id == rule).count();
            assert!(remaining < before, "{context}\ndoes not remove the finding");
            // Nor does it open another problem: no rule finds more than before.
            for other in REGISTRY.iter().map(|r| r.meta().id).filter(|id| *id != rule) {
                let count = |report: &Report| report.findings.iter().filter(|f| f.rule.id == other).count();
                assert!(count(&after) <= count(report), "{context}\nadds a finding of `{other}`");
            }
            // A CRLF file stays CRLF: the lines a fix inserts end like the line they go in.
            if text.contains("\r\n") && !text.replace("\r\n", "").contains('\n') {
                assert!(!fixed.replace("\r\n", "").contains('\n'), "{context}\nmixes line breaks");
            }
        }
    }
}

fn apply(text: &str, fix: &ResolvedFix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start));
    let mut fixed = text.to_owned();
    for edit in edits {
        fixed.replace_range(edit.range, &edit.replacement);
    }
    fixed
}
