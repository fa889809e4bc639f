//! What attack paths need of a file, read from the model: who can start a workflow or a
//! GitLab job, the jobs each needs, and what each job holds or does that whoever runs code
//! in it gains, whether or not a rule reports it (a secret read where it belongs is no
//! finding, but it is what an injection in that job steals).

use std::sync::Arc;

use super::paths::{Asset, Entry, JobLinks, Starter};
use crate::matrix::Technique;
use crate::model::github::{Access, Event, Job, TokenWrites, WorkflowHeader};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::gitlab_variables::{Scope, references};
use crate::model::release::{self, Configuration};
use crate::syntax::span::{Bases, Span};

/// An entry before its span is resolved.
pub struct SpannedEntry {
    starter: Starter,
    how: String,
    span: Span,
}

/// An asset before its span is resolved.
pub struct SpannedAsset {
    technique: Technique,
    what: Arc<str>,
    span: Span,
}

/// A job before its spans are resolved.
pub struct JobFacts {
    name: Arc<str>,
    entry: Option<SpannedEntry>,
    needs: Arc<[String]>,
    assets: Vec<SpannedAsset>,
}

/// What attack paths need of a file: what starts it, and its jobs (each computed with the
/// job's checks, and cached with them).
#[derive(Default)]
pub struct PathFacts {
    pub entry: Option<SpannedEntry>,
    pub jobs: Vec<Arc<JobFacts>>,
}

impl PathFacts {
    pub fn resolve(&self, bases: &Bases) -> (Option<Entry>, Vec<JobLinks>) {
        let entry = |entry: &SpannedEntry| {
            Some(Entry { starter: entry.starter, how: entry.how.clone(), range: bases.resolve(entry.span)? })
        };
        let asset = |asset: &SpannedAsset| {
            Some(Asset { technique: asset.technique, what: Arc::clone(&asset.what), range: bases.resolve(asset.span)? })
        };
        let jobs = self
            .jobs
            .iter()
            .map(|job| JobLinks {
                name: Arc::clone(&job.name),
                entry: job.entry.as_ref().and_then(entry),
                needs: Arc::clone(&job.needs),
                assets: job.assets.iter().filter_map(asset).collect(),
            })
            .collect();
        (self.entry.as_ref().and_then(entry), jobs)
    }
}

/// A workflow's triggers as an entry, at the first trigger of the widest group: outsiders'
/// events first, then pushes and dispatches, which anyone with write access can cause, then
/// the rest.
pub fn workflow_entry(header: &WorkflowHeader) -> Option<SpannedEntry> {
    header.triggers.key.map(|key| {
        let named = |keep: fn(&Event) -> bool| -> (Vec<String>, Option<Span>) {
            let chosen: Vec<_> = header.triggers.events.iter().filter(|t| keep(&t.event)).collect();
            (chosen.iter().map(|t| format!("`{}`", t.event.name())).collect(), chosen.first().map(|t| t.span))
        };
        let (outsiders, outsider_span) = named(Event::is_outsider_triggered);
        let (writers, writer_span) = named(|event| {
            matches!(
                event,
                Event::Push | Event::Create | Event::Delete | Event::WorkflowDispatch | Event::RepositoryDispatch
            )
        });
        let (starter, how, span) = if !outsiders.is_empty() {
            (
                Starter::Outsider,
                format!("anyone with a GitHub account, through {}", outsiders.join(", ")),
                outsider_span,
            )
        } else if !writers.is_empty() {
            (
                Starter::Developer,
                format!("anyone who can push to the repository, through {}", writers.join(", ")),
                writer_span,
            )
        } else {
            let (all, first) = named(|_| true);
            (Starter::Maintainer, format!("maintainers, through {}", all.join(", ")), first)
        };
        SpannedEntry { starter, how, span: span.unwrap_or(key) }
    })
}

