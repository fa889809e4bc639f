//! GitLab CI: global keywords and jobs, with `extends:` and `default:` applied.

use std::collections::HashSet;
use std::sync::Arc;

use super::reach::Reach;
use super::shell::{Dialect, Script};
use super::view::{Entry, View};
use super::{Block, Setting, Spanned, Text, key_column};
use crate::syntax::span::Span;
use crate::syntax::yaml::Node;

/// How many `extends:` levels GitLab itself follows.
pub const MAX_EXTENDS_DEPTH: usize = 11;

/// Top-level keywords that configure the pipeline rather than name a job.
pub const GLOBAL_KEYWORDS: &[&str] = &[
    "spec",
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
    /// The inputs the `spec:` header declares, interpolated as `$[[ inputs.name ]]`.
    pub inputs: Vec<SpecInput>,
    /// When the file is read as part of a pipeline of several files, the templates the other
    /// files define that decide where the jobs extending them run.
    pub templates: Vec<Template>,
    /// `default: before_script:` (or a global `before_script:`), which jobs without their own
    /// run first.
    pub default_before_script: Option<Vec<Script>>,
    /// When the file is read as part of a pipeline of several files, the `default:` keys
    /// another file gives, which win over this file's own `default:`.
    pub given_default: Option<GivenDefault>,
}

/// The `default:` keys another file of a pipeline gives the jobs of the file it includes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GivenDefault {
    pub image: Option<Image>,
    pub before_script: Option<Vec<Script>>,
}

impl GivenDefault {
    /// What `globals` give, or `None` when it has neither key.
    pub fn of(globals: &Globals) -> Option<Self> {
        let given = Self { image: globals.default_image.clone(), before_script: globals.default_before_script.clone() };
        (given.image.is_some() || given.before_script.is_some()).then_some(given)
    }
}

/// A hidden job of another file of the pipeline, as far as where its extenders run goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub name: Spanned<String>,
    pub rules: Vec<RuleClause>,
    pub only: Vec<Spanned<String>>,
    pub except: Vec<Spanned<String>>,
}

impl Template {
    /// What of `job`, a hidden one, decides where the jobs extending it run, if anything.
    pub fn of(job: &GitlabJob) -> Option<Self> {
        let decides = !job.rules.is_empty() || !job.only.is_empty() || !job.except.is_empty();
        (job.hidden && decides).then(|| Self {
            name: job.name.clone(),
            rules: job.rules.clone(),
            only: job.only.clone(),
            except: job.except.clone(),
        })
    }
}

/// An input of the `spec:` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecInput {
    pub name: Spanned<String>,
    /// Whether it accepts any text: a string without `options:` or `regex:`.
    pub free_text: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    pub name: Spanned<String>,
    pub value: Option<Text>,
    /// Whether GitLab expands `$NAME` references in the value (`expand: false` keeps them).
    pub expand: bool,
    /// The whole `NAME: value` entry.
    pub entry: Span,
    /// The `variables:` mapping it is written in.
    pub mapping: Block,
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
    /// A URL, with the `integrity:` hash (`sha256-...`) GitLab checks the content against.
    Remote {
        url: String,
        integrity: Option<String>,
    },
    Template(String),
    Project {
        project: String,
        git_ref: Option<String>,
        files: Vec<String>,
    },
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
    /// Whether the clause also depends on something the file does not decide: `changes:`,
    /// `exists:`, or the rules of a `!reference` to another file.
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
    /// The job's own `variables:` mapping (not one it extends), where a fix adds entries.
    pub variables_block: Option<Block>,
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
    /// `untracked: true`, with the span of its value.
    pub untracked: Option<Span>,
    /// Who may download them: `access:` (`all`, `developer`, `maintainer`, `none`), or
    /// `developer` for `public: false`.
    pub access: Option<Spanned<String>>,
}

impl Artifacts {
    /// Whether anyone who can see the pipeline can download them (the default).
    pub fn public(&self) -> bool {
        self.access.as_ref().is_none_or(|access| access.value == "all")
    }

