//! Renders a rule's documentation: the same text for hovers, `explain` and the docs.

use std::fmt::Write;
use std::sync::LazyLock;

use serde::Deserialize;

use super::{Confidence, REGISTRY, Reference, RuleMeta, Severity};
use crate::matrix::{Tactic, Technique};
use crate::{bundled, data};

/// Where the attack would show and what to watch for: the threat-modelling method's log
/// source and detection questions, per technique.
#[derive(Debug, Deserialize)]
pub struct Detection {
    id: String,
    pub log_source: String,
    pub detection: String,
}

#[derive(Deserialize)]
struct Detections {
    technique: Vec<Detection>,
}

static DETECTIONS: LazyLock<Detections> = LazyLock::new(|| data::parse(bundled!("detection.toml")));

/// The log source and detection of a technique, if documented.
pub fn detection(technique: Technique) -> Option<&'static Detection> {
    DETECTIONS.technique.iter().find(|entry| entry.id == technique.id())
}

/// The full documentation of a rule, as Markdown.
pub fn markdown(rule: &RuleMeta) -> String {
    let technique = rule.technique;
    let tactic = technique.tactic();
    let mut text = String::new();
    let _ = writeln!(text, "### `{}`: {}\n", rule.id, rule.docs.summary);
    let _ = writeln!(
        text,
        "**{} › {}** ({}, {}) · severity **{}** · confidence {} · {}\n",
        tactic.name(),
        technique.name(),
        tactic.id(),
        technique.id(),
        rule.severity.name(),
        rule.confidence.name(),
        rule.platforms.iter().map(|p| p.name()).collect::<Vec<_>>().join(", "),
    );
    let _ = writeln!(text, "*{}*: the attacker is {}.\n", tactic.name(), tactic.goal());
    section(&mut text, "What it detects", rule.docs.detects);
    section(&mut text, "Why it is dangerous", rule.docs.why);
    section(&mut text, "The attack", rule.docs.attack);
    let _ = writeln!(text, "#### Example\n\n```yaml\n{}```\n", rule.docs.example);
    section(&mut text, "How to fix it", rule.docs.fix);
    let _ = writeln!(text, "```yaml\n{}```\n", rule.docs.fixed_example);
    if let Some(detection) = detection(technique) {
        section(
            &mut text,
            "Where it shows, and how to detect it",
            &format!("{}\n\n{}", detection.log_source, detection.detection),
        );
    }
    if !rule.references.is_empty() {
        let _ = writeln!(text, "#### References\n");
        for reference in rule.references {
            let _ = writeln!(text, "- {}", reference_text(reference));
        }
    }
    text
}

/// A finding's hover: the rule and its technique, why this place is dangerous (`here`, the
/// finding's message), the attack, where it would show and how to detect it, and the fix.
pub fn finding_hover(rule: &RuleMeta, severity: Severity, confidence: Confidence, here: &str) -> String {
    let technique = rule.technique;
    let mut text = format!(
        "**pipewarden** `{}`: {}\n\n**{} › {}** ({}) · severity **{}** · confidence {}\n\n**Here:** {here}\n\n{}\n\n",
        rule.id,
        rule.docs.summary,
        technique.tactic().name(),
        technique.name(),
        technique.id(),
        severity.name(),
        confidence.name(),
        rule.docs.attack,
    );
    if let Some(detection) = detection(technique) {
        let _ = write!(text, "**Log source:** {}\n\n**Detect:** {}\n\n", detection.log_source, detection.detection);
    }
    let _ = write!(text, "**Fix:** {}", rule.docs.fix);
    let links: Vec<String> = rule
        .references
        .iter()
        .filter_map(|reference| match reference {
            Reference::Link(title, url) => Some(format!("[{title}]({url})")),
            _ => None,
        })
        .collect();
    if !links.is_empty() {
        let _ = write!(text, "\n\n{}", links.join(" · "));
    }
    text
}

/// The documentation as plain text for a terminal.
pub fn plain(rule: &RuleMeta) -> String {
    to_plain(&markdown(rule))
}

