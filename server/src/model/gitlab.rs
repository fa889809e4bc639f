//! GitLab CI: global keywords and jobs, with `extends:` and `default:` applied.

use std::collections::HashSet;
use std::sync::Arc;

use super::view::{Entry, View};
use super::{Spanned, Text};
use crate::syntax::span::Span;
use crate::syntax::yaml::Node;

/// How many `extends:` levels GitLab itself follows.
pub const MAX_EXTENDS_DEPTH: usize = 11;

/// Top-level keywords that configure the pipeline rather than name a job.
pub const GLOBAL_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "pages",
];

/// A pipeline: its global keywords and its jobs.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub globals: Arc<Globals>,
    pub jobs: Vec<Arc<GitlabJob>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Globals {
    pub variables: Vec<Variable>,
    pub includes: Vec<Include>,
    pub stages: Vec<Spanned<String>>,
    pub workflow_rules: Vec<RuleClause>,
    pub default_image: Option<Image>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: Spanned<String>,
    pub value: Option<Text>,
}

/// One `include:` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    pub span: Span,
    pub kind: IncludeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeKind {
    Local(String),
    Remote(String),
    Template(String),
    Project { project: String, git_ref: Option<String>, files: Vec<String> },
    Component(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub name: Spanned<String>,
}

/// One entry of `rules:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleClause {
    pub span: Span,
    pub condition: Option<Text>,
    pub when: Option<Spanned<String>>,
}

/// One job, with what it inherits through `extends:` and `default:` already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitlabJob {
    pub name: Spanned<String>,
    pub span: Span,
    /// Hidden jobs (`.name`) are templates that never run by themselves.
    pub hidden: bool,
    pub stage: Option<Spanned<String>>,
    pub image: Option<Image>,
    pub services: Vec<Image>,
    pub before_script: Vec<Text>,
    pub script: Vec<Text>,
    pub after_script: Vec<Text>,
    pub variables: Vec<Variable>,
    pub rules: Vec<RuleClause>,
    pub only: Vec<Spanned<String>>,
    pub except: Vec<Spanned<String>>,
    pub artifacts: Option<Artifacts>,
    pub cache: Vec<Cache>,
    pub environment: Option<Spanned<String>>,
    pub extends: Vec<Spanned<String>>,
    pub trigger: Option<Span>,
    pub needs: Vec<Spanned<String>>,
    pub tags: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifacts {
    pub span: Span,
    pub paths: Vec<Spanned<String>>,
    pub untracked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    pub span: Span,
    pub key: Option<Text>,
    pub paths: Vec<Spanned<String>>,
    pub policy: Option<Spanned<String>>,
}

/// Builds the global keywords from the top-level entries that are not jobs.
pub fn build_globals(entries: &[Entry<'_>]) -> Globals {
    let find = |key: &str| entries.iter().find(|entry| entry.name() == Some(key)).map(|entry| entry.value);
    Globals {
        variables: find("variables").map(variables).unwrap_or_default(),
        includes: find("include").map(includes).unwrap_or_default(),
        stages: find("stages").map(strings).unwrap_or_default(),
        workflow_rules: find("workflow").and_then(|w| w.get("rules")).map(rule_clauses).unwrap_or_default(),
        default_image: find("default").and_then(|d| d.get("image")).or_else(|| find("image")).and_then(image),
    }
}

/// Whether a top-level key names a job.
pub fn is_job_key(key: &str) -> bool {
    !GLOBAL_KEYWORDS.contains(&key)
}

/// Looks keys up in a job, then in the jobs it extends, then in `default:`.
pub struct JobScope<'a> {
    job: View<'a>,
    jobs: &'a dyn Fn(&str) -> Option<View<'a>>,
    default: Option<View<'a>>,
}

/// Keys a job inherits from `default:` when it does not set them.
const INHERITED_FROM_DEFAULT: &[&str] =
    &["image", "services", "before_script", "after_script", "cache", "artifacts", "tags"];

impl<'a> JobScope<'a> {
    pub fn new(job: View<'a>, jobs: &'a dyn Fn(&str) -> Option<View<'a>>, default: Option<View<'a>>) -> Self {
        Self { job, jobs, default }
    }

    /// The value of `key` as GitLab would see it after `extends:` and `default:`.
    pub fn get(&self, key: &str) -> Option<View<'a>> {
        self.lookup(self.job, key, &mut HashSet::new(), 0)
            .or_else(|| INHERITED_FROM_DEFAULT.contains(&key).then(|| self.default.and_then(|d| d.get(key))).flatten())
    }

    /// Each job is read once per lookup: `extends: [a, a, a]` chains cost what one chain does.
    fn lookup(&self, job: View<'a>, key: &str, read: &mut HashSet<*const Node>, depth: usize) -> Option<View<'a>> {
        if !read.insert(job.node()) {
            return None;
        }
        if let Some(value) = job.get(key) {
            return Some(value);
        }
        if depth >= MAX_EXTENDS_DEPTH {
            return None;
        }
        // Later entries of `extends:` override earlier ones.
        let parents = job.get("extends").map(strings).unwrap_or_default();
        parents
            .iter()
            .rev()
            .find_map(|parent| (self.jobs)(&parent.value).and_then(|p| self.lookup(p, key, read, depth + 1)))
    }
}