/// A workflow job's links: the jobs it needs and what it holds.
pub fn github_job(header: &WorkflowHeader, job: &Job) -> JobFacts {
    JobFacts {
        name: Arc::from(job.id.value.as_str()),
        entry: None,
        needs: job.needs.iter().map(|need| need.value.clone()).collect(),
        assets: github_assets(header, job),
    }
}

/// What code running in a workflow's job gains: its secrets, its token's write access and
/// OIDC, a self-hosted runner, and the releases it makes.
fn github_assets(header: &WorkflowHeader, job: &Job) -> Vec<SpannedAsset> {
    let asset = |technique, what: String, span| SpannedAsset { technique, what: what.into(), span };
    let mut assets: Vec<SpannedAsset> = job
        .secret_refs(header)
        .into_iter()
        .map(|(name, span)| asset(Technique::CA02, format!("the secret `{name}`"), span))
        .collect();
    let permissions = job.token_permissions(header);
    let token = TokenWrites::of(header, job);
    if token.may_write() {
        let span = permissions.map_or(job.id.span, |permissions| permissions.span);
        assets.push(asset(Technique::PR01, token.describe(), span));
    }
    if let Some(permissions) = permissions.filter(|p| p.access("id-token") == Some(Access::Write)) {
        assets.push(asset(
            Technique::CA03,
            "OIDC tokens for the cloud accounts that trust it".to_owned(),
            permissions.span,
        ));
    }
    if let Some(label) = job.runs_on.iter().find(|label| label.value.eq_ignore_ascii_case("self-hosted")) {
        assets.push(asset(
            Technique::PE01,
            "a self-hosted runner, which keeps what a job leaves on it".to_owned(),
            label.span,
        ));
    }
    for step in &job.steps {
        if let Some((what, span)) = release::step_release(step) {
            assets.push(asset(Technique::IM04, what.clone(), *span));
        }
    }
    assets
}

/// A GitLab job's entry, from the pipelines it can run in, the jobs it needs and what it
/// holds.
pub fn gitlab_job(globals: &Globals, job: &GitlabJob) -> JobFacts {
    let (starter, how) = if job.reach.merge_requests.possible() {
        (Starter::Outsider, "whoever opens a merge request, once its pipeline runs in this project")
    } else if job.reach.other_branches.possible() {
        (Starter::Developer, "anyone who can push a branch")
    } else {
        (Starter::Maintainer, "maintainers, through protected branches and tags")
    };
    JobFacts {
        name: Arc::from(job.name.value.as_str()),
        entry: Some(SpannedEntry { starter, how: how.to_owned(), span: job.name.span }),
        needs: job.needs.iter().map(|need| need.value.clone()).collect(),
        assets: gitlab_assets(globals, job),
    }
}

/// What code running in a GitLab job gains: the credentials its scripts read, the secrets
/// it fetches, and what it publishes.
fn gitlab_assets(globals: &Globals, job: &GitlabJob) -> Vec<SpannedAsset> {
    let scope = Scope::new(globals, job);
    let mut assets: Vec<SpannedAsset> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for script in job.scripts() {
        for (name, range) in references(&script.text.value) {
            let Some(secret) = scope.secret_behind(name).filter(|secret| !seen.contains(secret)) else { continue };
            let what = format!("the variable `${secret}`");
            seen.push(secret);
            assets.push(SpannedAsset {
                technique: Technique::CA02,
                what: what.into(),
                span: script.text.span_of(range),
            });
        }
    }
    for secret in &job.secrets {
        let what = format!("the secret `{}`", secret.value);
        assets.push(SpannedAsset { technique: Technique::CA03, what: what.into(), span: secret.span });
    }
    let configuration = Configuration::default();
    for script in job.scripts() {
        for command in &script.commands {
            let Some(publication) = release::command_publication(script, command, &configuration) else { continue };
            if !publication.login {
                let what = format!("publishes `{}`", publication.what);
                assets.push(SpannedAsset { technique: Technique::IM04, what: what.into(), span: publication.span });
            }
        }
    }
    assets
}
