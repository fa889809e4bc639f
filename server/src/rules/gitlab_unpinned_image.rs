//! `gitlab-unpinned-image`: a job's image or service is named by a tag, not a digest.

use super::unpinned_image::report;
use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals, Image};
use crate::model::image::ImageRef;

pub struct GitlabUnpinnedImage;

static META: RuleMeta = RuleMeta {
    id: "gitlab-unpinned-image",
    technique: Technique::IA03,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "A job's image is referenced by a tag, not a digest",
        detects: "`image:` and `services:` of jobs, including those inherited from `default:` \
and through `extends:`, without a `@sha256:` digest. No tag, `latest` and other tags that \
follow new versions (`stable`, `lts`, `edge`, a variant of the newest version such as `alpine` \
or `dind`) are medium; a version tag (`3.12-slim`, a release name such as `bookworm`) is low. \
GitLab-hosted macOS runner images (`macos-15-xcode-16`) are VM images and are not reported. Images whose name comes from a variable \
(`$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA`) are built by the pipeline or chosen elsewhere and are not \
reported; a tag set by a variable of the file is read through it.",
        why: "A tag is a name the image's publisher, or whoever takes over their registry account, \
can point at a new image at any time. The job's script runs inside the image, with the job's \
CI/CD variables and `CI_JOB_TOKEN`; a service shares the job's network. With a digest, the \
pipeline runs exactly the image that was reviewed.",
        attack: "Initial Access › Compromise CI/CD supply chain (IA03): the attacker pushes a new \
image under the tag in a registry they control or have compromised, and this pipeline runs it \
on its next run, reaching the job's variables (Credential Access, CA02) and its token.",
        example: r#"stages: [test]
test:
  stage: test
  image: node:latest
  script:
    - npm test
"#,
        fixed_example: r#"stages: [test]
test:
  stage: test
  image: node:22.11@sha256:5fb3e4a5c1f7d22b6f1a4b9e6d2b4b5e7d1ea1f2a8c3e4b5a6d7c8e9f0a1b2c3
  script:
    - npm test
"#,
        fix: "Pin the image by digest, keeping the tag for humans and update tools: \
`node:22.11@sha256:<digest>` (Renovate keeps such pins current). `docker buildx imagetools \
inspect node:22.11` prints the digest. No quick fix is offered: the digest must come from the \
registry, which pipewarden never contacts.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec3),
        Reference::Cwe(829, "Inclusion of Functionality from Untrusted Control Sphere"),
        Reference::Link("GitLab: image", "https://docs.gitlab.com/ci/yaml/#image"),
    ],
};

impl Rule for GitlabUnpinnedImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        if let Some(image) = &job.image {
            check(image, "the job's image", globals, job, out);
        }
        for service in &job.services {
            check(service, "the service", globals, job, out);
        }
    }
}

fn check(image: &Image, what: &str, globals: &Globals, job: &GitlabJob, out: &mut Findings) {
    let written = ImageRef::parse(&image.name.value);
    // GitLab-hosted macOS runners take a VM image name (`macos-15-xcode-16`), not a container.
    let macos_vm = written.name.starts_with("macos-") && !written.name.contains('/');
    if macos_vm || written.name.contains('$') || written.digest.is_some_and(|digest| digest.contains('$')) {
        return;
    }
    let Some(tag) = written.tag.filter(|tag| tag.contains('$')) else {
        report(written, image.name.span, what, out);
        return;
    };
    // `node:$NODE_VERSION`: read the tag from the variable when the file sets it literally.
    let name = tag.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
    let value = job.variable(globals, name).and_then(|variable| variable.value.as_ref());
    if let Some(value) = value.filter(|value| !value.value.contains('$')) {
        let resolved = ImageRef { tag: Some(&value.value), ..written };
        report(resolved, image.name.span, &format!("{what}, with its tag from `{tag}`,"), out);
    }
}
