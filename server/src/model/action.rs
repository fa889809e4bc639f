//! Action metadata (`action.yml`): what an action runs.

use super::github::{ShellDefault, Step, build_steps};
use super::view::Entry;
use super::{Spanned, Text};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Action {
    pub name: Option<Spanned<String>>,
    pub inputs: Vec<Spanned<String>>,
    pub runs: Option<Runs>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runs {
    /// `composite`, `docker`, `node20`, ...
    pub using: Option<Spanned<String>>,
    /// The steps of a composite action.
    pub steps: Vec<Step>,
    /// The image of a Docker action.
    pub image: Option<Text>,
}

/// Builds the action from its top-level entries.
pub fn build_action(entries: &[Entry<'_>]) -> Action {
    let find = |key: &str| entries.iter().find(|entry| entry.name() == Some(key));
    Action {
        name: find("name").and_then(|entry| Spanned::from_view(entry.value)),
        inputs: find("inputs")
            .map(|entry| entry.value.entries().iter().filter_map(Spanned::key_of).collect())
            .unwrap_or_default(),
        runs: find("runs").map(|entry| Runs {
            using: entry.value.get("using").and_then(Spanned::from_view),
            steps: entry
                .value
                .get("steps")
                .map(|steps| build_steps(steps, &ShellDefault::default()))
                .unwrap_or_default(),
            image: entry.value.get("image").and_then(Text::from_view),
        }),
    }
}
