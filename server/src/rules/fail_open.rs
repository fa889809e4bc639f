//! How a security check that is allowed to fail is reported, shared by
//! `continue-on-error-security` and `gitlab-allow-failure-security` so that they calibrate
//! alike: low, but medium for a verification whose download later steps go on to use.

use super::{Applicability, Findings, Fix, Severity, fix};
use crate::model::Setting;
use crate::model::scanners::{Check, CheckKind};

/// Reports the setting `key: true` (`continue-on-error`, `allow_failure`) letting `owner` (this
/// step, job `x`) pass when `check` fails, with a fix that removes the setting. `used_after`
/// says whether what the check verifies is used after a failure: by the later steps of the
/// job, which run after a step that continues on error; not when the failure stops the job.
pub fn report(setting: &Setting, key: &str, check: &Check, owner: &str, used_after: bool, out: &mut Findings) {
    let (consequence, severity) = match check.kind {
        CheckKind::Scan => ("what it finds, and its own breakage, go unnoticed", Severity::Low),
        CheckKind::Verify if used_after => {
            ("the steps after it use a download that failed verification", Severity::Medium)
        }
        CheckKind::Verify => ("a download that fails verification goes unnoticed", Severity::Low),
    };
    let finding = out
        .report(setting.value.span, format!("`{key}: true` lets {owner} pass when {} fails: {consequence}", check.what))
        .with_severity(severity);
    if setting.removable {
        finding.with_fix(Fix {
            title: format!("Remove `{key}`").into(),
            applicability: Applicability::Unsafe,
            edits: vec![fix::remove_entry(setting.entry)],
        });
    }
}
