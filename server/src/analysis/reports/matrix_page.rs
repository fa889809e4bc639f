//! `pipewarden matrix --html`: the threat matrix as one self-contained page. The ten tactics
//! are columns, every technique is a cell coloured by its findings' highest severity; a cell
//! opens to its findings with links to `file:line`, and an attack path selected in the list
//! is numbered and drawn over the cells it goes through. Everything is inline (styles,
//! script, data) so that the page works offline and from an archive of CI artifacts.

use std::fmt::Write;

use super::{AnalysedFile, counts_text, severity_counts};
use crate::analysis::{AttackPath, Reported};
use crate::matrix::{Tactic, Technique};
use crate::rules::Severity;
use crate::text::plural;

const STYLE: &str = include_str!("matrix_page.css");
const SCRIPT: &str = include_str!("matrix_page.js");

/// A finding with the file it is in.
type Located<'a> = (&'a AnalysedFile<'a>, &'a Reported);

/// The matrix page of the analysed files, as HTML.
pub fn matrix_page(files: &[AnalysedFile]) -> String {
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>pipewarden: CI/CD threat matrix</title>\n",
    );
    let _ = writeln!(html, "<style>\n{STYLE}</style>\n</head>\n<body>");
    header(&mut html, files);
    html.push_str("<main>\n<div class=\"board\">\n");
    matrix(&mut html, files);
    paths(&mut html, files);
    html.push_str("</div>\n");
    panel(&mut html, files);
    let _ = writeln!(html, "</main>\n<script>\n{SCRIPT}</script>\n</body>\n</html>");
    html
}

fn header(html: &mut String, files: &[AnalysedFile]) {
    let findings: usize = files.iter().map(|file| file.report.findings.len()).sum();
    let paths: usize = files.iter().map(|file| file.report.paths.len()).sum();
    let _ = writeln!(
        html,
        "<header>\n<h1>CI/CD threat matrix</h1>\n<p class=\"summary\">{findings} finding{} ({}) in {} pipeline \
         file{}; {paths} attack path{}. Select a technique to list its findings, or an attack path to follow \
         it across the matrix.</p>",
        plural(findings),
        counts_text(&severity_counts(files)),
        files.len(),
        plural(files.len()),
        plural(paths),
    );
    html.push_str("<ul class=\"legend\">");
    for severity in [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info] {
        let _ = write!(html, "<li class=\"sev-{0}\">{0}</li>", severity.name());
    }
    html.push_str("<li class=\"sev-none\">no finding</li></ul>\n</header>\n");
}

