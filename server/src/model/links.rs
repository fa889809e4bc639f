//! Names that point at other places of the same file: `needs:` and `needs.<job>` name jobs,
//! `steps.<id>` names a step of the same job, GitLab `extends:` and `!reference` name
//! templates. Go to definition follows a link; references are the links to one place.

use std::collections::HashMap;

use super::expr::{self, ContextRef};
use super::github::strings;
use super::gitlab::{self, is_job_key};
use super::view::{Entry, View};
use crate::syntax::span::Span;

/// A name written at `from` and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<At = Span> {
    pub from: At,
    pub to: Target<At>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<At = Span> {
    /// A key or value of this file.
    Here(At),
    /// A GitLab template this file does not define: one of another file of the pipeline.
    Template(String),
}

impl Link {
    /// The same link with its places mapped; `None` when a place is gone.
    pub fn placed<To>(&self, place: &impl Fn(Span) -> Option<To>) -> Option<Link<To>> {
        let to = match &self.to {
            Target::Here(span) => Target::Here(place(*span)?),
            Target::Template(name) => Target::Template(name.clone()),
        };
        Some(Link { from: place(self.from)?, to })
    }
}

/// The links of a workflow whose jobs are `jobs`.
pub fn of_workflow(jobs: &[Entry<'_>]) -> Vec<Link> {
    let keys = keys_by_name(jobs);
    let mut links = Vec::new();
    for job in jobs {
        let needs = job.value.get("needs").map(strings).unwrap_or_default();
        links.extend(needs.iter().filter_map(|need| Some(here(need.span, *keys.get(need.as_str())?))));
        let steps = step_ids(job.value);
        for context in contexts(job.value) {
            let target = match context.path.split('.').collect::<Vec<_>>().as_slice() {
                ["needs", job, ..] => keys.get(job),
                ["steps", id, ..] => steps.get(id),
                _ => None,
            };
            links.extend(target.map(|target| here(context.span, *target)));
        }
    }
    links
}

/// The links of a GitLab pipeline whose top-level entries are `entries`.
pub fn of_pipeline(entries: &[Entry<'_>]) -> Vec<Link> {
    let jobs: Vec<Entry<'_>> = entries.iter().filter(|entry| entry.name().is_some_and(is_job_key)).copied().collect();
    let keys = keys_by_name(&jobs);
    let by_name: HashMap<&str, View<'_>> = jobs.iter().filter_map(|job| Some((job.name()?, job.value))).collect();
    let to_job = |name: &str| match keys.get(name) {
        Some(key) => Target::Here(*key),
        None => Target::Template(name.to_owned()),
    };
    let mut links = Vec::new();
    for job in &jobs {
        let needs = job.value.get("needs").map(gitlab::needs).unwrap_or_default();
        links.extend(needs.iter().filter_map(|need| Some(here(need.span, *keys.get(need.as_str())?))));
        let extends = job.value.get("extends").map(strings).unwrap_or_default();
        links.extend(extends.iter().map(|parent| Link { from: parent.span, to: to_job(parent.as_str()) }));
        job.value.visit_written(None, &mut |_, value| {
            if value.tag() != Some("reference") {
                return;
            }
            let path = value.sequence();
            let Some((template, name)) = path.first().and_then(|first| Some((first, first.as_str()?))) else {
                return;
            };
            links.push(Link { from: template.span(), to: to_job(name) });
            // The key inside the template, when the template is in this file.
            let key = path.get(1).and_then(|key| Some((key, by_name.get(name)?.entry(key.as_str()?)?)));
            links.extend(key.map(|(key, entry)| here(key.span(), entry.key.span)));
        });
    }
    links
}

/// Where each entry's key is written, by name.
fn keys_by_name<'a>(entries: &[Entry<'a>]) -> HashMap<&'a str, Span> {
    entries.iter().filter_map(|entry| Some((entry.name()?, entry.key.span))).collect()
}

/// Where each step of a job writes its `id:` value, by id.
fn step_ids<'a>(job: View<'a>) -> HashMap<&'a str, Span> {
    let steps = job.get("steps").map(|steps| steps.sequence()).unwrap_or_default();
    steps.iter().filter_map(|step| step.get("id")).filter_map(|id| Some((id.as_str()?, id.span()))).collect()
}

/// The context paths read anywhere in a job: in `${{ }}`, and bare in `if:` conditions.
fn contexts(job: View<'_>) -> Vec<ContextRef> {
    let mut found = Vec::new();
    job.visit_written(None, &mut |key, value| {
        let Some(scalar) = value.scalar() else { return };
        let raw = value.resolver().raw(scalar.content);
        found.extend(match key {
            Some("if") => expr::condition_contexts(&raw, scalar.content),
            _ => expr::find_expressions(&raw, scalar.content).into_iter().flat_map(|e| e.contexts).collect(),
        });
    });
    found
}

fn here(from: Span, to: Span) -> Link {
    Link { from, to: Target::Here(to) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::view::with_entries_for_tests;

    /// The links as (text at `from`, text at the target), for a text of one unit, whose
    /// spans are offsets into it.
    fn shown(text: &str, links: &[Link]) -> Vec<(String, String)> {
        let at = |span: Span| text[span.start as usize..span.end as usize].to_owned();
        links
            .iter()
            .map(|link| {
                let Target::Here(to) = link.to else { panic!("a workflow's links stay in the file") };
                (at(link.from), at(to))
            })
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(from, to)| ((*from).to_owned(), (*to).to_owned())).collect()
    }

    #[test]
    fn workflow_jobs_are_named_by_needs_and_expressions_and_steps_by_their_ids() {
        let text = "jobs:\n  a:\n    outputs:\n      v: ${{ steps.meta.outputs.v }}\n    steps:\n      - id: meta\n        run: x\n  b:\n    needs: [a, missing]\n    if: needs.a.result == 'success'\n    steps:\n      - run: echo ${{ needs.a.outputs.v }} ${{ steps.none.outputs.x }}\n";
        let links = with_entries_for_tests(text, |entries| of_workflow(&entries[0].value.entries()));
        assert_eq!(
            shown(text, &links),
            pairs(
                &[("steps.meta.outputs.v", "meta"), ("a", "a"), ("needs.a.result", "a"), ("needs.a.outputs.v", "a"),]
            )
        );
    }

    #[test]
    fn gitlab_needs_extends_and_references_name_jobs_and_templates() {
        let text = ".base:\n  script: [x]\nbuild:\n  extends: [.base, .remote]\ndeploy:\n  needs:\n    - job: build\n    - build\n  script:\n    - !reference [.base, script]\n    - !reference [.other, script]\n";
        let links = with_entries_for_tests(text, of_pipeline);
        // Each top-level entry is its own unit here: compare names, not places.
        let targets: Vec<String> = links
            .iter()
            .map(|link| match &link.to {
                Target::Here(_) => "here".to_owned(),
                Target::Template(name) => name.clone(),
            })
            .collect();
        assert_eq!(targets, ["here", ".remote", "here", "here", "here", "here", ".other"]);
    }
}
