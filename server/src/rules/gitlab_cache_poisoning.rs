//! `gitlab-cache-poisoning`: caches that pipelines of untrusted code write and release or
//! default-branch jobs restore.

use std::collections::HashMap;

use super::{Applicability, Confidence, Edit, Findings, Fix, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{Cache, GitlabJob, Globals, Pipeline};
use crate::model::gitlab_variables::references;
use crate::model::reach::Runs;
use crate::syntax::span::Span;

pub struct GitlabCachePoisoning;

static META: RuleMeta = RuleMeta {
    id: "gitlab-cache-poisoning",
    technique: Technique::DE03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A trusted job restores a cache that untrusted pipelines can write",
        detects: "`cache: unprotect: true` in a job that runs for the default branch or for \
tags: the job then restores caches saved by pipelines of unprotected branches and merge \
requests (medium). And, as low, caches that a job running in merge request pipelines saves \
under the same key (a literal key, `default`, a key made from the job's name, or the same \
`key: files:`) as a release job, one that runs only for tags, restores: GitLab keeps the caches of protected and \
unprotected refs apart (since 14.10, with `-protected` and `-non_protected` suffixes), so \
this matters only for tags that are not protected, or when the project turned off \"Use \
separate caches for protected branches\". Keys that differ per ref (`$CI_COMMIT_REF_SLUG`) \
are not shared.",
        why: "A cache is restored into the job before its script runs: whoever saved it chose \
the files in `node_modules/`, `vendor/` or `.gradle/` that the trusted job then builds, \
tests, signs and publishes with. A merge request's pipeline, whose scripts its author \
writes, can save any cache under any key it names; only the suffix GitLab adds for \
unprotected refs keeps that cache away from protected jobs, and `unprotect: true` removes it.",
        attack: "Defense Evasion › Modify CI/CD caches (DE03): the attacker's merge request \
pipeline saves a poisoned cache, and a later release or default-branch job restores it. \
That job then runs the attacker's code with its protected variables, which leads to Impact \
› Downstream poisoning (IM04) when it publishes.",
        example: r#"stages: [build]
build:
  stage: build
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  cache:
    key: deps
    paths: [node_modules/]
    unprotect: true
  script:
    - npm ci && npm run build
"#,
        fixed_example: r#"stages: [build]
build:
  stage: build
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  cache:
    key: deps
    paths: [node_modules/]
  script:
    - npm ci && npm run build
"#,
        fix: "Drop `unprotect: true` from caches that protected jobs restore (the quick fix \
sets it to `false`; it is marked unsafe because those jobs then start with an empty cache of their \
own, which only costs time unless a job relies on the cache to pass files). Protect release \
tags (Settings › Repository › Protected tags), keep \"Use separate caches for protected \
branches\" on, and give caches that must be shared a key per ref (`key: \
$CI_COMMIT_REF_SLUG`) or `policy: pull` in merge request jobs.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec9),
        Reference::Cwe(349, "Acceptance of Extraneous Untrusted Data With Trusted Data"),
        Reference::Link("GitLab: Caching in GitLab CI/CD", "https://docs.gitlab.com/ci/caching/"),
        Reference::Link("GitLab: cache:unprotect", "https://docs.gitlab.com/ci/yaml/#cacheunprotect"),
    ],
};

