//! Open documents: text, incremental tree, incremental analysis and the latest report.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use ropey::Rope;
use tower_lsp_server::ls_types::{Range, TextDocumentContentChangeEvent, Uri};

use super::convert;
use super::tiled::TileCache;
use crate::analysis::{self, Analyzer, Description, Report, RuleFailure, panic_message};
use crate::model::kind;
use crate::model::links::Link;
use crate::model::outline::Symbol;
use crate::rules::{Rule, RuleOptions};
use crate::syntax::{Source, Tile, Tiling};
use crate::text::Encoding;
use crate::workspace::interfaces::in_repository;

/// Frees a replaced report away from the keystroke that replaced it: freeing a report of
/// many findings takes a good part of a small file's keystroke, and the next analysis need
/// not wait for it.
fn retire(report: Arc<Report>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(move || drop(report))),
        Err(_) => drop(report),
    }
}

/// What a failure outside any rule is reported as.
const ANALYSIS: &str = "analysis";

pub struct OpenDocument {
    pub version: i32,
    pub source: Source,
    path: String,
    /// The file on disk, for `file:` documents.
    file: Option<std::path::PathBuf>,
    language_id: String,
    rules: &'static [&'static dyn Rule],
    options: Arc<RuleOptions>,
    analyzer: Option<Analyzer>,
    report: Option<Arc<Report>>,
    /// The JSON of the last diagnostics, by tile of `source`.
    tiled: TileCache,
}

impl OpenDocument {
    pub fn open(
        uri: &Uri,
        language_id: String,
        version: i32,
        text: &str,
        rules: &'static [&'static dyn Rule],
        options: Arc<RuleOptions>,
    ) -> Self {
        let path = uri.path().as_str().to_owned();
        let mut document = Self {
            version,
            source: Source::new(text, Tiling::TopLevel),
            path,
            file: uri.to_file_path().map(|path| path.into_owned()),
            language_id,
            rules,
            options: Arc::default(),
            analyzer: None,
            report: None,
            tiled: TileCache::default(),
        };
        document.options = document.for_this_file(options);
        document.detect_kind(text);
        document
    }

    /// Applies one content change; a change without a range replaces the whole text.
    pub fn apply(&mut self, change: &TextDocumentContentChangeEvent, encoding: Encoding) {
        match change.range {
            Some(range) => {
                let bytes = convert::byte_range(self.source.rope(), range, encoding);
                self.source.replace(bytes, &change.text);
            }
            None => self.source.set_text(&change.text),
        }
        if let Some(stale) = self.report.take() {
            retire(stale);
        }
        if self.analyzer.is_none() {
            let text = self.source.rope().to_string();
            self.detect_kind(&text);
        }
    }

    /// The report for the current text, analysing first if the text changed since the last.
    ///
    /// Rules' panics are contained by the analysis; a panic anywhere else in it (a bug in the
    /// model, say) is contained here, while this document's lock is held, so it neither
    /// poisons the lock nor kills the task that asked. The report then holds one failure,
    /// and the analyzer, whose caches the panic may have left half-updated, starts afresh.
    pub fn report(&mut self) -> Option<Arc<Report>> {
        let analyzer = self.analyzer.as_mut()?;
        if self.report.is_none() {
            let source = &mut self.source;
            let report = match catch_unwind(AssertUnwindSafe(|| analyzer.analyze(source))) {
                Ok(report) => report,
                Err(payload) => {
                    *analyzer = Analyzer::configured(analyzer.kind(), self.rules, Arc::clone(&self.options));
                    let mut report = Report::default();
                    report.failures = vec![RuleFailure { rule: ANALYSIS, message: panic_message(payload.as_ref()) }];
                    report
                }
            };
            self.report = Some(Arc::new(report));
        }
        self.report.clone()
    }

    /// The kind of pipeline file the document is, when it is one.
    pub fn kind(&self) -> Option<kind::FileKind> {
        self.analyzer.as_ref().map(Analyzer::kind)
    }

    /// The document's file on disk, when it has one.
    pub fn file(&self) -> Option<&std::path::Path> {
        self.file.as_deref()
    }

    /// What the key or context path at `offset` means, for pipeline files.
    pub fn describe(&mut self, offset: usize) -> Option<Description> {
        let kind = self.analyzer.as_ref()?.kind();
        analysis::describe_at(&mut self.source, kind, offset)
    }

    /// The document's outline, for pipeline files.
    pub fn outline(&mut self) -> Option<Vec<Symbol<std::ops::Range<usize>>>> {
        Some(self.analyzer.as_mut()?.outline(&mut self.source))
    }

    /// The document's links from names to what they name, for pipeline files.
    pub fn links(&mut self) -> Vec<Link<std::ops::Range<usize>>> {
        self.analyzer.as_mut().map(|analyzer| analyzer.links(&mut self.source)).unwrap_or_default()
    }

    /// The tiles (where they lie, not their trees) and the text, with the JSON of the
    /// diagnostics last published.
    pub fn tiled(&mut self) -> (&[Tile], &Rope, &mut TileCache) {
        (self.source.layout(), self.source.rope(), &mut self.tiled)
    }

    /// The byte range of an LSP range in the current text.
    pub fn byte_range(&self, range: Range, encoding: Encoding) -> std::ops::Range<usize> {
        convert::byte_range(self.source.rope(), range, encoding)
    }

    fn detect_kind(&mut self, text: &str) {
        let is_yaml_language = matches!(self.language_id.as_str(), "yaml" | "github-actions-workflow" | "gitlab-ci");
        let kind = kind::kind_from_path(&self.path)
            .or_else(|| (is_yaml_language || kind::is_yaml_path(&self.path)).then(|| kind::sniff(text)).flatten());
        if let Some(kind) = kind
            && analysis::tiling(kind) != self.source.tiling()
        {
            self.source = Source::new(text, analysis::tiling(kind));
            // A new source numbers its tiles afresh: ids kept from the old one would name
            // other text.
            self.tiled = TileCache::default();
        }
        self.analyzer = kind.map(|kind| Analyzer::configured(kind, self.rules, Arc::clone(&self.options)));
    }

    /// `options` as they apply to this document: the project's reusable workflows only when
    /// it is in the project's repository.
    fn for_this_file(&self, options: Arc<RuleOptions>) -> Arc<RuleOptions> {
        let workflows = options.local_workflows();
        let inside = self.file.as_deref().is_some_and(|file| in_repository(workflows, file));
        if workflows.is_empty() || inside { options } else { Arc::new(options.outside_the_repository()) }
    }

    /// Analyses with new rule options from now on; the findings cached under the old ones
    /// are dropped.
    pub fn set_options(&mut self, options: Arc<RuleOptions>) {
        let options = self.for_this_file(options);
        if self.options == options {
            return;
        }
        self.options = options;
        self.report = None;
        if let Some(analyzer) = &mut self.analyzer {
            *analyzer = Analyzer::configured(analyzer.kind(), self.rules, Arc::clone(&self.options));
        }
    }
}
