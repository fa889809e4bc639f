//! The result of an analysis, in absolute byte ranges of the current text.

use std::ops::Range;
use std::sync::Arc;

use ropey::Rope;
use smallvec::{SmallVec, smallvec};

use super::paths::{AttackPath, Entry};
use super::suppress::{Parsed, ParsedTiles, SuppressionCache, Suppressions, Unused};
use crate::model::references::Reference;
use crate::rules::{Applicability, Confidence, Extent, Finding, RuleMeta, Severity, unused_suppression};
use crate::syntax::errors::SyntaxError;
use crate::syntax::span::{Bases, Span, UnitId};
use crate::syntax::{Source, tile_at};

/// What the workspace model needs of a file: what it names in other files, and the name a
/// workflow is named by.
#[derive(Debug, Default, Clone)]
pub struct FileLinks {
    pub references: Vec<Reference<Range<usize>>>,
    pub workflow_name: Option<String>,
}

/// Everything an analysis found in one document.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Findings not suppressed by a comment, in text order.
    pub findings: Vec<Reported>,
    pub syntax_errors: Vec<SyntaxError>,
    /// Rules that panicked, one entry per rule.
    pub failures: Vec<RuleFailure>,
    /// The attack paths through the findings, best first (set with [`Report::set_paths`]).
    pub paths: Vec<AttackPath>,
    /// Who can start the file's jobs: a workflow's triggers, or each GitLab job's pipelines,
    /// whether or not a path starts there (the threat model's inputs).
    pub starts: Vec<Entry>,
    /// For each finding, the first path through it: looked up for every diagnostic of every
    /// keystroke, so it is indexed once instead of searched for each.
    first_path: Vec<Option<usize>>,
    /// What the document names in other files, where it names it.
    pub references: Vec<Reference<Range<usize>>>,
    /// A workflow's `name:`, by which `workflow_run` triggers name it.
    pub workflow_name: Option<String>,
}

impl Report {
    /// What the workspace model needs of the file this reports on.
    pub fn links(&self) -> FileLinks {
        FileLinks { references: self.references.clone(), workflow_name: self.workflow_name.clone() }
    }

    pub fn set_paths(&mut self, paths: Vec<AttackPath>) {
        self.paths = paths;
        self.index_paths();
    }

    /// The first (best) path through finding `index`.
    pub fn path_of(&self, index: usize) -> Option<&AttackPath> {
        self.first_path.get(index).copied().flatten().map(|path| &self.paths[path])
    }

    fn index_paths(&mut self) {
        self.first_path = vec![None; self.findings.len()];
        for (number, path) in self.paths.iter().enumerate().rev() {
            for index in path.findings() {
                self.first_path[index] = Some(number);
            }
        }
    }

    /// Keeps the findings `keep` accepts (it may change them, as a severity override does),
    /// and the attack paths through them: a path loses the steps removed and goes when none
    /// is left. Returns how many findings went.
    pub fn retain_findings(&mut self, mut keep: impl FnMut(&mut Reported) -> bool) -> usize {
        let mut new_index = Vec::with_capacity(self.findings.len());
        let mut kept = 0;
        for finding in &mut self.findings {
            new_index.push(keep(finding).then(|| {
                kept += 1;
                kept - 1
            }));
        }
        let mut index = 0;
        self.findings.retain(|_| {
            index += 1;
            new_index[index - 1].is_some()
        });
        self.paths.retain_mut(|path| path.renumber(&new_index));
        self.index_paths();
        new_index.len() - kept
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub rule: &'static RuleMeta,
    pub range: Range<usize>,
    pub severity: Severity,
    pub confidence: Confidence,
    pub message: Arc<str>,
    /// The job the finding was found in; `None` for findings about the whole file.
    pub job: Option<Arc<str>>,
    /// The rule's fixes; those that add a suppression comment are made when asked for, by
    /// [`ignore_fixes`]. Most findings have one fix of one or two edits, held inline.
    pub fixes: SmallVec<[ResolvedFix; 1]>,
    /// Places in other files the finding depends on, such as the caller that passes the
    /// value.
    pub related: Vec<Related>,
}

/// A place in another file of the workspace that a finding links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file, from the workspace root, with `/` separators.
    pub path: String,
    /// The 0-based line.
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedFix {
    pub title: Arc<str>,
    pub applicability: Applicability,
    pub kind: FixKind,
    pub edits: SmallVec<[ResolvedEdit; 2]>,
}

/// What a fix does about its finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// The rule's own fix: it closes the hole.
    Repair,
    /// A suppression comment: the finding is accepted, not fixed.
    Ignore,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedEdit {
    pub range: Range<usize>,
    pub replacement: Arc<str>,
}

/// A rule that panicked while checking this document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFailure {
    pub rule: &'static str,
    pub message: String,
}