impl Rule for GitlabCachePoisoning {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        let reach = &job.reach;
        let protected = reach.default_branch.max(reach.tags);
        if !protected.possible() {
            return;
        }
        let refs = match (reach.default_branch.possible(), reach.tags.possible()) {
            (true, true) => "the default branch and tags",
            (true, false) => "the default branch",
            _ => "tags",
        };
        for cache in job.cache.iter().filter(|cache| cache.pulls()) {
            let Some(unprotect) = cache.unprotect else { continue };
            out.report(
                unprotect,
                format!(
                    "`unprotect: true` makes this job, which runs for {refs}, restore the cache that pipelines of unprotected branches and merge requests save under the same key: whoever can run one of those can plant the files it builds with"
                ),
            )
            .with_confidence(if reach.default_branch == Runs::Yes { Confidence::High } else { Confidence::Medium })
            .with_fix(Fix {
                title: "Set `unprotect: false`".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit::replace(unprotect, "false")],
            });
        }
    }

    fn check_pipeline(&self, pipeline: &Pipeline, out: &mut Findings) {
        let jobs = pipeline.jobs.iter().filter(|job| !job.hidden);
        let mut writers: HashMap<String, Vec<&str>> = HashMap::new();
        for job in jobs.clone().filter(|job| job.reach.merge_requests.possible()) {
            for cache in job.cache.iter().filter(|cache| cache.pushes()) {
                if let Some(key) = shared_key(job, cache) {
                    writers.entry(key).or_default().push(&job.name.value);
                }
            }
        }
        // Release jobs: those that run only for tags. One finding per cache definition,
        // naming every release job that restores it.
        let releases = jobs.filter(|job| {
            let reach = &job.reach;
            reach.tags.possible()
                && !reach.merge_requests.possible()
                && !reach.other_branches.possible()
                && !reach.default_branch.possible()
        });
        let mut readers: Vec<(Span, Vec<&str>, &Vec<&str>)> = Vec::new();
        let mut by_span: HashMap<Span, usize> = HashMap::new();
        for job in releases {
            for cache in job.cache.iter().filter(|cache| cache.pulls() && cache.unprotect.is_none()) {
                let Some(saved_by) = shared_key(job, cache).and_then(|key| writers.get(&key)) else { continue };
                let key_files = cache.key_files.first().map(|file| file.span);
                let span = cache.key.as_ref().map(|key| key.span).or(key_files).unwrap_or(cache.span);
                let at = *by_span.entry(span).or_insert_with(|| {
                    readers.push((span, Vec::new(), saved_by));
                    readers.len() - 1
                });
                readers[at].1.push(&job.name.value);
            }
        }
        for (span, restored_by, saved_by) in readers {
            out.report(
                span,
                format!(
                    "this cache is restored by the release jobs {} and saved in merge request pipelines by {} under the same key: GitLab keeps them apart only while the tags are protected (and \"Use separate caches for protected branches\" is on)",
                    names(&restored_by),
                    names(saved_by)
                ),
            )
            .with_severity(Severity::Low)
            .with_confidence(Confidence::Low);
        }
    }
}

/// Job names for messages: the first three, and how many more.
fn names(jobs: &[&str]) -> String {
    let shown: Vec<String> = jobs.iter().take(3).map(|name| format!("`{name}`")).collect();
    match jobs.len().saturating_sub(shown.len()) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Predefined variables that are the same in a merge request pipeline and a tag pipeline of
/// the same project, so a key made from them is shared.
const SHARED_VARIABLES: &[&str] = &[
    "CI_PROJECT_NAME",
    "CI_PROJECT_PATH",
    "CI_PROJECT_PATH_SLUG",
    "CI_PROJECT_ID",
    "CI_PROJECT_NAMESPACE",
    "CI_JOB_STAGE",
    "CI_DEFAULT_BRANCH",
    "CI_NODE_INDEX",
    "CI_NODE_TOTAL",
];

/// The name of a cache as GitLab computes it before adding the protection suffix, when it is
/// the same in merge request and tag pipelines; `None` when it differs per ref or pipeline,
/// or depends on something the file does not say.
fn shared_key(job: &GitlabJob, cache: &Cache) -> Option<String> {
    let prefix = cache.key.as_ref().map(|key| key.value.as_str());
    let mut key = match (prefix, cache.key_files.is_empty()) {
        (None, true) => "default".to_owned(),
        (prefix, true) => prefix.unwrap_or_default().to_owned(),
        (prefix, false) => {
            let mut files: Vec<&str> = cache.key_files.iter().map(|file| file.as_str()).collect();
            files.sort_unstable();
            format!("{}-files:{}", prefix.unwrap_or_default(), files.join(","))
        }
    };
    for (name, range) in references(&key.clone()).into_iter().rev() {
        match name {
            "CI_JOB_NAME" | "CI_JOB_NAME_SLUG" => key.replace_range(range, &job.name.value),
            _ if SHARED_VARIABLES.contains(&name) => {}
            _ if name.starts_with("CI_") || name.starts_with("GITLAB_") => return None,
            // A variable of the file: shared if the file sets it the same for both jobs,
            // which is all that can be said.
            _ => {}
        }
    }
    Some(key)
}
