//! Renders a rule's documentation: the same text for hovers, `explain` and the docs.

use std::fmt::Write;

use super::{Reference, RuleMeta};

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
    markdown(rule).replace("**", "").replace("#### ", "").replace("### ", "")
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
