//! Container image references (`[registry/]name[:tag][@sha256:digest]`), as `container:`,
//! `services:`, `docker://` actions and GitLab's `image:` write them, and how firmly each
//! one names its image.

/// Words of a tag that publishers move across versions, not only to rebuilds of one version
/// (`latest`, `lts-alpine`, `gnome-master`).
const MOVING_WORDS: &[&str] = &[
    "latest", "stable", "lts", "edge", "nightly", "main", "master", "dev", "develop", "rolling", "current", "rawhide",
    "testing", "unstable", "sid",
];

/// Words that name a variant of whatever is newest when a tag has nothing else: `rust:slim` is
/// the newest Rust, slim; `debian:bookworm-slim` is Debian 12.
const VARIANT_WORDS: &[&str] = &["alpine", "slim", "dind", "debug", "management"];

/// How firmly an image reference names what runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pinning {
    /// `@sha256:...`: the exact image, whatever happens to tags.
    Digest,
    /// A tag naming a version (`3.12-slim`, `v1.4.0`, a release name such as `bookworm`): its
    /// publisher can push a new image under it, but by convention only a rebuild of that
    /// version.
    VersionTag,
    /// No tag (which means `latest`) or a tag that follows new versions (`latest`, `stable`).
    Moving,
}

/// A parsed image reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The repository, with its registry: everything before the tag or digest.
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    pub fn parse(reference: &'a str) -> Self {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (reference, None),
        };
        // A colon after the last slash starts the tag; one before it is a registry's port.
        let last_slash = rest.rfind('/').map_or(0, |at| at + 1);
        match rest[last_slash..].rfind(':') {
            Some(at) => {
                let at = last_slash + at;
                Self { name: &rest[..at], tag: Some(&rest[at + 1..]), digest }
            }
            None => Self { name: rest, tag: None, digest },
        }
    }

    pub fn pinning(&self) -> Pinning {
        if self.digest.is_some_and(|digest| digest.starts_with("sha256:")) {
            return Pinning::Digest;
        }
        let Some(tag) = self.tag.map(str::trim).filter(|tag| !tag.is_empty()) else {
            return Pinning::Moving;
        };
        let lower = tag.to_ascii_lowercase();
        let words: Vec<&str> = lower.split(['-', '_', '.']).filter(|word| !word.is_empty()).collect();
        // A number names a version or a build (`3.12-slim`, `main.20240221.1149`); without one,
        // a moving word or nothing but variant words means the newest version.
        let numbered = words.iter().any(|word| word.bytes().any(|b| b.is_ascii_digit()));
        let moving = words.iter().any(|word| MOVING_WORDS.contains(word))
            || words.iter().all(|word| VARIANT_WORDS.contains(word));
        if moving && !numbered { Pinning::Moving } else { Pinning::VersionTag }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_name_tag_and_digest() {
        let image = ImageRef::parse("registry.example.com:5000/team/app:1.4@sha256:abc");
        assert_eq!(
            (image.name, image.tag, image.digest),
            ("registry.example.com:5000/team/app", Some("1.4"), Some("sha256:abc"))
        );
        let image = ImageRef::parse("localhost:5000/app");
        assert_eq!((image.name, image.tag), ("localhost:5000/app", None));
    }

    #[test]
    fn digests_pin_version_tags_hold_and_other_tags_move() {
        let pinning = |reference| ImageRef::parse(reference).pinning();
        assert_eq!(pinning("alpine@sha256:beef"), Pinning::Digest);
        assert_eq!(pinning("alpine:3.20@sha256:beef"), Pinning::Digest);
        assert_eq!(pinning("python:3.12-slim"), Pinning::VersionTag);
        assert_eq!(pinning("ghcr.io/org/tool:v1.4.0"), Pinning::VersionTag);
        assert_eq!(pinning("alpine"), Pinning::Moving);
        assert_eq!(pinning("node:latest"), Pinning::Moving);
        assert_eq!(pinning("node:LTS"), Pinning::Moving);
        assert_eq!(pinning("python:alpine"), Pinning::Moving);
        assert_eq!(pinning("docker:dind"), Pinning::Moving);
        assert_eq!(pinning("node:lts-alpine"), Pinning::Moving);
        assert_eq!(pinning("images:gnome-master"), Pinning::Moving);
        assert_eq!(pinning("alpine:"), Pinning::Moving);
        assert_eq!(pinning("debian:bookworm-slim"), Pinning::VersionTag);
        assert_eq!(pinning("docker:29-dind"), Pinning::VersionTag);
        assert_eq!(pinning("ghcr.io/org/test:main.20240221.114913"), Pinning::VersionTag);
    }
}