    /// The artifact path, or `untracked: true`, that uploads the file at `path` (relative to
    /// the project directory, as a script writes it).
    pub fn covering(&self, path: &str) -> Option<Span> {
        let path = project_relative(path);
        if path.starts_with('/') || path.starts_with("..") || path.starts_with('$') || path.starts_with('~') {
            return None;
        }
        let covered = |pattern: &Spanned<String>| {
            let pattern = project_relative(&pattern.value);
            let pattern = pattern.trim_end_matches("/**").trim_end_matches("/*").trim_end_matches('/');
            is_project_root(pattern)
                || path == pattern
                || path.strip_prefix(pattern).is_some_and(|rest| rest.starts_with('/'))
        };
        let untracked = self.untracked.filter(|_| path != ".git" && !path.starts_with(".git/"));
        self.paths.iter().find(|pattern| covered(pattern)).map(|pattern| pattern.span).or(untracked)
    }
}

/// A path without a leading `./` or `$CI_PROJECT_DIR/`.
pub fn project_relative(path: &str) -> &str {
    let mut path = path.trim();
    for prefix in ["./", "$CI_PROJECT_DIR/", "${CI_PROJECT_DIR}/"] {
        path = path.strip_prefix(prefix).unwrap_or(path);
    }
    path
}

/// Whether an artifact or cache path names the whole project directory.
pub fn is_project_root(path: &str) -> bool {
    matches!(
        project_relative(path).trim_end_matches('/'),
        "" | "." | "*" | "**" | "**/*" | "$CI_PROJECT_DIR" | "${CI_PROJECT_DIR}"
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    pub span: Span,
    /// `key:`, or the `prefix:` of a `key: files:`.
    pub key: Option<Text>,
    /// The files of a `key: files:`, whose contents name the cache.
    pub key_files: Vec<Spanned<String>>,
    pub paths: Vec<Spanned<String>>,
    pub policy: Option<Spanned<String>>,
    /// The value of `unprotect: true`, which shares the cache between protected and
    /// unprotected refs.
    pub unprotect: Option<Span>,
}

impl Cache {
    /// Whether the job restores the cache (`pull` or the default `pull-push`).
    pub fn pulls(&self) -> bool {
        self.policy.as_ref().is_none_or(|policy| policy.value != "push")
    }

    /// Whether the job saves the cache (`push` or the default `pull-push`).
    pub fn pushes(&self) -> bool {
        self.policy.as_ref().is_none_or(|policy| policy.value != "pull")
    }
}

/// Builds the global keywords from the top-level entries that are not jobs.
pub fn build_globals(entries: &[Entry<'_>]) -> Globals {
    let find = |key: &str| entries.iter().find(|entry| entry.name() == Some(key)).map(|entry| entry.value);
    let workflow_rules =
        find("workflow").and_then(|w| w.get("rules")).map(|rules| rule_clauses(rules, None)).unwrap_or_default();
    Globals {
        variables: entries.iter().find(|entry| entry.name() == Some("variables")).map(variables).unwrap_or_default(),
        includes: find("include").map(includes).unwrap_or_default(),
        stages: find("stages").map(strings).unwrap_or_default(),
        workflow_reach: Reach::of_workflow(&workflow_rules),
        workflow_rules,
        default_image: find("default").and_then(|d| d.get("image")).or_else(|| find("image")).and_then(image),
        inputs: find("spec").and_then(|spec| spec.get("inputs")).map(spec_inputs).unwrap_or_default(),
        templates: Vec::new(),
        default_before_script: default_before_script(find("default"), find("before_script")),
        given_default: None,
    }
}

/// The scripts of `default: before_script:`, else of a global `before_script:`.
fn default_before_script<'a>(default: Option<View<'a>>, global: Option<View<'a>>) -> Option<Vec<Script>> {
    let holder = default.filter(|default| default.get("before_script").is_some());
    let view = holder.and_then(|default| default.get("before_script")).or(global)?;
    let no_jobs = |_: &str| None;
    let scope = JobScope::new(holder.unwrap_or(view), &no_jobs, None);
    Some(scripts(view, &scope))
}

/// Whether a top-level key names a job.
pub fn is_job_key(key: &str) -> bool {
    !GLOBAL_KEYWORDS.contains(&key)
}

/// Looks keys up in a job, then in the jobs it extends, then in `default:`.
pub struct JobScope<'a> {
    /// The job, then the jobs it extends, nearest first: GitLab merges them deeply, so the
    /// first of them that sets a key (or a key inside a mapping) wins.
    chain: Vec<View<'a>>,
    jobs: &'a dyn Fn(&str) -> Option<View<'a>>,
    default: Option<View<'a>>,
}

