//! `cloud-metadata-access`: a script reaches a cloud instance metadata endpoint.

use super::{Confidence, Findings, Platform, Reference, Rule, RuleDocs, RuleMeta, Severity, StepContext};
use crate::matrix::{OwaspCicd, Technique};
use crate::model::commands::{self, MetadataAccess};
use crate::model::github::Step;

pub struct CloudMetadataAccess;

static META: RuleMeta = RuleMeta {
    id: "cloud-metadata-access",
    technique: Technique::CA01,
    severity: Severity::Medium,
    confidence: Confidence::High,
    platforms: &[Platform::GithubActions],
    docs: RuleDocs {
        summary: "A script reads cloud instance metadata or the machine's credentials",
        detects: "`run:` scripts that reach an instance metadata endpoint: `169.254.169.254` (AWS, \
Azure, Google Cloud, Oracle Cloud, OpenStack), `fd00:ec2::254`, `metadata.google.internal`, \
`169.254.170.2` and `$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`/`_FULL_URI` (ECS and EKS \
container credentials), `100.100.100.200` (Alibaba Cloud), in a URL or in the arguments of \
`curl` or `wget`. Medium when the path asks for credentials (`/iam/security-credentials/`, \
`/identity/oauth2/token`, `/service-accounts/.../token`), high when the job also runs on a \
self-hosted runner; low for other metadata (instance type, region). Addresses in `NO_PROXY` \
lists or firewall rules are not requests and are not reported.",
        why: "A machine in a cloud account gets short-lived credentials for the role or service \
account attached to it from its metadata endpoint, with no secret needed. On GitHub-hosted \
runners the endpoint gives nothing useful, but a self-hosted runner in a cloud account hands \
its role to any step that asks, including one a pull request or a compromised action adds; \
roles attached to build machines are often broad.",
        attack: "Credential Access › Access cloud metadata (CA01): code running in the job asks \
the endpoint for the machine's credentials and uses them outside the pipeline: Lateral \
Movement into the cloud account (LM03) and Impact such as cryptomining (IM01).",
        example: r#"on: push
jobs:
  deploy:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
          curl -s "http://169.254.169.254/latest/meta-data/iam/security-credentials/$ROLE" > creds.json
"#,
        fixed_example: r#"on: push
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: [self-hosted, linux]
    steps:
      - uses: aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502 # v4.0.2
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
"#,
        fix: "Give the job the credentials it needs through OpenID Connect (a role that trusts this \
repository and branch) rather than the machine's role, and on self-hosted runners block the \
metadata endpoint for jobs (IMDSv2 with a hop limit of 1 for containers, or a firewall rule) \
and attach a role with no permissions to the runner's machine. No quick fix is offered.",
    },
    references: &[
        Reference::Owasp(OwaspCicd::Sec7),
        Reference::Cwe(522, "Insufficiently Protected Credentials"),
        Reference::Link(
            "AWS: Instance metadata service",
            "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
        ),
    ],
};

impl Rule for CloudMetadataAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn reads_the_call(&self) -> bool {
        false
    }

    fn check_step(&self, context: &StepContext<'_>, step: &Step, out: &mut Findings) {
        let Some(script) = &step.run else {
            return;
        };
        let self_hosted = context.job().is_some_and(|job| job.self_hosted());
        let accesses = commands::metadata_accesses(script);
        // One finding per endpoint and script: a request for credentials covers the others
        // (the session token of IMDSv2, the role's name), the first request covers the rest.
        let covered = |index: usize, access: &MetadataAccess| {
            let same = |other: &&MetadataAccess| std::ptr::eq(other.endpoint, access.endpoint);
            !access.credentials
                && (accesses.iter().filter(same).any(|other| other.credentials)
                    || accesses[..index].iter().any(|other| same(&other)))
        };
        for (index, access) in accesses.iter().enumerate() {
            if covered(index, access) {
                continue;
            }
            let endpoint = &access.endpoint;
            let (message, severity) = if access.credentials && self_hosted {
                (
                    format!(
                        "this reads credentials from `{}` ({}) on a self-hosted runner: it gets the keys or token of \
                         the role attached to the machine, which any step of the job can use outside the pipeline",
                        endpoint.address, endpoint.service
                    ),
                    Severity::High,
                )
            } else if access.credentials {
                (
                    format!(
                        "this reads credentials from `{}` ({}): on a runner in a cloud account it gets the keys or \
                         token of the role attached to the machine (GitHub-hosted runners answer nothing useful)",
                        endpoint.address, endpoint.service
                    ),
                    Severity::Medium,
                )
            } else {
                (
                    format!(
                        "this queries `{}` ({}) about the machine the job runs on: on a self-hosted runner it shows \
                         the cloud account, network and role names to the job",
                        endpoint.address, endpoint.service
                    ),
                    Severity::Low,
                )
            };
            out.report(script.span_of(access.range.clone()), message).with_severity(severity);
        }
    }
}