/// The findings of a technique, most severe first.
fn findings_of<'a>(files: &'a [AnalysedFile<'a>], technique: Technique) -> Vec<Located<'a>> {
    let mut found: Vec<Located> = files
        .iter()
        .flat_map(|file| file.report.findings.iter().map(move |finding| (file, finding)))
        .filter(|(_, finding)| finding.rule.technique == technique)
        .collect();
    found.sort_by_key(|(_, finding)| std::cmp::Reverse(finding.severity));
    found
}

/// The CSS class of the highest severity of some findings.
fn severity_class(found: &[Located]) -> String {
    match found.first() {
        Some((_, finding)) => format!("sev-{}", finding.severity.name()),
        None => "sev-none".to_owned(),
    }
}

fn matrix(html: &mut String, files: &[AnalysedFile]) {
    html.push_str("<div id=\"matrix\" class=\"matrix\">\n<svg id=\"trail\" aria-hidden=\"true\"><polyline/></svg>\n");
    for tactic in Tactic::ALL {
        let _ = writeln!(
            html,
            "<section class=\"tactic\">\n<h2 title=\"{}\"><span class=\"tactic-id\">{}</span> {}</h2>",
            escape(tactic.goal()),
            tactic.id(),
            tactic.name()
        );
        for &technique in Technique::ALL.iter().filter(|technique| technique.tactic() == tactic) {
            let found = findings_of(files, technique);
            let _ = writeln!(
                html,
                "<button type=\"button\" class=\"cell {}\" data-technique=\"{}\"><span class=\"technique-id\">{1}</span> \
                 <span class=\"technique-name\">{}</span><span class=\"count\" title=\"findings\">{}</span></button>",
                severity_class(&found),
                technique.id(),
                escape(technique.name()),
                found.len(),
            );
        }
        html.push_str("</section>\n");
    }
    html.push_str("</div>\n");
}

fn paths(html: &mut String, files: &[AnalysedFile]) {
    html.push_str("<nav class=\"paths\">\n<h2>Attack paths</h2>\n");
    let paths: Vec<(&AnalysedFile, &AttackPath)> =
        files.iter().flat_map(|file| file.report.paths.iter().map(move |path| (file, path))).collect();
    if paths.is_empty() {
        html.push_str("<p>No attack path: no finding lets whoever starts a job run their own code in it.</p>\n");
    } else {
        html.push_str("<ol>\n");
        for (file, path) in paths {
            path_item(html, file, path);
        }
        html.push_str("</ol>\n");
    }
    html.push_str("</nav>\n");
}

/// A path as a button that carries the techniques it goes through, in order, for the script.
fn path_item(html: &mut String, file: &AnalysedFile, path: &AttackPath) {
    let findings = &file.report.findings;
    let mut steps: Vec<&str> = Vec::new();
    for step in &path.steps {
        let id = path.locate(step, findings).0.id();
        if !steps.contains(&id) {
            steps.push(id);
        }
    }
    let ending = if path.complete { format!("gains {}", path.outcome) } else { "stops at execution".to_owned() };
    let _ = writeln!(
        html,
        "<li><button type=\"button\" class=\"path\" data-steps=\"{}\"><span class=\"starter\">{}</span> \
         job <code>{}</code> of <code>{}</code><br>{}<br><small>{}</small></button></li>",
        steps.join(" "),
        path.entry.starter.name(),
        escape(&path.job),
        escape(file.path),
        escape(&path.summary(findings)),
        escape(&ending),
    );
}

/// One hidden list of findings per technique; the script shows the one of the selected cell.
fn panel(html: &mut String, files: &[AnalysedFile]) {
    html.push_str("<aside id=\"panel\" aria-live=\"polite\">\n<p id=\"panel-hint\">Select a technique.</p>\n");
    for &technique in Technique::ALL {
        let _ = writeln!(
            html,
            "<section class=\"findings\" data-technique=\"{}\" hidden>\n<h2>{0} {}</h2>\n<p class=\"tactic-name\">{}</p>",
            technique.id(),
            escape(technique.name()),
            technique.tactic().name(),
        );
        let found = findings_of(files, technique);
        if found.is_empty() {
            html.push_str("<p>No finding of this technique.</p>\n");
        } else {
            html.push_str("<ol>\n");
            for (file, finding) in found {
                finding_item(html, file, finding);
            }
            html.push_str("</ol>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</aside>\n");
}

fn finding_item(html: &mut String, file: &AnalysedFile, finding: &Reported) {
    let line = file.line(finding.range.start);
    let _ = writeln!(
        html,
        "<li class=\"finding sev-{0}\"><span class=\"severity\">{0}</span> <code class=\"rule\">{1}</code> \
         <a href=\"{2}#L{line}\">{3}:{line}</a><p>{4}</p></li>",
        finding.severity.name(),
        finding.rule.id,
        escape(&url_path(file.link)),
        escape(file.path),
        escape(&finding.message),
    );
}

/// Text made safe for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// A relative path as a URL path: every byte but unreserved characters and `/` is
/// percent-encoded, so that `#`, `?`, `%` or a space in a file name stay part of the path.
fn url_path(path: &str) -> String {
    let mut url = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn url_path_keeps_separators_and_encodes_the_rest() {
        assert_eq!(url_path("../.github/workflows/a b#c?.yml"), "../.github/workflows/a%20b%23c%3F.yml");
        assert_eq!(url_path("é"), "%C3%A9");
    }
}