/// Keys a job inherits from `default:` when it does not set them.
const INHERITED_FROM_DEFAULT: &[&str] =
    &["image", "services", "before_script", "after_script", "cache", "artifacts", "tags", "timeout"];

impl<'a> JobScope<'a> {
    pub fn new(job: View<'a>, jobs: &'a dyn Fn(&str) -> Option<View<'a>>, default: Option<View<'a>>) -> Self {
        let mut scope = Self { chain: Vec::new(), jobs, default };
        let mut chain = Vec::new();
        scope.walk(job, &mut HashSet::new(), &mut chain, 0);
        scope.chain = chain;
        scope
    }

    /// Each job is read once: `extends: [a, a, a]` chains cost what one chain does. Later
    /// entries of `extends:` override earlier ones.
    fn walk(&self, job: View<'a>, read: &mut HashSet<*const Node>, chain: &mut Vec<View<'a>>, depth: usize) {
        if !read.insert(job.node()) {
            return;
        }
        chain.push(job);
        if depth >= MAX_EXTENDS_DEPTH {
            return;
        }
        for parent in job.get("extends").map(strings).unwrap_or_default().iter().rev() {
            if let Some(parent) = (self.jobs)(&parent.value) {
                self.walk(parent, read, chain, depth + 1);
            }
        }
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

    /// The value of `key` as GitLab would see it after `extends:` and `default:`. Trigger
    /// jobs run no script and take nothing from `default:`.
    pub fn get(&self, key: &str) -> Option<View<'a>> {
        let own = self.get_in(&[key]);
        if own.is_some() || !INHERITED_FROM_DEFAULT.contains(&key) || self.get_in(&["trigger"]).is_some() {
            return own;
        }
        self.default.and_then(|default| default.get(key))
    }

    /// The mapping `key` is read from: the nearest job of the chain that sets it, or
    /// `default:`.
    pub fn holder(&self, key: &str) -> Option<View<'a>> {
        if let Some(job) = self.chain.iter().find(|job| job.get(key).is_some()) {
            return Some(*job);
        }
        let inherits = INHERITED_FROM_DEFAULT.contains(&key) && self.get_in(&["trigger"]).is_none();
        let default = self.default.filter(|_| inherits)?;
        default.get(key).map(|_| default)
    }

    /// Whether the job extends, directly or through the jobs it extends, a job this file does
    /// not define (one from an include).
    pub fn extends_unknown(&self) -> bool {
        !self.unknown_parents().is_empty()
    }

    /// The jobs this file does not define that the job extends, directly or not, the one
    /// that wins first.
    pub fn unknown_parents(&self) -> Vec<String> {
        let extended = |job: &View<'a>| job.get("extends").map(strings).unwrap_or_default();
        let parents = self.chain.iter().flat_map(|job| extended(job).into_iter().rev());
        parents.filter(|parent| (self.jobs)(&parent.value).is_none()).map(|parent| parent.value).collect()
    }

    /// The value at a path of keys (`["trigger", "project"]`), from the nearest job of the
    /// chain that sets it, as `extends:` merges mappings.
    pub fn get_in(&self, path: &[&str]) -> Option<View<'a>> {
        self.chain.iter().find_map(|job| path.iter().try_fold(*job, |value, key| value.get(key)))
    }

    /// The entries of the mapping `key` merged along the chain, the nearest of each name
    /// first (`variables:` of a job and of the templates it extends), each with the mapping
    /// it is written in.
    pub fn merged_entries(&self, key: &str) -> Vec<(Entry<'a>, Block)> {
        let mut seen = HashSet::new();
        let mut merged = Vec::new();
        for mapping in self.chain.iter().filter_map(|job| job.entry(key)) {
            let block = Block::from_entry(&mapping);
            for entry in mapping.value.entries() {
                if entry.name().is_some_and(|name| seen.insert(name)) {
                    merged.push((entry, block.clone()));
                }
            }
        }
        merged
    }
}

