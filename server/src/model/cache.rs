//! GitHub Actions caches: which steps restore and save them, and under which key. A cache
//! entry is shared by every run that can restore it (its branch, and the default branch's
//! entries for every branch), so who can write an entry, and whether a release restores it,
//! is what cache poisoning is about. The actions that cache are the bundled
//! `data/caching-actions.toml`.

use std::sync::LazyLock;

use serde::Deserialize;

use super::Text;
use super::github::Step;
use crate::syntax::span::Span;
use crate::{bundled, data};

#[derive(Deserialize)]
struct CachingActions {
    action: Vec<CachingAction>,
}

#[derive(Deserialize)]
struct CachingAction {
    uses: String,
    enabled: Enabled,
    input: Option<String>,
    since: Option<u32>,
    saves: bool,
    #[serde(default = "restores_by_default")]
    restores: bool,
    note: Option<String>,
    #[serde(default)]
    conditional: bool,
}

fn restores_by_default() -> bool {
    true
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Enabled {
    Always,
    Input,
    Default,
}

static ACTIONS: LazyLock<CachingActions> = LazyLock::new(|| data::parse(bundled!("caching-actions.toml")));

/// A step that uses a cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheUse<'a> {
    /// The `uses:` of the step.
    pub span: Span,
    /// The action, and how it caches, for messages: "`actions/setup-go`, which caches by
    /// default".
    pub what: String,
    /// Whether it saves entries.
    pub saves: bool,
    /// Whether it restores entries.
    pub restores: bool,
    /// Whether it caches only if the repository's files say so (setup-node's automatic npm
    /// cache), which the workflow does not show.
    pub conditional: bool,
    /// The `key:` of `actions/cache`.
    pub key: Option<&'a Text>,
}

/// The cache a step restores or saves, if it uses one.
pub fn cache_use(step: &Step) -> Option<CacheUse<'_>> {
    let uses = step.uses.as_ref()?;
    ACTIONS.action.iter().filter(|action| uses.is_action(&action.uses)).find_map(|action| caching(step, action))
}

/// How `step` caches according to one entry of the data, if it does.
fn caching<'a>(step: &'a Step, action: &CachingAction) -> Option<CacheUse<'a>> {
    let uses = step.uses.as_ref()?;
    let setting = action.input.as_deref().and_then(|input| step.input_text(input));
    let set = setting.is_some_and(|value| !value.value.trim().eq_ignore_ascii_case("false") && !value.value.is_empty());
    let (enabled, how) = match action.enabled {
        Enabled::Always => (true, String::new()),
        Enabled::Input => (set, format!(" with `{}:`", action.input.as_deref().unwrap_or_default())),
        Enabled::Default => {
            let turned_off = setting.is_some_and(|value| value.value.trim().eq_ignore_ascii_case("false"));
            let caches_by_default =
                major_version(uses.git_ref()).is_none_or(|major| major >= action.since.unwrap_or(0));
            (!turned_off && (caches_by_default || set), ", which caches by default".to_owned())
        }
    };
    let how = action.note.as_ref().map_or(how, |note| format!(", {note}"));
    enabled.then(|| CacheUse {
        span: uses.span,
        what: format!("`{}`{how}", action.uses),
        saves: action.saves,
        restores: action.restores,
        conditional: action.conditional,
        key: step.input_text("key"),
    })
}

/// The major version of a ref such as `v4` or `v4.1.0`; `None` for branches and SHAs.
fn major_version(git_ref: Option<&str>) -> Option<u32> {
    let digits: String = git_ref?.strip_prefix('v')?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::github::parse_for_tests;

    #[test]
    fn caching_by_action_input_and_version() {
        let source = concat!(
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n",
            "      - uses: actions/setup-node@v4\n        with:\n          cache: npm\n",
            "      - uses: actions/setup-node@v4\n",
            "      - uses: actions/setup-node@v5\n        with:\n          package-manager-cache: false\n",
            "      - uses: actions/setup-go@v5\n",
            "      - uses: actions/setup-go@v3\n",
            "      - uses: actions/setup-go@v5\n        with:\n          cache: false\n",
            "      - uses: actions/cache/restore@v4\n        with:\n          key: deps-${{ hashFiles('**/lock') }}\n",
        );
        let workflow = parse_for_tests(source);
        let uses: Vec<Option<bool>> =
            workflow.jobs[0].steps.iter().map(|step| cache_use(step).map(|cache| cache.saves)).collect();
        assert_eq!(uses, [Some(true), None, None, Some(true), None, None, Some(false)]);
        assert!(cache_use(&workflow.jobs[0].steps[6]).unwrap().key.is_some());
    }
}