/// Builds a job from its entry, looking through `scope` for inherited keys.
pub fn build_job(entry: &Entry<'_>, scope: &JobScope<'_>) -> Option<GitlabJob> {
    let name = Spanned::key_of(entry)?;
    let get = |key: &str| scope.get(key);
    Some(GitlabJob {
        hidden: name.value.starts_with('.'),
        name,
        span: entry.pair.span,
        stage: get("stage").and_then(Spanned::from_view),
        image: get("image").and_then(image),
        services: get("services").map(|s| s.items().into_iter().filter_map(image).collect()).unwrap_or_default(),
        before_script: get("before_script").map(scripts).unwrap_or_default(),
        script: get("script").map(scripts).unwrap_or_default(),
        after_script: get("after_script").map(scripts).unwrap_or_default(),
        variables: get("variables").map(variables).unwrap_or_default(),
        rules: get("rules").map(rule_clauses).unwrap_or_default(),
        only: get("only").map(|o| strings(o.get("refs").unwrap_or(o))).unwrap_or_default(),
        except: get("except").map(|e| strings(e.get("refs").unwrap_or(e))).unwrap_or_default(),
        artifacts: get("artifacts").map(|a| Artifacts {
            span: a.span(),
            paths: a.get("paths").map(strings).unwrap_or_default(),
            untracked: a.get("untracked").and_then(|u| u.as_str()) == Some("true"),
        }),
        cache: get("cache").map(|c| c.items().into_iter().map(cache).collect()).unwrap_or_default(),
        environment: get("environment").and_then(|e| Spanned::from_view(e.get("name").unwrap_or(e))),
        extends: entry.value.get("extends").map(strings).unwrap_or_default(),
        trigger: get("trigger").map(|t| t.span()),
        needs: get("needs")
            .map(|n| n.items().into_iter().filter_map(|i| Spanned::from_view(i.get("job").unwrap_or(i))).collect())
            .unwrap_or_default(),
        tags: get("tags").map(strings).unwrap_or_default(),
    })
}

fn image(view: View<'_>) -> Option<Image> {
    Some(Image { name: Spanned::from_view(view.get("name").unwrap_or(view))? })
}

fn cache(view: View<'_>) -> Cache {
    Cache {
        span: view.span(),
        key: view.get("key").and_then(|k| Text::from_view(k.get("prefix").unwrap_or(k))),
        paths: view.get("paths").map(strings).unwrap_or_default(),
        policy: view.get("policy").and_then(Spanned::from_view),
    }
}

/// Script lines; nested sequences (from anchors) are flattened one level, as GitLab does.
fn scripts(view: View<'_>) -> Vec<Text> {
    view.items()
        .into_iter()
        .flat_map(|item| if item.sequence().is_empty() { vec![item] } else { item.sequence() })
        .filter_map(Text::from_view)
        .collect()
}

fn variables(view: View<'_>) -> Vec<Variable> {
    view.entries()
        .iter()
        .filter_map(|entry| {
            let value = entry.value.get("value").unwrap_or(entry.value);
            Some(Variable { name: Spanned::key_of(entry)?, value: Text::from_view(value) })
        })
        .collect()
}

fn includes(view: View<'_>) -> Vec<Include> {
    view.items()
        .into_iter()
        .filter_map(|item| {
            let text = |key: &str| item.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            let kind = if let Some(path) = item.as_str() {
                if path.starts_with("http://") || path.starts_with("https://") {
                    IncludeKind::Remote(path.to_owned())
                } else {
                    IncludeKind::Local(path.to_owned())
                }
            } else if let Some(project) = text("project") {
                IncludeKind::Project {
                    project,
                    git_ref: text("ref"),
                    files: item.get("file").map(strings).unwrap_or_default().into_iter().map(|f| f.value).collect(),
                }
            } else if let Some(remote) = text("remote") {
                IncludeKind::Remote(remote)
            } else if let Some(template) = text("template") {
                IncludeKind::Template(template)
            } else if let Some(component) = text("component") {
                IncludeKind::Component(component)
            } else {
                IncludeKind::Local(text("local")?)
            };
            // Point at what names the source, not the whole entry.
            let span = ["remote", "project", "component", "template", "local"]
                .iter()
                .find_map(|key| item.get(key))
                .map_or(item.span(), |value| value.span());
            Some(Include { span, kind })
        })
        .collect()
}

fn rule_clauses(view: View<'_>) -> Vec<RuleClause> {
    view.sequence()
        .into_iter()
        .map(|clause| RuleClause {
            span: clause.span(),
            condition: clause.get("if").and_then(Text::from_view),
            when: clause.get("when").and_then(Spanned::from_view),
        })
        .collect()
}

fn strings(view: View<'_>) -> Vec<Spanned<String>> {
    super::github::strings(view)
}