/// A technique of the matrix, as Markdown: its tactic and the rules that report it.
pub fn technique_markdown(technique: Technique) -> String {
    let tactic = technique.tactic();
    let mut text = format!(
        "### {} {}

**{} ({})**: the attacker is {}.

",
        technique.id(),
        technique.name(),
        tactic.name(),
        tactic.id(),
        tactic.goal()
    );
    let rules: Vec<&RuleMeta> =
        REGISTRY.iter().map(|rule| rule.meta()).filter(|meta| meta.technique == technique).collect();
    if rules.is_empty() {
        text.push_str("No rule reports this technique: it leaves no trace in a pipeline file.\n");
    } else {
        text.push_str("#### Rules that report it\n\n");
        for rule in rules {
            let platforms: Vec<&str> = rule.platforms.iter().map(|p| p.name()).collect();
            let _ = writeln!(
                text,
                "- `{}` ({}, {}): {}",
                rule.id,
                rule.severity.name(),
                platforms.join(", "),
                rule.docs.summary
            );
        }
    }
    text
}

/// A tactic of the matrix, as Markdown: its techniques and how many rules report each.
pub fn tactic_markdown(tactic: Tactic) -> String {
    let mut text = format!(
        "### {} ({})

The attacker is {}.

#### Techniques

",
        tactic.name(),
        tactic.id(),
        tactic.goal()
    );
    for technique in Technique::ALL.iter().filter(|technique| technique.tactic() == tactic) {
        let rules: Vec<&str> = REGISTRY
            .iter()
            .map(|rule| rule.meta())
            .filter(|meta| meta.technique == *technique)
            .map(|meta| meta.id)
            .collect();
        let reported = if rules.is_empty() { "no rule".to_owned() } else { format!("`{}`", rules.join("`, `")) };
        let _ = writeln!(text, "- {} {}: {reported}", technique.id(), technique.name());
    }
    text
}

/// Markdown made readable in a terminal.
pub fn to_plain(markdown: &str) -> String {
    markdown.replace("**", "").replace("#### ", "").replace("### ", "")
}

fn section(text: &mut String, title: &str, body: &str) {
    let _ = writeln!(text, "#### {title}\n\n{body}\n");
}

fn reference_text(reference: &Reference) -> String {
    match reference {
        Reference::Owasp(risk) => format!("OWASP {}: {}", risk.id(), risk.name()),
        Reference::Cwe(id, name) => format!("CWE-{id}: {name}"),
        Reference::Zizmor(audit) => format!("zizmor audit `{audit}`"),
        Reference::Actionlint(check) => format!("actionlint check `{check}`"),
        Reference::Poutine(rule) => format!("poutine rule `{rule}`"),
        Reference::CodeQl(query) => format!("CodeQL query `{query}`"),
        Reference::Link(title, url) => format!("[{title}]({url})"),
    }
}

/// The README's table of rules, generated from the registry: id, platforms, technique,
/// default severity and confidence, and summary. `explain` has each rule's calibration.
pub fn rules_table() -> String {
    let mut table = String::from(
        "| rule | platforms | technique | severity | confidence | what it finds |\n|---|---|---|---|---|---|\n",
    );
    for rule in REGISTRY {
        let meta = rule.meta();
        let platforms: Vec<&str> = meta.platforms.iter().map(|platform| platform.name()).collect();
        let _ = writeln!(
            table,
            "| `{}` | {} | {} {} | {} | {} | {} |",
            meta.id,
            platforms.join(", "),
            meta.technique.id(),
            meta.technique.label(),
            meta.severity.name(),
            meta.confidence.name(),
            meta.docs.summary.replace('|', "\\|"),
        );
    }
    table
}

/// The README's table of the contexts an attacker controls, from the taint model's data.
pub fn contexts_table() -> String {
    let mut table = String::from("| context | who writes it | under | what it is |\n|---|---|---|---|\n");
    for fact in crate::model::contexts::facts() {
        let events: Vec<String> = fact.events.iter().map(|event| format!("`{event}`")).collect();
        let _ = writeln!(
            table,
            "| `{}` | {} | {} | {} |",
            fact.path,
            fact.controller.who(),
            events.join(", "),
            fact.what.replace('|', "\\|"),
        );
    }
    table
}