impl Report {
    /// Adds findings another file's analysis found here (a callee's, reached from its
    /// caller): one at the place and of the rule of a finding already here replaces it when
    /// it is more severe; the others join in text order, the attack paths following.
    pub fn add_reached(&mut self, reached: Vec<Reported>) {
        let mut added = Vec::new();
        for finding in reached {
            let same = |own: &&mut Reported| own.range == finding.range && own.rule.id == finding.rule.id;
            match self.findings.iter_mut().find(same) {
                Some(own) if finding.severity > own.severity => *own = finding,
                Some(_) => {}
                None if added
                    .iter()
                    .any(|other: &Reported| other.range == finding.range && other.rule == finding.rule) => {}
                None => added.push(finding),
            }
        }
        if added.is_empty() {
            return;
        }
        let old = self.findings.len();
        let mut all: Vec<(Option<usize>, Reported)> = self
            .findings
            .drain(..)
            .enumerate()
            .map(|(index, finding)| (Some(index), finding))
            .chain(added.into_iter().map(|finding| (None, finding)))
            .collect();
        all.sort_by(|a, b| {
            (a.1.range.start, a.1.range.end, a.1.rule.id).cmp(&(b.1.range.start, b.1.range.end, b.1.rule.id))
        });
        let mut new_index = vec![None; old];
        for (position, (index, _)) in all.iter().enumerate() {
            if let Some(index) = index {
                new_index[*index] = Some(position);
            }
        }
        self.findings = all.into_iter().map(|(_, finding)| finding).collect();
        self.paths.retain_mut(|path| path.renumber(&new_index));
    }
}

/// Resolves spans, drops suppressed findings, sorts and dedups. Each finding comes with
/// what to add to its message, if anything.
pub fn assemble<'a>(
    findings: &[(&'a Finding, Option<&'a str>)],
    failures: Vec<RuleFailure>,
    syntax_errors: Vec<SyntaxError>,
    bases: &Bases,
    parsed: Parsed<'_>,
    report_unused: bool,
    cache: &mut SuppressionCache,
) -> Report {
    let rope = parsed.rope;
    let mut reported: Vec<Reported> = Vec::with_capacity(findings.len());
    reported.extend(findings.iter().filter_map(|&(finding, note)| resolve(finding, note, bases, rope)));
    // Of the findings of one rule at one place (a template's, found through each job that
    // inherits it), the most severe is kept.
    let order = |f: &Reported| (f.range.start, f.range.end, f.rule.id, std::cmp::Reverse(f.severity));
    reported.sort_by(|a, b| order(a).cmp(&order(b)));
    reported.dedup_by(|a, b| a.range == b.range && a.rule.id == b.rule.id);
    let mut suppressions = Suppressions::new(parsed, &reported, cache);
    reported.retain(|finding| !suppressions.suppresses(finding));
    if report_unused {
        reported.extend(suppressions.unused().into_iter().map(unused_finding));
        reported.sort_by(|a, b| order(a).cmp(&order(b)));
    }
    // One search of the text spares looking up the line of every edit of a file that has
    // no `\r\n`, as most have none.
    if rope.chunks().any(|chunk| memchr::memchr(b'\r', chunk.as_bytes()).is_some()) {
        for edit in reported.iter_mut().flat_map(|finding| &mut finding.fixes).flat_map(|fix| &mut fix.edits) {
            match_line_breaks(rope, edit);
        }
    }
    Report { findings: reported, syntax_errors, failures, ..Report::default() }
}

/// The fixes that add, or extend, a suppression comment for `finding` (of a report of the
/// source's current text): on its line, and for its rule in the whole file. Made when asked
/// for, as a code action is, rather than for every finding of every analysis.
pub fn ignore_fixes(source: &mut Source, finding: &Reported) -> Vec<ResolvedFix> {
    // An ignore comment that silences nothing is fixed by removing it, not by another one.
    if finding.rule == &unused_suppression::META {
        return Vec::new();
    }
    // The comments that can silence it are on its line (or its scalar's first line) or the
    // line above: in its tile or at the end of the one before.
    let offset = finding.range.start;
    let tile_start = tile_at(source.layout(), offset).map_or(offset, |tile| tile.start);
    let (tiles, rope) = source.with_trees_over(tile_start.saturating_sub(1)..offset);
    let parsed = Parsed { tiles: ParsedTiles::Trees(tiles), rope };
    let mut fixes = Suppressions::for_fixes(parsed, finding).ignore_fixes(finding).to_vec();
    for edit in fixes.iter_mut().flat_map(|fix| &mut fix.edits) {
        match_line_breaks(rope, edit);
    }
    fixes
}

/// Fixes are written with `\n` line breaks; in a line that ends with `\r\n` (a file saved on
/// Windows), the lines an edit inserts end the same way.
fn match_line_breaks(rope: &Rope, edit: &mut ResolvedEdit) {
    if !edit.replacement.contains('\n') {
        return;
    }
    let line = rope.byte_to_line(edit.range.start.min(rope.len_bytes()));
    let ends_in_crlf = |line: usize| {
        let slice = rope.line(line);
        let len = slice.len_bytes();
        (len > 0 && slice.byte(len - 1) == b'\n').then(|| len > 1 && slice.byte(len - 2) == b'\r')
    };
    // The last line may have no line break: the one before it tells.
    let crlf = ends_in_crlf(line).or_else(|| ends_in_crlf(line.checked_sub(1)?)).unwrap_or(false);
    if crlf {
        edit.replacement = edit.replacement.replace("\r\n", "\n").replace('\n', "\r\n").into();
    }
}

