//! GitLab CI: global keywords and jobs, with `extends:` and `default:` applied.

use std::collections::HashSet;
use std::sync::Arc;

use super::reach::Reach;
use super::shell::{Dialect, Script};
use super::view::{Entry, View};
use super::{Setting, Spanned, Text, key_column};
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Globals {
    pub variables: Vec<Variable>,
    pub includes: Vec<Include>,
    pub stages: Vec<Spanned<String>>,
    pub workflow_rules: Vec<RuleClause>,
    /// The pipelines `workflow: rules:` lets GitLab create.
    pub workflow_reach: Reach,
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
    /// Whether the clause also depends on `changes:` or `exists:`, which the file does not decide.
    pub has_changes_or_exists: bool,
}

/// One job, with what it inherits through `extends:` and `default:` already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitlabJob {
    pub name: Spanned<String>,
    pub span: Span,
    /// The column of the job's own keys, where new keys are inserted.
    pub key_column: Option<u32>,
    /// The first key written in the job, before which new keys can be inserted.
    pub first_key: Option<Span>,
    /// Hidden jobs (`.name`) are templates that never run by themselves.
    pub hidden: bool,
    pub stage: Option<Spanned<String>>,
    pub image: Option<Image>,
    pub services: Vec<Image>,
    /// Script lines, each lexed as a shell command line; `!reference` tags are resolved.
    pub before_script: Vec<Script>,
    pub script: Vec<Script>,
    pub after_script: Vec<Script>,
    pub variables: Vec<Variable>,
    pub rules: Vec<RuleClause>,
    pub only: Vec<Spanned<String>>,
    pub except: Vec<Spanned<String>>,
    /// `when:` of the job itself (`manual`, `always`, `never`, ...).
    pub when: Option<Spanned<String>>,
    /// Where the job runs: its rules within the pipeline's `workflow: rules:`.
    pub reach: Reach,
    /// `allow_failure:`; `exit_codes` when it is a mapping of exit codes.
    pub allow_failure: Option<Setting>,
    pub timeout: Option<Spanned<String>>,
    pub artifacts: Option<Artifacts>,
    pub cache: Vec<Cache>,
    pub environment: Option<Environment>,
    pub extends: Vec<Spanned<String>>,
    /// Whether it extends, directly or not, a job this file does not define (one from an
    /// include), whose keys are unknown here.
    pub extends_unknown: bool,
    pub trigger: Option<Trigger>,
    pub id_tokens: Vec<IdToken>,
    /// `secrets:` the job fetches from an external secret manager, by name.
    pub secrets: Vec<Spanned<String>>,
    pub needs: Vec<Spanned<String>>,
    pub tags: Vec<Spanned<String>>,
}

impl GitlabJob {
    /// Every script line: `before_script`, `script`, then `after_script`.
    pub fn scripts(&self) -> impl Iterator<Item = &Script> {
        self.before_script.iter().chain(&self.script).chain(&self.after_script)
    }

    /// The variable `name` of the job (its own, inherited, or the pipeline's).
    pub fn variable<'a>(&'a self, globals: &'a Globals, name: &str) -> Option<&'a Variable> {
        self.variables.iter().chain(&globals.variables).find(|variable| variable.name.value == name)
    }
}

/// An `environment:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub name: Spanned<String>,
    /// `deployment_tier:` (`production`, `staging`, ...).
    pub tier: Option<Spanned<String>>,
    /// `action:` (`start`, `prepare`, `stop`, `verify`, `access`).
    pub action: Option<Spanned<String>>,
}

/// A `trigger:` of a child or multi-project pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub span: Span,
    /// The other project of a multi-project pipeline.
    pub project: Option<Spanned<String>>,
    /// The configuration files of a child pipeline.
    pub include: Vec<Include>,
    /// `forward: pipeline_variables:`.
    pub forward_pipeline_variables: Option<Spanned<String>>,
    /// `forward: yaml_variables:` (default true).
    pub forward_yaml_variables: Option<Spanned<String>>,
}

