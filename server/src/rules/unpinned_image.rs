//! `unpinned-image`: a container image that runs in the pipeline is named by a tag, not a
//! digest.

use super::{
    Applicability, Confidence, Edit, Finding, Findings, Fix, JobContext, Platform, Reference, Rule, RuleDocs, RuleMeta,
    Severity, StepContext, fix,
};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::action::Action;
use crate::model::github::{Step, UsesTarget};
use crate::model::image::{ImageRef, Pinning};
use crate::pins::Pins;
use crate::syntax::span::Span;

pub struct UnpinnedImage;

static META: RuleMeta = RuleMeta {
    id: "unpinned-image",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A container image is referenced by a tag, not a digest",
        detects: "Images of a job's `container:` and `services:`, of `docker://` steps and of \
Docker actions (`runs: image: docker://...`) without a `@sha256:` digest. No tag, `latest` and \
other tags that follow new versions (`stable`, `lts`, `edge`, `nightly`, a tag without a \
variant of the newest version such as `alpine` or `slim`) are medium; a version tag \
(`3.12-slim`, `v1.4.0`, a release name such as `bookworm`) is low, since publishers by \
convention only push rebuilds of the same version under it. An image chosen from \
the matrix (`${{ matrix.image }}`) is checked value by value; other expressions are not \
reported.",
        why: "A tag is a name the image's publisher, or whoever takes over their registry account, \
can point at a new image at any time. A job container runs every step of the job, with its \
token and secrets; a service container shares the job's network. With a digest, the pipeline \
runs exactly the image that was reviewed.",
        attack: "Initial Access › Compromise CI/CD supply chain (IA03): the attacker pushes a new \
image under the tag in a registry they control or have compromised, and this pipeline runs it \
on its next run, reaching the job's secrets (Credential Access, CA02) and its token.",
        example: r#"on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    container: node:latest
    steps:
      - run: npm test
"#,
        fixed_example: r#"on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    container: node:22.11@sha256:5fb3e4a5c1f7d22b6f1a4b9e6d2b4b5e7d1ea1f2a8c3e4b5a6d7c8e9f0a1b2c3
    steps:
      - run: npm test
"#,
        fix: "Pin the image by digest, keeping the tag for humans and update tools: \
`node:22.11@sha256:<digest>` (Dependabot and Renovate keep such pins current). `docker \
buildx imagetools inspect node:22.11` prints the digest. When the repository's lock file \
(`.github/pipewarden.lock`, section `[images]`: `\"node:22.11\" = \"sha256:...\"`) records the \
digest of the reference as written, the quick fix \"Pin to sha256:... (node:22.11)\" appends it \
after the tag; it is safe, since it names the image the tag named when the digest was \
recorded. Otherwise no fix is offered: the digest must come from the registry, which \
pipewarden never contacts (`pipewarden pin` resolves actions, not images: add image digests \
to the lock yourself).",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Zizmor("unpinned-images"),
        Reference::Link(
            "GitHub: Running jobs in a container",
            "https://docs.github.com/en/actions/writing-workflows/choosing-where-your-workflow-runs/running-jobs-in-a-container",
        ),
    ],
};

impl Rule for UnpinnedImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_job(&self, context: &JobContext<'_>, out: &mut Findings) {
        let (job, pins) = (context.job, context.options.pins());
        let containers = job
            .container
            .as_deref()
            .into_iter()
            .map(|c| (c, "the job's container"))
            .chain(job.services.iter().map(|c| (c, "the service container")));
        for (container, what) in containers {
            let image = &container.image;
            // `${{ matrix.image }}`: each value of the matrix is an image.
            match matrix_key(&image.value) {
                Some(key) => {
                    for value in job.matrix_values(key) {
                        let what = format!("{what} (from `matrix.{key}`)");
                        check(&value.value, (&value.value, value.span), &what, pins, out);
                    }
                }
                None => check(&image.value, (&image.value, image.span), what, pins, out),
            }
        }
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        if let Some(uses) = &step.uses
            && let UsesTarget::Docker { image } = &uses.target
        {
            check(image, (&uses.raw, uses.span), "the step's image", context.options().pins(), out);
        }
    }

    fn check_action(&self, action: &Action, out: &mut Findings) {
        let image = action.runs.as_ref().and_then(|runs| runs.image.as_ref());
        if let Some(image) = image
            && let Some(reference) = image.value.strip_prefix("docker://")
        {
            // Action metadata is checked without the repository's options: no lock.
            check(reference, (&image.value, image.span), "the action's image", &Pins::default(), out);
        }
    }
}

/// `KEY` when `value` is exactly `${{ matrix.KEY }}`.
fn matrix_key(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let key = inner.strip_prefix("matrix.")?;
    key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-').then_some(key)
}

/// Checks the image reference `image`, written in a scalar whose value and span are
/// `written` (`docker://node:20` for `node:20`).
fn check(image: &str, written: (&str, Span), what: &str, pins: &Pins, out: &mut Findings) {
    if image.contains("${{") {
        return;
    }
    let Some(finding) = report(ImageRef::parse(image), written.1, what, out) else { return };
    if let Some(fix) = pin_from_lock(image, written, pins) {
        finding.with_fix(fix);
    }
}

/// Appends the digest the lock file records for `image` to the reference, keeping its tag
/// (`node:20@sha256:...`, where the digest wins).
fn pin_from_lock(image: &str, (value, span): (&str, Span), pins: &Pins) -> Option<Fix> {
    let digest = pins.image(image)?;
    let content = fix::scalar_content(value, span)?;
    Some(Fix {
        title: format!("Pin to {digest} ({image})").into(),
        applicability: Applicability::Safe,
        edits: vec![Edit::insert(content.at_end(), format!("@{digest}"))],
    })
}

/// Reports an image reference that is not pinned by digest, calibrated by its tag; shared with
/// `gitlab-unpinned-image`.
pub(super) fn report<'a>(
    image: ImageRef<'_>,
    span: Span,
    what: &str,
    out: &'a mut Findings,
) -> Option<&'a mut Finding> {
    let name = image.name;
    let (how, severity) = match (image.pinning(), image.tag) {
        (Pinning::Digest, _) => return None,
        (Pinning::VersionTag, Some(tag)) => {
            (format!("the tag `{tag}`, which its publisher can repoint"), Severity::Low)
        }
        (Pinning::Moving, Some(tag)) if !tag.is_empty() => {
            (format!("the tag `{tag}`, which moves to every new version"), Severity::Medium)
        }
        _ => ("no tag, so it runs whatever `latest` is".to_owned(), Severity::Medium),
    };
    let finding = out.report(
        span,
        format!("{what} `{name}` is named by {how}: pin it by digest (`{name}@sha256:...`) so a pushed image cannot run here unreviewed"),
    );
    Some(finding.with_severity(severity))
}