/// Builds a job from its entry, looking through `scope` for inherited keys, in the pipeline
/// of `globals`.
pub fn build_job(entry: &Entry<'_>, scope: &JobScope<'_>, globals: &Globals) -> Option<GitlabJob> {
    let name = Spanned::key_of(entry)?;
    let get = |key: &str| scope.get(key);
    let rules = get("rules").map(|rules| rule_clauses(rules, Some(scope))).unwrap_or_default();
    let refs = |key: &str| -> Vec<Spanned<String>> {
        get(key).map(|o| strings(o.get("refs").unwrap_or(o))).unwrap_or_default()
    };
    let (only, except) = (refs("only"), refs("except"));
    // Without its own, a job takes them from a template another file of the pipeline defines.
    let inherited = (rules.is_empty() && only.is_empty() && except.is_empty())
        .then(|| {
            let parents = scope.unknown_parents();
            parents.iter().find_map(|parent| globals.templates.iter().find(|template| template.name.value == *parent))
        })
        .flatten();
    let (rules, only, except) = match inherited {
        Some(template) => (template.rules.clone(), template.only.clone(), template.except.clone()),
        None => (rules, only, except),
    };
    let when = get("when").and_then(Spanned::from_view);
    let texts = |list: &[Spanned<String>]| list.iter().map(|item| item.value.clone()).collect::<Vec<_>>();
    let workflow = (!globals.workflow_rules.is_empty()).then_some(&globals.workflow_reach);
    let reach = Reach::of_job(&rules, &texts(&only), &texts(&except), when.as_ref().map(|w| w.as_str()), workflow);
    let scripts = |key: &str| get(key).map(|view| scripts(view, scope)).unwrap_or_default();
    // Another file's `default:` wins over this file's, not over what the job's chain sets.
    let given = globals.given_default.as_ref().filter(|_| scope.get_in(&["trigger"]).is_none());
    let given_key = |key: &str| given.filter(|_| scope.get_in(&[key]).is_none());
    Some(GitlabJob {
        hidden: name.value.starts_with('.'),
        name,
        span: entry.pair.span,
        key_column: key_column(entry.value),
        first_key: entry.value.own_pairs().first().map(|pair| pair.key.span),
        stage: get("stage").and_then(Spanned::from_view),
        image: match given_key("image").and_then(|given| given.image.clone()) {
            Some(given) => Some(given),
            None => get("image").and_then(image),
        },
        services: get("services").map(|s| s.items().into_iter().filter_map(image).collect()).unwrap_or_default(),
        before_script: match given_key("before_script").and_then(|given| given.before_script.clone()) {
            Some(given) => given,
            None => scripts("before_script"),
        },
        script: scripts("script"),
        after_script: scripts("after_script"),
        variables: variable_entries(&scope.merged_entries("variables")),
        variables_block: entry.value.entry("variables").map(|mapping| Block::from_entry(&mapping)),
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
            untracked: a.get("untracked").filter(|u| u.as_str() == Some("true")).map(|u| u.span()),
            access: a.get("access").and_then(Spanned::from_view).or_else(|| {
                let public = a.get("public").filter(|p| p.as_str() == Some("false"))?;
                Some(Spanned::new("developer".to_owned(), public.span()))
            }),
        }),
        cache: get("cache").map(|c| c.items().into_iter().map(cache).collect()).unwrap_or_default(),
        environment: get("environment").and_then(environment),
        extends: entry.value.get("extends").map(strings).unwrap_or_default(),
        extends_unknown: scope.extends_unknown(),
        trigger: get("trigger").map(|view| trigger(view, scope)),
        id_tokens: get("id_tokens").map(id_tokens).unwrap_or_default(),
        secrets: get("secrets").map(|s| s.entries().iter().filter_map(Spanned::key_of).collect()).unwrap_or_default(),
        needs: get("needs").map(needs).unwrap_or_default(),
        tags: get("tags").map(strings).unwrap_or_default(),
    })
}

