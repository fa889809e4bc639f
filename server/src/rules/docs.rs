//! Renders a rule's documentation: the same text for hovers, `explain` and the docs.

use std::fmt::Write;

use super::{REGISTRY, Reference, RuleMeta};
use crate::matrix::{Tactic, Technique};

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
    if !rule.references.is_empty() {
        let _ = writeln!(text, "#### References\n");
        for reference in rule.references {
            let _ = writeln!(text, "- {}", reference_text(reference));
        }
    }
    text
}

/// A short Markdown summary for hovers: label, summary and the attack.
pub fn hover_summary(rule: &RuleMeta) -> String {
    let technique = rule.technique;
    format!(
        "**pipewarden** `{}` · **{} › {}** ({})\n\n{}\n\n{}\n\n**Fix:** {}",
        rule.id,
        technique.tactic().name(),
        technique.name(),
        technique.id(),
        rule.docs.summary,
        rule.docs.attack,
        rule.docs.fix,
    )
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
