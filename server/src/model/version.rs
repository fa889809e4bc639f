//! Versions as refs and tags write them (`v4`, `1.2`, `v46.0.1`), and what kind of git ref a
//! `uses:` or `include:` names: a commit, a version tag, or something else (a branch).

use std::cmp::Ordering;

use super::is_commit_sha;

/// A version with one to three numbers. A tag with fewer than three, like `v4`, is a release
/// line: by convention its owner moves it to the newest release of that line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    numbers: Vec<u64>,
    /// Whether a pre-release suffix (`-beta.1`) follows the numbers.
    pre_release: bool,
}

impl Version {
    /// Parses `v1`, `1.2`, `V1.2.3`, `1.2.3-rc.1` or `1.2.3+build`; anything else is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.strip_prefix(['v', 'V']).unwrap_or(text);
        let (core, suffix) = match text.find(['-', '+']) {
            Some(at) => (&text[..at], Some(&text[at..])),
            None => (text, None),
        };
        let numbers: Vec<u64> = core.split('.').map(|part| part.parse().ok()).collect::<Option<_>>()?;
        let well_formed = (1..=3).contains(&numbers.len())
            && core.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
            && suffix.is_none_or(|suffix| suffix.len() > 1);
        well_formed.then(|| Self { numbers, pre_release: suffix.is_some_and(|s| s.starts_with('-')) })
    }

    /// Whether all three numbers are written (`1.2.3`): a single release, not a release line.
    pub fn is_complete(&self) -> bool {
        self.numbers.len() == 3
    }

    /// Compares the release this version resolves to with a complete `bound`. A release line
    /// (`v4`, `v4.1`) stands for its newest release, which is at or above every release of the
    /// line that the bound can name: `v4` compares equal to `4.1.3` and greater than `4.0.0`
    /// rather than less, so an advisory fixed within the line does not match the line.
    pub fn cmp_release(&self, bound: &Version) -> Ordering {
        for (index, bound_number) in bound.numbers.iter().enumerate() {
            let Some(own) = self.numbers.get(index) else {
                return Ordering::Equal;
            };
            match own.cmp(bound_number) {
                Ordering::Equal => {}
                other => return other,
            }
        }
        // Same numbers: a pre-release comes before its release.
        bound.pre_release.cmp(&self.pre_release)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let numbers: Vec<String> = self.numbers.iter().map(u64::to_string).collect();
        f.write_str(&numbers.join("."))
    }
}

/// What a git ref names, as far as its text tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefKind {
    /// A full commit SHA: nobody can move it.
    Commit,
    /// A version tag (`v4`, `v4.1.1`): movable, but by convention moved only within its line.
    Version(Version),
    /// Anything else: a branch (`main`, `release/v1`) or a tag that is not a version.
    Other,
}

impl RefKind {
    pub fn of(git_ref: &str) -> Self {
        if is_commit_sha(git_ref) {
            RefKind::Commit
        } else if let Some(version) = Version::parse(git_ref) {
            RefKind::Version(version)
        } else {
            RefKind::Other
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn versions_parse_as_tags_write_them() {
        assert_eq!(v("v4").numbers, [4]);
        assert_eq!(v("V1.2").numbers, [1, 2]);
        assert!(v("1.2.3").is_complete() && !v("v4.1").is_complete());
        assert!(v("1.2.3-rc.1").pre_release && !v("1.2.3+build").pre_release);
        for not_a_version in ["main", "v", "1..2", "1.2.3.4", "v1-", "release/v1", "latest", "1.x", ""] {
            assert_eq!(Version::parse(not_a_version), None, "{not_a_version}");
        }
    }

    #[test]
    fn release_lines_stand_for_their_newest_release() {
        assert_eq!(v("v45").cmp_release(&v("46.0.1")), Ordering::Less);
        assert_eq!(v("v46").cmp_release(&v("46.0.1")), Ordering::Equal);
        assert_eq!(v("v4").cmp_release(&v("4.0.0")), Ordering::Equal);
        assert_eq!(v("v4.1").cmp_release(&v("4.1.3")), Ordering::Equal);
        assert_eq!(v("v4.0").cmp_release(&v("4.1.3")), Ordering::Less);
        assert_eq!(v("4.1.2").cmp_release(&v("4.1.3")), Ordering::Less);
        assert_eq!(v("4.1.3").cmp_release(&v("4.1.3")), Ordering::Equal);
        assert_eq!(v("4.1.3-rc.1").cmp_release(&v("4.1.3")), Ordering::Less);
        assert_eq!(v("5").cmp_release(&v("4.1.3")), Ordering::Greater);
    }

    #[test]
    fn refs_are_commits_versions_or_other() {
        assert_eq!(RefKind::of("8f4b7f84864484a7bf31766abe9204da3cbe65b3"), RefKind::Commit);
        assert!(matches!(RefKind::of("v4.1.1"), RefKind::Version(_)));
        assert_eq!(RefKind::of("main"), RefKind::Other);
        assert_eq!(RefKind::of("8f4b7f8"), RefKind::Other);
    }
}