/// The jobs a `needs:` list names, written `- name` or `- job: name`.
pub fn needs(list: View<'_>) -> Vec<Spanned<String>> {
    list.items().into_iter().filter_map(|item| Spanned::from_view(item.get("job").unwrap_or(item))).collect()
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
    let key = view.get("key");
    Cache {
        span: view.span(),
        key: key.and_then(|k| Text::from_view(k.get("prefix").unwrap_or(k))),
        key_files: key.and_then(|k| k.get("files")).map(strings).unwrap_or_default(),
        paths: view.get("paths").map(strings).unwrap_or_default(),
        policy: view.get("policy").and_then(Spanned::from_view),
        unprotect: view.get("unprotect").filter(|value| value.as_str() == Some("true")).map(|value| value.span()),
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

fn spec_inputs(view: View<'_>) -> Vec<SpecInput> {
    view.entries()
        .iter()
        .filter_map(|entry| {
            let value = entry.value;
            let string = value.get("type").and_then(|t| t.as_str()).is_none_or(|t| t == "string");
            let free_text = string && value.get("options").is_none() && value.get("regex").is_none();
            Some(SpecInput { name: Spanned::key_of(entry)?, free_text })
        })
        .collect()
}

fn environment(view: View<'_>) -> Option<Environment> {
    let text = |key: &str| view.get(key).and_then(Spanned::from_view);
    Some(Environment {
        name: Spanned::from_view(view.get("name").unwrap_or(view))?,
        tier: text("deployment_tier"),
        action: text("action"),
    })
}

fn trigger<'a>(view: View<'a>, scope: &JobScope<'a>) -> Trigger {
    let nested = |path: &[&str]| scope.get_in(path).and_then(Spanned::from_view);
    Trigger {
        span: view.span(),
        project: nested(&["trigger", "project"]).or_else(|| Spanned::from_view(view)),
        include: view.get("include").map(includes).unwrap_or_default(),
        forward_pipeline_variables: nested(&["trigger", "forward", "pipeline_variables"]),
        forward_yaml_variables: nested(&["trigger", "forward", "yaml_variables"]),
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

fn variables(mapping: &Entry<'_>) -> Vec<Variable> {
    let block = Block::from_entry(mapping);
    let entries: Vec<(Entry<'_>, Block)> =
        mapping.value.entries().into_iter().map(|entry| (entry, block.clone())).collect();
    variable_entries(&entries)
}

fn variable_entries(entries: &[(Entry<'_>, Block)]) -> Vec<Variable> {
    entries
        .iter()
        .filter_map(|(entry, mapping)| {
            let value = entry.value.get("value").unwrap_or(entry.value);
            let expand = entry.value.get("expand").and_then(|e| e.as_str()) != Some("false");
            Some(Variable {
                name: Spanned::key_of(entry)?,
                value: Text::from_view(value),
                expand,
                entry: entry.pair.span,
                mapping: mapping.clone(),
            })
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
                    IncludeKind::Remote { url: path.to_owned(), integrity: None }
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
                IncludeKind::Remote { url: remote, integrity: text("integrity") }
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

/// The clauses of a `rules:` list; `!reference` tags are replaced by the clauses they name
/// when `scope` can resolve them, and otherwise stand for a clause the file does not decide.
fn rule_clauses<'a>(view: View<'a>, scope: Option<&JobScope<'a>>) -> Vec<RuleClause> {
    let mut clauses = Vec::new();
    collect_clauses(view, scope, &mut clauses, 0);
    clauses
}

fn collect_clauses<'a>(view: View<'a>, scope: Option<&JobScope<'a>>, clauses: &mut Vec<RuleClause>, depth: usize) {
    for clause in view.sequence() {
        if clause.tag() != Some("reference") {
            clauses.push(RuleClause {
                span: clause.span(),
                condition: clause.get("if").and_then(Text::from_view),
                when: clause.get("when").and_then(Spanned::from_view),
                has_changes_or_exists: clause.get("changes").is_some() || clause.get("exists").is_some(),
            });
            continue;
        }
        let path: Vec<String> = clause.sequence().iter().filter_map(|part| part.as_str().map(str::to_owned)).collect();
        match scope.and_then(|scope| scope.reference(&path)).filter(|_| depth < MAX_REFERENCE_DEPTH) {
            Some(target) => collect_clauses(target, scope, clauses, depth + 1),
            None => clauses.push(RuleClause {
                span: clause.span(),
                condition: None,
                when: None,
                has_changes_or_exists: true,
            }),
        }
    }
}

fn strings(view: View<'_>) -> Vec<Spanned<String>> {
    super::github::strings(view)
}

/// Reads a whole pipeline at once, for the model's own tests.
#[cfg(test)]
pub fn parse_for_tests(text: &str) -> Pipeline {
    super::view::with_entries_for_tests(text, |entries| {
        let (jobs, header): (Vec<Entry<'_>>, Vec<Entry<'_>>) =
            entries.iter().partition(|entry| entry.name().is_some_and(is_job_key));
        let globals = Arc::new(build_globals(&header));
        let default = header.iter().find(|entry| entry.name() == Some("default")).map(|entry| entry.value);
        let lookup = |name: &str| jobs.iter().find(|entry| entry.name() == Some(name)).map(|entry| entry.value);
        let jobs = jobs
            .iter()
            .filter_map(|entry| build_job(entry, &JobScope::new(entry.value, &lookup, default), &globals))
            .map(Arc::new)
            .collect();
        Pipeline { globals, jobs }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::reach::Runs;

    #[test]
    fn rules_follow_references() {
        let pipeline = parse_for_tests(
            ".mr:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\na:\n  script: [x]\n  rules:\n    - !reference [.mr, rules]\nb:\n  script: [x]\n  rules:\n    - !reference [.in-another-file, rules]\n    - when: never\n",
        );
        let reach = |name: &str| {
            let job = pipeline.jobs.iter().find(|job| job.name.value == name).unwrap();
            (job.reach.merge_requests, job.reach.default_branch)
        };
        assert_eq!(reach("a"), (Runs::Yes, Runs::No));
        assert_eq!(reach("b"), (Runs::Maybe, Runs::Maybe), "rules the file cannot see are undecided");
    }

    #[test]
    fn extends_merges_mappings_deeply() {
        let pipeline = parse_for_tests(
            ".base:\n  variables: {A: base, B: base}\n  trigger:\n    project: group/deployer\n    forward: {pipeline_variables: true}\nqa:\n  extends: .base\n  variables: {B: own}\n  trigger:\n    inputs: {variant: ce}\n",
        );
        let qa = &pipeline.jobs[1];
        let variables: Vec<(&str, &str)> =
            qa.variables.iter().map(|v| (v.name.as_str(), v.value.as_ref().unwrap().value.as_str())).collect();
        assert_eq!(variables, [("B", "own"), ("A", "base")]);
        let trigger = qa.trigger.as_ref().unwrap();
        assert_eq!(trigger.project.as_ref().map(|p| p.as_str()), Some("group/deployer"));
        assert_eq!(trigger.forward_pipeline_variables.as_ref().map(|f| f.as_str()), Some("true"));
    }

    #[test]
    fn artifacts_know_what_they_upload() {
        let pipeline = parse_for_tests(
            "a:\n  script: [x]\n  artifacts:\n    paths: [dist/, ./.npmrc]\nb:\n  script: [x]\n  artifacts:\n    untracked: true\n    paths: [$CI_PROJECT_DIR]\n",
        );
        let covers = |job: usize, path: &str| pipeline.jobs[job].artifacts.as_ref().unwrap().covering(path).is_some();
        assert!(covers(0, "dist/app.js") && covers(0, ".npmrc") && covers(0, "./.npmrc"));
        assert!(!covers(0, "distribution/x") && !covers(0, "/tmp/.npmrc") && !covers(0, "~/.npmrc"));
        assert!(covers(1, ".git/config") && covers(1, "anything"));
    }
}