/// An `id_tokens:` entry: an OIDC token minted for the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdToken {
    pub name: Spanned<String>,
    pub audiences: Vec<Spanned<String>>,
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
    let workflow_rules = find("workflow").and_then(|w| w.get("rules")).map(rule_clauses).unwrap_or_default();
    Globals {
        variables: find("variables").map(variables).unwrap_or_default(),
        includes: find("include").map(includes).unwrap_or_default(),
        stages: find("stages").map(strings).unwrap_or_default(),
        workflow_reach: Reach::of_workflow(&workflow_rules),
        workflow_rules,
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
    &["image", "services", "before_script", "after_script", "cache", "artifacts", "tags", "timeout"];

impl<'a> JobScope<'a> {
    pub fn new(job: View<'a>, jobs: &'a dyn Fn(&str) -> Option<View<'a>>, default: Option<View<'a>>) -> Self {
        Self { job, jobs, default }
    }

    /// The value a `!reference [job, key, ...]` tag names.
    pub fn reference(&self, path: &[String]) -> Option<View<'a>> {
        let (job, keys) = path.split_first()?;
        let mut value = (self.jobs)(job).or_else(|| (job == "default").then_some(self.default).flatten())?;
        for key in keys {
            value = value.get(key)?;
        }
        Some(value)
    }

    /// The value of `key` as GitLab would see it after `extends:` and `default:`.
    pub fn get(&self, key: &str) -> Option<View<'a>> {
        self.holder(key)?.get(key)
    }

    /// The mapping `key` is read from: the job, a job it extends, or `default:`.
    pub fn holder(&self, key: &str) -> Option<View<'a>> {
        self.lookup(self.job, key, &mut HashSet::new(), 0).or_else(|| {
            let default = self.default.filter(|_| INHERITED_FROM_DEFAULT.contains(&key))?;
            default.get(key).map(|_| default)
        })
    }

    /// Whether the job extends, directly or through the jobs it extends, a job this file does
    /// not define.
    pub fn extends_unknown(&self) -> bool {
        self.unknown_parent(self.job, &mut HashSet::new(), 0)
    }

    fn unknown_parent(&self, job: View<'a>, read: &mut HashSet<*const Node>, depth: usize) -> bool {
        if !read.insert(job.node()) || depth >= MAX_EXTENDS_DEPTH {
            return false;
        }
        let parents = job.get("extends").map(strings).unwrap_or_default();
        parents.iter().any(|parent| match (self.jobs)(&parent.value) {
            None => true,
            Some(parent) => self.unknown_parent(parent, read, depth + 1),
        })
    }

    /// Each job is read once per lookup: `extends: [a, a, a]` chains cost what one chain does.
    fn lookup(&self, job: View<'a>, key: &str, read: &mut HashSet<*const Node>, depth: usize) -> Option<View<'a>> {
        if !read.insert(job.node()) {
            return None;
        }
        if job.get(key).is_some() {
            return Some(job);
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

/// Builds a job from its entry, looking through `scope` for inherited keys; `workflow` is the
/// pipeline's [`Globals::workflow_reach`].
pub fn build_job(entry: &Entry<'_>, scope: &JobScope<'_>, workflow: &Reach) -> Option<GitlabJob> {
    let name = Spanned::key_of(entry)?;
    let get = |key: &str| scope.get(key);
    let rules = get("rules").map(rule_clauses).unwrap_or_default();
    let refs = |key: &str| -> Vec<Spanned<String>> {
        get(key).map(|o| strings(o.get("refs").unwrap_or(o))).unwrap_or_default()
    };
    let (only, except) = (refs("only"), refs("except"));
    let when = get("when").and_then(Spanned::from_view);
    let texts = |list: &[Spanned<String>]| list.iter().map(|item| item.value.clone()).collect::<Vec<_>>();
    let reach = Reach::of_job(&rules, &texts(&only), &texts(&except), when.as_ref().map(|w| w.as_str()), workflow);
    let scripts = |key: &str| get(key).map(|view| scripts(view, scope)).unwrap_or_default();
    Some(GitlabJob {
        hidden: name.value.starts_with('.'),
        name,
        span: entry.pair.span,
        key_column: key_column(entry.value),
        first_key: entry.value.own_pairs().first().map(|pair| pair.key.span),
        stage: get("stage").and_then(Spanned::from_view),
        image: get("image").and_then(image),
        services: get("services").map(|s| s.items().into_iter().filter_map(image).collect()).unwrap_or_default(),
        before_script: scripts("before_script"),
        script: scripts("script"),
        after_script: scripts("after_script"),
        variables: get("variables").map(variables).unwrap_or_default(),
        rules,
        only,
        except,
        when,
        reach,
        allow_failure: scope.holder("allow_failure").and_then(allow_failure),
        timeout: get("timeout").and_then(Spanned::from_view),
        artifacts: get("artifacts").map(|a| Artifacts {
            span: a.span(),
            paths: a.get("paths").map(strings).unwrap_or_default(),
            untracked: a.get("untracked").and_then(|u| u.as_str()) == Some("true"),
        }),
        cache: get("cache").map(|c| c.items().into_iter().map(cache).collect()).unwrap_or_default(),
        environment: get("environment").and_then(environment),
        extends: entry.value.get("extends").map(strings).unwrap_or_default(),
        extends_unknown: scope.extends_unknown(),
        trigger: get("trigger").map(trigger),
        id_tokens: get("id_tokens").map(id_tokens).unwrap_or_default(),
        secrets: get("secrets").map(|s| s.entries().iter().filter_map(Spanned::key_of).collect()).unwrap_or_default(),
        needs: get("needs")
            .map(|n| n.items().into_iter().filter_map(|i| Spanned::from_view(i.get("job").unwrap_or(i))).collect())
            .unwrap_or_default(),
        tags: get("tags").map(strings).unwrap_or_default(),
    })
}

fn allow_failure(holder: View<'_>) -> Option<Setting> {
    Setting::of(holder, "allow_failure").or_else(|| {
        let entry = holder.entry("allow_failure")?;
        let value = Spanned::new("exit_codes".to_owned(), entry.value.span());
        Some(Setting { value, entry: entry.pair.span, removable: false })
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

/// Script lines: nested sequences (from anchors) are flattened, as GitLab does, and
/// `!reference [job, key]` tags replaced by the lines they name.
fn scripts<'a>(view: View<'a>, scope: &JobScope<'a>) -> Vec<Script> {
    let mut lines = Vec::new();
    collect_lines(view, scope, &mut lines, 0);
    lines.into_iter().filter_map(Text::from_view).map(|text| Script::parse(text, Dialect::Posix)).collect()
}

/// How many `!reference` tags may lead to one another, as GitLab allows.
const MAX_REFERENCE_DEPTH: usize = 10;

fn collect_lines<'a>(view: View<'a>, scope: &JobScope<'a>, lines: &mut Vec<View<'a>>, depth: usize) {
    if depth > MAX_REFERENCE_DEPTH {
        return;
    }
    if view.tag() == Some("reference") {
        let path: Vec<String> = view.sequence().iter().filter_map(|part| part.as_str().map(str::to_owned)).collect();
        if let Some(target) = scope.reference(&path) {
            collect_lines(target, scope, lines, depth + 1);
        }
        return;
    }
    match view.sequence() {
        items if items.is_empty() && !view.is_null() => lines.push(view),
        items => {
            for item in items {
                collect_lines(item, scope, lines, depth + 1);
            }
        }
    }
}

fn environment(view: View<'_>) -> Option<Environment> {
    let text = |key: &str| view.get(key).and_then(Spanned::from_view);
    Some(Environment {
        name: Spanned::from_view(view.get("name").unwrap_or(view))?,
        tier: text("deployment_tier"),
        action: text("action"),
    })
}

fn trigger(view: View<'_>) -> Trigger {
    let forward = |key: &str| view.get("forward").and_then(|f| f.get(key)).and_then(Spanned::from_view);
    Trigger {
        span: view.span(),
        project: view.get("project").and_then(Spanned::from_view).or_else(|| Spanned::from_view(view)),
        include: view.get("include").map(includes).unwrap_or_default(),
        forward_pipeline_variables: forward("pipeline_variables"),
        forward_yaml_variables: forward("yaml_variables"),
    }
}

fn id_tokens(view: View<'_>) -> Vec<IdToken> {
    view.entries()
        .iter()
        .filter_map(|entry| {
            Some(IdToken {
                name: Spanned::key_of(entry)?,
                audiences: entry.value.get("aud").map(strings).unwrap_or_default(),
            })
        })
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
            has_changes_or_exists: clause.get("changes").is_some() || clause.get("exists").is_some(),
        })
        .collect()
}

fn strings(view: View<'_>) -> Vec<Spanned<String>> {
    super::github::strings(view)
}