/// A suppression comment's rule id that silenced nothing, as a finding of `unused-suppression`.
fn unused_finding(unused: Unused) -> Reported {
    let (message, title) = if unused.known {
        (
            format!("`{}` is not reported here, so this ignore comment silences nothing", unused.id),
            format!("Remove `{}` from the ignore comment", unused.id),
        )
    } else {
        (
            format!("`{}` is not a pipewarden rule: this ignore comment silences nothing", unused.id),
            format!("Remove the unknown rule `{}`", unused.id),
        )
    };
    Reported {
        rule: &unused_suppression::META,
        range: unused.comment,
        severity: unused_suppression::META.severity,
        confidence: unused_suppression::META.confidence,
        message: message.into(),
        job: None,
        fixes: smallvec![ResolvedFix {
            title: title.into(),
            applicability: Applicability::Safe,
            kind: FixKind::Repair,
            edits: smallvec![unused.edit],
        }],
        related: Vec::new(),
    }
}

/// The lines a range touches, from the first one's start to after the last one's line break.
fn whole_lines(rope: &Rope, range: Range<usize>) -> Range<usize> {
    let len = rope.len_bytes();
    let (start, end) = (range.start.min(len), range.end.min(len));
    let first = rope.byte_to_line(start);
    let last = rope.byte_to_line(end.saturating_sub(1).max(start));
    let end_line = (last + 1).min(rope.len_lines());
    let end = if end_line >= rope.len_lines() { len } else { rope.line_to_byte(end_line) };
    rope.line_to_byte(first)..end
}

/// The end of the line `offset` is on, before its line break. An offset at the start of a
/// line (the end of a block scalar that took its line break) stays where it is.
fn line_end(rope: &Rope, offset: usize) -> Range<usize> {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    if offset == start {
        return offset..offset;
    }
    let text = rope.line(line);
    let mut len = text.len_bytes();
    while len > 0 && matches!(text.byte(len - 1), b'\n' | b'\r') {
        len -= 1;
    }
    start + len..start + len
}

/// `range` grown back over the spaces and tabs before it on its line.
fn with_space_before(rope: &Rope, range: Range<usize>) -> Range<usize> {
    let line_start = rope.line_to_byte(rope.byte_to_line(range.start));
    let mut start = range.start;
    while start > line_start && matches!(rope.byte(start - 1), b' ' | b'\t') {
        start -= 1;
    }
    start..range.end
}

/// The range an edit's extent stands for, from the range of its span.
fn extent_range(rope: &Rope, range: Range<usize>, extent: Extent) -> Range<usize> {
    match extent {
        Extent::Span => range,
        Extent::WholeLines => whole_lines(rope, range),
        Extent::LineEnd => line_end(rope, range.start),
        Extent::WithSpaceBefore => with_space_before(rope, range),
    }
}

/// Turns the extents of the findings' fix edits into the spans they stand for, read from the
/// current text. An extent stands for part of the lines of its span, so of its unit, whose
/// text is the same for as long as the unit lives: settled once when a job is checked, the
/// spans stay right for as long as its findings are kept, and a keystroke resolves the kept
/// findings without reading the text.
pub fn settle_extents(findings: &mut [Finding], bases: &Bases, rope: &Rope) {
    let edits = findings.iter_mut().flat_map(|finding| &mut finding.fixes).flat_map(|fix| &mut fix.edits);
    for edit in edits.filter(|edit| edit.extent != Extent::Span && edit.span.unit != UnitId::DOCUMENT) {
        let (Some(base), Some(range)) = (bases.base(edit.span.unit), bases.resolve(edit.span)) else { continue };
        let range = extent_range(rope, range, edit.extent);
        edit.span = Span::new(edit.span.unit, range.start.saturating_sub(base), range.end.saturating_sub(base));
        edit.extent = Extent::Span;
    }
}

fn resolve(finding: &Finding, note: Option<&str>, bases: &Bases, rope: &Rope) -> Option<Reported> {
    let range = bases.resolve(finding.span)?;
    let fixes = finding
        .fixes
        .iter()
        .filter_map(|fix| {
            let edits = fix
                .edits
                .iter()
                .map(|edit| {
                    let range = extent_range(rope, bases.resolve(edit.span)?, edit.extent);
                    Some(ResolvedEdit { range, replacement: edit.replacement.clone() })
                })
                .collect::<Option<_>>()?;
            Some(ResolvedFix {
                title: fix.title.clone(),
                applicability: fix.applicability,
                kind: FixKind::Repair,
                edits,
            })
        })
        .collect();
    Some(Reported {
        rule: finding.rule,
        range,
        severity: finding.severity,
        confidence: finding.confidence,
        message: match note {
            Some(note) => [&finding.message, note].concat().into(),
            None => Arc::clone(&finding.message),
        },
        job: finding.job.clone(),
        fixes,
        related: Vec::new(),
    })
}
