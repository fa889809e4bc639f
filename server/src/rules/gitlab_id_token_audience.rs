//! `gitlab-id-token-audience`: OIDC tokens minted for too many audiences, or in merge
//! request pipelines.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::gitlab::{GitlabJob, Globals};
use crate::model::reach::Runs;

pub struct GitlabIdTokenAudience;

static META: RuleMeta = RuleMeta {
    id: "gitlab-id-token-audience",
    technique: Technique::CA03,
    severity: Severity::Medium,
    confidence: Confidence::Medium,
    platforms: &[Platform::GitlabCi],
    docs: RuleDocs {
        summary: "An OIDC token is minted for any audience, or in merge request pipelines",
        detects: "`id_tokens:` whose `aud` is a wildcard (`*`) or empty (medium); whose `aud` is \
the GitLab instance itself (`$CI_SERVER_URL`, `https://gitlab.com`), the audience every \
relying party set up with GitLab's defaults accepts, or lists several audiences (low); and \
jobs with `id_tokens:` that run in merge request pipelines (medium), where the token's claims \
say `ref_protected: false`.",
        why: "An ID token is a credential: the cloud role, Vault role or registry that trusts \
GitLab's issuer hands out its own credentials for it, checking only the claims it was told to \
check. A token for a broad audience is accepted by every relying party that accepts that \
audience, so whoever receives it (a tool the job sends it to, a log) can replay it there. And \
a merge request's author can mint tokens from their own pipeline: if the trust policy does \
not require `ref_protected: true` (or a protected `ref`), any merge request pipeline gets the \
same cloud credentials as the default branch. A job that needs the token in merge request \
pipelines means the policy accepts unprotected refs.",
        attack: "Credential Access › Fetch credentials from a vault (CA03): the attacker's \
merge request pipeline requests an ID token and exchanges it for cloud or Vault credentials. \
It starts at Initial Access › Public repositories (IA01) and leads to Lateral Movement › \
Exploit other internal resources unrelated to CI/CD (LM03).",
        example: r#"stages: [deploy]
deploy:
  stage: deploy
  id_tokens:
    AWS_TOKEN:
      aud: "*"
  script:
    - aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN" --role-session-name ci --web-identity-token "$AWS_TOKEN"
"#,
        fixed_example: r#"stages: [deploy]
deploy:
  stage: deploy
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
  id_tokens:
    AWS_TOKEN:
      aud: sts.amazonaws.com
  script:
    - aws sts assume-role-with-web-identity --role-arn "$ROLE_ARN" --role-session-name ci --web-identity-token "$AWS_TOKEN"
"#,
        fix: "Give each token one audience, the one its relying party expects \
(`sts.amazonaws.com`, your Vault's address, the GCP workload identity provider), mint it \
only in jobs that run for protected refs, and make the trust policy check \
`ref_protected: true` (or `ref` and `ref_type`) and `project_path`. No quick fix is offered: \
the audience is set on the relying party's side.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec2),
        Reference::Cwe(1390, "Weak Authentication"),
        Reference::Link(
            "GitLab: OpenID Connect (OIDC) Authentication Using ID Tokens",
            "https://docs.gitlab.com/ci/secrets/id_token_authentication/",
        ),
        Reference::Link("GitLab: id_tokens", "https://docs.gitlab.com/ci/yaml/#id_tokens"),
    ],
};

impl Rule for GitlabIdTokenAudience {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_gitlab_job(&self, _globals: &Globals, job: &GitlabJob, out: &mut Findings) {
        for token in &job.id_tokens {
            let name = &token.name.value;
            let wildcard = token.audiences.iter().find(|aud| aud.value.trim().is_empty() || aud.value.contains('*'));
            if let Some(aud) = wildcard {
                out.report(
                    aud.span,
                    format!("`{name}` is minted for the audience `{}`: any relying party that accepts GitLab's tokens may take it", aud.value),
                );
            } else if let Some(aud) = token.audiences.iter().find(|aud| is_instance(&aud.value)) {
                out.report(
                    aud.span,
                    format!("`{name}` is minted for `{}`, the GitLab instance itself: every relying party set up with that default audience accepts it, so it is not bound to the one this job needs", aud.value),
                )
                .with_severity(Severity::Low);
            } else if token.audiences.len() > 1 {
                out.report(
                    token.audiences[1].span,
                    format!(
                        "`{name}` is minted for {} audiences: each of them can replay it at the others",
                        token.audiences.len()
                    ),
                )
                .with_severity(Severity::Low);
            }
            let runs = job.reach.merge_requests;
            if runs.possible() {
                out.report(
                    token.name.span,
                    format!(
                        "`{name}` is minted in merge request pipelines{}: unless the relying party's trust policy requires `ref_protected: true` (or a protected `ref`), a merge request's author can mint the same token from their own pipeline and exchange it for this job's cloud or Vault credentials",
                        runs.caveat()
                    ),
                )
                .with_confidence(if runs == Runs::Yes { Confidence::Medium } else { Confidence::Low });
            }
        }
    }
}

/// Whether an audience names the GitLab instance (which older setups copied from
/// `CI_JOB_JWT_V2`).
fn is_instance(audience: &str) -> bool {
    let audience = audience.trim().trim_end_matches('/').to_ascii_lowercase();
    matches!(audience.as_str(), "$ci_server_url" | "${ci_server_url}" | "https://gitlab.com")
}
