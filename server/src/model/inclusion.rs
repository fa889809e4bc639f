//! An inclusion from another file: what a GitLab pipeline's main file gives the files it
//! includes with `include: local:`. GitLab merges them into one configuration in which the
//! including file's global keywords win; read alone, an included file's jobs know neither the
//! pipelines the including file's `workflow: rules:` create (a job without rules runs in
//! every one of them, merge request pipelines included) nor what its `variables:` hold.

use super::gitlab::{GivenDefault, Globals, Image, RuleClause, Template, Variable};
use super::reach::Reach;
use super::shell::Script;
use super::{Block, Spanned, Text};
use crate::syntax::span::Span;

/// What the including file gives the file it includes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inclusion {
    /// Its `workflow: rules:`; empty when it has none (the included file's own then apply).
    pub workflow_rules: Vec<RuleClause>,
    /// Its global `variables:`, which win over the included file's of the same name.
    pub variables: Vec<Variable>,
    /// The templates the other files define that decide where the jobs extending them run.
    pub templates: Vec<Template>,
    /// The `default:` keys another file gives, which win over the included file's own.
    pub default: Option<GivenDefault>,
}

impl Inclusion {
    /// What the other files of the pipeline give: `workflow: rules:` and `variables:` read
    /// there, placed elsewhere.
    pub fn new<'v>(workflow_rules: &[RuleClause], variables: impl IntoIterator<Item = &'v Variable>) -> Self {
        Self {
            workflow_rules: workflow_rules.iter().map(placed_elsewhere).collect(),
            variables: variables.into_iter().map(variable_elsewhere).collect(),
            templates: Vec::new(),
            default: None,
        }
    }

    /// These, with the templates the other files define.
    pub fn with_templates<'t>(self, templates: impl IntoIterator<Item = &'t Template>) -> Self {
        Self { templates: templates.into_iter().map(template_elsewhere).collect(), ..self }
    }

    /// These, with the `default:` keys another file gives.
    pub fn with_default(self, default: Option<&GivenDefault>) -> Self {
        let default = default.map(|default| GivenDefault {
            image: default.image.as_ref().map(|image| Image { name: spanned_elsewhere(&image.name) }),
            before_script: default.before_script.as_ref().map(|scripts| scripts.iter().map(script_elsewhere).collect()),
        });
        Self { default, ..self }
    }

    /// What the including file's `globals` give.
    pub fn of(globals: &Globals) -> Self {
        Self::new(&globals.workflow_rules, &globals.variables)
    }

    /// The included file's global keywords as the pipeline has them once merged.
    pub fn globals_for(&self, own: &Globals) -> Globals {
        let workflow_rules =
            if self.workflow_rules.is_empty() { own.workflow_rules.clone() } else { self.workflow_rules.clone() };
        let given = |name: &str| self.variables.iter().any(|variable| variable.name.value == name);
        let mut variables = self.variables.clone();
        variables.extend(own.variables.iter().filter(|variable| !given(&variable.name.value)).cloned());
        let templates = own.templates.iter().chain(&self.templates).cloned().collect();
        Globals {
            workflow_reach: Reach::of_workflow(&workflow_rules),
            workflow_rules,
            variables,
            templates,
            given_default: self.default.clone().or_else(|| own.given_default.clone()),
            ..own.clone()
        }
    }
}

// Spans belong to the file they were read from: the including file's values are placed
// elsewhere, so that what is found at them (the including file's analysis reports it) and
// fixes that would edit them resolve nowhere in the included file.

fn placed_elsewhere(clause: &RuleClause) -> RuleClause {
    RuleClause {
        span: Span::elsewhere(),
        condition: clause.condition.as_ref().map(text_elsewhere),
        when: clause.when.as_ref().map(spanned_elsewhere),
        has_changes_or_exists: clause.has_changes_or_exists,
    }
}

fn template_elsewhere(template: &Template) -> Template {
    Template {
        name: spanned_elsewhere(&template.name),
        rules: template.rules.iter().map(placed_elsewhere).collect(),
        only: template.only.iter().map(spanned_elsewhere).collect(),
        except: template.except.iter().map(spanned_elsewhere).collect(),
    }
}

fn variable_elsewhere(variable: &Variable) -> Variable {
    Variable {
        name: spanned_elsewhere(&variable.name),
        value: variable.value.as_ref().map(text_elsewhere),
        expand: variable.expand,
        entry: Span::elsewhere(),
        mapping: Block { key: Span::elsewhere(), last_entry_end: Span::elsewhere(), ..variable.mapping.clone() },
    }
}

fn script_elsewhere(script: &Script) -> Script {
    Script { text: text_elsewhere(&script.text), ..script.clone() }
}

fn text_elsewhere(text: &Text) -> Text {
    let expressions = text
        .expressions
        .iter()
        .map(|expression| super::expr::Expression { span: Span::elsewhere(), ..expression.clone() })
        .collect();
    Text { span: Span::elsewhere(), expressions, ..text.clone() }
}

fn spanned_elsewhere(value: &Spanned<String>) -> Spanned<String> {
    Spanned::new(value.value.clone(), Span::elsewhere())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gitlab::parse_for_tests;
    use crate::model::reach::Runs;

    const ROOT: &str = "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n    - if: $CI_COMMIT_BRANCH\nvariables:\n  TITLE: $CI_MERGE_REQUEST_TITLE\n  SHARED: root\n";
    const INCLUDED: &str = "variables:\n  SHARED: included\n  OWN: own\n";

    #[test]
    fn the_including_files_workflow_and_variables_win() {
        let root = parse_for_tests(ROOT).globals;
        let included = parse_for_tests(INCLUDED).globals;
        let merged = Inclusion::of(&root).globals_for(&included);
        assert_eq!(merged.workflow_reach.merge_requests, Runs::Yes);
        let values: Vec<(&str, &str)> =
            merged.variables.iter().map(|v| (v.name.as_str(), v.value.as_ref().unwrap().value.as_str())).collect();
        assert_eq!(values, [("TITLE", "$CI_MERGE_REQUEST_TITLE"), ("SHARED", "root"), ("OWN", "own")]);
        assert!(merged.variables[..2].iter().all(|v| v.entry.unit == crate::syntax::span::UnitId::ELSEWHERE));
        assert_eq!(merged.variables[2].entry, included.variables[1].entry, "the file's own keep their place");
    }

    #[test]
    fn without_workflow_rules_the_included_files_own_apply() {
        let root = parse_for_tests("variables:\n  A: a\n").globals;
        let included = parse_for_tests("workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\n").globals;
        let merged = Inclusion::new(&root.workflow_rules, []).globals_for(&included);
        assert_eq!((merged.workflow_reach.merge_requests, merged.workflow_reach.tags), (Runs::No, Runs::Yes));
        assert_eq!(Inclusion::new(&root.workflow_rules, []), Inclusion::default(), "it gives nothing");
    }
}
